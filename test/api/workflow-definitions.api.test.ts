import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { eventually, getJson, postJson } from '../helpers/api';
import { databaseKinds } from '../helpers/database';
import { useApiHarness } from '../helpers/harness';
import { LoopbackHttpServer } from '../helpers/loopback-http-server';
import { SEED_CREATE_BODY, SEED_EXECUTE_BODY } from '../fixtures/seed-004';

const SYNC_TIMEOUT_SECONDS = 6;

/** A company website and a partner API on the allow-list, or (`listed: false`) an API that is not. */
class EdgeServer extends LoopbackHttpServer {
  hits = 0;

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.hits++;
    const path = new URL(req.url ?? '/', this.origin).pathname;
    if (path === '/acme') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html><head><title>Acme Corp | Customer support, reinvented</title><meta name="description" content="Acme Corp makes support tools for 4,000 teams."></head></html>');
      return;
    }
    if (path === '/api/ping') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ pong: true }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"accepted":true}');
  }
}

async function send(method: 'PUT' | 'DELETE', url: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { method, headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const callbackThenQualify = (name: string) => ({
  name,
  steps: [
    { step_id: 'approve', step_type: 'callback', timeout: 600 },
    { step_id: 'qualify', step_type: 'agent_task', agent_type: 'sales', task: 'qualify_lead', parameters: { lead: '{{input.lead}}' }, depends_on: ['approve'] },
  ],
});

describe.each(databaseKinds())('user-defined workflows (seed 004) through the API on %s', (kind) => {
  const site = new EdgeServer();
  const denied = new EdgeServer();
  beforeAll(async () => {
    await site.start();
    await denied.start();
  });
  afterAll(async () => {
    await site.stop();
    await denied.stop();
  });

  const h = useApiHarness({
    name: `api-wfdefs-${kind}`,
    kind,
    seed: true,
    env: () => ({ WORKFLOW_HTTP_ALLOWED_HOSTS: site.hostPort, WORKFLOW_SYNC_TIMEOUT_SECONDS: String(SYNC_TIMEOUT_SECONDS) }),
    // Executions left waiting for a callback would otherwise outlive the file.
    beforeTeardown: async (harness) => {
      for await (const wf of harness.ctx.client.workflow.list({ query: `TaskQueue = '${harness.taskQueue}' AND ExecutionStatus = 'Running'` })) {
        await harness.ctx.client.workflow.getHandle(wf.workflowId).terminate('test teardown').catch(() => undefined);
      }
    },
  });

  const url = (path: string) => `${h.api.baseUrl}${path}`;
  const create = async (body: unknown) => {
    const res = await postJson(url('/api/v1/workflows'), body);
    expect(res.status).toBe(201);
    return res.body as { workflow_id: string; version: number; created_at: string; updated_at: string };
  };
  const execution = (id: string) => getJson(url(`/api/v1/executions/${id}`));
  const waitingFor = (id: string, stepId: string) =>
    eventually(
      () => execution(id),
      (r) => r.body?.steps?.some((s: { step_id: string; waiting_for_callback?: boolean }) => s.step_id === stepId && s.waiting_for_callback === true),
    );
  const finished = (id: string) => eventually(() => execution(id), (r) => ['completed', 'failed', 'cancelled'].includes(r.body?.status));

  it('creates the seed definition at POST /api/v1/workflows/ and runs the seed execute body synchronously', async () => {
    const created = await postJson(url('/api/v1/workflows/'), SEED_CREATE_BODY);
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      workflow_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      version: 1,
      name: 'Lead Processing',
      description: 'Process and qualify new leads',
      steps: JSON.parse(SEED_CREATE_BODY).steps,
      created_at: expect.any(String),
      updated_at: created.body.created_at,
    });
    const id = created.body.workflow_id as string;

    const run = await postJson(url(`/api/v1/workflows/${id}/execute`), SEED_EXECUTE_BODY);
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ execution_id: expect.stringMatching(/^wfexec:/), workflow_id: id, version: 1, status: 'completed' });
    expect(run.body.steps.map((s: { step_id: string; status: string; attempts: number }) => [s.step_id, s.status, s.attempts])).toEqual([
      ['qualify_lead', 'done', 1],
      ['enrich_lead', 'done', 1],
    ]);
    // Budget 50000 and a stated requirement; "Q3 2023" has passed, so it adds no timeline.
    expect(run.body.outputs.qualify_lead).toMatchObject({ score: 45, grade: 'warm', qualified: true, priority: 'high', bant: { budget: 25, authority: 0, need: 20, timeline: 0 } });
    // acmecorp.com is not on the allow-list: the company comes from the directory, and nothing was fetched.
    expect(run.body.outputs.enrich_lead).toMatchObject({
      domain: 'acmecorp.com',
      source: 'directory',
      company: { name: 'Acme Corp', industry: 'Manufacturing', country: 'US' },
      notes: ['website host acmecorp.com is not on the allow-list (WORKFLOW_HTTP_ALLOWED_HOSTS)'],
    });

    const listed = await eventually(
      () => getJson(url(`/api/v1/workflows/${id}/executions`)),
      (r) => r.body.items?.[0]?.status === 'completed',
    );
    expect(listed.body).toMatchObject({ page: 1, limit: 20, total: 1 });
    expect(listed.body.items[0]).toMatchObject({ execution_id: run.body.execution_id, version: 1, status: 'completed', async_execution: false, input_summary: { keys: ['lead'] }, error: null });
    expect(listed.body.items[0].finished_at).toEqual(expect.any(String));
  });

  it('reads the website when its host is allow-listed', async () => {
    const { workflow_id: id } = await create(JSON.parse(SEED_CREATE_BODY));
    const before = site.hits;
    const lead = { ...JSON.parse(SEED_EXECUTE_BODY).input_data.lead, website: `${site.origin}/acme` };
    const run = await postJson(url(`/api/v1/workflows/${id}/execute`), { input_data: { lead } });
    expect(run.status).toBe(200);
    expect(run.body.status).toBe('completed');
    expect(site.hits).toBe(before + 1);
    expect(run.body.outputs.enrich_lead).toMatchObject({
      domain: 'acmecorp.com',
      source: 'website',
      company: { name: 'Acme Corp | Customer support, reinvented', description: 'Acme Corp makes support tools for 4,000 teams.', industry: 'Manufacturing', website: `${site.origin}/acme` },
    });
  });

  it('runs asynchronously: 202 at once, then the execution shows every step done', async () => {
    const { workflow_id: id } = await create(JSON.parse(SEED_CREATE_BODY));
    const body = { ...JSON.parse(SEED_EXECUTE_BODY), async_execution: true };
    const accepted = await postJson(url(`/api/v1/workflows/${id}/execute`), body);
    expect(accepted.status).toBe(202);
    expect(accepted.body).toEqual({ execution_id: expect.stringMatching(/^wfexec:[0-9a-f-]{36}$/), workflow_id: id, version: 1, status: 'running' });
    const done = await finished(accepted.body.execution_id);
    expect(done.body.status).toBe('completed');
    expect(done.body.steps.every((s: { status: string }) => s.status === 'done')).toBe(true);
    expect(Object.keys(done.body.outputs).sort()).toEqual(['enrich_lead', 'qualify_lead']);
    const listed = await eventually(() => getJson(url(`/api/v1/workflows/${id}/executions?status=completed`)), (r) => r.body.total === 1);
    expect(listed.body.items[0]).toMatchObject({ execution_id: accepted.body.execution_id, async_execution: true });
  });

  it('versions definitions: an execution keeps the version it started on; a delete hides the definition but not its runs', async () => {
    const v1 = await create(callbackThenQualify('Approval then qualify'));
    const id = v1.workflow_id;
    const lead = { name: 'Initech', email: 'it@initech.com', budget: 5000, role: 'CTO', requirements: 'need a helpdesk', timeframe: 'asap' };
    const held = await postJson(url(`/api/v1/workflows/${id}/execute`), { input_data: { lead }, async_execution: true });
    expect(held.status).toBe(202);
    const executionId = held.body.execution_id as string;
    await waitingFor(executionId, 'approve');

    const v2Body = { name: 'Score only', description: 'v2', steps: [{ step_id: 'score', step_type: 'agent_task', agent_type: 'lead', task: 'score_lead', parameters: { text: '{{input.lead.requirements}}' } }] };
    const stale = await send('PUT', url(`/api/v1/workflows/${id}`), v2Body, { 'if-match': '"2"' });
    expect(stale.status).toBe(412);
    const v2 = await send('PUT', url(`/api/v1/workflows/${id}`), v2Body, { 'if-match': '"1"' });
    expect(v2.status).toBe(200);
    expect(v2.body).toMatchObject({ workflow_id: id, version: 2, name: 'Score only', description: 'v2', created_at: v1.created_at });
    expect(new Date(v2.body.updated_at).getTime()).toBeGreaterThanOrEqual(new Date(v1.created_at).getTime());

    expect((await getJson(url(`/api/v1/workflows/${id}`))).body).toMatchObject({ version: 2, name: 'Score only' });
    expect((await getJson(url(`/api/v1/workflows/${id}?version=1`))).body).toMatchObject({ version: 1, name: 'Approval then qualify', steps: callbackThenQualify('x').steps });
    const noV3 = await getJson(url(`/api/v1/workflows/${id}?version=3`));
    expect(noV3.status).toBe(404);
    expect(noV3.body.message).toMatch(/^version: /);
    const listed = await getJson(url('/api/v1/workflows?limit=100'));
    expect(listed.body.items.filter((d: { workflow_id: string }) => d.workflow_id === id)).toEqual([expect.objectContaining({ version: 2 })]);

    const onV2 = await postJson(url(`/api/v1/workflows/${id}/execute`), { input_data: { lead } });
    expect(onV2.status).toBe(200);
    expect(onV2.body).toMatchObject({ version: 2, status: 'completed', outputs: { score: { grade: expect.any(String) } } });

    const deleted = await send('DELETE', url(`/api/v1/workflows/${id}`));
    expect(deleted.status).toBe(204);
    expect((await getJson(url(`/api/v1/workflows/${id}`))).status).toBe(404);
    expect((await send('PUT', url(`/api/v1/workflows/${id}`), v2Body)).status).toBe(404);
    expect((await send('DELETE', url(`/api/v1/workflows/${id}`))).status).toBe(404);
    expect((await postJson(url(`/api/v1/workflows/${id}/execute`), {})).status).toBe(404);
    expect((await getJson(url('/api/v1/workflows?limit=100'))).body.items.map((d: { workflow_id: string }) => d.workflow_id)).not.toContain(id);

    // The held run is still v1: it resumes with the callback and runs v1's steps.
    const resumed = await postJson(url(`/api/v1/executions/${executionId}/callbacks/approve`), { data: { approved_by_sales: true }, by: 'ana' });
    expect(resumed.status).toBe(200);
    expect(resumed.body).toMatchObject({ step_id: 'approve', step_type: 'callback', waiting_for_callback: false });
    const done = await finished(executionId);
    expect(done.body).toMatchObject({ version: 1, status: 'completed', outputs: { approve: { approved_by_sales: true }, qualify: { grade: expect.any(String), priority: 'normal' } } });
    expect(done.body.steps.map((s: { step_id: string }) => s.step_id)).toEqual(['approve', 'qualify']);
    const history = await eventually(() => getJson(url(`/api/v1/workflows/${id}/executions`)), (r) => r.body.items?.every((e: { status: string }) => e.status === 'completed'));
    expect(history.body.items.map((e: { version: number }) => e.version).sort()).toEqual([1, 2]);
  });

  it.each([
    ['an unknown agent type', { name: 'x', steps: [{ step_id: 'a', step_type: 'agent_task', agent_type: 'wizard', task: 'qualify_lead' }] }, { step_id: 'a', field: 'steps[0].agent_type' }],
    ['a task the agent does not offer', { name: 'x', steps: [{ step_id: 'a', step_type: 'agent_task', agent_type: 'sales', task: 'enrich_lead' }] }, { step_id: 'a', field: 'steps[0].task' }],
    ['an unknown dependency', { name: 'x', steps: [{ step_id: 'a', step_type: 'delay', duration: 1, depends_on: ['ghost'] }] }, { step_id: 'a', field: 'steps[0].depends_on[0]' }],
    [
      'a cycle',
      { name: 'x', steps: [{ step_id: 'a', step_type: 'delay', duration: 1, depends_on: ['b'] }, { step_id: 'b', step_type: 'delay', duration: 1, depends_on: ['a'] }] },
      { field: expect.stringMatching(/depends_on/), message: expect.stringMatching(/cycle/) },
    ],
    [
      'a template reading a step that is not upstream',
      { name: 'x', steps: [{ step_id: 'a', step_type: 'delay', duration: 1 }, { step_id: 'b', step_type: 'agent_task', agent_type: 'lead', task: 'score_lead', parameters: { text: '{{steps.a.output}}' } }] },
      { step_id: 'b', field: expect.stringMatching(/^steps\[1\]\.parameters/) },
    ],
    ['an unknown step type', { name: 'x', steps: [{ step_id: 'a', step_type: 'teleport' }] }, { step_id: 'a', field: 'steps[0].step_type' }],
    ['a missing name', { steps: [{ step_id: 'a', step_type: 'delay', duration: 1 }] }, { field: 'name' }],
  ])('answers 400 naming the step and field for %s', async (_what, body, expected) => {
    const res = await postJson(url('/api/v1/workflows'), body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', errors: expect.arrayContaining([expect.objectContaining(expected)]) });
    const first = res.body.errors[0];
    expect(res.body.message).toContain(first.field);
    if (first.step_id) expect(res.body.message).toMatch(new RegExp(`^step ${first.step_id}, `));
  });

  it('validates updates the same way, and refuses a malformed body, id or execute request', async () => {
    const { workflow_id: id } = await create(JSON.parse(SEED_CREATE_BODY));
    const bad = await send('PUT', url(`/api/v1/workflows/${id}`), { name: 'x', steps: [{ step_id: 'me', step_type: 'sub_workflow', workflow_id: id }] });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ step_id: 'me', field: 'steps[0].workflow_id' })]);
    expect((await getJson(url(`/api/v1/workflows/${id}`))).body.version).toBe(1);

    const malformed = await postJson(url('/api/v1/workflows'), '{"name": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body.message).toMatch(/^body: malformed JSON/);
    const notUuid = await getJson(url('/api/v1/workflows/lead_processing'));
    expect(notUuid.status).toBe(400);
    expect(notUuid.body.message).toMatch(/^id: /);
    expect((await getJson(url(`/api/v1/workflows/${randomUUID()}`))).status).toBe(404);

    for (const [body, field] of [
      [{ input_data: [] }, 'input_data'],
      [{ async_execution: 'yes' }, 'async_execution'],
      [{ input_data: {}, extra: 1 }, 'extra'],
    ] as const) {
      const res = await postJson(url(`/api/v1/workflows/${id}/execute`), body);
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(new RegExp(`^${field}: `));
    }
  });

  it('bounds pagination', async () => {
    await create(JSON.parse(SEED_CREATE_BODY));
    await create(JSON.parse(SEED_CREATE_BODY));
    for (const [query, field] of [
      ['limit=0', 'limit'],
      ['limit=1000', 'limit'],
      ['page=-1', 'page'],
      ['page=abc', 'page'],
      ['sort=name', 'sort'],
    ]) {
      const res = await getJson(url(`/api/v1/workflows?${query}`));
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(new RegExp(`^${field}: `));
    }
    const all = await getJson(url('/api/v1/workflows?limit=100'));
    const firstPage = await getJson(url('/api/v1/workflows?limit=1&page=1'));
    const secondPage = await getJson(url('/api/v1/workflows?limit=1&page=2'));
    expect(firstPage.body).toMatchObject({ page: 1, limit: 1, total: all.body.total });
    expect(firstPage.body.items).toHaveLength(1);
    expect(secondPage.body.items).toHaveLength(1);
    expect(secondPage.body.items[0].workflow_id).not.toBe(firstPage.body.items[0].workflow_id);
    expect(all.body.items.length).toBe(all.body.total);
    const id = all.body.items[0].workflow_id;
    expect((await getJson(url(`/api/v1/workflows/${id}/executions?limit=101`))).status).toBe(400);
    expect((await getJson(url(`/api/v1/workflows/${id}/executions?status=done`))).body.message).toMatch(/^status: /);
  });

  it('cancels a running execution, and refuses to cancel one that has finished', async () => {
    const { workflow_id: id } = await create(callbackThenQualify('to cancel'));
    const started = await postJson(url(`/api/v1/workflows/${id}/execute`), { async_execution: true });
    const executionId = started.body.execution_id as string;
    await waitingFor(executionId, 'approve');
    const cancelled = await postJson(url(`/api/v1/executions/${executionId}/cancel`), {});
    expect(cancelled.status).toBe(202);
    expect(cancelled.body).toEqual({ execution_id: executionId, status: 'cancelling' });
    const done = await finished(executionId);
    expect(done.body.status).toBe('cancelled');
    expect(done.body.steps.find((s: { step_id: string }) => s.step_id === 'qualify').status).toBe('skipped');
    const again = await postJson(url(`/api/v1/executions/${executionId}/cancel`), {});
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/already finished/);
    const row = await eventually(() => getJson(url(`/api/v1/workflows/${id}/executions`)), (r) => r.body.items?.[0]?.status === 'cancelled');
    expect(row.body.items[0].status).toBe('cancelled');
  });

  it('resumes callbacks through the API, answers 409 for a step that is not waiting, and fails on a rejection', async () => {
    const { workflow_id: id } = await create({
      name: 'two approvals',
      steps: [
        { step_id: 'first', step_type: 'callback', timeout: 600 },
        { step_id: 'second', step_type: 'callback', timeout: 600, depends_on: ['first'] },
      ],
    });
    // Synchronous, but it waits for people: after the configured wait the API answers 202.
    const started = Date.now();
    const pending = await postJson(url(`/api/v1/workflows/${id}/execute`), { async_execution: false });
    expect(pending.status).toBe(202);
    expect(Date.now() - started).toBeGreaterThanOrEqual(SYNC_TIMEOUT_SECONDS * 1000 - 500);
    const executionId = pending.body.execution_id as string;
    await waitingFor(executionId, 'first');

    const early = await postJson(url(`/api/v1/executions/${executionId}/callbacks/second`), { data: 'too soon' });
    expect(early.status).toBe(409);
    expect(early.body.message).toMatch(/^stepId: callback step "second" is not waiting/);
    const unknownStep = await postJson(url(`/api/v1/executions/${executionId}/callbacks/nope`), {});
    expect(unknownStep.status).toBe(404);
    const badBody = await postJson(url(`/api/v1/executions/${executionId}/callbacks/first`), { approved: 'yes' });
    expect(badBody.status).toBe(400);
    expect(badBody.body.message).toMatch(/^approved: /);

    expect((await postJson(url(`/api/v1/executions/${executionId}/callbacks/first`), { data: { note: 'ok' }, by: 'ana' })).status).toBe(200);
    const twice = await postJson(url(`/api/v1/executions/${executionId}/callbacks/first`), { data: { note: 'again' } });
    expect(twice.status).toBe(409);
    await waitingFor(executionId, 'second');
    expect((await postJson(url(`/api/v1/executions/${executionId}/callbacks/second`), { approved: false, by: 'bob' })).status).toBe(200);
    const done = await finished(executionId);
    expect(done.body).toMatchObject({ status: 'failed', outputs: { first: { note: 'ok' } }, error: { step_id: 'second', message: expect.stringMatching(/rejected by bob/) } });
    const late = await postJson(url(`/api/v1/executions/${executionId}/callbacks/second`), {});
    expect(late.status).toBe(409);

    expect((await getJson(url('/api/v1/executions/not-an-execution'))).status).toBe(400);
    expect((await getJson(url(`/api/v1/executions/wfexec:${randomUUID()}`))).status).toBe(404);
    expect((await postJson(url(`/api/v1/executions/wfexec:${randomUUID()}/callbacks/first`), {})).status).toBe(404);
  });

  it('refuses at create an http step to a host off the allow-list or with another scheme, and a sub_workflow that does not exist, naming the step', async () => {
    const before = (await getJson(url('/api/v1/workflows?limit=100'))).body.total;
    const denyHost = await postJson(url('/api/v1/workflows'), {
      name: 'call partners',
      steps: [
        { step_id: 'ping', step_type: 'http', method: 'GET', url: `${site.origin}/api/ping` },
        { step_id: 'push', step_type: 'http', method: 'POST', url: `${denied.origin}/crm/leads`, depends_on: ['ping'] },
      ],
    });
    expect(denyHost.status).toBe(400);
    expect(denyHost.body.message).toMatch(new RegExp(`^step push, steps\\[1\\]\\.url: host ${denied.origin.replace('http://', '').replace(/\./g, '\\.')} is not on the allow-list`));
    const fileScheme = await postJson(url('/api/v1/workflows'), { name: 'read a file', steps: [{ step_id: 'read', step_type: 'http', method: 'GET', url: 'file:///etc/passwd' }] });
    expect(fileScheme.status).toBe(400);
    expect(fileScheme.body.message).toBe('step read, steps[0].url: must be http or https, not file');
    const inBranch = await postJson(url('/api/v1/workflows'), {
      name: 'metadata',
      steps: [{ step_id: 'fan', step_type: 'parallel', branches: [{ step_id: 'meta', step_type: 'http', method: 'GET', url: 'http://169.254.169.254/latest/meta-data' }] }],
    });
    expect(inBranch.status).toBe(400);
    expect(inBranch.body.message).toMatch(/^step fan, steps\[0\]\.branches\[0\]\.url: host 169\.254\.169\.254 is not on the allow-list/);
    const missing = await postJson(url('/api/v1/workflows'), { name: 'parent', steps: [{ step_id: 'child', step_type: 'sub_workflow', workflow_id: '00000000-0000-4000-8000-00000000dead' }] });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toBe('step child, steps[0].workflow_id: no workflow 00000000-0000-4000-8000-00000000dead');
    // Nothing was stored.
    expect((await getJson(url('/api/v1/workflows?limit=100'))).body.total).toBe(before);
    // An update is held to the same rules.
    const { workflow_id: id } = await create({ name: 'ok', steps: [{ step_id: 'ping', step_type: 'http', method: 'GET', url: `${site.origin}/api/ping` }] });
    const update = await send('PUT', url(`/api/v1/workflows/${id}`), { name: 'ok', steps: [{ step_id: 'ping', step_type: 'http', method: 'GET', url: `${denied.origin}/x` }] });
    expect(update.status).toBe(400);
    expect(update.body.message).toMatch(/^step ping, steps\[0\]\.url: host .* is not on the allow-list/);
  });

  it('fails at run time an http step whose templated URL reaches a host off the allow-list, without a single request', async () => {
    const { workflow_id: id } = await create({
      name: 'call partners',
      steps: [
        { step_id: 'ping', step_type: 'http', method: 'GET', url: `${site.origin}/api/ping` },
        { step_id: 'push', step_type: 'http', method: 'POST', url: '{{input.target}}/crm/leads', body: { pong: '{{steps.ping.output.body.pong}}' }, depends_on: ['ping'], retry: { max_attempts: 5, initial_interval: 1 } },
      ],
    });
    const run = await postJson(url(`/api/v1/workflows/${id}/execute`), { input_data: { target: denied.origin } });
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ status: 'failed', outputs: { ping: { status: 200, body: { pong: true } } }, error: { step_id: 'push', message: expect.stringMatching(/not on the allow-list/) } });
    const push = run.body.steps.find((s: { step_id: string }) => s.step_id === 'push');
    expect(push).toMatchObject({ status: 'failed', attempts: 1, error: { type: 'HostNotAllowed' } });
    expect(denied.hits).toBe(0);
    const row = await eventually(() => getJson(url(`/api/v1/workflows/${id}/executions?status=failed`)), (r) => r.body.total === 1);
    expect(row.body.items[0].error).toMatchObject({ step_id: 'push' });
  });

  it('documents the endpoints in the OpenAPI document', async () => {
    const doc = await getJson(url('/docs/openapi.json'));
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/workflows', '/api/v1/workflows/{id}', '/api/v1/workflows/{id}/execute', '/api/v1/workflows/{id}/executions', '/api/v1/executions/{executionId}', '/api/v1/executions/{executionId}/cancel', '/api/v1/executions/{executionId}/callbacks/{stepId}']),
    );
  });
});
