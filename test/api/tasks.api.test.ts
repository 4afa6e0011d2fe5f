import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { eventually, getJson, postJson } from '../helpers/api';
import { databaseKinds } from '../helpers/database';
import { useApiHarness } from '../helpers/harness';

async function send(method: 'PUT' | 'DELETE', url: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

describe.each(databaseKinds())('tasks API end to end on %s', (kind) => {
  const failedOnce = new Set<string>();
  const h = useApiHarness({
    name: `api-tasks-${kind}`,
    kind,
    seed: true,
    // The knowledge base is out for a body marked [kb-down] the first time it is asked:
    // a fault at the edge of one agent, to see a task fail and be retried.
    override: (deps) => ({
      ...deps,
      knowledgeBase: {
        search(query, options) {
          if (query.includes('[kb-down]') && !failedOnce.has(query)) {
            failedOnce.add(query);
            throw ApplicationFailure.nonRetryable('knowledge base offline', 'KnowledgeBaseOffline');
          }
          return deps.knowledgeBase.search(query, options);
        },
      },
    }),
  });

  const task = (id: string) => getJson(`${h.api.baseUrl}/api/tasks/${id}`);

  it('runs a message as a task with its logs, visible through every endpoint', async () => {
    const chatId = `tasks-${randomUUID().slice(0, 6)}@c.us`;
    const posted = await postJson(`${h.api.baseUrl}/api/messages`, { chatId, id: randomUUID(), body: 'What are your opening hours? And where is my order #45821?' });
    const workflowId = posted.body.workflowId as string;
    const listed = await eventually(
      () => getJson(`${h.api.baseUrl}/api/tasks?chatId=${encodeURIComponent(chatId)}`),
      (r) => r.body.items?.length === 3 && r.body.items.every((t: { status: string }) => t.status === 'completed'),
    );
    // The conversation's task and one subtask per agent the supervisor delegated to.
    const row = listed.body.items.find((t: { parent_task_id: string | null }) => t.parent_task_id === null);
    expect(row).toMatchObject({ workflow_id: workflowId, status: 'completed', chat_id: chatId, parent_task_id: null });
    expect(row.run_id).toBe(posted.body.runId);

    const detail = await task(row.id);
    expect(detail.status).toBe(200);
    expect(detail.body.subtasks.map((s: { assigned_agent: string }) => s.assigned_agent).sort()).toEqual(['inquiry', 'order']);
    expect(detail.body.logs.map((l: { action: string }) => l.action)).toEqual(expect.arrayContaining(['created', 'processed', 'completed']));
    for (const l of detail.body.logs) expect(l.workflow_id).toBe(workflowId);

    const logs = await getJson(`${h.api.baseUrl}/api/agents/logs?task=${row.id}&action=created`);
    expect(logs.body.items).toHaveLength(1);
    expect(logs.body.items[0]).toMatchObject({ task_id: row.id, workflow_id: workflowId, agent_name: 'orchestrator' });
  });

  it('creates a manual task that starts its workflow, and reports it in the stats', async () => {
    const before = (await getJson(`${h.api.baseUrl}/api/tasks/stats`)).body;
    const created = await postJson(`${h.api.baseUrl}/api/tasks`, { type: 'order_status', body: 'status of order 45821', chatId: '85260552717@c.us', priority: 'high', metadata: { source: 'crm' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'pending', priority: 8, task_type: 'order_status', metadata: { source: 'crm' } });
    expect(created.body.workflow_id).toBe(`task:${created.body.id}:attempt-0`);
    const done = await eventually(() => task(created.body.id), (r) => r.body.status === 'completed');
    expect(done.body.output_data.text).toMatch(/45821/);
    expect(done.body.assigned_agent).toBe('order');
    const after = (await getJson(`${h.api.baseUrl}/api/tasks/stats`)).body;
    expect(after.total).toBe(before.total + 1);
    expect(after.completed).toBe(before.completed + 1);
    expect(Object.keys(after).sort()).toEqual(['avg_completion_seconds', 'cancelled', 'completed', 'failed', 'in_progress', 'pending', 'queue_size', 'total']);
  });

  it('records a failed task with its error, retries it as a new run, and refuses a retry that is not due', async () => {
    const created = await postJson(`${h.api.baseUrl}/api/tasks`, { type: 'inquiry', body: `[kb-down] opening hours ${randomUUID()}`, max_retries: 2 });
    const failed = await eventually(() => task(created.body.id), (r) => r.body.status === 'failed');
    expect(failed.body.error_message).toMatch(/knowledge base offline/);
    expect(failed.body.logs.map((l: { action: string }) => l.action)).toContain('failed');

    const retried = await postJson(`${h.api.baseUrl}/api/tasks/${created.body.id}/retry`, {});
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ status: 'pending', retry_count: 1, workflow_id: `task:${created.body.id}:attempt-1` });
    const done = await eventually(() => task(created.body.id), (r) => r.body.status === 'completed');
    expect(done.body.retry_count).toBe(1);

    const again = await postJson(`${h.api.baseUrl}/api/tasks/${created.body.id}/retry`, {});
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/cannot go from completed to pending/);
  });

  it('cancels a running conversation: the workflow is cancelled and the task marked cancelled', async () => {
    const chatId = `cancel-${randomUUID().slice(0, 6)}@c.us`;
    const posted = await postJson(`${h.api.baseUrl}/api/messages`, { chatId, id: randomUUID(), body: 'I want to talk to a human' });
    const listed = await eventually(() => getJson(`${h.api.baseUrl}/api/tasks?chatId=${encodeURIComponent(chatId)}&status=in_progress`), (r) => r.body.items?.length === 1);
    const id = listed.body.items[0].id;
    await eventually(() => getJson(`${h.api.baseUrl}/api/messages/${encodeURIComponent(posted.body.workflowId)}`), (r) => r.body.step === 'waiting_for_human');

    const cancelled = await send('DELETE', `${h.api.baseUrl}/api/tasks/${id}`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    const wf = await eventually(() => h.ctx.client.workflow.getHandle(posted.body.workflowId).describe(), (d) => d.status.name !== 'RUNNING');
    expect(wf.status.name).toBe('CANCELLED');
    expect((await send('DELETE', `${h.api.baseUrl}/api/tasks/${id}`)).status).toBe(409);
  });

  it('updates priority and metadata; status only through legal transitions', async () => {
    const created = await postJson(`${h.api.baseUrl}/api/tasks`, { type: 'greeting', body: 'hello' });
    await eventually(() => task(created.body.id), (r) => r.body.status === 'completed');
    const ok = await send('PUT', `${h.api.baseUrl}/api/tasks/${created.body.id}`, { priority: 2, metadata: { reviewed: true } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ priority: 2, metadata: { reviewed: true } });
    const illegal = await send('PUT', `${h.api.baseUrl}/api/tasks/${created.body.id}`, { status: 'in_progress' });
    expect(illegal.status).toBe(409);
    expect(illegal.body.message).toMatch(/status: cannot go from completed to in_progress/);
  });

  it.each([
    ['status=bogus', /status: /],
    ['limit=1000', /limit: /],
    ['limit=-1', /limit: /],
    ['from=yesterday', /from: /],
    ['from=2026-11-02&to=2026-11-01', /from: must not be after to/],
    ['nonsense=1', /nonsense: unknown field/],
  ])('refuses the filter %s with a 400 naming it', async (query, message) => {
    const res = await getJson(`${h.api.baseUrl}/api/tasks?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(message);
  });

  it('answers 404 for an unknown task and 400 for a malformed id or body', async () => {
    expect((await task(randomUUID())).status).toBe(404);
    expect((await task('not-a-uuid')).status).toBe(400);
    const bad = await postJson(`${h.api.baseUrl}/api/tasks`, { type: 'teleport', body: '' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/type: /);
    expect(bad.body.message).toMatch(/body: /);
    expect((await postJson(`${h.api.baseUrl}/api/tasks`, { type: 'inquiry', body: 'x', reply: true })).body.message).toMatch(/chatId: is required when reply is true/);
  });
});
