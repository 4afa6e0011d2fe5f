import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createDefinitionActivities, isHostAllowed, pageFacts, type EnrichedLead } from '../../src/activities/definitions';
import type { RunAgentTaskInput } from '../../src/contracts';
import { timelineFromTimeframe } from '../../src/domain/lead-qualification';
import { getKnowledgeBase } from '../../src/knowledge';
import { DefinitionExecution } from '../../src/persistence/entities/definition-execution.entity';
import { WorkflowDefinition } from '../../src/persistence/entities/workflow-definition.entity';
import { seedDemoData } from '../../src/persistence/seed/demo-data';
import { openTestDatabase, type TestDatabase } from '../helpers/database';
import { LoopbackHttpServer } from '../helpers/loopback-http-server';

const ACME_PAGE = `<!doctype html><html><head>
<title>Acme Corp &amp; Sons | Industrial equipment</title>
<meta name="description" content="Acme builds industrial equipment and supports 4,000 customers worldwide.">
<meta property="og:site_name" content="Acme Corp">
</head><body>hello</body></html>`;

/** A company's website and a third-party API: the edges the definition activities call. */
class WebsiteStandIn extends LoopbackHttpServer {
  readonly hits: string[] = [];

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    this.hits.push(url.pathname);
    let body = '';
    for await (const chunk of req) body += String(chunk);
    switch (url.pathname) {
      case '/acme':
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(ACME_PAGE);
        return;
      case '/big':
        // The title comes first, then far more than the cap.
        res.writeHead(200, { 'content-type': 'text/html' });
        res.write('<html><head><title>Big Page Inc</title></head><body>');
        for (let i = 0; i < 64; i++) res.write('x'.repeat(32 * 1024));
        res.end('</body></html>');
        return;
      case '/late-title':
        res.writeHead(200, { 'content-type': 'text/html' });
        res.write('<html><head><!--');
        for (let i = 0; i < 16; i++) res.write('y'.repeat(32 * 1024));
        res.end('--><title>Too Late Ltd</title></head></html>');
        return;
      case '/slow':
        await this.sleep(3_000);
        res.writeHead(200, { 'content-type': 'text/html' }).end('<title>Slow</title>');
        return;
      case '/redirect-out':
        res.writeHead(302, { location: 'http://not-allowed.invalid/' }).end();
        return;
      case '/api/items':
        res.writeHead(201, { 'content-type': 'application/json', etag: '"v1"', 'x-internal': 'dropped' }).end(JSON.stringify({ echoed: body ? JSON.parse(body) : null, method: req.method, auth: req.headers.authorization ?? null, idempotencyKey: req.headers['idempotency-key'] ?? null }));
        return;
      case '/api/missing':
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"no such item"}');
        return;
      case '/api/down':
        res.writeHead(503, { 'content-type': 'text/plain' }).end('maintenance');
        return;
      case '/api/huge':
        res.writeHead(200, { 'content-type': 'application/json' });
        for (let i = 0; i < 40; i++) res.write('z'.repeat(32 * 1024));
        res.end();
        return;
      default:
        res.writeHead(404).end();
    }
  }
}

async function failureOf(work: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

const SEED_LEAD = {
  name: 'Acme Corp',
  email: 'contact@acmecorp.com',
  website: 'https://acmecorp.com',
  budget: 50000,
  timeframe: 'Q3 2023',
  requirements: 'AI solution for customer support',
};

function task(agent_type: string, taskName: string, parameters: Record<string, unknown>, input_data: Record<string, unknown> = {}): RunAgentTaskInput {
  return { executionId: 'wfexec:00000000-0000-4000-8000-000000000001', stepId: 's1', agent_type, task: taskName, parameters, input_data, upstream: {} };
}

describe('definition activities', () => {
  let database: TestDatabase;
  const site = new WebsiteStandIn();
  const mock = new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });
  /** Runs an activity as the worker would (with a Context), keeping its types. */
  const env = { run: <A, R>(fn: (input: A) => Promise<R>, input: A): Promise<R> => mock.run(fn, input) as Promise<R> };

  beforeAll(async () => {
    database = await openTestDatabase();
    await seedDemoData(database.db);
    await site.start();
  });
  afterAll(async () => {
    await site.stop();
    await database.close();
  });

  const activities = (allowed: string[], extra: { websiteCapBytes?: number; websiteTimeoutMs?: number } = {}) =>
    createDefinitionActivities({ db: database.db, knowledgeBase: getKnowledgeBase(), httpAllowedHosts: allowed, ...extra });

  const enrich = async (allowed: string[], lead: Record<string, unknown>, extra: { websiteCapBytes?: number; websiteTimeoutMs?: number } = {}) => {
    const result = await env.run(activities(allowed, extra).runAgentTask, task('research', 'enrich_lead', {}, { lead }));
    return result.output as EnrichedLead;
  };

  describe('allow-list', () => {
    it.each([
      ['https://api.example.com/x', ['api.example.com'], true],
      ['https://API.Example.com/x', ['api.example.com'], true],
      ['https://other.example.com/x', ['api.example.com'], false],
      ['https://a.b.example.com/x', ['*.example.com'], true],
      ['https://example.com/x', ['*.example.com'], false],
      ['https://badexample.com/x', ['*.example.com'], false],
      ['https://example.com.evil.io/x', ['*.example.com', 'example.com'], false],
      ['http://127.0.0.1:8080/x', ['127.0.0.1:8080'], true],
      ['http://127.0.0.1:9090/x', ['127.0.0.1:8080'], false],
      ['http://127.0.0.1:9090/x', ['127.0.0.1'], true],
      ['http://127.0.0.1/x', [], false],
    ])('%s against %j: %s', (url, list, expected) => {
      expect(isHostAllowed(new URL(url), list)).toBe(expected);
    });
  });

  describe('research.enrich_lead', () => {
    it('reads the title and description of an allow-listed website, filling the rest from the directory', async () => {
      const before = site.hits.length;
      const out = await enrich(['127.0.0.1'], { ...SEED_LEAD, website: `${site.origin}/acme` });
      expect(site.hits.slice(before)).toEqual(['/acme']);
      expect(out).toMatchObject({
        domain: 'acmecorp.com',
        source: 'website',
        company: { name: 'Acme Corp', description: 'Acme builds industrial equipment and supports 4,000 customers worldwide.', industry: 'Manufacturing', country: 'US', website: `${site.origin}/acme` },
      });
    });

    it('does not call a website whose host is not on the allow-list, and falls back to the directory', async () => {
      const before = site.hits.length;
      const localhostUrl = `http://localhost:${new URL(site.origin).port}/acme`;
      const out = await enrich(['127.0.0.1'], { ...SEED_LEAD, website: localhostUrl });
      expect(site.hits.length).toBe(before);
      expect(out.source).toBe('directory');
      expect(out.company).toMatchObject({ name: 'Acme Corp', industry: 'Manufacturing', size: '201-500' });
      expect(out.notes.join(' ')).toMatch(/localhost:\d+ is not on the allow-list/);
    });

    it('with no allow-list at all, the seed lead is found in the directory without any request', async () => {
      const out = await enrich([], SEED_LEAD);
      expect(out).toMatchObject({ domain: 'acmecorp.com', source: 'directory', company: { name: 'Acme Corp' } });
      expect(out.notes).toEqual(['website host acmecorp.com is not on the allow-list (WORKFLOW_HTTP_ALLOWED_HOSTS)']);
    });

    it('stops reading a page at the size cap: a title before the cap is used, one after it is not', async () => {
      const big = await enrich(['127.0.0.1'], { email: 'team@bigpage.example', website: `${site.origin}/big` }, { websiteCapBytes: 64 * 1024 });
      expect(big.source).toBe('website');
      expect(big.company.name).toBe('Big Page Inc');
      expect(big.notes).toContain('website page cut at 65536 bytes');

      const late = await enrich(['127.0.0.1'], { ...SEED_LEAD, website: `${site.origin}/late-title` }, { websiteCapBytes: 64 * 1024 });
      expect(late.source).toBe('directory');
      expect(late.company.name).toBe('Acme Corp');
      expect(late.notes).toEqual(['website page cut at 65536 bytes', 'website page has no title or description']);
    });

    it('gives up on a website that does not answer in time', async () => {
      const started = Date.now();
      const out = await enrich(['127.0.0.1'], { ...SEED_LEAD, website: `${site.origin}/slow` }, { websiteTimeoutMs: 300 });
      expect(Date.now() - started).toBeLessThan(2_500);
      expect(out.source).toBe('directory');
      expect(out.notes).toEqual(['website did not answer within 300 ms']);
    });

    it('does not follow a redirect off the allow-list', async () => {
      const out = await enrich(['127.0.0.1'], { ...SEED_LEAD, website: `${site.origin}/redirect-out` });
      expect(out.source).toBe('directory');
      expect(out.notes).toEqual(['website host not-allowed.invalid is not on the allow-list (WORKFLOW_HTTP_ALLOWED_HOSTS)']);
    });

    it('answers source none for a company it cannot find, and refuses a lead that is not an object', async () => {
      const out = await enrich([], { name: 'Nobody', email: 'someone@unknown-company.example' });
      expect(out).toMatchObject({ domain: 'unknown-company.example', source: 'none', company: { name: 'Nobody', industry: null } });
      const failure = await failureOf(env.run(activities([]).runAgentTask, task('research', 'enrich_lead', { lead: 'acme' })));
      expect(failure).toMatchObject({ type: 'InvalidParameters', nonRetryable: true });
      expect(failure.message).toMatch(/^parameters\.lead: /);
    });
  });

  describe('other agent tasks', () => {
    it('qualifies the seed lead by BANT, recording the priority', async () => {
      const result = await env.run(activities([]).runAgentTask, task('sales', 'qualify_lead', { priority: 'high' }, { lead: SEED_LEAD }));
      expect(result.attempt).toBe(1);
      // Budget 50000 (25) and a stated requirement (20); Q3 2023 is in the past, so no timeline.
      expect(result.output).toEqual({
        lead: { name: 'Acme Corp', company: null, email: 'contact@acmecorp.com' },
        score: 45,
        grade: 'warm',
        qualified: true,
        bant: { budget: 25, authority: 0, need: 20, timeline: 0 },
        signals: ['budget 50000', 'states a need', 'timeframe Q3 2023 is in the past'],
        priority: 'high',
      });
    });

    it('reads timeframes relative to now', () => {
      const now = new Date('2026-01-10T00:00:00Z');
      expect(timelineFromTimeframe('Q1 2026', now)).toEqual({ timeline: 'within 3 months' });
      expect(timelineFromTimeframe('January 2026', now)).toEqual({ timeline: 'this month' });
      expect(timelineFromTimeframe('2027 Q4', now)).toEqual({ timeline: 'next year' });
      expect(timelineFromTimeframe('Q3 2023', now)).toEqual({ signal: 'timeframe Q3 2023 is in the past' });
      expect(timelineFromTimeframe('asap', now)).toEqual({ timeline: 'asap' });
    });

    it('names the bad parameter, and refuses unknown tasks as non-retryable', async () => {
      const acts = activities([]);
      const badBudget = await failureOf(env.run(acts.runAgentTask, task('sales', 'qualify_lead', { lead: { ...SEED_LEAD, budget: 'lots' } })));
      expect(badBudget).toMatchObject({ type: 'InvalidParameters', nonRetryable: true });
      expect(badBudget.message).toMatch(/^parameters\.lead\.budget: /);
      const badPriority = await failureOf(env.run(acts.runAgentTask, task('sales', 'qualify_lead', { priority: 'asap' }, { lead: SEED_LEAD })));
      expect(badPriority.message).toMatch(/^parameters\.priority: must be one of urgent, high, normal, low, background/);
      const noLead = await failureOf(env.run(acts.runAgentTask, task('sales', 'qualify_lead', {})));
      expect(noLead.message).toMatch(/^lead: give parameters\.lead or input_data\.lead/);
      for (const [agent, name] of [['sales', 'enrich_lead'], ['wizard', 'qualify_lead'], ['triage', 'greet']]) {
        const unknown = await failureOf(env.run(acts.runAgentTask, task(agent, name, {})));
        expect(unknown).toMatchObject({ type: 'AgentTaskNotFound', nonRetryable: true, message: `agent ${agent} has no task ${name}` });
      }
    });

    it('answers a question from the knowledge base with its source', async () => {
      const result = await env.run(activities([]).runAgentTask, task('inquiry', 'answer_question', { question: 'What are your opening hours?' }));
      const output = result.output as { found: boolean; answer: string; source: { id: string; title: string } };
      expect(output.found).toBe(true);
      expect(output.answer.length).toBeGreaterThan(10);
      expect(output.source.title).toMatch(/hours/i);
      const missing = await failureOf(env.run(activities([]).runAgentTask, task('inquiry', 'answer_question', {})));
      expect(missing.message).toMatch(/^parameters\.question: /);
    });

    it('scores free text as a lead', async () => {
      const result = await env.run(activities([]).runAgentTask, task('lead', 'score_lead', { text: 'I am the CEO, we need 40 seats this month', budget: 12000 }));
      expect(result.output).toMatchObject({ grade: 'hot', bant: { budget: 25, authority: 25, timeline: 25 } });
    });
  });

  describe('httpRequest', () => {
    const input = (url: string, extra: Record<string, unknown> = {}) => ({ executionId: 'wfexec:x', stepId: 'call', method: 'POST' as const, url, ...extra });

    it('sends the same Idempotency-Key (execution id and step id) on every attempt, and keeps one the step sets', async () => {
      const keyOf = async (attempt: number, extra: Record<string, unknown> = {}) => {
        const retry = new MockActivityEnvironment({ attempt }, { logger: new DefaultLogger('ERROR') });
        const result = await retry.run(activities(['127.0.0.1']).httpRequest, input(`${site.origin}/api/items`, extra));
        return (result as { output: { body: { idempotencyKey: string | null } } }).output.body.idempotencyKey;
      };
      expect(await keyOf(1)).toBe('wfexec:x:call');
      expect(await keyOf(2)).toBe('wfexec:x:call');
      expect(await keyOf(3, { stepId: 'other' })).toBe('wfexec:x:other');
      expect(await keyOf(1, { headers: { 'Idempotency-Key': 'mine-42' } })).toBe('mine-42');
    });

    it('calls an allow-listed host and returns status, a few headers and the parsed JSON body', async () => {
      const result = await env.run(activities(['127.0.0.1']).httpRequest, input(`${site.origin}/api/items`, { headers: { authorization: 'Bearer t0k3n' }, body: { sku: 'MG-100' } }));
      expect(result).toEqual({
        attempt: 1,
        output: {
          status: 201,
          headers: expect.objectContaining({ 'content-type': 'application/json', etag: '"v1"' }),
          body: { echoed: { sku: 'MG-100' }, method: 'POST', auth: 'Bearer t0k3n', idempotencyKey: 'wfexec:x:call' },
        },
      });
      expect((result.output as { headers: Record<string, string> }).headers).not.toHaveProperty('x-internal');
    });

    it('refuses a host off the allow-list and a non-http URL before any request', async () => {
      const before = site.hits.length;
      const offList = await failureOf(env.run(activities(['api.example.com']).httpRequest, input(`${site.origin}/api/items`)));
      expect(offList).toMatchObject({ type: 'HostNotAllowed', nonRetryable: true });
      expect(offList.message).toMatch(/^url: host 127\.0\.0\.1:\d+ is not on the allow-list/);
      const ftp = await failureOf(env.run(activities(['127.0.0.1']).httpRequest, input('ftp://127.0.0.1/file')));
      expect(ftp).toMatchObject({ type: 'InvalidParameters', nonRetryable: true, message: 'url: must be http or https, not ftp' });
      expect(site.hits.length).toBe(before);
    });

    it('fails a 4xx for good and a 5xx retryably, with the status in the details', async () => {
      const acts = activities(['127.0.0.1']);
      const notFound = await failureOf(env.run(acts.httpRequest, input(`${site.origin}/api/missing`, { method: 'GET' })));
      expect(notFound).toMatchObject({ type: 'HttpStatus', nonRetryable: true, details: [{ status: 404, body: '{"error":"no such item"}' }] });
      const down = await failureOf(env.run(acts.httpRequest, input(`${site.origin}/api/down`, { method: 'GET' })));
      expect(down).toMatchObject({ type: 'HttpStatus', nonRetryable: false, details: [{ status: 503, body: 'maintenance' }] });
      const refused = await failureOf(env.run(acts.httpRequest, input('http://127.0.0.1:1/nothing', { method: 'GET' })));
      expect(refused).toMatchObject({ type: 'HttpNetworkError', nonRetryable: false });
    });

    it('caps the response at 1 MB and keeps it as text', async () => {
      const result = await env.run(activities(['127.0.0.1']).httpRequest, input(`${site.origin}/api/huge`, { method: 'GET' }));
      const output = result.output as { status: number; body: string; truncated?: boolean };
      expect(output.status).toBe(200);
      expect(output.truncated).toBe(true);
      expect(output.body.length).toBe(1024 * 1024);
    });
  });

  describe('definitions and executions', () => {
    it('loads the latest live version or the one asked for, and refuses a deleted or unknown one', async () => {
      const repo = database.db.getRepository(WorkflowDefinition);
      const workflowId = '6f1c1f53-5a4e-4a51-9a55-2d9d6f0b0a01';
      const steps = [{ step_id: 'wait', step_type: 'delay' as const, duration: 1 }];
      await repo.insert([
        { workflowId, version: 1, name: 'v1', description: null, steps: steps as never, createdAt: new Date(), deletedAt: null },
        { workflowId, version: 2, name: 'v2', description: 'second', steps: steps as never, createdAt: new Date(), deletedAt: null },
      ]);
      const acts = activities([]);
      expect(await env.run(acts.loadDefinition, { workflow_id: workflowId })).toEqual({ workflow_id: workflowId, version: 2, name: 'v2', description: 'second', steps });
      expect(await env.run(acts.loadDefinition, { workflow_id: workflowId, version: 1 })).toEqual({ workflow_id: workflowId, version: 1, name: 'v1', steps });
      expect(await failureOf(env.run(acts.loadDefinition, { workflow_id: workflowId, version: 3 }))).toMatchObject({ type: 'DefinitionNotFound', nonRetryable: true });
      await repo.update({ workflowId }, { deletedAt: new Date() });
      expect(await failureOf(env.run(acts.loadDefinition, { workflow_id: workflowId }))).toMatchObject({ type: 'DefinitionNotFound', nonRetryable: true });
    });

    it('records an execution as finished once; a retry or a late report changes nothing', async () => {
      const repo = database.db.getRepository(DefinitionExecution);
      const executionId = 'wfexec:6f1c1f53-5a4e-4a51-9a55-2d9d6f0b0a02';
      await repo.insert({ executionId, workflowId: '6f1c1f53-5a4e-4a51-9a55-2d9d6f0b0a01', version: 1, status: 'running', async: true, inputSummary: { keys: [], bytes: 2 }, createdAt: new Date(), finishedAt: null, error: null });
      const acts = activities([]);
      const failed = { execution_id: executionId, status: 'failed' as const, finished_at: '2026-01-01T00:00:00.000Z', error: { message: 'boom', step_id: 'call' } };
      await env.run(acts.recordExecution, failed);
      await env.run(acts.recordExecution, failed);
      await env.run(acts.recordExecution, { execution_id: executionId, status: 'completed', finished_at: '2026-01-02T00:00:00.000Z' });
      const row = await repo.findOneByOrFail({ executionId });
      expect(row).toMatchObject({ status: 'failed', error: { message: 'boom', step_id: 'call' } });
      expect(row.finishedAt?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    });
  });

  it('extracts facts from real-world head markup', () => {
    expect(pageFacts(`<HEAD><Title>\n  Initech &#8212; Software\n</Title><meta content='Banking software' name=description></HEAD>`)).toEqual({ title: 'Initech — Software', description: 'Banking software', siteName: undefined });
  });
});
