import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createTaskActivities, stableUuid, type TaskEvent } from '../../src/activities/tasks';
import { InvalidTransitionError } from '../../src/domain/task-lifecycle';
import { AgentLog, Task } from '../../src/persistence';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../helpers/database';

/**
 * Task rows and agent logs as operators read them (GET /api/tasks): events that arrive for a
 * task never seen before, events that break the lifecycle, writers racing for the same row,
 * and the retention clean-up run by the schedule, which has no time of its own.
 */
describe.each(databaseKinds())('task activities on %s', (kind) => {
  let database: TestDatabase;
  const env = new MockActivityEnvironment();
  /** Runs an activity in an activity context, typed by the activity. */
  const run = <P extends unknown[], R>(fn: (...args: P) => Promise<R>, ...args: P): Promise<R> => env.run(fn, ...args) as Promise<R>;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.close();
  });

  const tasks = () => database.db.getRepository(Task);
  const logs = () => database.db.getRepository(AgentLog);
  const newWorkflowId = () => `msg:whatsapp:${randomUUID()}`;

  function event(workflowId: string, overrides: Partial<TaskEvent> = {}): TaskEvent {
    return {
      workflowId,
      runId: 'run-1',
      step: 'message',
      kind: 'started',
      at: '2026-11-20T10:00:00.000Z',
      taskType: 'order_status',
      priority: 8,
      chatId: 'c1@c.us',
      channel: 'whatsapp',
      assignedAgent: 'order',
      logs: [{ key: 'created', agent: 'orchestrator', action: 'created' }],
      ...overrides,
    };
  }

  it('creates the row of a task first heard of at its end, finished at that moment, with defaults for what the event leaves out', async () => {
    const { recordTaskEvent } = createTaskActivities(database.db);
    const completed = newWorkflowId();
    const at = '2026-11-20T10:05:00.000Z';
    expect(await run(recordTaskEvent, { workflowId: completed, runId: 'run-9', step: 'message', kind: 'completed', at })).toEqual({
      taskId: stableUuid(completed, 'message'),
      status: 'completed',
    });
    const row = await tasks().findOneByOrFail({ workflowId: completed });
    expect(row).toMatchObject({ status: 'completed', taskType: 'triage', priority: 5, chatId: null, channel: null, assignedAgent: null, messageId: null, parentTaskId: null, retryCount: 0, maxRetries: 3 });
    expect([row.createdAt, row.startedAt, row.completedAt].map((d) => new Date(d!).toISOString())).toEqual([at, at, at]);
    expect(await logs().countBy({ workflowId: completed })).toBe(0);

    const failed = newWorkflowId();
    await run(recordTaskEvent, { workflowId: failed, runId: 'run-9', step: 'message', kind: 'failed', at, error: 'agent timed out' });
    expect(await tasks().findOneByOrFail({ workflowId: failed })).toMatchObject({ status: 'failed', errorMessage: 'agent timed out', completedAt: new Date(at) });

    // A subtask delegated before its parent was recorded is running, unfinished, and has no parent.
    const delegated = newWorkflowId();
    await run(recordTaskEvent, { workflowId: delegated, runId: 'run-9', step: 'agent:quote', parentStep: 'message', kind: 'delegated', at });
    expect(await tasks().findOneByOrFail({ workflowId: delegated })).toMatchObject({ status: 'in_progress', completedAt: null, parentTaskId: null });
  });

  it('starts a task created through the API when its workflow starts, and keeps what later events leave out', async () => {
    const { recordTaskEvent } = createTaskActivities(database.db);
    const workflowId = `task:${randomUUID()}:1`;
    // The row POST /api/tasks writes: pending, not started.
    await tasks().insert(
      tasks().create({
        id: randomUUID(), taskType: 'order_status', status: 'pending', priority: 10, chatId: 'c1@c.us', messageId: null, channel: 'api', assignedAgent: 'order',
        inputData: { text: 'Where is order 45821?' }, outputData: null, metadata: null, errorMessage: null, parentTaskId: null, workflowId, runId: null, step: 'message',
        retryCount: 0, maxRetries: 3, createdAt: new Date('2026-11-20T09:59:00.000Z'), startedAt: null, completedAt: null,
      }),
    );
    await run(recordTaskEvent, { workflowId, runId: 'run-1', step: 'message', kind: 'started', at: '2026-11-20T10:00:00.000Z' });
    expect(await tasks().findOneByOrFail({ workflowId })).toMatchObject({ status: 'in_progress', startedAt: new Date('2026-11-20T10:00:00.000Z'), runId: 'run-1', completedAt: null });

    await run(recordTaskEvent, { workflowId, runId: 'run-1', step: 'message', kind: 'completed', at: '2026-11-20T10:00:02.000Z', output: { reply: 'shipped' } });
    expect(await tasks().findOneByOrFail({ workflowId })).toMatchObject({
      status: 'completed',
      taskType: 'order_status',
      priority: 10,
      assignedAgent: 'order',
      inputData: { text: 'Where is order 45821?' },
      outputData: { reply: 'shipped' },
      startedAt: new Date('2026-11-20T10:00:00.000Z'),
      completedAt: new Date('2026-11-20T10:00:02.000Z'),
    });
  });

  it('refuses an event that breaks the lifecycle and leaves the task as it was', async () => {
    const { recordTaskEvent } = createTaskActivities(database.db);
    const workflowId = newWorkflowId();
    await run(recordTaskEvent, event(workflowId));
    await run(recordTaskEvent, event(workflowId, { kind: 'failed', at: '2026-11-20T10:01:00.000Z', error: 'boom', logs: [{ key: 'failed', agent: 'order', action: 'failed' }] }));

    // A failed task moves on only through a retry (back to pending); a late completion is refused.
    const late = run(recordTaskEvent, event(workflowId, { kind: 'completed', at: '2026-11-20T10:02:00.000Z', output: { reply: 'late' }, logs: [{ key: 'completed', agent: 'order', action: 'completed' }] }));
    await expect(late).rejects.toBeInstanceOf(InvalidTransitionError);
    await expect(late).rejects.toThrow('status: cannot go from failed to completed; allowed from failed: pending');
    expect(await tasks().findOneByOrFail({ workflowId })).toMatchObject({ status: 'failed', errorMessage: 'boom', outputData: null });
    expect((await logs().findBy({ workflowId })).map((l) => l.logKey).sort()).toEqual(['created', 'failed']);
  });

  it('writes nothing of a batch when one of its events is refused', async () => {
    const { recordTaskEvent, recordTaskEvents } = createTaskActivities(database.db);
    const workflowId = newWorkflowId();
    await run(recordTaskEvent, event(workflowId, { step: 'agent:order', kind: 'failed', error: 'boom' }));
    const batch = run(recordTaskEvents, {
      events: [
        event(workflowId, { logs: [{ key: 'created', agent: 'orchestrator', action: 'created' }] }),
        event(workflowId, { step: 'agent:order', parentStep: 'message', kind: 'completed', logs: [{ key: 'completed:order', agent: 'order', action: 'completed' }] }),
      ],
    });
    await expect(batch).rejects.toBeInstanceOf(InvalidTransitionError);
    expect((await tasks().findBy({ workflowId })).map((t) => [t.step, t.status])).toEqual([['agent:order', 'failed']]);
    expect(await logs().countBy({ workflowId })).toBe(1);
  });

  it('leaves one row and one log when writers race to record the same new task', async () => {
    const { recordTaskEvent, recordTaskEvents } = createTaskActivities(database.db);
    const workflowId = newWorkflowId();
    const results = await Promise.all(Array.from({ length: 4 }, () => run(recordTaskEvent, event(workflowId))));
    expect(new Set(results.map((r) => r.taskId))).toEqual(new Set([stableUuid(workflowId, 'message')]));
    expect(await tasks().countBy({ workflowId })).toBe(1);
    expect(await logs().countBy({ workflowId })).toBe(1);

    const phase = newWorkflowId();
    const events = [
      event(phase),
      event(phase, { step: 'agent:order', parentStep: 'message', kind: 'delegated', logs: [{ key: 'delegated:order', agent: 'order', action: 'delegated' }] }),
    ];
    const batches = await Promise.all(Array.from({ length: 3 }, () => run(recordTaskEvents, { events })));
    expect(batches.map((b) => b.map((r) => r.status))).toEqual([
      ['in_progress', 'in_progress'],
      ['in_progress', 'in_progress'],
      ['in_progress', 'in_progress'],
    ]);
    const rows = await tasks().find({ where: { workflowId: phase }, order: { step: 'ASC' } });
    expect(rows.map((t) => [t.step, t.status])).toEqual([
      ['agent:order', 'in_progress'],
      ['message', 'in_progress'],
    ]);
    expect(rows[0].parentTaskId).toBe(rows[1].id);
    expect(await logs().countBy({ workflowId: phase })).toBe(2);
  });

  if (kind === 'postgres') {
    /**
     * Another writer inserts the task's row in a transaction still open while the activity
     * looks for it (and does not see it) and inserts too; the activity's insert waits on the
     * row and fails when the other commits. Returns the activity's result.
     */
    async function againstRival<T>(workflowId: string, step: string, work: () => Promise<T>): Promise<T> {
      const rival = database.db.createQueryRunner();
      await rival.connect();
      try {
        await rival.startTransaction();
        await rival.manager.getRepository(Task).insert(
          tasks().create({
            id: stableUuid(workflowId, step), taskType: 'order_status', status: 'in_progress', priority: 8, chatId: 'c1@c.us', messageId: null, channel: 'whatsapp',
            assignedAgent: 'order', inputData: null, outputData: null, metadata: null, errorMessage: null, parentTaskId: null, workflowId, runId: 'run-1', step,
            retryCount: 0, maxRetries: 3, createdAt: new Date('2026-11-20T10:00:00.000Z'), startedAt: new Date('2026-11-20T10:00:00.000Z'), completedAt: null,
          }),
        );
        const result = work();
        // Commit once the activity waits on the row lock.
        for (let i = 0; i < 200; i += 1) {
          const [{ waiting }] = await database.db.query(`SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
          if (waiting > 0) break;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        await rival.commitTransaction();
        return await result;
      } finally {
        await rival.release();
      }
    }

    it('applies an event on top of the row a racing writer inserted first', async () => {
      const { recordTaskEvent, recordTaskEvents } = createTaskActivities(database.db);
      const workflowId = newWorkflowId();
      const completed = event(workflowId, { kind: 'completed', at: '2026-11-20T10:00:05.000Z', output: { reply: 'Order 45821 shipped' }, logs: [{ key: 'replied', agent: 'order', action: 'completed' }] });
      expect(await againstRival(workflowId, 'message', () => run(recordTaskEvent, completed))).toEqual({ taskId: stableUuid(workflowId, 'message'), status: 'completed' });
      expect(await tasks().findOneByOrFail({ workflowId })).toMatchObject({ status: 'completed', outputData: { reply: 'Order 45821 shipped' }, completedAt: new Date('2026-11-20T10:00:05.000Z') });
      expect(await logs().countBy({ workflowId })).toBe(1);

      const phase = newWorkflowId();
      const events = [event(phase, { kind: 'completed', at: '2026-11-20T10:00:05.000Z', logs: [] }), event(phase, { step: 'agent:order', parentStep: 'message', kind: 'completed', logs: [] })];
      expect(await againstRival(phase, 'message', () => run(recordTaskEvents, { events }))).toEqual([
        { taskId: stableUuid(phase, 'message'), status: 'completed' },
        { taskId: stableUuid(phase, 'agent:order'), status: 'completed' },
      ]);
      expect(await tasks().countBy({ workflowId: phase })).toBe(2);
    });
  }

  it('cleans up, by the clock when the schedule gives no time, only finished tasks past the retention', async () => {
    const fresh = await openTestDatabase(kind);
    try {
      const { recordTaskEvent, cleanupOldTasks } = createTaskActivities(fresh.db);
      const daysAgo = (days: number) => new Date(Date.now() - days * 24 * 3600 * 1000).toISOString();
      const old = newWorkflowId();
      const recent = newWorkflowId();
      const running = newWorkflowId();
      await run(recordTaskEvent, event(old, { kind: 'completed', at: daysAgo(100) }));
      await run(recordTaskEvent, event(recent, { kind: 'completed', at: daysAgo(5) }));
      await run(recordTaskEvent, event(running, { at: daysAgo(100) }));

      expect(await run(cleanupOldTasks, { olderThanDays: 30 })).toEqual({ deleted: 1 });
      const left = await fresh.db.getRepository(Task).find();
      expect(left.map((t) => t.workflowId).sort()).toEqual([recent, running].sort());
      expect(await fresh.db.getRepository(AgentLog).countBy({ workflowId: old })).toBe(0);
    } finally {
      await fresh.close();
    }
  });
});
