import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { ConversationMessage } from '../persistence/entities/conversation-message.entity';
import { Handoff } from '../persistence/entities/handoff.entity';
import { withEvents, type PublishEventInput } from '../persistence/events';

export interface OpenHandoffInput {
  workflowId: string;
  chatId: string;
  channel: string;
  reason: string;
  intent: string;
  dueAt: string;
  /** An approval's request (the tool call's summary and why it needs a person). */
  request?: string;
}

export interface CloseHandoffInput {
  workflowId: string;
  /**
   * `closed`: handed back to the agents (by the person, or after a quiet period);
   * `cancelled`: the conversation's workflow was cancelled while it waited.
   */
  status: 'answered' | 'closed' | 'timed_out' | 'cancelled';
  operator?: string;
  answer?: string;
  at: string;
}

const shortHash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 12);

/**
 * The handoff projection behind `GET /api/handoffs`; Temporal holds the waiting itself. Each
 * change is written with its live-feed event in one transaction.
 */
export function createHandoffActivities(db: DataSource) {
  function eventOf(handoff: Pick<Handoff, 'workflowId' | 'chatId' | 'channel'> | null, workflowId: string): Pick<PublishEventInput, 'chatId' | 'channel' | 'workflowId'> {
    return { chatId: handoff?.chatId ?? null, channel: handoff?.channel ?? null, workflowId };
  }

  return {
    async openHandoff(input: OpenHandoffInput): Promise<void> {
      await withEvents(db, async (manager) => {
        await manager
          .createQueryBuilder()
          .insert()
          .into(Handoff)
          .values({ ...input, request: input.request ?? null, dueAt: new Date(input.dueAt), status: 'open', operator: null, answer: null, closedAt: null })
          .orIgnore()
          .execute();
        const event: PublishEventInput<'handoff.opened'> = {
          key: `handoff.opened:${input.workflowId}`,
          type: 'handoff.opened',
          ...eventOf(input, input.workflowId),
          data: { reason: input.reason, intent: input.intent, dueAt: new Date(input.dueAt).toISOString(), ...(input.request ? { request: input.request } : {}) },
        };
        return { result: undefined, events: [event] };
      });
    },
    async closeHandoff(input: CloseHandoffInput): Promise<void> {
      await withEvents(db, async (manager) => {
        const handoffs = manager.getRepository(Handoff);
        await handoffs.update(
          { workflowId: input.workflowId },
          {
            status: input.status,
            closedAt: new Date(input.at),
            // A close after a person answered keeps who answered and what they said.
            ...(input.operator !== undefined || input.status !== 'closed' ? { operator: input.operator ?? null } : {}),
            ...(input.answer !== undefined || input.status !== 'closed' ? { answer: input.answer ?? null } : {}),
          },
        );
        const where = eventOf(await handoffs.findOneBy({ workflowId: input.workflowId }), input.workflowId);
        const events: PublishEventInput[] = [];
        // An approval's decision, or an older run's single answer: answered and over at once.
        if (input.status === 'answered') {
          events.push({ key: `handoff.answered:${input.workflowId}:closing`, type: 'handoff.answered', ...where, at: input.at, data: input.operator ? { operator: input.operator } : {} });
        }
        events.push({ key: `handoff.closed:${input.workflowId}`, type: 'handoff.closed', ...where, at: input.at, data: { status: input.status } });
        return { result: undefined, events };
      });
    },
    /** A person answered: the chat is theirs until they close it or it goes quiet. */
    async handoffAnswered(input: { workflowId: string; operator: string; answer: string }): Promise<void> {
      await withEvents(db, async (manager) => {
        const handoffs = manager.getRepository(Handoff);
        await handoffs.update({ workflowId: input.workflowId }, { status: 'answered', operator: input.operator, answer: input.answer });
        // The desk sends a person's replies one at a time and calls this after each: the
        // number of their lines so far tells the replies apart, and a retry counts the same.
        const replies = await manager.getRepository(ConversationMessage).countBy({ workflowId: input.workflowId, kind: 'operator' });
        const event: PublishEventInput<'handoff.answered'> = {
          key: `handoff.answered:${input.workflowId}:${replies}:${shortHash(`${input.operator}\u0000${input.answer}`)}`,
          type: 'handoff.answered',
          ...eventOf(await handoffs.findOneBy({ workflowId: input.workflowId }), input.workflowId),
          data: { operator: input.operator },
        };
        return { result: undefined, events: [event] };
      });
    },
  };
}
