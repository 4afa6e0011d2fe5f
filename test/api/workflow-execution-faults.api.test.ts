import type { IncomingMessage, ServerResponse } from 'node:http';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { submitCallbackUpdate } from '../../src/contracts/run-definition';
import { eventually, getJson, postJson } from '../helpers/api';
import { closedPort } from '../helpers/channel-servers';
import { useApiHarness } from '../helpers/harness';
import { LoopbackHttpServer } from '../helpers/loopback-http-server';

/**
 * Executions of user-defined workflows meeting the faults of the world, end to end: the API,
 * the real worker and Temporal, and a partner API (a local server) that answers 4xx and 5xx,
 * hangs, redirects or sends broken JSON. What the operator reads back is the
 * execution state: which step failed, why, after how many attempts, and what was skipped.
 */

/** A partner API and a company website, on the allow-list. */
class PartnerApi extends LoopbackHttpServer {
  readonly hits = new Map<string, number>();
  readonly received: Array<{ method: string; path: string; headers: IncomingMessage['headers']; body: string }> = [];

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    const [, kind, arg = ''] = url.pathname.split('/');
    this.hits.set(url.pathname, (this.hits.get(url.pathname) ?? 0) + 1);
    let body = '';
    for await (const chunk of req) body += String(chunk);
    this.received.push({ method: req.method ?? '', path: url.pathname, headers: req.headers, body });
    switch (kind) {
      case 'status':
        res.writeHead(Number(arg), { 'content-type': 'application/json' }).end(JSON.stringify({ error: `no, ${arg}` }));
        return;
      case 'bare':
        res.writeHead(Number(arg)).end();
        return;
      case 'slow':
        await this.sleep(5_000);
        res.writeHead(200, { 'content-type': 'text/html' }).end('<title>Slow Co</title>');
        return;
      case 'moved':
        res.writeHead(302, { location: `${this.origin}/echo`, 'x-trace': 'not kept' }).end();
        return;
      case 'broken-json':
        res.writeHead(200, { 'content-type': 'application/problem+json' }).end('{"title": "half a document"');
        return;
      case 'plain':
        res.writeHead(200).end('no content type at all');
        return;
      case 'echo':
      default:
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ method: req.method, path: url.pathname, body, headers: req.headers }));
    }
  }
}

type Step = { step_id: string; status: string; attempts: number; output?: any; error?: { message: string; type: string }; skipped_reason?: string };

describe('user-defined workflow executions against a faulty world', () => {
  const partner = new PartnerApi();
  let deadPort = 0;
  beforeAll(async () => {
    await partner.start();
    deadPort = await closedPort();
  });
  afterAll(() => partner.stop());

  const h = useApiHarness({
    name: 'api-wfexec-faults',
    seed: true,
    env: () => ({ WORKFLOW_HTTP_ALLOWED_HOSTS: `${partner.hostPort},127.0.0.1:${deadPort}`, WORKFLOW_SYNC_TIMEOUT_SECONDS: '25' }),
    beforeTeardown: async (harness) => {
      for await (const wf of harness.ctx.client.workflow.list({ query: `TaskQueue = '${harness.taskQueue}' AND ExecutionStatus = 'Running'` })) {
        await harness.ctx.client.workflow.getHandle(wf.workflowId).terminate('test teardown').catch(() => undefined);
      }
    },
  });
  const url = (path: string) => `${h.api.baseUrl}${path}`;

  async function define(steps: unknown[], name = 'faults'): Promise<string> {
    const res = await postJson(url('/api/v1/workflows'), { name, steps });
    if (res.status !== 201) throw new Error(`definition refused: ${JSON.stringify(res.body)}`);
    return res.body.workflow_id as string;
  }

  /** Creates and runs a definition synchronously; the execution state the API answers. */
  async function run(steps: unknown[], input_data: Record<string, unknown> = {}): Promise<{ status: string; steps: Step[]; outputs: Record<string, any>; error?: { step_id?: string; message: string }; execution_id: string }> {
    const id = await define(steps);
    const res = await postJson(url(`/api/v1/workflows/${id}/execute`), { input_data });
    expect(res.status).toBe(200);
    return res.body;
  }
  const step = (state: { steps: Step[] }, id: string) => state.steps.find((s) => s.step_id === id) as Step;
  const http = (step_id: string, path: string, extra: Record<string, unknown> = {}) => ({ step_id, step_type: 'http', method: 'POST', url: `${partner.origin}${path}`, ...extra });
  const once = { max_attempts: 1 };

  describe('http steps', () => {
    it('fails a 4xx at once, naming the status and the start of the body, without retrying', async () => {
      const state = await run([http('crm', '/status/422', { retry: { max_attempts: 5, initial_interval: 1 } })]);
      expect(state).toMatchObject({ status: 'failed', error: { step_id: 'crm', message: expect.stringMatching(/^POST 127\.0\.0\.1:\d+\/status\/422 answered 422: \{"error":"no, 422"\}$/) } });
      expect(step(state, 'crm')).toMatchObject({ status: 'failed', attempts: 1, error: { type: 'HttpStatus' } });
      expect(partner.hits.get('/status/422')).toBe(1);
    });

    it('retries a 5xx, a 429 and a 408 by the step policy, then fails with the attempts counted', async () => {
      const retry = { max_attempts: 2, initial_interval: 0.1, max_interval: 1 };
      const state = await run([http('down', '/bare/503', { retry }), http('busy', '/bare/429', { retry, continue_on_error: true }), http('gaveup', '/bare/408', { retry, continue_on_error: true })]);
      expect(step(state, 'down')).toMatchObject({ status: 'failed', attempts: 2, error: { type: 'HttpStatus', message: expect.stringMatching(/answered 503$/) } });
      expect(partner.hits.get('/bare/503')).toBe(2);
      // The other two were cancelled by the first failure or had failed the same way.
      for (const id of ['busy', 'gaveup']) expect(step(state, id).status).toBe('failed');
      expect(state.error).toMatchObject({ step_id: 'down' });
    });

    it('gives up on a partner that does not answer within the step timeout, as a timeout', async () => {
      const state = await run([http('hang', '/slow', { timeout: 1, retry: once })]);
      expect(step(state, 'hang')).toMatchObject({ status: 'failed', attempts: 1, error: { type: 'HttpTimeout', message: expect.stringMatching(/did not answer within \d+ ms/) } });
    });

    it('reports a partner that refuses connections as unreachable', async () => {
      const state = await run([{ step_id: 'gone', step_type: 'http', method: 'GET', url: `http://127.0.0.1:${deadPort}/ping`, retry: once }]);
      expect(step(state, 'gone')).toMatchObject({ status: 'failed', attempts: 1, error: { type: 'HttpNetworkError', message: expect.stringMatching(/unreachable: .*ECONNREFUSED/) } });
    });

    it('does not follow a redirect: the 302 is the step output, with the location kept', async () => {
      const before = partner.hits.get('/echo') ?? 0;
      const state = await run([http('moved', '/moved')]);
      expect(state.status).toBe('completed');
      expect(state.outputs.moved).toEqual({ status: 302, headers: expect.objectContaining({ location: `${partner.origin}/echo` }), body: '' });
      expect(state.outputs.moved.headers).not.toHaveProperty('x-trace');
      expect(partner.hits.get('/echo') ?? 0).toBe(before);
    });

    it('keeps JSON it cannot parse, and a body of no declared type, as text', async () => {
      const state = await run([http('broken', '/broken-json', { method: 'GET' }), http('plain', '/plain', { method: 'GET' })]);
      expect(state.status).toBe('completed');
      expect(state.outputs.broken).toEqual({ status: 200, headers: expect.objectContaining({ 'content-type': 'application/problem+json' }), body: '{"title": "half a document"' });
      expect(state.outputs.plain).toEqual({ status: 200, headers: expect.not.objectContaining({ 'content-type': expect.anything() }), body: 'no content type at all' });
    });

    it('sends templated headers as text, a string body as written, and no body with GET', async () => {
      const state = await run(
        [
          http('form', '/echo', { headers: { 'content-type': 'text/plain', 'x-count': '{{input.count}}', 'x-lead': '{{input.lead}}', 'x-none': '{{input.missing}}', host: 'evil.example.com' }, body: 'name={{input.lead.name}}' }),
          http('get', '/echo', { method: 'GET', body: { ignored: true }, depends_on: ['form'] }),
        ],
        { count: 3, lead: { name: 'Ada' } },
      );
      expect(state.status).toBe('completed');
      expect(state.outputs.form.body.body).toBe('name=Ada');
      expect(state.outputs.form.body.headers).toMatchObject({ 'content-type': 'text/plain', 'x-count': '3', 'x-lead': '{"name":"Ada"}', 'x-none': '""', host: partner.hostPort });
      expect(state.outputs.get.body).toMatchObject({ method: 'GET', body: '' });
    });

    it('refuses a URL that is not one once templated, for good', async () => {
      const state = await run([{ step_id: 'odd', step_type: 'http', method: 'GET', url: '{{input.target}}', retry: { max_attempts: 4 } }], { target: { host: 'x' } });
      expect(step(state, 'odd')).toMatchObject({ status: 'failed', attempts: 1, error: { type: 'InvalidParameters', message: 'url: {"host":"x"} is not a valid URL' } });
    });
  });

  describe('agent tasks', () => {
    it('fails a research step whose website outlives the step timeout as a timeout', async () => {
      const state = await run([{ step_id: 'enrich', step_type: 'agent_task', agent_type: 'research', task: 'enrich_lead', timeout: 1, retry: once, parameters: { lead: { name: 'Slow Co', website: `${partner.origin}/slow` } } }]);
      expect(step(state, 'enrich')).toMatchObject({ status: 'failed', error: { type: 'Timeout', message: 'timed out (START_TO_CLOSE)' } });
      expect(state.error).toMatchObject({ step_id: 'enrich', message: 'timed out (START_TO_CLOSE)' });
    });

    it('fails a for_each at the first bad item, naming it, and cancels the items still running', async () => {
      const state = await run(
        [
          {
            step_id: 'each',
            step_type: 'for_each',
            items: '{{input.texts}}',
            step: { step_id: 'score', step_type: 'agent_task', agent_type: 'lead', task: 'score_lead', parameters: { text: '{{item}}' }, retry: once },
          },
          { step_id: 'after', step_type: 'delay', duration: 1, depends_on: ['each'] },
        ],
        { texts: ['We need 20 seats by next month, budget 10k', '', 'CTO here, evaluating', ''] },
      );
      expect(step(state, 'each')).toMatchObject({ status: 'failed', error: { type: 'InvalidParameters', message: expect.stringMatching(/^item [13] failed: parameters\.text: /) } });
      expect(step(state, 'after')).toMatchObject({ status: 'skipped', skipped_reason: 'execution failed at step "each"' });
    });

    it('fails a parallel step naming the branch that failed', async () => {
      const state = await run([
        {
          step_id: 'both',
          step_type: 'parallel',
          branches: [
            { step_id: 'ok', step_type: 'agent_task', agent_type: 'lead', task: 'score_lead', parameters: { text: 'Budget 50k, CEO, need it this quarter' } },
            { step_id: 'bad', step_type: 'agent_task', agent_type: 'sales', task: 'qualify_lead', parameters: { lead: { name: 'x' }, priority: 'whenever' }, retry: once },
          ],
        },
      ]);
      expect(step(state, 'both')).toMatchObject({ status: 'failed', error: { type: 'InvalidParameters', message: expect.stringMatching(/^branch "bad" failed: parameters\.priority: must be one of /) } });
    });

    it('runs a for_each over agent tasks with the default concurrency, output in item order', async () => {
      const state = await run(
        [{ step_id: 'each', step_type: 'for_each', items: '{{input.texts}}', step: { step_id: 'score', step_type: 'agent_task', agent_type: 'lead', task: 'score_lead', parameters: { text: '{{item}}' } } }],
        { texts: ['hello', 'Budget 50k, I am the CEO and we need it now', 'just looking'] },
      );
      expect(state.status).toBe('completed');
      expect(state.outputs.each).toHaveLength(3);
      expect(state.outputs.each[1].score).toBeGreaterThan(state.outputs.each[0].score);
    });
  });

  describe('conditions', () => {
    const input = { n: 5, s: 'hello', list: [1, 2, 3], people: [{ name: 'a', vip: true }, { name: 'b', vip: false }], weird: { indexOf: 1 } };
    const n = { var: 'input.n' };
    const list = { var: 'input.list' };
    const RULES: Record<string, unknown> = {
      loose_eq: { '==': [n, '5'] },
      strict_eq: { '===': [n, 5] },
      loose_ne: { '!=': [n, 4] },
      strict_ne: { '!==': [n, '5'] },
      gt: { '>': [n, 4] },
      ge: { '>=': [n, 5] },
      lt: { '<': [n, 6] },
      between: { '<=': [4, n, 5] },
      plus: { '===': [{ '+': [n, 1] }, 6] },
      minus: { '===': [{ '-': [n, 1] }, 4] },
      times: { '===': [{ '*': [n, 2] }, 10] },
      divide: { '===': [{ '/': [n, 2] }, 2.5] },
      modulo: { '===': [{ '%': [n, 2] }, 1] },
      min_max: { and: [{ '===': [{ min: [{ var: 'input.list.0' }, 3] }, 1] }, { '===': [{ max: [1, n] }, 5] }] },
      map: { in: [6, { map: [list, { '*': [{ var: '' }, 2] }] }] },
      filter_vip: { in: ['a', { map: [{ filter: [{ var: 'input.people' }, { var: 'vip' }] }, { var: 'name' }] }] },
      reduce: { '===': [{ reduce: [list, { '+': [{ var: 'current' }, { var: 'accumulator' }] }, 0] }, 6] },
      all: { all: [list, { '>': [{ var: '' }, 0] }] },
      none: { none: [list, { '>': [{ var: '' }, 3] }] },
      some: { some: [{ var: 'input.people' }, { var: 'vip' }] },
      merge: { in: [4, { merge: [list, [4]] }] },
      in_text: { in: ['ell', { var: 'input.s' }] },
      cat: { '===': [{ cat: [{ var: 'input.s' }, '!'] }, 'hello!'] },
      substr: { '===': [{ substr: [{ var: 'input.s' }, 1, 3] }, 'ell'] },
      not: { '!': [{ var: 'input.absent' }] },
      not_not: { '!!': [list] },
      if: { if: [{ '>': [n, 10] }, false, true] },
      elvis: { '?:': [{ '<': [n, 10] }, true, false] },
      or: { or: [false, { '===': [n, 5] }] },
      missing: { in: ['input.absent', { missing: ['input.n', 'input.absent'] }] },
      missing_some: { '!': { missing_some: [1, ['input.n', 'input.absent']] } },
      var_default: { '===': [{ var: ['input.absent', 7] }, 7] },
      false_one: { '>': [n, 100] },
    };

    it('evaluates every JSON Logic operator at run time over the execution input', async () => {
      const state = await run(
        Object.entries(RULES).map(([id, condition]) => ({ step_id: id, step_type: 'condition', condition })),
        input,
      );
      expect(state.status).toBe('completed');
      const results = Object.fromEntries(Object.keys(RULES).map((id) => [id, state.outputs[id]?.result]));
      expect(results).toEqual({ ...Object.fromEntries(Object.keys(RULES).map((id) => [id, true])), false_one: false });
    });

    it('fails a condition whose operands break it at run time; what it gates is skipped, and so is what a skipped condition gates', async () => {
      const state = await run(
        [
          { step_id: 'odd', step_type: 'condition', condition: { in: ['x', { var: 'input.weird' }] }, then: ['notify'], continue_on_error: true },
          { step_id: 'notify', step_type: 'delay', duration: 1 },
          { step_id: 'big', step_type: 'condition', condition: { '>': [{ var: 'input.n' }, 100] }, then: ['vip'] },
          { step_id: 'vip', step_type: 'condition', condition: true, then: ['gift'] },
          { step_id: 'gift', step_type: 'delay', duration: 1 },
        ],
        input,
      );
      expect(state.status).toBe('completed');
      expect(step(state, 'odd')).toMatchObject({ status: 'failed', error: { type: 'ConditionError', message: expect.stringMatching(/^condition could not be evaluated: /) } });
      expect(step(state, 'notify')).toMatchObject({ status: 'skipped', skipped_reason: 'condition odd failed' });
      expect(step(state, 'vip')).toMatchObject({ status: 'skipped', skipped_reason: 'condition big was false' });
      expect(step(state, 'gift')).toMatchObject({ status: 'skipped', skipped_reason: 'condition vip was skipped' });
    });
  });

  describe('sub-workflows', () => {
    it('fails a sub_workflow step that outlives its timeout', async () => {
      const child = await define([{ step_id: 'nap', step_type: 'delay', duration: 30 }], 'slow child');
      const state = await run([{ step_id: 'kid', step_type: 'sub_workflow', workflow_id: child, version: 1, timeout: 1, input_data: { from: 'parent' } }]);
      expect(step(state, 'kid')).toMatchObject({ status: 'failed', attempts: 1, error: { type: 'Timeout', message: expect.stringMatching(/^timed out \(/) } });
    });

    it('fails the step when the child definition was deleted while the parent waited for its turn', async () => {
      const child = await define([{ step_id: 'score', step_type: 'agent_task', agent_type: 'lead', task: 'score_lead', parameters: { text: '{{input.text}}' } }], 'child');
      const parent = await define([
        { step_id: 'approve', step_type: 'callback', timeout: 600 },
        { step_id: 'kid', step_type: 'sub_workflow', workflow_id: child, depends_on: ['approve'], input_data: { text: '{{steps.approve.output.note}}' } },
      ]);
      const started = await postJson(url(`/api/v1/workflows/${parent}/execute`), { async_execution: true });
      const executionId = started.body.execution_id as string;
      await eventually(
        () => getJson(url(`/api/v1/executions/${executionId}`)),
        (r) => r.body?.steps?.[0]?.waiting_for_callback === true,
      );
      const del = await fetch(url(`/api/v1/workflows/${child}`), { method: 'DELETE' });
      expect(del.status).toBe(204);
      expect((await postJson(url(`/api/v1/executions/${executionId}/callbacks/approve`), { data: { note: 'go' } })).status).toBe(200);
      const done = await eventually(
        () => getJson(url(`/api/v1/executions/${executionId}`)),
        (r) => r.body?.status === 'failed',
      );
      expect(step(done.body, 'kid')).toMatchObject({ status: 'failed', error: { type: 'DefinitionNotFound', message: `workflow ${child} not found` } });
    });

    it('fails the parent step when an operator terminates the child', async () => {
      const child = await define([{ step_id: 'hold', step_type: 'callback', timeout: 600 }], 'held child');
      const parent = await define([{ step_id: 'kid', step_type: 'sub_workflow', workflow_id: child }]);
      const started = await postJson(url(`/api/v1/workflows/${parent}/execute`), { async_execution: true });
      const executionId = started.body.execution_id as string;
      const childId = `${executionId}:kid`;
      await eventually(
        () => h.ctx.client.workflow.getHandle(childId).describe().then((d) => d.status.name, () => 'absent'),
        (s) => s === 'RUNNING',
      );
      await h.ctx.client.workflow.getHandle(childId).terminate('operator stopped it');
      const done = await eventually(
        () => getJson(url(`/api/v1/executions/${executionId}`)),
        (r) => r.body?.status === 'failed',
      );
      expect(step(done.body, 'kid')).toMatchObject({ status: 'failed', error: { type: 'TerminatedFailure', message: 'Terminated' } });
    });
  });

  describe('callbacks', () => {
    it('takes an approval without data or approver as done with null output; refuses data past the bounds with 400', async () => {
      const id = await define([
        { step_id: 'first', step_type: 'callback', timeout: 600 },
        { step_id: 'second', step_type: 'callback', timeout: 600, depends_on: ['first'] },
      ]);
      const started = await postJson(url(`/api/v1/workflows/${id}/execute`), { async_execution: true });
      const executionId = started.body.execution_id as string;
      const waiting = (stepId: string) =>
        eventually(
          () => getJson(url(`/api/v1/executions/${executionId}`)),
          (r) => r.body?.steps?.some((s: { step_id: string; waiting_for_callback?: boolean }) => s.step_id === stepId && s.waiting_for_callback === true),
        );
      await waiting('first');
      const tooLong = await postJson(url(`/api/v1/executions/${executionId}/callbacks/first`), { data: Array.from({ length: 1001 }, () => 1) });
      expect(tooLong.status).toBe(400);
      expect(tooLong.body.message).toBe('data: lists have at most 1000 elements');
      const tooDeep = await postJson(url(`/api/v1/executions/${executionId}/callbacks/first`), { data: nested(22) });
      expect(tooDeep.status).toBe(400);
      expect(tooDeep.body.message).toBe('data: nested deeper than 20');

      expect((await postJson(url(`/api/v1/executions/${executionId}/callbacks/first`), {})).status).toBe(200);
      await waiting('second');
      expect((await postJson(url(`/api/v1/executions/${executionId}/callbacks/second`), { approved: false })).status).toBe(200);
      const done = await eventually(
        () => getJson(url(`/api/v1/executions/${executionId}`)),
        (r) => r.body?.status === 'failed',
      );
      expect(step(done.body, 'first')).toMatchObject({ status: 'done', output: null });
      expect(done.body.error).toEqual({ step_id: 'second', message: 'rejected by an unnamed approver' });
    });

    it('refuses, from any Temporal client, a callback update that is malformed or for a step that is no callback', async () => {
      const id = await define([
        { step_id: 'wait', step_type: 'callback', timeout: 600 },
        { step_id: 'nap', step_type: 'delay', duration: 600 },
      ]);
      const started = await postJson(url(`/api/v1/workflows/${id}/execute`), { async_execution: true });
      const executionId = started.body.execution_id as string;
      await eventually(
        () => getJson(url(`/api/v1/executions/${executionId}`)),
        (r) => r.body?.steps?.[0]?.waiting_for_callback === true,
      );
      const handle = h.ctx.client.workflow.getHandle(executionId);
      const refusal = async (arg: unknown) => {
        const err = await handle.executeUpdate(submitCallbackUpdate, { args: [arg as never] }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
        return { type: (err as WorkflowUpdateFailedError).cause && ((err as WorkflowUpdateFailedError).cause as { type?: string }).type, message: (err as WorkflowUpdateFailedError).cause?.message };
      };
      expect(await refusal({ step_id: 7 })).toEqual({ type: 'InvalidCallback', message: 'a callback names its step: { step_id, data?, approved?, by? }' });
      expect(await refusal({ step_id: 'wait', approved: 'yes' })).toEqual({ type: 'InvalidCallback', message: 'approved is a boolean' });
      expect(await refusal({ step_id: 'wait', by: 'x'.repeat(201) })).toEqual({ type: 'InvalidCallback', message: 'by is a string of at most 200 characters' });
      expect(await refusal({ step_id: 'nap' })).toEqual({ type: 'CallbackNotWaiting', message: 'step "nap" is a delay step, not a callback' });
      // None of it reached the step: it still waits, and a proper callback completes it.
      expect((await getJson(url(`/api/v1/executions/${executionId}`))).body.steps[0]).toMatchObject({ status: 'running', waiting_for_callback: true });
      expect((await postJson(url(`/api/v1/executions/${executionId}/callbacks/wait`), { data: { ok: 1 }, by: 'ana' })).status).toBe(200);
      await eventually(
        () => getJson(url(`/api/v1/executions/${executionId}`)),
        (r) => r.body?.steps?.[0]?.status === 'done',
      );
      expect((await postJson(url(`/api/v1/executions/${executionId}/cancel`), {})).status).toBe(202);
    });
  });

  describe('cancellation', () => {
    it('cancels the items of a for_each still in flight', async () => {
      const id = await define([{ step_id: 'each', step_type: 'for_each', items: '{{input.urls}}', max_concurrency: 2, step: { step_id: 'get', step_type: 'http', method: 'GET', url: '{{item}}', timeout: 30 } }]);
      const started = await postJson(url(`/api/v1/workflows/${id}/execute`), { async_execution: true, input_data: { urls: [`${partner.origin}/slow`, `${partner.origin}/slow`, `${partner.origin}/slow`] } });
      const executionId = started.body.execution_id as string;
      await eventually(
        () => getJson(url(`/api/v1/executions/${executionId}`)),
        (r) => r.body?.steps?.[0]?.status === 'running',
      );
      expect((await postJson(url(`/api/v1/executions/${executionId}/cancel`), {})).status).toBe(202);
      const done = await eventually(
        () => getJson(url(`/api/v1/executions/${executionId}`)),
        (r) => r.body?.status === 'cancelled',
      );
      expect(done.body).toMatchObject({ status: 'cancelled', error: { message: 'execution cancelled' } });
      expect(step(done.body, 'each')).toMatchObject({ status: 'failed', error: { type: 'Cancelled' } });
    });

    it('cancels a running child with its parent', async () => {
      const child = await define([{ step_id: 'hold', step_type: 'callback', timeout: 600 }], 'held child');
      const parent = await define([{ step_id: 'kid', step_type: 'sub_workflow', workflow_id: child }]);
      const started = await postJson(url(`/api/v1/workflows/${parent}/execute`), { async_execution: true });
      const executionId = started.body.execution_id as string;
      const childHandle = h.ctx.client.workflow.getHandle(`${executionId}:kid`);
      await eventually(
        () => childHandle.describe().then((d) => d.status.name, () => 'absent'),
        (s) => s === 'RUNNING',
      );
      expect((await postJson(url(`/api/v1/executions/${executionId}/cancel`), {})).status).toBe(202);
      const done = await eventually(
        () => getJson(url(`/api/v1/executions/${executionId}`)),
        (r) => r.body?.status === 'cancelled',
      );
      expect(step(done.body, 'kid')).toMatchObject({ status: 'failed', error: { type: 'Cancelled' } });
      expect((await childHandle.describe()).status.name).toBe('CANCELLED');
    });
  });
});

function nested(levels: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = { n: value };
  return value;
}
