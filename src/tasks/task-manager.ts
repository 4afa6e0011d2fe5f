import { randomUUID } from 'node:crypto';
import { Client, WorkflowNotFoundError } from '@temporalio/client';
import { Between, In, LessThanOrEqual, MoreThanOrEqual, type DataSource, type FindOptionsWhere } from 'typeorm';
import { taskWorkflowId, type RunTaskInput } from '../contracts';
import type { Channel } from '../domain/channels';
import type { Intent } from '../domain/intents';
import { assertTransition, DEFAULT_MAX_RETRIES, InvalidTransitionError, priorityValue, TASK_STATUSES, type TaskPriorityName, type TaskStatus } from '../domain/task-lifecycle';
import { AgentLog, type AgentLogAction } from '../persistence/entities/agent-log.entity';
import { Task } from '../persistence/entities/task.entity';
import { inTransaction } from '../persistence/transactions';
import type { runTask } from '../workflows';
import { deleteFinishedTasks } from '../persistence/task-cleanup';

/** Task stats, exactly the shape `GET /api/tasks/stats` documents (README, "Send a message, read its result"). */
export interface TaskStats {
  total: number;
  pending: number;
  in_progress: number;
  completed: number;
  failed: number;
  cancelled: number;
  avg_completion_seconds: number;
  queue_size: number;
}

export interface TaskFilters {
  status?: TaskStatus;
  type?: string;
  agent?: string;
  chatId?: string;
  from?: Date;
  to?: Date;
  page: number;
  limit: number;
}

export interface AgentLogFilters {
  agent?: string;
  action?: AgentLogAction;
  taskId?: string;
  workflowId?: string;
  page: number;
  limit: number;
}

export interface CreateTaskInput {
  type: Intent;
  body: string;
  chatId?: string;
  channel?: Channel;
  priority?: TaskPriorityName | number;
  metadata?: Record<string, unknown>;
  maxRetries?: number;
  reply?: boolean;
}

export interface Page<T> {
  items: T[];
  page: number;
  limit: number;
  total: number;
}

export class TaskNotFoundError extends Error {
  override name = 'TaskNotFoundError';
  constructor(readonly taskId: string) {
    super(`id: no task ${taskId}`);
  }
}

/** A legal transition that only the task's workflow may make. */
export class WorkflowOwnedTransitionError extends Error {
  override name = 'WorkflowOwnedTransitionError';
}

/**
 * The seed's TaskManager over the projections and the Temporal client: creating a task
 * starts its workflow, cancelling one cancels the workflow, retrying one starts a new
 * attempt. The rows are the read side; Temporal is the source of truth for what ran.
 */
export class TaskManager {
  constructor(
    private readonly db: DataSource,
    private readonly client: Client,
    private readonly taskQueue: string,
  ) {}

  private get tasks() {
    return this.db.getRepository(Task);
  }

  async get(id: string): Promise<{ task: Task; logs: AgentLog[]; subtasks: Task[] }> {
    const task = await this.tasks.findOneBy({ id });
    if (!task) throw new TaskNotFoundError(id);
    const [logs, subtasks] = await Promise.all([
      this.db.getRepository(AgentLog).find({ where: { taskId: id }, order: { createdAt: 'ASC' } }),
      this.tasks.find({ where: { parentTaskId: id }, order: { createdAt: 'ASC' } }),
    ]);
    return { task, logs, subtasks };
  }

  async list(filters: TaskFilters): Promise<Page<Task>> {
    const where: FindOptionsWhere<Task> = {};
    if (filters.status) where.status = filters.status;
    if (filters.type) where.taskType = filters.type;
    if (filters.agent) where.assignedAgent = filters.agent;
    if (filters.chatId) where.chatId = filters.chatId;
    if (filters.from && filters.to) where.createdAt = Between(filters.from, filters.to);
    else if (filters.from) where.createdAt = MoreThanOrEqual(filters.from);
    else if (filters.to) where.createdAt = LessThanOrEqual(filters.to);
    const [items, total] = await this.tasks.findAndCount({
      where,
      order: { createdAt: 'DESC', id: 'ASC' },
      skip: (filters.page - 1) * filters.limit,
      take: filters.limit,
    });
    return { items, page: filters.page, limit: filters.limit, total };
  }

  /** The queue: pending tasks, highest priority first, oldest first within a priority. */
  pending(limit = 50): Promise<Task[]> {
    return this.tasks.find({ where: { status: 'pending' }, order: { priority: 'DESC', createdAt: 'ASC' }, take: limit });
  }

  async logs(filters: AgentLogFilters): Promise<Page<AgentLog>> {
    const where: FindOptionsWhere<AgentLog> = {};
    if (filters.agent) where.agentName = filters.agent;
    if (filters.action) where.action = filters.action;
    if (filters.taskId) where.taskId = filters.taskId;
    if (filters.workflowId) where.workflowId = filters.workflowId;
    const [items, total] = await this.db.getRepository(AgentLog).findAndCount({
      where,
      order: { createdAt: 'DESC', id: 'ASC' },
      skip: (filters.page - 1) * filters.limit,
      take: filters.limit,
    });
    return { items, page: filters.page, limit: filters.limit, total };
  }

  /** A manual task: written pending, then its `runTask` workflow is started. */
  async create(input: CreateTaskInput): Promise<Task> {
    const id = randomUUID();
    const workflowId = taskWorkflowId(id, 0);
    const task = this.tasks.create({
      id,
      taskType: input.type,
      status: 'pending',
      priority: priorityValue(input.priority ?? 'normal'),
      chatId: input.chatId ?? null,
      messageId: null,
      channel: input.channel ?? 'api',
      assignedAgent: null,
      inputData: { body: input.body, reply: input.reply ?? false },
      outputData: null,
      metadata: input.metadata ?? null,
      errorMessage: null,
      parentTaskId: null,
      workflowId,
      runId: null,
      step: 'message',
      retryCount: 0,
      maxRetries: input.maxRetries ?? DEFAULT_MAX_RETRIES,
    });
    await this.tasks.insert(task);
    await this.startAttempt(task, 0);
    return (await this.tasks.findOneBy({ id }))!;
  }

  /** The seed's `create_task_from_message`: a task for an inbound message, run by its agent. */
  createFromMessage(message: { chatId: string; body: string; channel?: Channel }, type: Intent, priority: TaskPriorityName | number = 'normal'): Promise<Task> {
    return this.create({ type, body: message.body, chatId: message.chatId, channel: message.channel ?? 'whatsapp', priority, reply: true });
  }

  private async startAttempt(task: Task, attempt: number): Promise<void> {
    const input: RunTaskInput = {
      taskId: task.id,
      taskType: task.taskType as Intent,
      body: String(task.inputData?.body ?? ''),
      chatId: task.chatId ?? undefined,
      channel: (task.channel as Channel) ?? 'api',
      reply: Boolean(task.inputData?.reply ?? task.messageId),
    };
    try {
      const handle = await this.client.workflow.start<typeof runTask>('runTask', {
        workflowId: taskWorkflowId(task.id, attempt),
        taskQueue: this.taskQueue,
        args: [input],
      });
      await this.tasks.update({ id: task.id }, { runId: handle.firstExecutionRunId });
    } catch (err) {
      // Nothing half-written: a task whose workflow never started is not left pending.
      await this.tasks.update({ id: task.id }, { status: 'failed', errorMessage: `workflow did not start: ${(err as Error).message}` });
      throw err;
    }
  }

  /** Priority and metadata freely; status only through legal transitions the API may make. */
  async update(id: string, changes: { priority?: TaskPriorityName | number; metadata?: Record<string, unknown>; status?: TaskStatus }): Promise<Task> {
    const task = await this.tasks.findOneBy({ id });
    if (!task) throw new TaskNotFoundError(id);
    if (changes.status && changes.status !== task.status) {
      assertTransition(task.status, changes.status, { retryCount: task.retryCount, maxRetries: task.maxRetries });
      if (changes.status === 'cancelled') return this.cancel(id);
      if (changes.status === 'pending') return this.retry(id);
      throw new WorkflowOwnedTransitionError(`status: ${task.status} → ${changes.status} is made by the task's workflow, not through the API`);
    }
    const patch: Partial<Task> = {};
    if (changes.priority !== undefined) patch.priority = priorityValue(changes.priority);
    if (changes.metadata !== undefined) patch.metadata = { ...(task.metadata ?? {}), ...changes.metadata };
    if (Object.keys(patch).length > 0) await this.tasks.update({ id }, patch);
    return (await this.tasks.findOneBy({ id }))!;
  }

  /** Cancels the task's workflow and marks the task (and its open subtasks) cancelled. */
  async cancel(id: string): Promise<Task> {
    const task = await this.tasks.findOneBy({ id });
    if (!task) throw new TaskNotFoundError(id);
    assertTransition(task.status, 'cancelled');
    try {
      await this.client.workflow.getHandle(task.workflowId).cancel();
    } catch (err) {
      // Already gone (finished or never started): the row is still the thing to fix.
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    const now = new Date();
    await inTransaction(this.db, async (manager) => {
      await manager.getRepository(Task).update({ id, status: In(['pending', 'in_progress']) }, { status: 'cancelled', completedAt: now });
      await manager.getRepository(Task).update({ parentTaskId: id, status: In(['pending', 'in_progress']) }, { status: 'cancelled', completedAt: now });
    });
    return (await this.tasks.findOneBy({ id }))!;
  }

  /** A new attempt of a failed task: `retry_count` + 1, refused past `max_retries`. */
  async retry(id: string): Promise<Task> {
    const task = await this.tasks.findOneBy({ id });
    if (!task) throw new TaskNotFoundError(id);
    assertTransition(task.status, 'pending', { retryCount: task.retryCount, maxRetries: task.maxRetries });
    const attempt = task.retryCount + 1;
    // Conditional on the status read: two retries racing start one attempt.
    const result = await this.tasks.update(
      { id, status: 'failed', retryCount: task.retryCount },
      { status: 'pending', retryCount: attempt, workflowId: taskWorkflowId(id, attempt), runId: null, errorMessage: null, completedAt: null },
    );
    if (!result.affected) throw new InvalidTransitionError(task.status, 'pending', 'retry: the task changed meanwhile; read it again');
    await this.startAttempt({ ...task, retryCount: attempt, inputData: { ...(task.inputData ?? {}), reply: task.inputData?.reply ?? Boolean(task.chatId) } }, attempt);
    return (await this.tasks.findOneBy({ id }))!;
  }

  async stats(): Promise<TaskStats> {
    const rows = await this.tasks.createQueryBuilder('t').select('t.status', 'status').addSelect('COUNT(*)', 'count').groupBy('t.status').getRawMany<{ status: TaskStatus; count: string | number }>();
    const counts = Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;
    for (const row of rows) if (row.status in counts) counts[row.status] = Number(row.count);
    const seconds =
      this.db.options.type === 'postgres'
        ? 'AVG(EXTRACT(EPOCH FROM (t.completed_at - t.started_at)))'
        : 'AVG((julianday(t.completed_at) - julianday(t.started_at)) * 86400.0)';
    const avg = await this.tasks
      .createQueryBuilder('t')
      .select(seconds, 'avg')
      .where('t.status = :status', { status: 'completed' })
      .andWhere('t.started_at IS NOT NULL AND t.completed_at IS NOT NULL')
      .getRawOne<{ avg: string | number | null }>();
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    return {
      total,
      pending: counts.pending,
      in_progress: counts.in_progress,
      completed: counts.completed,
      failed: counts.failed,
      cancelled: counts.cancelled,
      avg_completion_seconds: avg?.avg == null ? 0 : Math.round(Number(avg.avg) * 100) / 100,
      queue_size: counts.pending,
    };
  }

  /** Deletes finished tasks (and their logs) older than the retention. */
  cleanup(olderThanDays: number, now = new Date()): Promise<{ deleted: number }> {
    return deleteFinishedTasks(this.db, new Date(now.getTime() - olderThanDays * 24 * 3600 * 1000));
  }
}
