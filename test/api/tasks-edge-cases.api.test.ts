import { randomUUID } from 'node:crypto';
import { Task } from '../../src/persistence';
import { TaskManager } from '../../src/tasks/task-manager';
import { useGraphApiServer } from '../helpers/channel-servers/graph-api-server';
import { eventually, getJson, postJson, startTestApi } from '../helpers/api';
import { openTestDatabase } from '../helpers/database';
import { useApiHarness } from '../helpers/harness';

async function send(method: 'PUT' | 'DELETE', url: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** The demo customer with orders 45821, 45790 and ORD-1234. */
const DEMO_CHAT = '85260552717@c.us';

/**
 * The task API in its less common paths (Nest over HTTP + worker + dev server + SQLite,
 * replies through a local stand-in of the WhatsApp Graph API): status changes through PUT,
 * retries that race or revive a failed message, Temporal unreachable, filters and the
 * empty stats; and the TaskManager's own defaults, queue and clean-up.
 */
describe('tasks API edge cases', () => {
  const graph = useGraphApiServer();
  const h = useApiHarness({
    name: 'api-tasks-edges',
    seed: true,
    env: () => graph.whatsappEnv(),
  });
  const url = (path: string) => `${h.api.baseUrl}${path}`;
  const task = (id: string) => getJson(url(`/api/tasks/${id}`));
  const sentTo = (chatId: string) => graph.sentMessages.filter((m) => `${m.to}@c.us` === chatId);
  /** What the customer reads: the text, or the approved template's one parameter outside the 24-hour window. */
  const textOf = (m: any): string => m.text?.body ?? m.template.components[0].parameters[0].text;
  const newChat = () => `3464${Math.floor(Math.random() * 9e7 + 1e7)}@c.us`;
  const refuseNext = () => graph.enqueue({ status: 400, error: { code: 131026, message: 'Message undeliverable' } });
  /** 503s until the returned function is called: a reply keeps being retried meanwhile. */
  const providerDown = () => {
    graph.enqueue(...Array.from({ length: 100 }, () => ({ status: 503, error: { code: 2, message: 'Service temporarily unavailable' } })));
    return () => graph.reset();
  };

  it('reports all-zero stats for a database with no tasks yet', async () => {
    const res = await getJson(url('/api/tasks/stats'));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ total: 0, pending: 0, in_progress: 0, completed: 0, failed: 0, cancelled: 0, avg_completion_seconds: 0, queue_size: 0 });
  });

  it('refuses through PUT a status only the workflow sets, and cancels a running task through PUT: its reply never goes out', async () => {
    const chatId = newChat();
    const up = providerDown();
    try {
      const created = await postJson(url('/api/tasks'), { type: 'inquiry', body: 'What are your opening hours?', chatId, channel: 'whatsapp', reply: true });
      expect(created.status).toBe(201);
      const id = created.body.id as string;
      await eventually(() => task(id), (r) => r.body.status === 'in_progress');
      await eventually(async () => sentTo(chatId).length, (n) => n >= 1);

      const owned = await send('PUT', url(`/api/tasks/${id}`), { status: 'completed' });
      expect(owned.status).toBe(409);
      expect(owned.body.message).toBe("status: in_progress → completed is made by the task's workflow, not through the API");

      const cancelled = await send('PUT', url(`/api/tasks/${id}`), { status: 'cancelled' });
      expect(cancelled.status).toBe(200);
      expect(cancelled.body).toMatchObject({ status: 'cancelled', completed_at: expect.any(String) });
      const wf = await eventually(() => h.ctx.client.workflow.getHandle(created.body.workflow_id).describe(), (d) => d.status.name !== 'RUNNING');
      expect(wf.status.name).toBe('CANCELLED');
      const detail = await eventually(() => task(id), (r) => r.body.logs.some((l: { action: string }) => l.action === 'cancelled'));
      expect(detail.body.logs.find((l: { action: string }) => l.action === 'cancelled')).toMatchObject({ agent_name: 'inquiry', workflow_id: created.body.workflow_id });
    } finally {
      up();
    }
    // The provider is back: nothing is sent for the cancelled task.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(sentTo(chatId)).toHaveLength(0);
  });

  it('retries a failed task through PUT status pending; a status equal to the current one changes only what else is given', async () => {
    const chatId = newChat();
    refuseNext();
    const created = await postJson(url('/api/tasks'), { type: 'inquiry', body: 'Do you have parking?', chatId, channel: 'whatsapp', reply: true, max_retries: 1 });
    const failed = await eventually(() => task(created.body.id), (r) => r.body.status === 'failed');
    expect(failed.body.error_message).toMatch(/131026/);

    const same = await send('PUT', url(`/api/tasks/${created.body.id}`), { status: 'failed', metadata: { seen_by: 'maria' } });
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ status: 'failed', metadata: { seen_by: 'maria' }, retry_count: 0 });

    const retried = await send('PUT', url(`/api/tasks/${created.body.id}`), { status: 'pending' });
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ status: 'pending', retry_count: 1, workflow_id: `task:${created.body.id}:attempt-1`, error_message: null });
    const done = await eventually(() => task(created.body.id), (r) => r.body.status === 'completed');
    expect(done.body.output_data).toMatchObject({ replied: true });
    // The refused attempt, then the new one.
    expect(sentTo(chatId).map(textOf)).toEqual([expect.stringMatching(/car park/), expect.stringMatching(/car park/)]);
  });

  it('starts one new attempt when two retries of a failed task race: the other is refused with a 409', async () => {
    refuseNext();
    const created = await postJson(url('/api/tasks'), { type: 'inquiry', body: 'Where are you located?', chatId: newChat(), channel: 'whatsapp', reply: true });
    await eventually(() => task(created.body.id), (r) => r.body.status === 'failed');
    const results = await Promise.all([postJson(url(`/api/tasks/${created.body.id}/retry`), {}), postJson(url(`/api/tasks/${created.body.id}/retry`), {})]);
    expect(results.map((r) => r.status).sort()).toEqual([202, 409]);
    expect(results.find((r) => r.status === 409)!.body.message).toMatch(/^(retry: the task changed meanwhile; read it again|status: cannot go from pending to pending)/);
    const done = await eventually(() => task(created.body.id), (r) => r.body.status === 'completed');
    expect(done.body).toMatchObject({ retry_count: 1, workflow_id: `task:${created.body.id}:attempt-1` });
  });

  it("retries a message whose reply the provider refused: the customer gets the agent's answer from the new attempt", async () => {
    const chatId = DEMO_CHAT;
    refuseNext();
    const posted = await postJson(url('/api/messages'), { chatId, id: `m-${randomUUID()}`, body: 'Where is my order #45821?', fromMe: false });
    const failed = await eventually(
      () => getJson(url(`/api/tasks?chatId=${encodeURIComponent(chatId)}&status=failed`)),
      (r) => r.body.items?.some((t: { workflow_id: string }) => t.workflow_id === posted.body.workflowId),
    );
    const row = failed.body.items.find((t: { workflow_id: string }) => t.workflow_id === posted.body.workflowId);
    expect(row).toMatchObject({ task_type: 'order_status', message_id: expect.any(String), status: 'failed' });

    const before = sentTo(chatId).length;
    const retried = await postJson(url(`/api/tasks/${row.id}/retry`), {});
    expect(retried.status).toBe(202);
    const done = await eventually(() => task(row.id), (r) => r.body.status === 'completed');
    expect(done.body.output_data).toMatchObject({ replied: true, text: expect.stringMatching(/45821/) });
    expect(sentTo(chatId).slice(before).map(textOf)).toEqual([expect.stringMatching(/45821.*shipped/)]);
  });

  it('answers 404 for a status change, cancel or retry of an unknown task', async () => {
    const unknown = randomUUID();
    for (const res of [await send('PUT', url(`/api/tasks/${unknown}`), { priority: 'low' }), await send('DELETE', url(`/api/tasks/${unknown}`)), await postJson(url(`/api/tasks/${unknown}/retry`), {})]) {
      expect(res.status).toBe(404);
      expect(res.body.message).toBe(`id: no task ${unknown}`);
    }
  });

  it('filters by a start or an end date alone, and agent logs by workflow id', async () => {
    const created = await postJson(url('/api/tasks'), { type: 'greeting', body: 'hello there', chatId: newChat() });
    const done = await eventually(() => task(created.body.id), (r) => r.body.status === 'completed');
    const createdAt = new Date(done.body.created_at).getTime();
    const iso = (ms: number) => encodeURIComponent(new Date(ms).toISOString());
    const ids = (r: { body: { items: Array<{ id: string }> } }) => r.body.items.map((t) => t.id);
    expect(ids(await getJson(url(`/api/tasks?from=${iso(createdAt - 1000)}&limit=100`)))).toContain(created.body.id);
    expect(ids(await getJson(url(`/api/tasks?from=${iso(createdAt + 60_000)}&limit=100`)))).not.toContain(created.body.id);
    expect(ids(await getJson(url(`/api/tasks?to=${iso(createdAt + 1000)}&limit=100`)))).toContain(created.body.id);
    expect(ids(await getJson(url(`/api/tasks?to=${iso(createdAt - 60_000)}&limit=100`)))).not.toContain(created.body.id);

    const logs = await getJson(url(`/api/agents/logs?workflowId=${encodeURIComponent(created.body.workflow_id)}`));
    expect(logs.status).toBe(200);
    expect(logs.body.items.length).toBeGreaterThanOrEqual(2);
    for (const l of logs.body.items) expect(l).toMatchObject({ workflow_id: created.body.workflow_id, task_id: created.body.id, agent_name: done.body.assigned_agent });
  });

  it('records a task whose workflow could not be started as failed, never pending', async () => {
    // An API process configured with a namespace the cluster does not have, over the same database.
    const misconfigured = await startTestApi({ address: h.ctx.address, taskQueue: h.taskQueue, database: h.database, env: { TEMPORAL_NAMESPACE: `missing-${randomUUID().slice(0, 8)}` } });
    try {
      const body = `Is the shop open on holidays? ${randomUUID()}`;
      const created = await postJson(`${misconfigured.baseUrl}/api/tasks`, { type: 'inquiry', body });
      expect(created.status).toBe(500);
      expect(created.body).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'Internal server error' });
      const rows = await h.database.db.getRepository(Task).find({ where: { taskType: 'inquiry', status: 'failed' } });
      const orphan = rows.find((t) => t.inputData?.body === body);
      expect(orphan).toMatchObject({ status: 'failed', runId: null, errorMessage: expect.stringMatching(/^workflow did not start: .*[Nn]amespace/) });
      const listed = await getJson(url(`/api/tasks/${orphan!.id}`));
      expect(listed.body).toMatchObject({ status: 'failed', error_message: orphan!.errorMessage });
    } finally {
      await misconfigured.close();
    }
  });

  it('gives a task started from the manager its defaults, replies to a message task, and queues pending tasks by priority then age', async () => {
    const manager = new TaskManager(h.database.db, h.ctx.client, h.taskQueue);
    const plain = await manager.create({ type: 'greeting', body: 'hi' });
    expect(plain).toMatchObject({ priority: 5, channel: 'api', maxRetries: 3, inputData: { body: 'hi', reply: false }, chatId: null });

    const fromMessage = await manager.createFromMessage({ chatId: DEMO_CHAT, body: 'Where is my order 45790?' }, 'order_status');
    expect(fromMessage).toMatchObject({ priority: 5, channel: 'whatsapp', chatId: DEMO_CHAT, inputData: { reply: true } });
    const done = await eventually(() => task(fromMessage.id), (r) => r.body.status === 'completed');
    expect(done.body.output_data).toMatchObject({ replied: true, text: expect.stringMatching(/45790/) });
    expect(sentTo(DEMO_CHAT).map(textOf)).toContain(done.body.output_data.text);

    const fresh = await openTestDatabase();
    try {
      const repo = fresh.db.getRepository(Task);
      const row = (priority: number, minutesAgo: number, status: Task['status'] = 'pending') =>
        repo.create({
          id: randomUUID(), taskType: 'inquiry', status, priority, chatId: null, messageId: null, channel: 'api', assignedAgent: null, inputData: { body: `p${priority}-${minutesAgo}` },
          outputData: null, metadata: null, errorMessage: null, parentTaskId: null, workflowId: `task:${randomUUID()}:attempt-0`, runId: null, step: 'message', retryCount: 0, maxRetries: 3,
          createdAt: new Date(Date.now() - minutesAgo * 60_000), completedAt: status === 'completed' ? new Date(Date.now() - minutesAgo * 60_000) : null,
        });
      await repo.insert([row(5, 10), row(10, 1), row(5, 30), row(1, 60), row(8, 5, 'in_progress'), row(3, 40 * 24 * 60, 'completed'), row(3, 60, 'completed')]);
      const queue = new TaskManager(fresh.db, h.ctx.client, 'unused');
      expect((await queue.pending()).map((t) => t.inputData?.body)).toEqual(['p10-1', 'p5-30', 'p5-10', 'p1-60']);
      expect((await queue.pending(2)).map((t) => t.inputData?.body)).toEqual(['p10-1', 'p5-30']);
      // Finished tasks older than the retention go; the recent one and every open one stay.
      expect(await queue.cleanup(30)).toEqual({ deleted: 1 });
      expect(await repo.count()).toBe(6);
    } finally {
      await fresh.close();
    }
  });
});
