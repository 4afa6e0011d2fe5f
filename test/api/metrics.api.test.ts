import { randomUUID } from 'node:crypto';
import { followUpWorkflowId } from '../../src/contracts';
import { workerRegistry } from '../../src/observability/metrics';
import { startMetricsServer, type MetricsServer } from '../../src/observability/metrics-server';
import { Handoff } from '../../src/persistence/entities/handoff.entity';
import { eventually, getJson, postJson, startTestApi } from '../helpers/api';
import { useApiHarness } from '../helpers/harness';
import { ORDER_STATUS_TRIAGE, startFakeOpenAiServer, UNCLEAR_MESSAGE, type FakeOpenAiServer } from '../helpers/openai-server';

type Labels = Record<string, string>;
interface Sample {
  name: string;
  labels: Labels;
  value: number;
}

/** Prometheus text format → samples (`name{a="b",…} value`); comments skipped. */
function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Labels = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[k!] = v!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

/** Sum of the samples of `name` whose labels include `labels`. */
function total(samples: Sample[], name: string, labels: Labels = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

async function scrape(url: string): Promise<{ status: number; contentType: string; samples: Sample[] }> {
  const res = await fetch(url);
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', samples: res.ok ? parseMetrics(text) : [] };
}

describe('Prometheus metrics: the API at GET /metrics, the worker on its own port', () => {
  let provider: FakeOpenAiServer;
  let workerMetrics: MetricsServer;

  beforeAll(async () => {
    provider = await startFakeOpenAiServer();
    // What worker/main.ts serves on WORKER_METRICS_PORT; port 0 here.
    workerMetrics = await startMetricsServer({ registry: workerRegistry, port: 0 });
  });
  const h = useApiHarness({
    name: 'api-metrics',
    seed: true,
    env: () => ({ OPENAI_BASE_URL: provider.baseUrl, OPENAI_MODEL: 'switchboard-test-model', LLM_TIMEOUT_MS: '2000' }),
    // Handoffs and follow-up campaigns wait for days: end what this file started.
    beforeTeardown: async ({ ctx, taskQueue }) => {
      for await (const wf of ctx.client.workflow.list({ query: `TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'` })) {
        await ctx.client.workflow.getHandle(wf.workflowId, wf.runId).terminate('test done').catch(() => undefined);
      }
    },
  });
  afterAll(async () => {
    await workerMetrics?.close();
    await provider?.stop();
  });

  async function post(chatId: string, body: string): Promise<string> {
    const id = randomUUID();
    const res = await postJson(`${h.api.baseUrl}/api/messages`, { chatId, id, body });
    expect(res.status).toBe(202);
    return res.body.workflowId;
  }

  async function settled(workflowId: string, step?: string) {
    const res = await eventually(
      () => getJson(`${h.api.baseUrl}/api/messages/${encodeURIComponent(workflowId)}`),
      (r) => (step ? r.body.step === step : r.body.status === 'COMPLETED'),
      30_000,
    );
    expect(step ? res.body.step : res.body.status).toBe(step ?? 'COMPLETED');
    return res.body;
  }

  it('counts a message end to end: received, triaged by rules then LLM, an agent run, LLM calls and a send', async () => {
    provider.enqueue({ json: ORDER_STATUS_TRIAGE }, { content: 'Sorry about the wait! Which order is it?' });
    const workflowId = await post(`m-${randomUUID().slice(0, 8)}@c.us`, UNCLEAR_MESSAGE);
    const view = await settled(workflowId);
    expect(view.triage).toMatchObject({ method: 'llm', intent: 'order_status' });
    // A redelivery of the same message starts nothing and is counted as a duplicate.
    const again = await postJson(`${h.api.baseUrl}/api/messages`, { chatId: view.chatId, id: workflowId.split(':')[2], body: UNCLEAR_MESSAGE });
    expect(again.body).toMatchObject({ workflowId, duplicate: true });

    const api = await scrape(`${h.api.baseUrl}/metrics`);
    expect(api.status).toBe(200);
    expect(api.contentType).toMatch(/^text\/plain/);
    expect(total(api.samples, 'switchboard_messages_received_total', { channel: 'whatsapp', duplicate: 'false' })).toBe(1);
    expect(total(api.samples, 'switchboard_messages_received_total', { channel: 'whatsapp', duplicate: 'true' })).toBe(1);
    // Route templates, never raw paths.
    expect(total(api.samples, 'switchboard_http_request_duration_seconds_count', { method: 'POST', route: '/api/messages', status: '202' })).toBe(2);
    expect(total(api.samples, 'switchboard_http_request_duration_seconds_count', { method: 'GET', route: '/api/messages/:workflowId', status: '200' })).toBeGreaterThanOrEqual(1);
    expect(api.samples.some((s) => s.labels.route?.includes(encodeURIComponent(workflowId)))).toBe(false);
    // The worker's series live on the worker's port, not in the API's answer.
    expect(api.samples.some((s) => s.name.startsWith('switchboard_triage'))).toBe(false);

    const worker = await scrape(workerMetrics.url);
    expect(worker.status).toBe(200);
    const w = worker.samples;
    expect(total(w, 'switchboard_triage_total', { method: 'rules' })).toBe(1);
    expect(total(w, 'switchboard_triage_total', { method: 'llm', intent: 'order_status' })).toBe(1);
    expect(total(w, 'switchboard_llm_calls_total', { kind: 'triage', outcome: 'ok' })).toBe(1);
    // The order agent has tools: in LLM mode its model answers (one call, no tool needed for a
    // question), and its text goes out as written; neither the rule agent nor the reply writer runs.
    expect(total(w, 'switchboard_llm_calls_total', { kind: 'agent', outcome: 'ok' })).toBe(1);
    expect(total(w, 'switchboard_llm_calls_total', { kind: 'reply' })).toBe(0);
    expect(total(w, 'switchboard_llm_tokens_total', { agent: 'order', kind: 'prompt' })).toBe(42);
    expect(total(w, 'switchboard_llm_tokens_total', { agent: 'order', kind: 'completion' })).toBe(17);
    expect(total(w, 'switchboard_llm_turn_tokens_count', {})).toBe(1);
    expect(total(w, 'switchboard_llm_turn_tokens_sum', {})).toBe(59);
    expect(total(w, 'switchboard_llm_latency_seconds_count', { kind: 'triage', outcome: 'ok' })).toBe(1);
    expect(total(w, 'switchboard_llm_latency_seconds_sum', { kind: 'triage', outcome: 'ok' })).toBeGreaterThan(0);
    expect(total(w, 'switchboard_agent_runs_total', { agent: 'order' })).toBe(0);
    expect(view.reply).toMatchObject({ text: 'Sorry about the wait! Which order is it?' });
    // No provider is configured in the harness: the reply is recorded in the ledger only.
    expect(total(w, 'switchboard_sends_total', { channel: 'whatsapp', result: 'recorded_only' })).toBe(1);
    expect(total(w, 'switchboard_activity_duration_seconds_count', { activity: 'triageTurn', outcome: 'completed' })).toBe(1);
    expect(total(w, 'switchboard_activity_duration_seconds_count', { activity: 'sendReply', outcome: 'completed' })).toBe(1);
  });

  it('labels LLM errors by failure type, and 404s by no route at all', async () => {
    // The appointment agent's model is refused (400, not retried): the rule agent answers.
    provider.enqueue({ status: 400, message: 'bad request' });
    const workflowId = await post(`m-${randomUUID().slice(0, 8)}@c.us`, 'I want to book an appointment tomorrow at 10am');
    await settled(workflowId);
    const missing = await getJson(`${h.api.baseUrl}/no/such/${randomUUID()}`);
    expect(missing.status).toBe(404);

    const w = (await scrape(workerMetrics.url)).samples;
    expect(total(w, 'switchboard_llm_calls_total', { kind: 'agent', outcome: 'LlmRequestRejected' })).toBe(1);
    expect(total(w, 'switchboard_agent_runs_total', { agent: 'appointment', outcome: 'completed' })).toBe(1);
    const api = (await scrape(`${h.api.baseUrl}/metrics`)).samples;
    expect(total(api, 'switchboard_http_request_duration_seconds_count', { route: 'unmatched', status: '404' })).toBe(1);
  });

  it('reads open handoffs from the database and active campaigns from Temporal at scrape time', async () => {
    provider.setDefault({ content: 'Thanks, noted.' });
    const gauge = (samples: Sample[], name: string) => samples.find((s) => s.name === name)?.value;
    const running = async (type: string) =>
      (await h.ctx.client.workflow.count(`WorkflowType = '${type}' AND ExecutionStatus = 'Running' AND TaskQueue = '${h.taskQueue}'`)).count;
    const before = (await scrape(`${h.api.baseUrl}/metrics`)).samples;
    expect(gauge(before, 'switchboard_open_handoffs')).toBe(0);
    const campaignsBefore = gauge(before, 'switchboard_active_campaigns');
    // The appointment above asked for a confirmation follow-up: the gauge is Temporal's count.
    expect(campaignsBefore).toBe(await running('followUpCampaign'));

    const handoff = await post(`m-${randomUUID().slice(0, 8)}@c.us`, 'I need to talk to a human about my bill');
    await settled(handoff, 'waiting_for_human');
    const chatId = `m-${randomUUID().slice(0, 8)}@c.us`;
    // The quote agent's model prices it (the quote's follow-up starts), then answers.
    provider.enqueue({ toolCalls: [{ name: 'price_quote', arguments: { items: [{ product: 'yoga mat', quantity: 20 }] } }] });
    await settled(await post(chatId, 'Can I get a quote for 20 yoga mats?'));
    await eventually(
      () => h.ctx.client.workflow.getHandle(followUpWorkflowId(chatId, 'quote')).describe().then((d) => d.status.name, () => 'none'),
      (status) => status === 'RUNNING',
    );

    const open = await h.database.db.getRepository(Handoff).countBy({ status: 'open' });
    expect(open).toBe(1);
    const after = await eventually(
      () => scrape(`${h.api.baseUrl}/metrics`).then((r) => r.samples),
      (s) => gauge(s, 'switchboard_active_campaigns') === (campaignsBefore ?? NaN) + 1,
    );
    expect(gauge(after, 'switchboard_open_handoffs')).toBe(open);
    expect(gauge(after, 'switchboard_active_campaigns')).toBe((campaignsBefore ?? NaN) + 1);
  });

  it('serves /metrics without an API key when keys are required, like /health', async () => {
    const locked = await startTestApi({
      address: h.ctx.address,
      taskQueue: h.taskQueue,
      database: h.database,
      env: { API_KEYS: 'admin:metrics-admin-key-0123456789' },
    });
    try {
      expect((await fetch(`${locked.baseUrl}/api/tasks`)).status).toBe(401);
      const res = await fetch(`${locked.baseUrl}/metrics`);
      expect(res.status).toBe(200);
      expect(parseMetrics(await res.text()).some((s) => s.name === 'switchboard_open_handoffs')).toBe(true);
    } finally {
      await locked.close();
    }
  });
});
