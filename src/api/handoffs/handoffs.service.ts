import { BadRequestException, ConflictException, Inject, Injectable } from '@nestjs/common';
import { Client, WorkflowNotFoundError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { APPROVAL_MARK, approvalDecisionUpdate, closeHandoffUpdate, handoffReplyUpdate, type ApprovalState, type HandoffState, type ReplyRecord } from '../../contracts';
import { Handoff, type HandoffStatus } from '../../persistence/entities/handoff.entity';
import { ConversationMessage } from '../../persistence/entities/conversation-message.entity';
import { inboundSince } from '../../persistence/transcript-queries';
import { inboundKey } from '../../persistence/transcripts';
import type { AppConfig } from '../../config';
import { isOverdue, respondBy } from '../../domain/alerts';
import { toHttpError } from '../common/temporal-errors';
import { APP_CONFIG } from '../common/tokens';

/** The customer messages shown with a handoff: enough to answer from, never the whole chat. */
export const HANDOFF_MESSAGES = 20;

/** How the SDK and the server word an update the workflow has no handler for. */
const UNKNOWN_UPDATE = /no registered handler for update|unknown update|update handler.*not found|handler not found/i;

/**
 * How long a person's answer waits for a workflow that is catching up: after a worker
 * restart, a message workflow replays to the wait it was in, and meanwhile refuses
 * updates, while the list already shows its handoff open.
 */
const CATCH_UP_MS = 15_000;
const CATCH_UP_POLL_MS = 250;

/**
 * A handoff row with the customer's messages from the one that asked for a person on, oldest
 * first; when a person should answer by (opened + HANDOFF_RESPONSE_SECONDS), and whether an
 * open one has waited past it.
 */
export type HandoffWithMessages = Handoff & { messages: Array<{ text: string; at: string; workflowId: string }>; respondBy: string; overdue: boolean };

@Injectable()
export class HandoffsService {
  constructor(
    @Inject(Client) private readonly client: Client,
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async list(status: HandoffStatus, limit: number): Promise<HandoffWithMessages[]> {
    const handoffs = await this.db.getRepository(Handoff).find({ where: { status }, order: { openedAt: 'ASC' }, take: limit });
    return Promise.all(
      handoffs.map(async (h) => {
        // From the message that asked for a person (it arrived before the handoff opened) on;
        // an approval's message is the one whose agent paused on the call.
        const mark = h.reason === 'approval' ? h.workflowId.lastIndexOf(APPROVAL_MARK) : -1;
        const messageWorkflowId = mark >= 0 ? h.workflowId.slice(0, mark) : h.workflowId;
        const asked = await this.db.getRepository(ConversationMessage).findOneBy({ messageKey: inboundKey(messageWorkflowId) });
        const since = asked && new Date(asked.at) < new Date(h.openedAt) ? new Date(asked.at) : new Date(h.openedAt);
        const lines = await inboundSince(this.db, h.chatId, since, HANDOFF_MESSAGES);
        const openedAt = new Date(h.openedAt);
        const responseSeconds = this.config.alerts.handoffResponseSeconds;
        return Object.assign(h, {
          messages: lines.map((m) => ({ text: m.text, at: new Date(m.at).toISOString(), workflowId: m.workflowId })),
          respondBy: respondBy(openedAt, responseSeconds).toISOString(),
          overdue: h.status === 'open' && isOverdue(openedAt, new Date(), responseSeconds),
        });
      }),
    );
  }

  /**
   * Delivers a person's answer to the waiting workflow through an update, and returns once
   * it was sent and recorded. A conversation that is not waiting answers 409.
   */
  async reply(workflowId: string, text: string, operator: string): Promise<ReplyRecord> {
    const handle = this.client.workflow.getHandle(workflowId);
    try {
      return await this.onceCaughtUp(workflowId, () => handle.executeUpdate(handoffReplyUpdate, { args: [{ text, operator }] }));
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) {
        throw new ConflictException(`workflowId: ${err.cause?.message ?? 'the conversation is not waiting for a person'}`);
      }
      throw await this.finishedOrMissing(err, handle, workflowId);
    }
  }

  /**
   * Hands the chat back to the agents through an update on the message workflow holding the
   * handoff; answers the handoff as the workflow left it. 409 when there is nothing to close,
   * the workflow has finished, or it predates close requests; 404 when it never existed.
   */
  async close(workflowId: string, operator: string | undefined): Promise<HandoffState> {
    const handle = this.client.workflow.getHandle(workflowId);
    try {
      return await this.onceCaughtUp(workflowId, () => handle.executeUpdate(closeHandoffUpdate, { args: [operator === undefined ? {} : { operator }] }));
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) {
        const why = err.cause?.message ?? '';
        if (UNKNOWN_UPDATE.test(why)) throw new ConflictException('workflowId: this conversation does not accept close requests');
        throw new ConflictException(`workflowId: ${why || 'the conversation has no handoff to close'}`);
      }
      if (err instanceof Error && UNKNOWN_UPDATE.test(err.message)) {
        throw new ConflictException('workflowId: this conversation does not accept close requests');
      }
      throw await this.finishedOrMissing(err, handle, workflowId);
    }
  }

  /**
   * Runs an update, and runs it again while the workflow says it is not with a person but
   * its handoff row, written before the workflow can move past that wait, says it is: the
   * workflow is replaying on a restarted worker and gets there in moments.
   */
  private async onceCaughtUp<T>(workflowId: string, update: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + CATCH_UP_MS;
    for (;;) {
      try {
        return await update();
      } catch (err) {
        const refused = err instanceof WorkflowUpdateFailedError && (err.cause as { type?: string } | undefined)?.type === 'NotWaitingForHuman';
        if (!refused || Date.now() > deadline) throw err;
        const row = await this.db.getRepository(Handoff).findOneBy({ workflowId });
        if (row?.status !== 'open' && row?.status !== 'answered') throw err;
        await new Promise((resolve) => setTimeout(resolve, CATCH_UP_POLL_MS));
      }
    }
  }

  /**
   * A person's decision on a tool call waiting for approval, delivered to the message
   * workflow whose agent paused on it; answers the approval as the workflow recorded it.
   */
  async decide(handoffId: string, decision: { approve: boolean; operator?: string; note?: string }): Promise<ApprovalState> {
    const at = handoffId.lastIndexOf(APPROVAL_MARK);
    if (at < 0) throw new BadRequestException(`workflowId: ${handoffId} is not an approval (its id ends in ${APPROVAL_MARK}<call id>)`);
    const workflowId = handoffId.slice(0, at);
    const callId = handoffId.slice(at + APPROVAL_MARK.length);
    const handle = this.client.workflow.getHandle(workflowId);
    try {
      return await handle.executeUpdate(approvalDecisionUpdate, { args: [{ ...decision, callId }] });
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) {
        throw new ConflictException(`workflowId: ${err.cause?.message ?? 'nothing is waiting for this decision'}`);
      }
      if (err instanceof Error && UNKNOWN_UPDATE.test(err.message)) throw new ConflictException('workflowId: this conversation does not take decisions');
      throw await this.finishedOrMissing(err, handle, workflowId);
    }
  }

  /**
   * The server answers an update to a finished workflow as "not found"; tells a finished
   * conversation (409) apart from one that never existed (404). Anything else as it maps.
   */
  private async finishedOrMissing(err: unknown, handle: WorkflowHandle, workflowId: string): Promise<unknown> {
    if (err instanceof WorkflowNotFoundError) {
      const exists = await handle.describe().then(
        () => true,
        () => false,
      );
      if (exists) return new ConflictException('workflowId: the conversation has already finished');
    }
    return toHttpError(err, workflowId);
  }
}
