import { randomUUID } from 'node:crypto';
import { OutboundMessage } from '../../src/persistence';
import { eventually, getJson, postJson, startTestApi } from '../helpers/api';
import { openTestDatabase } from '../helpers/database';
import { useApiHarness } from '../helpers/harness';
import { connectTemporal, uniqueTaskQueue } from '../helpers/temporal';

describe('messages API end to end (Nest over HTTP + worker + dev server + SQLite)', () => {
  const h = useApiHarness({ name: 'api-messages' });

  const message = (overrides: Record<string, unknown> = {}) => ({
    chatId: '85260552717@c.us',
    id: `msg_${randomUUID()}`,
    body: 'I want to book an appointment for next Monday',
    fromMe: false,
    ...overrides,
  });

  it('accepts the seed message, completes it, and answers duplicates with the first workflow', async () => {
    const msg = message();
    const first = await postJson(`${h.api.baseUrl}/api/messages`, msg);
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ workflowId: `msg:whatsapp:${msg.id}`, runId: expect.any(String), duplicate: false });

    const view = await eventually(
      () => getJson(`${h.api.baseUrl}/api/messages/${encodeURIComponent(first.body.workflowId)}`),
      (r) => r.body?.status === 'COMPLETED',
    );
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({
      workflowId: first.body.workflowId,
      runId: first.body.runId,
      status: 'COMPLETED',
      step: 'completed',
      chatId: msg.chatId,
      channel: 'whatsapp',
      triage: { intent: 'appointment_booking', method: 'rules' },
      route: { agent: 'appointment' },
    });
    expect(view.body.triage.confidence).toBeGreaterThanOrEqual(0.6);
    expect(view.body.reply.text).toMatch(/Available times: Monday/);

    const again = await postJson(`${h.api.baseUrl}/api/messages`, msg);
    expect(again.status).toBe(202);
    expect(again.body).toEqual({ workflowId: first.body.workflowId, runId: first.body.runId, duplicate: true });
    const rows = await h.database.db.getRepository(OutboundMessage).countBy({ workflowId: first.body.workflowId });
    expect(rows).toBe(1);
  });

  it('starts one workflow when the same delivery arrives five times at once', async () => {
    const msg = message({ body: 'hola' });
    const results = await Promise.all(Array.from({ length: 5 }, () => postJson(`${h.api.baseUrl}/api/messages`, msg)));
    expect(results.map((r) => r.status)).toEqual([202, 202, 202, 202, 202]);
    expect(results.filter((r) => r.body.duplicate === false)).toHaveLength(1);
    expect(new Set(results.map((r) => r.body.runId)).size).toBe(1);

    const listed = [];
    for await (const wf of h.ctx.client.workflow.list({ query: `WorkflowId = '${results[0].body.workflowId}'` })) listed.push(wf);
    expect(listed).toHaveLength(1);
  });

  it('ignores our own echoes (fromMe: true) and starts nothing', async () => {
    const msg = message({ fromMe: true });
    const res = await postJson(`${h.api.baseUrl}/api/messages`, msg);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ignored: true });
    const view = await getJson(`${h.api.baseUrl}/api/messages/${encodeURIComponent(`msg:whatsapp:${msg.id}`)}`);
    expect(view.status).toBe(404);
  });

  it('uses the channel given in the message for the workflow id', async () => {
    const msg = message({ channel: 'webchat', body: 'What are your opening hours?' });
    const res = await postJson(`${h.api.baseUrl}/api/messages`, msg);
    expect(res.status).toBe(202);
    expect(res.body.workflowId).toBe(`msg:webchat:${msg.id}`);
  });

  it.each([
    ['a missing chatId', (m: Record<string, unknown>) => delete m.chatId, /chatId: is required/],
    ['a numeric body', (m: Record<string, unknown>) => (m.body = 42), /body: .*expected string/],
    ['fromMe as a string', (m: Record<string, unknown>) => (m.fromMe = 'false'), /fromMe: .*expected boolean/],
    ['an unknown channel', (m: Record<string, unknown>) => (m.channel = 'pigeon'), /channel: /],
    ['an unknown field', (m: Record<string, unknown>) => (m.chatID = 'x'), /chatID: unknown field/],
    ['an empty id', (m: Record<string, unknown>) => (m.id = ''), /id: /],
    ['a body over 4096 characters', (m: Record<string, unknown>) => (m.body = 'a'.repeat(4097)), /body: /],
  ])('refuses %s with a 400 naming the field', async (_name, mutate, expected) => {
    const msg: Record<string, unknown> = message();
    mutate(msg);
    const res = await postJson(`${h.api.baseUrl}/api/messages`, msg);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.stringMatching(expected) });
    const view = await getJson(`${h.api.baseUrl}/api/messages/${encodeURIComponent(`msg:whatsapp:${String(msg.id)}`)}`);
    expect([400, 404]).toContain(view.status);
  });

  it('refuses malformed JSON with a 400 and no stack trace', async () => {
    const res = await postJson(`${h.api.baseUrl}/api/messages`, '{"chatId": "x", ');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.stringMatching(/^body: malformed JSON/) });
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.js:\d+/);
  });

  it('answers 404 for an unknown workflow and 400 for an id that is not a message id', async () => {
    const missing = await getJson(`${h.api.baseUrl}/api/messages/${encodeURIComponent('msg:whatsapp:nope-' + randomUUID())}`);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
    const bad = await getJson(`${h.api.baseUrl}/api/messages/not-a-message`);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/workflowId: must look like msg:<channel>:<message id>/);
  });

  it('serves liveness, readiness with Temporal and the database, and the OpenAPI document', async () => {
    expect((await getJson(`${h.api.baseUrl}/health`)).body).toMatchObject({ status: 'ok' });
    const ready = await getJson(`${h.api.baseUrl}/health/ready`);
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ready', checks: { temporal: { status: 'up' }, worker: { status: 'up' }, database: { status: 'up' } } });
    expect(ready.body.checks.temporal.workersPolling).toBeGreaterThanOrEqual(1);

    const docs = await getJson(`${h.api.baseUrl}/docs`);
    expect(docs.status).toBe(200);
    const spec = await getJson(`${h.api.baseUrl}/docs/openapi.json`);
    expect(spec.status).toBe(200);
    expect(Object.keys(spec.body.paths)).toEqual(expect.arrayContaining(['/api/messages', '/api/messages/{workflowId}', '/health/ready']));
    expect(spec.body.components.schemas.InboundMessageDto.required).toEqual(expect.arrayContaining(['chatId', 'id', 'body']));
  });
});

describe('readiness without a worker', () => {
  it('answers 503 naming the task queue nobody polls, though Temporal and the database are up', async () => {
    const ctx = await connectTemporal();
    const database = await openTestDatabase();
    const taskQueue = uniqueTaskQueue('no-worker');
    const api = await startTestApi({ address: ctx.address, taskQueue, database });
    try {
      const ready = await getJson(`${api.baseUrl}/health/ready`);
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({
        status: 'not_ready',
        checks: {
          temporal: { status: 'up', workersPolling: 0 },
          worker: { status: 'down', error: `no worker polls task queue ${taskQueue}` },
          database: { status: 'up' },
        },
      });
    } finally {
      await api.close();
      await database.close();
      await ctx.close();
    }
  });
});

describe('readiness without Temporal', () => {
  it('answers 503 naming Temporal as down while liveness stays up', async () => {
    const database = await openTestDatabase();
    // A port nothing listens on: the lazy connection fails at the first call.
    const api = await startTestApi({ address: '127.0.0.1:1', taskQueue: 'unused', database });
    try {
      expect((await getJson(`${api.baseUrl}/health`)).status).toBe(200);
      const ready = await getJson(`${api.baseUrl}/health/ready`);
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ status: 'not_ready', checks: { temporal: { status: 'down' }, database: { status: 'up' } } });
      const post = await postJson(`${api.baseUrl}/api/messages`, { chatId: 'c', id: 'm1', body: 'hi' });
      expect(post.status).toBe(503);
      expect(post.body).toMatchObject({ statusCode: 503, message: expect.stringMatching(/^temporal: /) });
    } finally {
      await api.close();
      await database.close();
    }
  });
});
