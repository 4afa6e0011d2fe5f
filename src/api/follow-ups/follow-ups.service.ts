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
import { queryRunningWorkflows } from '../common/running-workflows';
import { toHttpError } from '../common/temporal-errors';
import { APP_CONFIG } from '../common/tokens';
import type { CampaignListStatus } from '../stats/stats.dto';

const UPDATES = { pause: pauseCampaignUpdate, resume: resumeCampaignUpdate, cancel: cancelCampaignUpdate } as const;
export type CampaignAction = keyof typeof UPDATES;

/** Running campaigns one list looks at, newest first; past them the list says `truncated`. */
export const CAMPAIGN_SCAN_LIMIT = 300;

/** One running campaign as the console lists it. */
export interface CampaignSummary {
  chatId: string;
  purpose: FollowUpPurpose;
  status: CampaignState['status'];
  /** ISO-8601; null while paused or when nothing is due. */
  nextFireAt: string | null;
  stepsSent: number;
  steps: number;
  startedAt: string;
  reference: string | null;
  workflowId: string;
}

export interface CampaignList {
  campaigns: CampaignSummary[];
  /** More running campaigns exist than this list looked at. */
  truncated: boolean;
  /** Running campaigns whose state could not be read in time (no worker answering). */
  unavailable: number;
}

/** A chat's follow-up campaigns, read from and controlled through their workflows. */
@Injectable()
export class FollowUpsService {
  /** Campaign workflow ids carry the chat's reference (a keyed hash when histories are encrypted). */
  private readonly chatRef: ChatReference;

  constructor(
    @Inject(Client) private readonly client: Client,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.chatRef = chatReferenceFor(config.payloadEncryptionKeys);
  }

  /**
   * Running campaigns across chats, for a list that does not know the chat ids: Temporal's
   * visibility names the running `followUpCampaign` workflows of this task queue (newest
   * first, at most CAMPAIGN_SCAN_LIMIT), and each one's query says its status and next fire
   * time. Stops once `limit` campaigns match `status`; sorted by next fire time, paused last.
   */
  async listAcrossChats(status: CampaignListStatus, limit: number): Promise<CampaignList> {
    const matches = (c: CampaignState | null): c is CampaignState => c !== null && (status === 'running' || c.status === status);
    const { states, truncated } = await queryRunningWorkflows(this.client, {
      workflowType: 'followUpCampaign',
      taskQueue: this.config.temporal.taskQueue,
      scanLimit: CAMPAIGN_SCAN_LIMIT,
      query: getCampaignStateQuery,
      enough: (read) => read.filter(matches).length >= limit,
    });
    const found = states.filter((s) => matches(s.state)).map(({ workflowId, state }) => summary(workflowId, state!));
    const campaigns = found.slice(0, limit);
    campaigns.sort((a, b) => (a.nextFireAt ?? '\uffff').localeCompare(b.nextFireAt ?? '\uffff') || a.chatId.localeCompare(b.chatId));
    return { campaigns, truncated: truncated || found.length > limit, unavailable: states.filter((s) => s.state === null).length };
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

/** One running campaign's state as the console lists it. */
function summary(workflowId: string, state: CampaignState): CampaignSummary {
  return {
    chatId: state.chatId,
    purpose: state.purpose,
    status: state.status,
    nextFireAt: state.nextFireAt ?? null,
    stepsSent: state.sent.length,
    steps: state.steps,
    startedAt: state.startedAt,
    reference: state.reference ?? null,
    workflowId,
  };
}
