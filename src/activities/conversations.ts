import { log } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import type { Arrival, ConversationInput, ConversationState, MessageMedia } from '../contracts';
import type { AgentName } from '../domain/agent-registry';
import type { Channel } from '../domain/channels';
import { Conversation } from '../persistence/entities/conversation.entity';
import { deleteTranscriptsBefore } from '../persistence/transcript-queries';
import { inboundKey, recordTranscript } from '../persistence/transcripts';
import { signalArrival } from '../temporal/conversation-intake';
import { isUniqueViolation } from '../persistence/unique-violation';
import { MAX_EVENT_TEXT } from '../persistence/events';
import { acceptedEventKey } from '../contracts';

export interface RecordInboundInput {
  workflowId: string;
  chatId: string;
  channel: Channel;
  body: string;
  /** When the message arrived (the message workflow's start, ISO-8601): the transcript's order. */
  at: string;
  senderName?: string;
  media?: MessageMedia;
}

/** What a conversation workflow projects after each change: the API's lists read it. */
export interface SaveConversationInput {
  chatId: string;
  channel: Channel;
  state: Pick<ConversationState, 'language' | 'lastAgent' | 'pending' | 'handoff' | 'campaigns' | 'turns'>;
  /** The workflow's time of the change. */
  at: string;
}

/** The provider's message id in a message workflow's id (`msg:<channel>:<id>`); the workflow id itself for any other. */
function messageIdOf(workflowId: string, channel: string): string {
  const prefix = `msg:${channel}:`;
  return workflowId.startsWith(prefix) ? workflowId.slice(prefix.length) : workflowId;
}

export type WorkflowLiveness = 'running' | 'closed' | 'missing';
export interface ClarificationInput {
  chatId: string;
  workflowId: string;
  /** When the message arrived (ISO-8601). */
  at: string;
  /** A clarification asked within this many seconds counts as already asked. */
  windowSeconds: number;
}

/**
 * "Ask a clarifying question once, then hand off": decides, per chat, whether this
 * unclear message gets the question or goes to a person. The claim is written with the
 * workflow id, so a retried activity gets the same answer it got the first time.
 */
export function createConversationActivities(db: DataSource, temporal?: { client: Client; taskQueue: string }, retentionDays = 90) {
  const repo = db.getRepository(Conversation);

  function requireTemporal(): { client: Client; taskQueue: string } {
    if (!temporal) throw new Error('this worker has no Temporal client for conversations (activity deps.temporal)');
    return temporal;
  }

  return {
    /**
     * The customer's message as a transcript line, once, in arrival order, with its live-feed
     * events in the same transaction: `message.received`, after `message.accepted` when the
     * API has not published that yet (same key, so it is written once, always first).
     */
    async recordInbound(input: RecordInboundInput): Promise<void> {
      const messageKey = inboundKey(input.workflowId);
      const where = { chatId: input.chatId, channel: input.channel, workflowId: input.workflowId, at: input.at };
      await recordTranscript(
        db,
        {
          messageKey,
          chatId: input.chatId,
          channel: input.channel,
          direction: 'in',
          kind: 'message',
          text: input.body,
          at: new Date(input.at),
          workflowId: input.workflowId,
          senderName: input.senderName ?? null,
          media: input.media ?? null,
        },
        [
          { ...where, key: acceptedEventKey(input.workflowId), type: 'message.accepted', data: { messageId: messageIdOf(input.workflowId, input.channel), ...(input.senderName ? { senderName: input.senderName } : {}) } },
          { ...where, key: `message.received:${messageKey}`, type: 'message.received', data: { text: input.body.slice(0, MAX_EVENT_TEXT), kind: 'message', ...(input.senderName ? { senderName: input.senderName } : {}) } },
        ],
      );
    },

    /**
     * Hands a message to its conversation when the API's own hand-over did not arrive (the
     * API died between starting the message and signalling, or an older API started it).
     */
    async enterConversation(input: { conversation: ConversationInput; arrival: Arrival }): Promise<void> {
      const { client, taskQueue } = requireTemporal();
      await signalArrival(client, taskQueue, input.conversation, input.arrival);
    },

    /**
     * Signals workflows by id (their current run), from the worker's own client: a local
     * activity, so a workflow tells another without a workflow task of its own waiting for
     * the server's answer, and even as it completes. A workflow that has ended or never
     * existed is reported as not delivered, not as an error; the receivers ignore a repeat.
     */
    async signalWorkflows(input: { signals: Array<{ workflowId: string; signal: string; args: unknown[] }> }): Promise<{ delivered: boolean[] }> {
      const { client } = requireTemporal();
      const delivered = await Promise.all(
        input.signals.map(async ({ workflowId, signal, args }) => {
          try {
            await client.workflow.getHandle(workflowId).signal(signal, ...args);
            return true;
          } catch (err) {
            if ((err as Error).name === 'WorkflowNotFoundError') return false;
            throw err;
          }
        }),
      );
      return { delivered };
    },

    /** Whether message workflows still run: a turn or handoff whose holder ended without saying so is released. */
    async checkWorkflows(input: { workflowIds: string[] }): Promise<Record<string, WorkflowLiveness>> {
      const { client } = requireTemporal();
      const out: Record<string, WorkflowLiveness> = {};
      for (const workflowId of input.workflowIds) {
        try {
          const description = await client.workflow.getHandle(workflowId).describe();
          out[workflowId] = description.status.name === 'RUNNING' ? 'running' : 'closed';
        } catch (err) {
          if ((err as Error).name !== 'WorkflowNotFoundError') throw err;
          out[workflowId] = 'missing';
        }
      }
      return out;
    },

    /** The chat's state as last saved, for a conversation that starts again after it closed when idle. */
    async loadConversation(input: { chatId: string }): Promise<Pick<ConversationState, 'language' | 'lastAgent' | 'pending' | 'handoff' | 'campaigns' | 'turns'>> {
      const row = await repo.findOneBy({ chatId: input.chatId });
      if (!row) return { turns: 0 };
      return {
        language: row.language ?? undefined,
        lastAgent: (row.lastAgent as AgentName | null) ?? undefined,
        pending: row.pending ?? undefined,
        handoff: row.handoffWorkflowId && row.handoffStatus ? { workflowId: row.handoffWorkflowId, status: row.handoffStatus, since: new Date(row.updatedAt ?? Date.now()).toISOString() } : undefined,
        campaigns: row.campaigns ?? undefined,
        turns: row.turns ?? 0,
      };
    },

    /** Deletes transcript lines older than the retention (the input's, else this worker's `CONVERSATION_RETENTION_DAYS`). */
    async cleanupOldTranscripts(input: { olderThanDays?: number; now: string }): Promise<{ deleted: number }> {
      const days = input.olderThanDays ?? retentionDays;
      const cutoff = new Date(new Date(input.now).getTime() - days * 24 * 3600 * 1000);
      const deleted = await deleteTranscriptsBefore(db, cutoff);
      log.info('old transcripts cleaned up', { deleted, cutoff: cutoff.toISOString() });
      return { deleted };
    },

    /** Projects the conversation's state onto its row (one writer: the conversation workflow). */
    async saveConversation(input: SaveConversationInput): Promise<void> {
      const at = new Date(input.at);
      const values = {
        channel: input.channel,
        language: input.state.language ?? null,
        lastAgent: input.state.lastAgent ?? null,
        pending: input.state.pending ?? null,
        handoffWorkflowId: input.state.handoff?.workflowId ?? null,
        handoffStatus: input.state.handoff?.status ?? null,
        campaigns: input.state.campaigns?.length ? input.state.campaigns : null,
        turns: input.state.turns,
        lastMessageAt: at,
        updatedAt: at,
      };
      const existing = await repo.findOneBy({ chatId: input.chatId });
      // A retried or replayed save never moves the row back in time.
      if (existing?.updatedAt && new Date(existing.updatedAt) > at) return;
      if (existing) {
        await repo.update({ chatId: input.chatId }, values);
        return;
      }
      try {
        await repo.insert({ chatId: input.chatId, lastClarificationAt: null, lastClarificationWorkflowId: null, lastInboundAt: null, ...values });
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        await repo.update({ chatId: input.chatId }, values);
      }
    },

    async claimClarification(input: ClarificationInput): Promise<{ ask: boolean }> {
      const at = new Date(input.at);
      const row = await repo.findOneBy({ chatId: input.chatId });
      if (row?.lastClarificationWorkflowId === input.workflowId) return { ask: true };
      const recent = row?.lastClarificationAt && at.getTime() - new Date(row.lastClarificationAt).getTime() < input.windowSeconds * 1000;
      if (recent) return { ask: false };
      if (row) {
        // Conditional on what we read: two unclear messages racing give one question.
        const result = await repo
          .createQueryBuilder()
          .update(Conversation)
          .set({ lastClarificationAt: at, lastClarificationWorkflowId: input.workflowId })
          .where('chat_id = :chatId', { chatId: input.chatId })
          .andWhere(row.lastClarificationWorkflowId ? 'last_clarification_workflow_id = :prev' : 'last_clarification_workflow_id IS NULL', { prev: row.lastClarificationWorkflowId })
          .execute();
        return { ask: (result.affected ?? 0) > 0 };
      }
      try {
        await repo.insert({ chatId: input.chatId, lastClarificationAt: at, lastClarificationWorkflowId: input.workflowId });
        return { ask: true };
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        return { ask: false };
      }
    },
  };
}
