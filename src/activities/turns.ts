import type { TaskEvent } from '../contracts';
import type { createTaskActivities } from './tasks';
import type { createConversationActivities } from './conversations';

type TaskActivities = ReturnType<typeof createTaskActivities>;
type ConversationActivities = ReturnType<typeof createConversationActivities>;

/**
 * The end of a conversation's turn in one local activity: the turn's last projection, then
 * the signal that hands the chat to its next turn. One step instead of two keeps the
 * message's last workflow task to a single round into the sandbox; both halves are
 * idempotent (keyed rows; the conversation ignores a repeated end of a turn it released).
 */
export function createTurnActivities(tasks: Pick<TaskActivities, 'recordTaskEvents'>, conversations: Pick<ConversationActivities, 'signalWorkflows'>) {
  return {
    async finishTurn(input: { events: TaskEvent[]; signals: Parameters<ConversationActivities['signalWorkflows']>[0]['signals'] }): Promise<{ delivered: boolean[] }> {
      await tasks.recordTaskEvents({ events: input.events });
      return conversations.signalWorkflows({ signals: input.signals });
    },
  };
}
