import type { DataSource } from 'typeorm';
import { Handoff } from '../persistence/entities/handoff.entity';

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

/** The handoff projection behind `GET /api/handoffs`; Temporal holds the waiting itself. */
export function createHandoffActivities(db: DataSource) {
  const repo = db.getRepository(Handoff);
  return {
    async openHandoff(input: OpenHandoffInput): Promise<void> {
      await repo
        .createQueryBuilder()
        .insert()
        .into(Handoff)
        .values({ ...input, request: input.request ?? null, dueAt: new Date(input.dueAt), status: 'open', operator: null, answer: null, closedAt: null })
        .orIgnore()
        .execute();
    },
    async closeHandoff(input: CloseHandoffInput): Promise<void> {
      await repo.update(
        { workflowId: input.workflowId },
        {
          status: input.status,
          closedAt: new Date(input.at),
          // A close after a person answered keeps who answered and what they said.
          ...(input.operator !== undefined || input.status !== 'closed' ? { operator: input.operator ?? null } : {}),
          ...(input.answer !== undefined || input.status !== 'closed' ? { answer: input.answer ?? null } : {}),
        },
      );
    },
    /** A person answered: the chat is theirs until they close it or it goes quiet. */
    async handoffAnswered(input: { workflowId: string; operator: string; answer: string }): Promise<void> {
      await repo.update({ workflowId: input.workflowId }, { status: 'answered', operator: input.operator, answer: input.answer });
    },
  };
}
