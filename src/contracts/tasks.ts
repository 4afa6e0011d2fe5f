import type { Channel } from '../domain/channels';
import type { Intent } from '../domain/intents';
import type { AgentLogAction } from '../domain/task-lifecycle';

/** Input of `runTask`: a manual task, or a retry of a failed one, run by its agent. */
export interface RunTaskInput {
  taskId: string;
  taskType: Intent;
  body: string;
  chatId?: string;
  channel: Channel;
  senderName?: string;
  /** Send the agent's answer to the chat (a retried message task does; a back-office task may not). */
  reply: boolean;
}

export interface RunTaskResult {
  taskId: string;
  agent: string;
  text: string;
  facts: Record<string, unknown>;
  replied: boolean;
}

/** `task:<task id>:attempt-<n>`: each attempt of a task is its own workflow. */
export function taskWorkflowId(taskId: string, attempt: number): string {
  return `task:${taskId}:attempt-${attempt}`;
}

export const CLEANUP_SCHEDULE_ID = 'switchboard-nightly-task-cleanup';

/**
 * The read side of a workflow: one step of it, projected onto its task row and the agent
 * log by the `recordTaskEvent(s)` activities, keyed so a retry writes once.
 */
export type TaskEventKind = 'started' | 'delegated' | 'completed' | 'failed' | 'cancelled';

export interface TaskLogEntry {
  /** Unique within the workflow: a retried activity writes the same entry once. */
  key: string;
  agent: string;
  action: AgentLogAction;
  details?: Record<string, any>;
  durationMs?: number;
}

/** One step of a workflow, projected onto its task row and the agent log. */
export interface TaskEvent {
  workflowId: string;
  runId: string;
  /** `message` for the conversation's task; `agent:<name>` for a supervisor's subtask. */
  step: string;
  /** The step of the parent task, for subtasks. */
  parentStep?: string;
  kind: TaskEventKind;
  /** Workflow time of the event (ISO-8601), so a retry writes the same timestamps. */
  at: string;
  taskType?: string;
  priority?: number;
  chatId?: string;
  messageId?: string;
  channel?: string;
  assignedAgent?: string;
  input?: Record<string, unknown>;
  output?: Record<string, unknown>;
  error?: string;
  logs?: TaskLogEntry[];
}
