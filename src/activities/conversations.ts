import type { DataSource } from 'typeorm';
import { Conversation } from '../persistence/entities/conversation.entity';
import { isUniqueViolation } from './deps';

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
export function createConversationActivities(db: DataSource) {
  const repo = db.getRepository(Conversation);
  return {
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
