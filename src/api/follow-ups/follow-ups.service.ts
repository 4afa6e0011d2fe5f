import { BadRequestException, ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { Client, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import {
  cancelCampaignUpdate,
  rescheduleCampaignUpdate,
  FOLLOW_UP_PURPOSES,
  followUpWorkflowId,
  getCampaignStateQuery,
  pauseCampaignUpdate,
  resumeCampaignUpdate,
  type CampaignState,
  type FollowUpPurpose,
} from '../../contracts';
import type { AppConfig } from '../../config';
import { chatReferenceFor, type ChatReference } from '../../codec';
import { toHttpError } from '../common/temporal-errors';
import { APP_CONFIG } from '../common/tokens';

const UPDATES = { pause: pauseCampaignUpdate, resume: resumeCampaignUpdate, cancel: cancelCampaignUpdate } as const;
export type CampaignAction = keyof typeof UPDATES;

/** A chat's follow-up campaigns, read from and controlled through their workflows. */
@Injectable()
export class FollowUpsService {
  /** Campaign workflow ids carry the chat's reference (a keyed hash when histories are encrypted). */
  private readonly chatRef: ChatReference;

  constructor(
    @Inject(Client) private readonly client: Client,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.chatRef = chatReferenceFor(config.payloadEncryptionKeys);
  }

  /** Every campaign the chat has (running or finished), with its state from the workflow. */
  async list(chatId: string): Promise<{ chatId: string; campaigns: Array<CampaignState & { workflowId: string; running: boolean }> }> {
    const campaigns: Array<CampaignState & { workflowId: string; running: boolean }> = [];
    for (const purpose of FOLLOW_UP_PURPOSES) {
      const state = await this.read(chatId, purpose);
      if (state) campaigns.push(state);
    }
    return { chatId, campaigns };
  }

  private async read(chatId: string, purpose: FollowUpPurpose) {
    const workflowId = followUpWorkflowId(this.chatRef(chatId), purpose);
    const handle = this.client.workflow.getHandle(workflowId);
    try {
      const description = await handle.describe();
      const running = description.status.name === 'RUNNING';
      // A finished campaign still answers the query (the worker replays it); one that was
      // terminated or failed may not, and is reported by its execution status instead.
      const state: CampaignState = await handle.query(getCampaignStateQuery).catch(() => ({
        chatId,
        purpose,
        status: 'cancelled' as const,
        reason: `workflow ${description.status.name.toLowerCase()}`,
        startedAt: description.startTime.toISOString(),
        steps: 0,
        sent: [],
      }));
      return { ...state, workflowId, running };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw toHttpError(err, workflowId);
    }
  }

  /** Moves the next step of one campaign; a time in the past or a finished campaign is refused. */
  async reschedule(chatId: string, purpose: FollowUpPurpose, at: string, by?: string): Promise<CampaignState> {
    const workflowId = followUpWorkflowId(this.chatRef(chatId), purpose);
    try {
      return await this.client.workflow.getHandle(workflowId).executeUpdate(rescheduleCampaignUpdate, { args: [{ at, by }] });
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) {
        const message = err.cause?.message ?? 'refused';
        throw message.startsWith('at:') ? new BadRequestException(message) : new ConflictException(`campaign: ${message}`);
      }
      if (err instanceof WorkflowNotFoundError) throw new NotFoundException(`chatId: no ${purpose} campaign for ${chatId}`);
      throw toHttpError(err, workflowId);
    }
  }

  /** Applies an operator action to the chat's running campaigns (or the one named). */
  async control(chatId: string, action: CampaignAction, purpose?: FollowUpPurpose, by?: string): Promise<{ chatId: string; campaigns: CampaignState[] }> {
    const targets = purpose ? [purpose] : [...FOLLOW_UP_PURPOSES];
    const changed: CampaignState[] = [];
    const refusals: string[] = [];
    for (const p of targets) {
      const workflowId = followUpWorkflowId(this.chatRef(chatId), p);
      const handle = this.client.workflow.getHandle(workflowId);
      try {
        const description = await handle.describe();
        if (description.status.name !== 'RUNNING') continue;
        changed.push(await handle.executeUpdate(UPDATES[action], { args: [{ by }] }));
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) continue;
        if (err instanceof WorkflowUpdateFailedError) {
          refusals.push(`${p}: ${err.cause?.message ?? 'refused'}`);
          continue;
        }
        throw toHttpError(err, workflowId);
      }
    }
    if (changed.length === 0 && refusals.length > 0) throw new ConflictException(`campaign: ${refusals.join('; ')}`);
    if (changed.length === 0) throw new NotFoundException(`chatId: no running follow-up campaign${purpose ? ` for ${purpose}` : ''} for ${chatId}`);
    return { chatId, campaigns: changed };
  }
}
