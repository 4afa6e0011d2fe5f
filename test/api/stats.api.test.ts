import { randomUUID } from 'node:crypto';
import { followUpWorkflowId } from '../../src/contracts';
import { eventually, getJson, postJson } from '../helpers/api';
import { WebhookReceiver } from '../helpers/channel-servers/webhook-receiver';
import { databaseKinds } from '../helpers/database';
import { useApiHarness } from '../helpers/harness';

const KEYS = { admin: 'admin-key-stats-0123456789', operator: 'operator-key-stats-0123456789', ingest: 'ingest-key-stats-0123456789' };
const WEBHOOK_SECRET = `whsec_${Buffer.from('switchboard-stats-webhook-secret').toString('base64')}`;

type Series = { intent: string; channel: string; counts: number[] };
type Agent = { agent: string; tasks_handled: number; completed: number; failed: number; failure_rate: number; avg_processing_seconds: number | null };

/**
 * The numbers behind the console's charts and the two lists it needs, end to end: real
 * messages through the worker on the dev server, a person answering a handoff, a follow-up
 * campaign whose first step goes out within seconds, a user-defined workflow waiting for
 * an approval. Each database kind gets a fresh database, so the counts are exact.
 */
describe.each(databaseKinds())('console stats and lists through the API on %s', (kind) => {
  const receiver = new WebhookReceiver(WEBHOOK_SECRET);
  beforeAll(() => receiver.start());
  afterAll(() => receiver.stop());

  const h = useApiHarness({
    name: `api-stats-${kind}`,
    kind,
    seed: true,
    env: () => ({
      API_KEYS: Object.entries(KEYS)
        .map(([role, key]) => `${role}:${key}`)
        .join(','),
      // Web chat replies leave through the customer's webhook (sent, or refused); WhatsApp has no provider here (pending).
      OUTBOUND_WEBHOOK_URL: `${receiver.url}/hooks/switchboard`,
      OUTBOUND_WEBHOOK_SECRET: WEBHOOK_SECRET,
      // A quote's first follow-up goes out 3.6 s after the quote, the second a day later.
      FOLLOW_UP_STEPS_HOURS_QUOTE: '0.001,24',
      FOLLOW_UP_QUIET_HOURS: 'off',
      // The polls below would otherwise run into the per-key limit.
      RATE_LIMIT_PER_MINUTE: '100000',
    }),
    // Handoffs, campaigns and executions wait for hours: end them with the file.
    beforeTeardown: async (harness) => {
      for await (const wf of harness.ctx.client.workflow.list({ query: `TaskQueue = '${harness.taskQueue}' AND ExecutionStatus = 'Running'` })) {
        await harness.ctx.client.workflow.getHandle(wf.workflowId).terminate('test over').catch(() => undefined);
      }
    },
  });

  const as = (role: keyof typeof KEYS) => ({ 'x-api-key': KEYS[role] });
  const get = (path: string, role: keyof typeof KEYS = 'operator') => getJson(`${h.api.baseUrl}${path}`, as(role));
  const post = (path: string, body: unknown, role: keyof typeof KEYS = 'operator') => postJson(`${h.api.baseUrl}${path}`, body, as(role));

  async function send(body: string, chatId: string, channel: 'whatsapp' | 'webchat' = 'whatsapp'): Promise<string> {
    const res = await post('/api/messages', { chatId, id: `m-${randomUUID()}`, body, channel }, 'ingest');
    expect(res.status).toBe(202);
    return res.body.workflowId as string;
  }
  const settled = (workflowId: string) =>
    eventually(
      () => get(`/api/messages/${encodeURIComponent(workflowId)}`),
      (r) => ['COMPLETED', 'FAILED'].includes(r.body.status),
      30_000,
    );
  const sum = (series: Series[], intent: string, channel: string) => series.filter((s) => s.intent === intent && s.channel === channel).reduce((n, s) => n + s.counts.reduce((a, b) => a + b, 0), 0);

  it('charts the messages just sent by intent and channel, rates the agents that answered them, and counts replies per channel', async () => {
    const chat = () => `stats-${randomUUID().slice(0, 8)}@c.us`;
    const answered = [await send('What are your opening hours?', chat()), await send('What are your opening hours?', `web-${randomUUID()}`, 'webchat'), await send('Good morning!', chat())];
    for (const id of answered) expect((await settled(id)).body.status).toBe('COMPLETED');
    // The customer's webhook refuses the next reply for good: the message fails.
    receiver.enqueue({ status: 400, error: { message: 'no such conversation' } });
    const refused = await send('Good morning!', `web-${randomUUID()}`, 'webchat');
    expect((await settled(refused)).body.status).toBe('FAILED');

    const messages = await get('/api/stats/messages?hours=2');
    expect(messages.status).toBe(200);
    const { from, to, hours, series, total } = messages.body as { from: string; to: string; hours: string[]; series: Series[]; total: number };
    expect(hours).toHaveLength(2);
    expect(hours[0]).toBe(from);
    expect(new Date(hours[1]).getTime()).toBe(new Date(to).getTime() - 3600e3);
    expect(new Date(to).getTime()).toBeGreaterThan(Date.now() - 60_000);
    for (const s of series) expect(s.counts).toHaveLength(2);
    expect(sum(series, 'inquiry', 'whatsapp')).toBe(1);
    expect(sum(series, 'inquiry', 'webchat')).toBe(1);
    expect(sum(series, 'greeting', 'whatsapp')).toBe(1);
    expect(sum(series, 'greeting', 'webchat')).toBe(1);
    expect(total).toBe(4);

    const agents = await get('/api/agents/stats');
    expect(agents.status).toBe(200);
    const byName = new Map((agents.body.agents as Agent[]).map((a) => [a.agent, a]));
    expect(agents.body.agents[0].agent).toBe('orchestrator');
    expect(byName.get('orchestrator')).toMatchObject({ tasks_handled: 4, failed: 0, failure_rate: 0 });
    expect(byName.get('inquiry')).toMatchObject({ tasks_handled: 2, completed: 2, failed: 0, failure_rate: 0, avg_processing_seconds: expect.any(Number) });
    expect(byName.get('triage')).toMatchObject({ tasks_handled: 2, completed: 1, failed: 1, failure_rate: 0.5, avg_processing_seconds: expect.any(Number) });
    // The existing routes beside it still answer as before.
    expect((await get('/api/agents')).body.agents.length).toBeGreaterThan(5);
    expect((await get('/api/agents/logs?agent=triage&action=failed')).body.total).toBe(1);

    const replies = await get('/api/stats/replies?hours=1');
    expect(replies.status).toBe(200);
    expect(replies.body.channels).toEqual(
      expect.arrayContaining([
        { channel: 'webchat', sent: 1, delivered: 0, read: 0, failed: 1, pending: 0 },
        { channel: 'whatsapp', sent: 0, delivered: 0, read: 0, failed: 0, pending: 2 },
      ]),
    );
    expect(replies.body.channels).toHaveLength(2);
  });

  it("measures a handoff's wait until a person answered it, counts the one still open, and charts what the customer wrote meanwhile as the person's", async () => {
    const before = await get('/api/stats/handoffs');
    expect(before.body).toMatchObject({ open: { count: 0, oldestWaitSeconds: null }, answered: { count: 0, avgWaitSeconds: null }, timedOut: 0 });

    const chatId = `stats-ho-${randomUUID().slice(0, 8)}@c.us`;
    const asked = await send('I need to talk to a human about my bill', chatId);
    const waiting = await send('I want to speak to a real person please', `stats-ho-${randomUUID().slice(0, 8)}@c.us`);
    const inbox = await eventually(
      () => get('/api/handoffs'),
      (r) => [asked, waiting].every((id) => (r.body.handoffs as Array<{ workflowId: string }>).some((x) => x.workflowId === id)),
    );
    expect(inbox.body.handoffs).toHaveLength(2);
    const reply = await post(`/api/handoffs/${encodeURIComponent(asked)}/reply`, { text: 'Hello, Maria here.', operator: 'maria' });
    expect(reply.status).toBe(200);
    // Held for Maria: it takes no turn of its own.
    const held = await send('Thanks Maria, it is about the March invoice', chatId);
    const heldView = await eventually(() => get(`/api/messages/${encodeURIComponent(held)}`), (r) => r.body.status === 'COMPLETED');
    expect(heldView.body.status).toBe('COMPLETED');

    const stats = await get('/api/stats/handoffs?hours=1');
    expect(stats.status).toBe(200);
    const { answered, open, buckets, timedOut } = stats.body;
    expect(open).toEqual({ count: 1, oldestWaitSeconds: expect.any(Number) });
    expect(answered.count).toBe(1);
    // One wait: its average, median, 90th percentile and maximum are the same number.
    expect(answered.avgWaitSeconds).toBeGreaterThanOrEqual(0);
    expect([answered.p50WaitSeconds, answered.p90WaitSeconds, answered.maxWaitSeconds]).toEqual([answered.avgWaitSeconds, answered.avgWaitSeconds, answered.avgWaitSeconds]);
    expect(timedOut).toBe(0);
    expect(buckets.map((b: { le: number | null }) => b.le)).toEqual([60, 300, 900, 3600, 14400, 86400, null]);
    expect(buckets.reduce((n: number, b: { count: number }) => n + b.count, 0)).toBe(1);

    const messages = await get('/api/stats/messages?hours=2');
    expect(sum(messages.body.series, 'human_handoff', 'whatsapp')).toBe(3);
    expect(sum(messages.body.series, 'pending', 'whatsapp')).toBe(0);
  });

  it('rates follow-up steps by the replies they got, and lists running campaigns across chats for the console to pause', async () => {
    const quoted = async () => {
      const chatId = `stats-fu-${randomUUID().slice(0, 8)}@c.us`;
      await send('Can I get a quote for 20 yoga mats?', chatId);
      const stepped = await eventually(
        () => get(`/api/follow-ups/${encodeURIComponent(chatId)}`),
        (r) => r.body.campaigns?.[0]?.sent?.length === 1,
        30_000,
      );
      expect(stepped.body.campaigns[0]).toMatchObject({ purpose: 'quote', status: 'active', sent: [expect.objectContaining({ step: 1 })] });
      return chatId;
    };
    const answering = await quoted();
    const silent = await quoted();
    await send('Thanks, I will think about it', answering);
    await eventually(() => get(`/api/follow-ups/${encodeURIComponent(answering)}`), (r) => r.body.campaigns?.[0]?.status === 'stopped');

    const stats = await get('/api/follow-ups/stats?days=1');
    expect(stats.status).toBe(200);
    expect(stats.body.purposes).toEqual([{ purpose: 'quote', sent: 2, answered: 1, reply_rate: 0.5, steps: [{ step: 1, sent: 2, answered: 1, reply_rate: 0.5 }] }]);

    const active = await eventually(
      () => get('/api/follow-ups?status=active'),
      (r) => r.body.campaigns?.length === 1,
    );
    expect(active.body).toEqual({
      campaigns: [
        {
          chatId: silent,
          purpose: 'quote',
          status: 'active',
          nextFireAt: expect.any(String),
          stepsSent: 1,
          steps: 2,
          startedAt: expect.any(String),
          reference: expect.stringMatching(/^Q-/),
          workflowId: followUpWorkflowId(silent, 'quote'),
        },
      ],
      truncated: false,
      unavailable: 0,
    });
    expect(new Date(active.body.campaigns[0].nextFireAt).getTime()).toBeGreaterThan(Date.now());

    expect((await post(`/api/follow-ups/${encodeURIComponent(silent)}/pause`, { by: 'maria' })).status).toBe(200);
    expect((await get('/api/follow-ups?status=active')).body.campaigns).toEqual([]);
    const paused = await get('/api/follow-ups?status=paused&limit=10');
    expect(paused.body.campaigns).toEqual([expect.objectContaining({ chatId: silent, status: 'paused', nextFireAt: null, stepsSent: 1 })]);
    const running = await eventually(() => get('/api/follow-ups'), (r) => r.body.campaigns?.length === 1);
    expect(running.body.campaigns.map((c: { chatId: string }) => c.chatId)).toEqual([silent]);
  });

  it('lists a callback step waiting for approval across executions, and drops it once approved', async () => {
    const definition = await post(
      '/api/v1/workflows',
      { name: 'Refund approval', steps: [{ step_id: 'approve', step_type: 'callback', name: 'Manager approves the refund', timeout: 600 }] },
      'admin',
    );
    expect(definition.status).toBe(201);
    const id = definition.body.workflow_id as string;
    expect((await get('/api/v1/callbacks')).body).toEqual({ callbacks: [], truncated: false, unavailable: 0 });

    const started = await post(`/api/v1/workflows/${id}/execute`, { input_data: { order: 'ORD-1' }, async_execution: true });
    expect(started.status).toBe(202);
    const executionId = started.body.execution_id as string;
    const listed = await eventually(
      () => get('/api/v1/callbacks?status=pending'),
      (r) => r.body.callbacks?.length === 1,
    );
    expect(listed.body.callbacks).toEqual([
      {
        executionId,
        workflowId: id,
        version: 1,
        definitionName: 'Refund approval',
        stepId: 'approve',
        stepName: 'Manager approves the refund',
        waitingSince: expect.any(String),
        executionStartedAt: expect.any(String),
      },
    ]);

    const approved = await post(`/api/v1/executions/${executionId}/callbacks/approve`, { approved: true, by: 'ana' });
    expect(approved.status).toBe(200);
    expect((await get('/api/v1/callbacks')).body.callbacks).toEqual([]);
    const done = await eventually(() => get(`/api/v1/executions/${executionId}`), (r) => r.body.status === 'completed');
    expect(done.body.status).toBe('completed');
  });

  it.each([
    ['/api/stats/messages?hours=0', /^hours: /],
    ['/api/stats/messages?hours=721', /^hours: /],
    ['/api/stats/handoffs?hours=abc', /^hours: /],
    ['/api/stats/replies?hours=1.5', /^hours: /],
    ['/api/stats/replies?channel=whatsapp', /^channel: unknown field/],
    ['/api/agents/stats?hours=100000', /^hours: /],
    ['/api/follow-ups/stats?days=91', /^days: /],
    ['/api/follow-ups?status=done', /^status: /],
    ['/api/follow-ups?limit=0', /^limit: /],
    ['/api/v1/callbacks?status=answered', /^status: /],
    ['/api/v1/callbacks?limit=101', /^limit: /],
  ])('answers 400 naming the field for %s', async (path, message) => {
    const res = await get(path);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.stringMatching(message) });
  });

  it.each(['/api/stats/messages', '/api/stats/handoffs', '/api/stats/replies', '/api/agents/stats', '/api/follow-ups/stats', '/api/follow-ups', '/api/v1/callbacks'])(
    'refuses %s to an ingest key (403) and to no key (401), and serves it to admin',
    async (path) => {
      expect((await get(path, 'ingest')).status).toBe(403);
      expect((await getJson(`${h.api.baseUrl}${path}`)).status).toBe(401);
      expect((await get(path, 'admin')).status).toBe(200);
    },
  );
});
