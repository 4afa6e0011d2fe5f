import { log } from '@temporalio/activity';
import type { DataSource, EntityManager } from 'typeorm';
import { assertTransition, isFinal, type TaskStatus } from '../domain/task-lifecycle';
import { isMessageWorkflowId, type TaskEvent, type TaskEventKind } from '../contracts';
import { AgentLog } from '../persistence/entities/agent-log.entity';
import { Task } from '../persistence/entities/task.entity';
import { stableUuid } from '../persistence/stable-id';
import { withEvents, type PublishEventInput } from '../persistence/events';
import { deleteFinishedTasks } from '../persistence/task-cleanup';
import { isUniqueViolation } from '../persistence/unique-violation';

const STATUS_OF: Record<TaskEventKind, TaskStatus> = {
  started: 'in_progress',
  delegated: 'in_progress',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
};

/** The kinds that end a task. */
const FINAL_KINDS: readonly TaskEventKind[] = ['completed', 'failed', 'cancelled'];

async function applyEvent(manager: EntityManager, event: TaskEvent): Promise<Task> {
  const tasks = manager.getRepository(Task);
  const at = new Date(event.at);
  const target = STATUS_OF[event.kind];
  let task = await tasks.findOneBy({ workflowId: event.workflowId, step: event.step });

  if (!task) {
    const parent = event.parentStep ? await tasks.findOneBy({ workflowId: event.workflowId, step: event.parentStep }) : null;
    task = tasks.create({
      id: stableUuid(event.workflowId, event.step),
      taskType: event.taskType ?? 'triage',
      status: target === 'in_progress' ? 'in_progress' : target,
      priority: event.priority ?? 5,
      chatId: event.chatId ?? null,
      messageId: event.messageId ?? null,
      channel: event.channel ?? null,
      assignedAgent: event.assignedAgent ?? null,
      inputData: event.input ?? null,
      outputData: event.output ?? null,
      metadata: null,
      errorMessage: event.error ?? null,
      parentTaskId: parent?.id ?? null,
      workflowId: event.workflowId,
      runId: event.runId,
      step: event.step,
      retryCount: 0,
      maxRetries: 3,
      createdAt: at,
      startedAt: at,
      completedAt: isFinal(target) || target === 'failed' ? at : null,
    });
    await tasks.insert(task);
    return task;
  }

  const changes: Partial<Task> = { runId: event.runId };
  if (event.taskType) changes.taskType = event.taskType;
  if (event.priority !== undefined) changes.priority = event.priority;
  if (event.assignedAgent) changes.assignedAgent = event.assignedAgent;
  if (event.input) changes.inputData = event.input;
  if (event.output) changes.outputData = event.output;
  if (event.error) changes.errorMessage = event.error;
  if (task.status !== target) {
    if (isFinal(task.status)) {
      // A final row is never reopened by a late or replayed event; the log still records it.
      log.warn('task event after a final status ignored', { taskId: task.id, status: task.status, event: event.kind });
      return task;
    }
    // A retried task starts from pending; a started event moves it on.
    assertTransition(task.status, target);
    changes.status = target;
    if (target === 'in_progress' && !task.startedAt) changes.startedAt = at;
    if (target === 'completed' || target === 'failed' || target === 'cancelled') changes.completedAt = at;
  }
  await tasks.update({ id: task.id }, changes);
  return { ...task, ...changes } as Task;
}

async function writeLogs(manager: EntityManager, task: Task, event: TaskEvent): Promise<void> {
  for (const entry of event.logs ?? []) {
    await manager
      .createQueryBuilder()
      .insert()
      .into(AgentLog)
      .values({
        id: stableUuid(event.workflowId, entry.key),
        taskId: task.id,
        workflowId: event.workflowId,
        logKey: entry.key,
        agentName: entry.agent,
        action: entry.action,
        details: entry.details ?? null,
        durationMs: entry.durationMs ?? null,
        createdAt: new Date(event.at),
      })
      .orIgnore()
      .execute();
  }
}

/**
 * `turn.finished` for the live feed, when a message's own task (step `message`) reached its
 * end: one per message workflow, in the transaction that wrote the row.
 */
function turnFinished(event: TaskEvent, task: Task): PublishEventInput<'turn.finished'>[] {
  if (event.step !== 'message' || !FINAL_KINDS.includes(event.kind) || !isMessageWorkflowId(event.workflowId)) return [];
  return [
    {
      key: `turn.finished:${event.workflowId}`,
      type: 'turn.finished',
      chatId: task.chatId ?? event.chatId ?? null,
      channel: task.channel ?? event.channel ?? null,
      workflowId: event.workflowId,
      at: event.at,
      data: { ...(task.taskType ? { intent: task.taskType } : {}), ...(task.assignedAgent ? { agent: task.assignedAgent } : {}), status: task.status },
    },
  ];
}

/**
 * Task rows and agent logs, written by the workflows as the read side of what Temporal
 * records. Every write is keyed by workflow id and step (or log key), in one transaction,
 * so an activity retried after it wrote, or a worker killed half-way, leaves one row each.
 */
export function createTaskActivities(db: DataSource) {
  return {
    async recordTaskEvent(event: TaskEvent): Promise<{ taskId: string; status: TaskStatus }> {
      for (let attempt = 0; ; attempt += 1) {
        try {
          return await withEvents(db, async (manager) => {
            const task = await applyEvent(manager, event);
            await writeLogs(manager, task, event);
            return { result: { taskId: task.id, status: task.status }, events: turnFinished(event, task) };
          });
        } catch (err) {
          // Two writers raced to insert the same row: the loser re-reads and applies on top.
          if (attempt === 0 && isUniqueViolation(err)) continue;
          throw err;
        }
      }
    },

    /**
     * Several events of one workflow in one transaction, in order (a message's task and its
     * subtasks at the end of a phase): one write per phase instead of one per step.
     */
    async recordTaskEvents(input: { events: TaskEvent[] }): Promise<Array<{ taskId: string; status: TaskStatus }>> {
      for (let attempt = 0; ; attempt += 1) {
        try {
          return await withEvents(db, async (manager) => {
            const out: Array<{ taskId: string; status: TaskStatus }> = [];
            const finished: PublishEventInput[] = [];
            for (const event of input.events) {
              const task = await applyEvent(manager, event);
              await writeLogs(manager, task, event);
              out.push({ taskId: task.id, status: task.status });
              finished.push(...turnFinished(event, task));
            }
            // Last in the transaction: the event log's lock is held only for the commit.
            return { result: out, events: finished };
          });
        } catch (err) {
          if (attempt === 0 && isUniqueViolation(err)) continue;
          throw err;
        }
      }
    },

    /** Deletes finished tasks (and their logs) older than the cutoff; returns how many. */
    async cleanupOldTasks(input: { olderThanDays: number; now?: string }): Promise<{ deleted: number }> {
      const now = input.now ? new Date(input.now) : new Date();
      const cutoff = new Date(now.getTime() - input.olderThanDays * 24 * 3600 * 1000);
      const result = await deleteFinishedTasks(db, cutoff);
      log.info('old tasks cleaned up', { deleted: result.deleted, cutoff: cutoff.toISOString() });
      return result;
    },
  };
}

export { stableUuid };

export type { TaskEvent, TaskEventKind, TaskLogEntry } from '../contracts';
