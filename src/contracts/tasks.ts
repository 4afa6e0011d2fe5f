import type { Channel } from '../domain/channels';
import type { Intent } from '../domain/intents';

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
