import type { DataSource } from 'typeorm';
import { Handoff } from '../persistence/entities/handoff.entity';

export interface OpenHandoffInput {
  workflowId: string;
  chatId: string;
  channel: string;
  reason: string;
  intent: string;
  dueAt: string;
}

export interface CloseHandoffInput {
  workflowId: string;
  /** `cancelled`: the conversation's workflow was cancelled while it waited. */
  status: 'answered' | 'timed_out' | 'cancelled';
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
        .values({ ...input, dueAt: new Date(input.dueAt), status: 'open', operator: null, answer: null, closedAt: null })
        .orIgnore()
        .execute();
    },
    async closeHandoff(input: CloseHandoffInput): Promise<void> {
      await repo.update(
        { workflowId: input.workflowId },
        { status: input.status, operator: input.operator ?? null, answer: input.answer ?? null, closedAt: new Date(input.at) },
      );
    },
  };
}
