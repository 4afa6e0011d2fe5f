import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createTaskActivities, stableUuid, type TaskEvent } from '../../src/activities/tasks';
import { AgentLog, Task } from '../../src/persistence';
import { TaskManager } from '../../src/tasks/task-manager';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../helpers/database';
import { connectTemporal, type TemporalTestContext } from '../helpers/temporal';

describe.each(databaseKinds())('tasks and agent logs on %s', (kind) => {
  let database: TestDatabase;
  let ctx: TemporalTestContext;
  let manager: TaskManager;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    ctx = await connectTemporal();
    // No worker polls this queue: these tests exercise the rows, not the runs.
    manager = new TaskManager(database.db, ctx.client, `no-worker-${randomUUID().slice(0, 8)}`);
  });
  afterAll(async () => {
    await database?.close();
    await ctx?.close();
  });

  const event = (workflowId: string, overrides: Partial<TaskEvent> = {}): TaskEvent => ({
    workflowId,
    runId: 'run-1',
    step: 'message',
    kind: 'started',
    at: '2026-11-20T10:00:00.000Z',
    taskType: 'inquiry',
    priority: 5,
    chatId: 'c1@c.us',
    assignedAgent: 'inquiry',
    logs: [{ key: 'created', agent: 'orchestrator', action: 'created' }],
    ...overrides,
  });

  it('writes one task and one log however often the same event is retried, even in parallel', async () => {
    const { recordTaskEvent } = createTaskActivities(database.db);
    const env = new MockActivityEnvironment();
    const workflowId = `msg:whatsapp:${randomUUID()}`;
    await env.run(recordTaskEvent, event(workflowId));
    await Promise.all([env.run(recordTaskEvent, event(workflowId)), env.run(recordTaskEvent, event(workflowId)), env.run(recordTaskEvent, event(workflowId))]);
    expect(await database.db.getRepository(Task).countBy({ workflowId })).toBe(1);
    expect(await database.db.getRepository(AgentLog).countBy({ workflowId })).toBe(1);
    const task = await database.db.getRepository(Task).findOneByOrFail({ workflowId });
    expect(task).toMatchObject({ id: stableUuid(workflowId, 'message'), status: 'in_progress', taskType: 'inquiry' });
  });

  it('moves a task through its lifecycle and links subtasks to their parent', async () => {
    const { recordTaskEvent } = createTaskActivities(database.db);
    const env = new MockActivityEnvironment();
    const workflowId = `msg:whatsapp:${randomUUID()}`;
    await env.run(recordTaskEvent, event(workflowId));
    await env.run(recordTaskEvent, event(workflowId, { step: 'agent:order', parentStep: 'message', kind: 'delegated', logs: [{ key: 'delegated:order', agent: 'order', action: 'delegated' }] }));
    await env.run(recordTaskEvent, event(workflowId, { step: 'agent:order', kind: 'completed', at: '2026-11-20T10:00:02.000Z', logs: [{ key: 'completed:order', agent: 'order', action: 'completed', durationMs: 2000 }] }));
    await env.run(recordTaskEvent, event(workflowId, { kind: 'completed', at: '2026-11-20T10:00:03.000Z', output: { reply: 'done' }, logs: [{ key: 'replied', agent: 'order', action: 'completed', durationMs: 3000 }] }));
    // A late failure after completion never reopens the row.
    await env.run(recordTaskEvent, event(workflowId, { kind: 'failed', error: 'late', logs: [] }));

    const parent = await database.db.getRepository(Task).findOneByOrFail({ workflowId, step: 'message' });
    expect(parent).toMatchObject({ status: 'completed', outputData: { reply: 'done' }, errorMessage: null });
    const { subtasks, logs } = await manager.get(parent.id);
    expect(subtasks).toHaveLength(1);
    expect(subtasks[0]).toMatchObject({ step: 'agent:order', status: 'completed', parentTaskId: parent.id });
    expect(logs.map((l) => l.action)).toEqual(['created', 'completed']);
  });

  it('computes stats that match a hand-counted set in every status', async () => {
    const fresh = await openTestDatabase(kind);
    try {
      const repo = fresh.db.getRepository(Task);
      const base = new Date('2026-11-01T00:00:00.000Z');
      const make = (status: Task['status'], seconds?: number) =>
        repo.create({
          id: randomUUID(), taskType: 'inquiry', status, priority: 5, chatId: 'x', messageId: null, channel: 'api', assignedAgent: 'inquiry',
          inputData: null, outputData: null, metadata: null, errorMessage: null, parentTaskId: null, workflowId: `wf-${randomUUID()}`, runId: null,
          step: 'message', retryCount: 0, maxRetries: 3, createdAt: base, startedAt: status === 'pending' ? null : base,
          completedAt: seconds === undefined ? null : new Date(base.getTime() + seconds * 1000),
        });
      await repo.insert([
        make('pending'), make('pending'), make('pending'),
        make('in_progress'), make('in_progress'),
        make('completed', 1), make('completed', 2), make('completed', 4.5), make('completed', 2.5),
        make('failed', 3),
        make('cancelled', 1),
      ]);
      expect(await new TaskManager(fresh.db, ctx.client, 'unused').stats()).toEqual({
        total: 11, pending: 3, in_progress: 2, completed: 4, failed: 1, cancelled: 1, avg_completion_seconds: 2.5, queue_size: 3,
      });
    } finally {
      await fresh.close();
    }
  });

  it('lists with filters and bounded pages, newest first', async () => {
    const { recordTaskEvent } = createTaskActivities(database.db);
    const env = new MockActivityEnvironment();
    const chatId = `filter-${randomUUID().slice(0, 6)}@c.us`;
    for (let i = 0; i < 5; i += 1) {
      await env.run(recordTaskEvent, event(`msg:whatsapp:${randomUUID()}`, { chatId, at: `2026-11-0${i + 1}T12:00:00.000Z`, taskType: i % 2 ? 'order_status' : 'inquiry', assignedAgent: i % 2 ? 'order' : 'inquiry' }));
    }
    const page1 = await manager.list({ chatId, page: 1, limit: 2 });
    expect(page1.total).toBe(5);
    expect(page1.items).toHaveLength(2);
    expect(new Date(page1.items[0].createdAt).getTime()).toBeGreaterThan(new Date(page1.items[1].createdAt).getTime());
    expect((await manager.list({ chatId, agent: 'order', page: 1, limit: 20 })).total).toBe(2);
    expect((await manager.list({ chatId, type: 'inquiry', page: 1, limit: 20 })).total).toBe(3);
    const ranged = await manager.list({ chatId, from: new Date('2026-11-02T00:00:00Z'), to: new Date('2026-11-03T23:59:59Z'), page: 1, limit: 20 });
    expect(ranged.total).toBe(2);
    const logs = await manager.logs({ agent: 'orchestrator', action: 'created', page: 1, limit: 100 });
    expect(logs.items.every((l) => l.agentName === 'orchestrator' && l.action === 'created')).toBe(true);
  });

  it('refuses illegal status changes and retries past max_retries', async () => {
    const repo = database.db.getRepository(Task);
    const id = randomUUID();
    await repo.insert(repo.create({
      id, taskType: 'inquiry', status: 'failed', priority: 5, chatId: null, messageId: null, channel: 'api', assignedAgent: null, inputData: { body: 'hours?' },
      outputData: null, metadata: null, errorMessage: 'boom', parentTaskId: null, workflowId: `task:${id}:attempt-0`, runId: null, step: 'message', retryCount: 1, maxRetries: 1,
    }));
    await expect(manager.retry(id)).rejects.toThrow(/retry: the task has used all 1 retries/);
    await expect(manager.update(id, { status: 'completed' })).rejects.toThrow(/status: cannot go from failed to completed/);
    const updated = await manager.update(id, { priority: 'urgent', metadata: { note: 'vip' } });
    expect(updated).toMatchObject({ priority: 10, metadata: { note: 'vip' }, status: 'failed' });
  });

  it('cleans up finished tasks older than the retention, with their logs, and leaves running ones', async () => {
    const fresh = await openTestDatabase(kind);
    try {
      const { recordTaskEvent } = createTaskActivities(fresh.db);
      const env = new MockActivityEnvironment();
      const old = `msg:whatsapp:old-${randomUUID()}`;
      const running = `msg:whatsapp:running-${randomUUID()}`;
      await env.run(recordTaskEvent, event(old, { at: '2026-01-01T00:00:00.000Z' }));
      await env.run(recordTaskEvent, event(old, { kind: 'completed', at: '2026-01-01T00:00:01.000Z', logs: [{ key: 'done', agent: 'inquiry', action: 'completed' }] }));
      await env.run(recordTaskEvent, event(running, { at: '2026-01-01T00:00:00.000Z' }));
      // createdAt comes from the database clock for rows it writes; age them explicitly.
      await fresh.db.getRepository(Task).createQueryBuilder().update().set({ createdAt: new Date('2026-01-01T00:00:00.000Z') }).execute();
      const result = await new TaskManager(fresh.db, ctx.client, 'unused').cleanup(30, new Date('2026-11-20T00:00:00Z'));
      expect(result).toEqual({ deleted: 1 });
      expect(await fresh.db.getRepository(Task).countBy({ workflowId: old })).toBe(0);
      expect(await fresh.db.getRepository(AgentLog).countBy({ workflowId: old })).toBe(0);
      expect(await fresh.db.getRepository(Task).countBy({ workflowId: running })).toBe(1);
    } finally {
      await fresh.close();
    }
  });
});
