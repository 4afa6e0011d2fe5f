/**
 * The task lifecycle of seed 000, as pure rules: `pending → in_progress → completed |
 * failed | cancelled`, a pending task may be cancelled, and `failed → pending` on retry
 * while `retry_count < max_retries`. Priorities are named and stored as 1–10.
 */
export const TASK_STATUSES = ['pending', 'in_progress', 'completed', 'failed', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const TASK_PRIORITIES = { urgent: 10, high: 8, normal: 5, low: 3, background: 1 } as const;
export type TaskPriorityName = keyof typeof TASK_PRIORITIES;

const TRANSITIONS: Record<TaskStatus, readonly TaskStatus[]> = {
  pending: ['in_progress', 'cancelled'],
  in_progress: ['completed', 'failed', 'cancelled'],
  failed: ['pending'],
  completed: [],
  cancelled: [],
};

export const DEFAULT_MAX_RETRIES = 3;

export class InvalidTransitionError extends Error {
  override name = 'InvalidTransitionError';
  constructor(
    readonly from: TaskStatus,
    readonly to: TaskStatus,
    reason?: string,
  ) {
    super(reason ?? `status: cannot go from ${from} to ${to}; allowed from ${from}: ${TRANSITIONS[from].join(', ') || 'none (final)'}`);
  }
}

export function canTransition(from: TaskStatus, to: TaskStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Throws `InvalidTransitionError` unless the move is legal; a retry also needs retries left. */
export function assertTransition(from: TaskStatus, to: TaskStatus, retries?: { retryCount: number; maxRetries: number }): void {
  if (!canTransition(from, to)) throw new InvalidTransitionError(from, to);
  if (from === 'failed' && to === 'pending' && retries && retries.retryCount >= retries.maxRetries) {
    throw new InvalidTransitionError(from, to, `retry: the task has used all ${retries.maxRetries} retries`);
  }
}

export function isFinal(status: TaskStatus): boolean {
  return TRANSITIONS[status].length === 0;
}

/** Named priority → stored integer; a number 1–10 passes through. */
export function priorityValue(priority: TaskPriorityName | number): number {
  if (typeof priority === 'number') {
    if (!Number.isInteger(priority) || priority < 1 || priority > 10) throw new RangeError('priority: must be an integer from 1 to 10');
    return priority;
  }
  return TASK_PRIORITIES[priority];
}

/** The priority a message earns from its urgency. */
export function priorityForUrgency(urgency: 'low' | 'normal' | 'high' | 'urgent'): number {
  return { urgent: TASK_PRIORITIES.urgent, high: TASK_PRIORITIES.high, normal: TASK_PRIORITIES.normal, low: TASK_PRIORITIES.low }[urgency];
}

/**
 * What an agent log entry records an agent did for a task. `tool_called`: in LLM mode, one
 * tool call an agent's model asked for (its summary and outcome in the details);
 * `approval`: a person's decision on a call that needed one.
 */
export const AGENT_LOG_ACTIONS = ['created', 'processed', 'delegated', 'completed', 'failed', 'cancelled', 'retried', 'tool_called', 'approval'] as const;
export type AgentLogAction = (typeof AGENT_LOG_ACTIONS)[number];
