import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { WorkflowFailedError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import {
  childExecutionId,
  definitionExecutionId,
  executionStateQuery,
  submitCallbackUpdate,
  type DefinitionStep,
  type ExecutionState,
  type RunDefinitionInput,
  type StepState,
} from '../../src/contracts/run-definition';
import { DefinitionExecution } from '../../src/persistence/entities/definition-execution.entity';
import { WorkflowDefinition } from '../../src/persistence/entities/workflow-definition.entity';
import type { runDefinition } from '../../src/workflows';
import { openTestDatabase, type TestDatabase } from '../helpers/database';
import { LoopbackHttpServer } from '../helpers/loopback-http-server';
import { connectTemporal, startTestWorker, uniqueTaskQueue, type RunningWorker, type TemporalTestContext } from '../helpers/temporal';
import { SEED_CREATE_BODY, SEED_EXECUTE_BODY } from '../fixtures/seed-004';

/**
 * A stand-in API for `http` steps: it echoes, fails on demand, holds requests at a barrier
 * (so only overlapping requests are answered together) and tracks how many are in flight.
 */
class StepApi extends LoopbackHttpServer {
  readonly hits = new Map<string, number>();
  private readonly barriers = new Map<string, Array<() => void>>();
  private inFlight = 0;
  maxInFlight = 0;

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    const [, kind, key = ''] = url.pathname.split('/');
    this.hits.set(url.pathname, (this.hits.get(url.pathname) ?? 0) + 1);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const body: unknown = raw ? JSON.parse(raw) : null;
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    switch (kind) {
      case 'echo':
        return json(200, { method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams), body });
      case 'status':
        return json(Number(key), { error: `status ${key} on purpose` });
      case 'barrier': {
        // Answers once `size` requests of the group are here, or says it waited alone.
        const size = Number(url.searchParams.get('size') ?? 2);
        const waiting = this.barriers.get(key) ?? [];
        this.barriers.set(key, waiting);
        const together = await new Promise<boolean>((resolve) => {
          waiting.push(() => resolve(true));
          if (waiting.length >= size) waiting.splice(0).forEach((release) => release());
          else void this.sleep(10_000).then(() => resolve(false));
        });
        return json(200, { group: key, together, body });
      }
      case 'track': {
        this.inFlight += 1;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
        await this.sleep(300);
        this.inFlight -= 1;
        return json(200, { item: body });
      }
      case 'slow':
        await this.sleep(60_000);
        return json(200, { slow: true });
      default:
        return json(404, { error: 'no such stand-in route' });
    }
  }
}

describe('runDefinition: user-defined workflows on a real Temporal server', () => {
  let temporal: TemporalTestContext;
  let database: TestDatabase;
  let api: StepApi;
  let worker: RunningWorker;
  const taskQueue = uniqueTaskQueue('run-definition');

  beforeAll(async () => {
    temporal = await connectTemporal();
    database = await openTestDatabase();
    api = await new StepApi().start();
    worker = await startTestWorker(temporal, taskQueue, database.db, { WORKFLOW_HTTP_ALLOWED_HOSTS: api.hostPort });
  });

  afterAll(async () => {
    await worker?.stop();
    await api?.stop();
    await database?.close();
    await temporal?.close();
  });

  function definition(steps: unknown[], workflowId = randomUUID()): RunDefinitionInput['definition'] {
    return { workflow_id: workflowId, version: 1, name: 'test', steps: steps as DefinitionStep[] };
  }

  function start(steps: unknown[], input_data: Record<string, unknown> = {}, extra: Partial<RunDefinitionInput> = {}): Promise<WorkflowHandle<typeof runDefinition>> {
    const executionId = definitionExecutionId(randomUUID());
    return temporal.client.workflow.start<typeof runDefinition>('runDefinition', {
      workflowId: executionId,
      taskQueue,
      args: [{ executionId, definition: definition(steps), input_data, ...extra }],
    });
  }

  const http = (step_id: string, path: string, extra: Record<string, unknown> = {}) => ({ step_id, step_type: 'http', method: 'POST', url: `${api.origin}${path}`, ...extra });
  const stepOf = (state: ExecutionState, id: string): StepState => state.steps.find((s) => s.step_id === id) as StepState;

  /** Queries until `done` holds (the state is written by the workflow as it goes). */
  async function waitForState(handle: WorkflowHandle, done: (s: ExecutionState) => boolean, timeoutMs = 15_000): Promise<ExecutionState> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const state = await handle.query(executionStateQuery);
      if (done(state)) return state;
      if (Date.now() > deadline) throw new Error(`state never matched: ${JSON.stringify(state)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function failureOf(handle: WorkflowHandle): Promise<WorkflowFailedError> {
    const err = await handle.result().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    return err as WorkflowFailedError;
  }

  it('runs independent steps at once (top level and parallel branches), then the step that joins them', async () => {
    const group = randomUUID().slice(0, 8);
    const handle = await start(
      [
        http('left', `/barrier/${group}-top`, { body: { side: 'left' } }),
        http('right', `/barrier/${group}-top`, { body: { side: 'right' } }),
        {
          step_id: 'fan',
          step_type: 'parallel',
          max_concurrency: 2,
          branches: [http('one', `/barrier/${group}-fan`, { body: { n: 1 } }), http('two', `/barrier/${group}-fan`, { body: { n: 2 } })],
        },
        http('join', '/echo/join', { depends_on: ['left', 'right', 'fan'], body: { left: '{{steps.left.output.body.together}}', two: '{{steps.fan.output.two.body.body.n}}', lead: '{{input.lead.email}}' } }),
      ],
      { lead: { email: 'ana@example.com' } },
    );
    const state = await handle.result();
    expect(state.status).toBe('completed');
    expect(state.outputs.left).toMatchObject({ status: 200, body: { together: true, body: { side: 'left' } } });
    expect(state.outputs.right).toMatchObject({ body: { together: true } });
    expect(state.outputs.fan).toMatchObject({ one: { body: { together: true, body: { n: 1 } } }, two: { body: { together: true, body: { n: 2 } } } });
    expect(state.outputs.join).toMatchObject({ body: { body: { left: true, two: 2, lead: 'ana@example.com' } } });
    expect(state.steps.map((s) => [s.step_id, s.status, s.attempts])).toEqual([
      ['left', 'done', 1],
      ['right', 'done', 1],
      ['fan', 'done', 1],
      ['join', 'done', 1],
    ]);
    expect(Date.parse(stepOf(state, 'join').started_at as string)).toBeGreaterThanOrEqual(Date.parse(stepOf(state, 'left').finished_at as string));
  });

  it('takes the branch a condition picks and skips the other, and what depends on it', async () => {
    const steps = [
      http('score', '/echo/score', { body: { score: '{{input.score}}' } }),
      { step_id: 'is_hot', step_type: 'condition', depends_on: ['score'], condition: { '>=': [{ var: 'steps.score.output.body.body.score' }, 70] }, then: ['hot'], else: ['cold'] },
      http('hot', '/echo/hot'),
      http('cold', '/echo/cold'),
      http('nurture', '/echo/nurture', { depends_on: ['cold'] }),
    ];
    const hot = await (await start(steps, { score: 82 })).result();
    expect(hot.status).toBe('completed');
    expect(hot.outputs.is_hot).toEqual({ result: true });
    expect(stepOf(hot, 'hot').status).toBe('done');
    expect(stepOf(hot, 'cold')).toMatchObject({ status: 'skipped', skipped_reason: 'condition is_hot was true' });
    expect(stepOf(hot, 'nurture')).toMatchObject({ status: 'skipped', skipped_reason: 'dependency cold was skipped' });

    const cold = await (await start(steps, { score: 12 })).result();
    expect(cold.outputs.is_hot).toEqual({ result: false });
    expect(stepOf(cold, 'hot')).toMatchObject({ status: 'skipped', skipped_reason: 'condition is_hot was false' });
    expect(stepOf(cold, 'cold').status).toBe('done');
    expect(stepOf(cold, 'nurture').status).toBe('done');
  });

  it('joins both branches of a condition with run_when: any_succeeded, and all_finished runs whatever happened', async () => {
    const steps = [
      { step_id: 'is_hot', step_type: 'condition', condition: { '>=': [{ var: 'input.score' }, 70] }, then: ['hot'], else: ['cold'] },
      http('hot', '/echo/hot'),
      http('cold', '/echo/cold'),
      http('log', '/echo/log', { depends_on: ['hot', 'cold'], run_when: 'any_succeeded', body: { hot: '{{steps.hot.output.status}}', cold: '{{steps.cold.output.status}}' } }),
      http('strict_log', '/echo/strict', { depends_on: ['hot', 'cold'] }),
      http('audit', '/echo/audit', { depends_on: ['hot', 'cold', 'log'], run_when: 'all_finished' }),
    ];
    const state = await (await start(steps, { score: 12 })).result();
    expect(state.status).toBe('completed');
    expect(stepOf(state, 'log').status).toBe('done');
    // The branch not taken reads as null in the join's templates.
    expect(state.outputs.log).toMatchObject({ body: { body: { hot: null, cold: 200 } } });
    expect(stepOf(state, 'strict_log')).toMatchObject({ status: 'skipped', skipped_reason: 'dependency hot was skipped' });
    expect(stepOf(state, 'audit').status).toBe('done');

    const neither = [
      { step_id: 'gate', step_type: 'condition', condition: false, then: ['a'] },
      http('a', '/echo/a'),
      http('b', '/echo/b', { depends_on: ['gate'], run_when: 'any_succeeded' }),
      http('join', '/echo/join', { depends_on: ['a'], run_when: 'any_succeeded' }),
    ];
    const none = await (await start(neither)).result();
    expect(stepOf(none, 'b').status).toBe('done');
    expect(stepOf(none, 'join')).toMatchObject({ status: 'skipped', skipped_reason: 'no dependency succeeded (a)' });
  });

  it('retries a failing step by its policy, then fails the execution naming it, cancelling and skipping the rest', async () => {
    const path = `/status/503?run=${randomUUID()}`;
    const executionId = definitionExecutionId(randomUUID());
    const def = definition([
      http('flaky', path, { retry: { max_attempts: 3, initial_interval: 0.1, backoff_coefficient: 1 } }),
      http('slow', `/slow/${randomUUID()}`),
      http('after', '/echo/after', { depends_on: ['flaky'] }),
    ]);
    await database.db.getRepository(DefinitionExecution).insert({ executionId, workflowId: def.workflow_id, version: 1, status: 'running', async: true, inputSummary: null, createdAt: new Date(), finishedAt: null, error: null });
    const handle = await temporal.client.workflow.start<typeof runDefinition>('runDefinition', { workflowId: executionId, taskQueue, args: [{ executionId, definition: def, input_data: {} }] });

    const err = await failureOf(handle);
    expect(err.cause).toBeInstanceOf(ApplicationFailure);
    expect((err.cause as ApplicationFailure).type).toBe('StepFailed');
    expect(err.cause?.message).toMatch(/^step "flaky" failed: POST 127\.0\.0\.1:\d+\/status\/503 answered 503/);
    expect(api.hits.get('/status/503')).toBe(3);

    const state = await handle.query(executionStateQuery);
    expect(state.status).toBe('failed');
    expect(state.error).toMatchObject({ step_id: 'flaky', message: expect.stringContaining('answered 503') });
    expect(stepOf(state, 'flaky')).toMatchObject({ status: 'failed', attempts: 3, error: { type: 'HttpStatus' } });
    expect(stepOf(state, 'slow')).toMatchObject({ status: 'failed', error: { message: 'cancelled' } });
    expect(stepOf(state, 'after')).toMatchObject({ status: 'skipped', skipped_reason: 'execution failed at step "flaky"' });
    const row = await database.db.getRepository(DefinitionExecution).findOneByOrFail({ executionId });
    expect(row).toMatchObject({ status: 'failed', error: { step_id: 'flaky' } });
  });

  it('counts the requests of a retried step exactly', async () => {
    const before = api.hits.get('/status/500') ?? 0;
    const handle = await start([http('boom', '/status/500', { retry: { max_attempts: 2, initial_interval: 0.1 } })]);
    await failureOf(handle);
    expect((api.hits.get('/status/500') ?? 0) - before).toBe(2);
  });

  it('lets dependents of a step with continue_on_error run, seeing null', async () => {
    const before = api.hits.get('/status/404') ?? 0;
    const handle = await start([
      http('lookup', '/status/404', { continue_on_error: true }),
      http('fallback', '/echo/fallback', { depends_on: ['lookup'], body: { found: '{{steps.lookup.output}}', text: 'found=[{{steps.lookup.output}}]' } }),
    ]);
    const state = await handle.result();
    expect(state.status).toBe('completed');
    expect(stepOf(state, 'lookup')).toMatchObject({ status: 'failed', attempts: 1, error: { type: 'HttpStatus' } });
    expect((api.hits.get('/status/404') ?? 0) - before).toBe(1);
    expect(state.outputs.lookup).toBeNull();
    expect(state.outputs.fallback).toMatchObject({ body: { body: { found: null, text: 'found=[]' } } });
  });

  it('waits at a callback step and resumes with its data; refuses a callback for a step that is not waiting', async () => {
    const handle = await start([
      http('draft', '/echo/draft'),
      { step_id: 'approval', step_type: 'callback', depends_on: ['draft'] },
      http('publish', '/echo/publish', { depends_on: ['approval'], body: { note: '{{steps.approval.output.note}}' } }),
    ]);
    const waiting = await waitForState(handle, (s) => stepOf(s, 'approval').waiting_for_callback === true);
    expect(stepOf(waiting, 'approval').status).toBe('running');
    expect(stepOf(waiting, 'publish').status).toBe('pending');

    for (const step_id of ['draft', 'publish', 'ghost']) {
      const refused = await handle.executeUpdate(submitCallbackUpdate, { args: [{ step_id, data: {} }] }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
      expect(((refused as WorkflowUpdateFailedError).cause as ApplicationFailure).type).toBe('CallbackNotWaiting');
    }

    const accepted = await handle.executeUpdate(submitCallbackUpdate, { args: [{ step_id: 'approval', data: { note: 'ship it' }, by: 'maria' }] });
    expect(accepted).toMatchObject({ step_id: 'approval', status: 'running', waiting_for_callback: false });
    const again = await handle.executeUpdate(submitCallbackUpdate, { args: [{ step_id: 'approval', data: {} }] }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(WorkflowUpdateFailedError);

    const state = await handle.result();
    expect(state.status).toBe('completed');
    expect(state.outputs.approval).toEqual({ note: 'ship it' });
    expect(state.outputs.publish).toMatchObject({ body: { body: { note: 'ship it' } } });
  });

  it('fails a callback that is rejected or times out', async () => {
    const rejected = await start([{ step_id: 'approval', step_type: 'callback' }]);
    await waitForState(rejected, (s) => stepOf(s, 'approval').waiting_for_callback === true);
    await rejected.executeUpdate(submitCallbackUpdate, { args: [{ step_id: 'approval', approved: false, by: 'maria' }] });
    expect((await failureOf(rejected)).cause?.message).toBe('step "approval" failed: rejected by maria');

    const late = await start([
      { step_id: 'approval', step_type: 'callback', timeout: 1, continue_on_error: true },
      http('after', '/echo/after', { depends_on: ['approval'] }),
    ]);
    const state = await late.result();
    expect(stepOf(state, 'approval')).toMatchObject({ status: 'failed', error: { message: 'callback timed out' } });
    expect(stepOf(state, 'after').status).toBe('done');
  });

  it('marks the state cancelled when the execution is cancelled', async () => {
    const handle = await start([
      { step_id: 'approval', step_type: 'callback' },
      http('slow', `/slow/${randomUUID()}`),
      http('after', '/echo/after', { depends_on: ['approval'] }),
    ]);
    await waitForState(handle, (s) => stepOf(s, 'approval').waiting_for_callback === true && stepOf(s, 'slow').status === 'running');
    await handle.cancel();
    const err = await failureOf(handle);
    expect(err.cause).toBeInstanceOf(CancelledFailure);
    const state = await handle.query(executionStateQuery);
    expect(state.status).toBe('cancelled');
    expect(state.finished_at).toBeDefined();
    expect(stepOf(state, 'approval')).toMatchObject({ status: 'failed', error: { message: 'cancelled' } });
    expect(stepOf(state, 'slow')).toMatchObject({ status: 'failed', error: { message: 'cancelled' } });
    expect(stepOf(state, 'after')).toMatchObject({ status: 'skipped', skipped_reason: 'execution cancelled' });
  });

  it('runs a for_each step with bounded concurrency, output in item order', async () => {
    api.maxInFlight = 0;
    const items = ['a', 'b', 'c', 'd', 'e'];
    const state = await (
      await start(
        [{ step_id: 'each', step_type: 'for_each', items: '{{input.items}}', max_concurrency: 2, step: http('send', '/track/x', { body: { value: '{{item}}', index: '{{index}}' } }) }],
        { items },
      )
    ).result();
    expect(state.status).toBe('completed');
    expect((state.outputs.each as Array<{ body: { item: unknown } }>).map((o) => o.body.item)).toEqual(items.map((value, index) => ({ value, index })));
    expect(api.maxInFlight).toBe(2);
  });

  it('fails a for_each step whose items are not a list, or too many', async () => {
    const each = { step_id: 'each', step_type: 'for_each', items: '{{input.items}}', step: http('send', '/echo/each') };
    const notList = await failureOf(await start([each], { items: 'abc' }));
    expect(notList.cause?.message).toBe('step "each" failed: items "{{input.items}}" resolved to string, not a list');
    const tooMany = await failureOf(await start([each], { items: Array.from({ length: 101 }, (_, i) => i) }));
    expect(tooMany.cause?.message).toBe('step "each" failed: items "{{input.items}}" has 101 elements; a for_each step takes at most 100');
  });

  it('runs a stored definition as a child execution, and refuses to nest too deep', async () => {
    const childWorkflowId = randomUUID();
    await database.db.getRepository(WorkflowDefinition).save(Object.assign(new WorkflowDefinition(), {
      workflowId: childWorkflowId,
      version: 1,
      name: 'child',
      description: null,
      steps: [http('greet', '/echo/child', { body: { hello: '{{input.name}}' } })] as DefinitionStep[],
      createdAt: new Date(),
      deletedAt: null,
    }));
    const sub = { step_id: 'Child', step_type: 'sub_workflow', workflow_id: childWorkflowId, input_data: { name: '{{input.lead.name}}' } };
    const handle = await start([sub], { lead: { name: 'Acme' } });
    const state = await handle.result();
    expect(state.status).toBe('completed');
    expect(state.outputs.Child).toMatchObject({ greet: { body: { body: { hello: 'Acme' } } } });
    const child = await temporal.client.workflow.getHandle(childExecutionId(handle.workflowId, 'Child')).describe();
    expect(child.type).toBe('runDefinition');
    expect(child.parentExecution?.workflowId).toBe(handle.workflowId);

    const deep = await failureOf(await start([sub], { lead: { name: 'Acme' } }, { depth: 5 }));
    expect(deep.cause?.message).toBe('step "Child" failed: sub_workflow nesting is limited to 5 levels');

    const missing = await failureOf(await start([{ ...sub, workflow_id: randomUUID() }]));
    expect(missing.cause?.message).toMatch(/^step "Child" failed: workflow .* not found$/);
  });

  it("runs the seed's lead flow with the registry's sales and research agents", async () => {
    const handle = await start(JSON.parse(SEED_CREATE_BODY).steps, JSON.parse(SEED_EXECUTE_BODY).input_data);
    const state = await handle.result();
    expect(state.status).toBe('completed');
    // The Web UI names each activity by its step and what it calls (the activity's summary).
    const history = await handle.fetchHistory();
    const summaries = await Promise.all(
      (history.events ?? [])
        .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'runAgentTask')
        .map((e) => temporal.client.options.loadedDataConverter.payloadConverter.fromPayload(e.userMetadata!.summary!)),
    );
    expect(summaries).toEqual(['qualify_lead: sales.qualify_lead', 'enrich_lead: research.enrich_lead']);
    expect(state.outputs.qualify_lead).toMatchObject({ lead: { name: 'Acme Corp' }, score: expect.any(Number), priority: 'high' });
    expect(state.outputs.enrich_lead).toMatchObject({ domain: 'acmecorp.com' });
    expect(state.steps.map((s) => s.status)).toEqual(['done', 'done']);
  });

  it('fails an invalid definition at once with InvalidDefinition, without a failing workflow task', async () => {
    for (const steps of [
      [http('a', '/echo/a', { depends_on: ['b'] }), http('b', '/echo/b', { depends_on: ['a'] })],
      [{ step_id: 'x', step_type: 'teleport' }],
      [{ step_id: 'c', step_type: 'condition', condition: { regex: ['a', 'b'] } }],
      [http('a', '/echo/a', { retry: { max_attempts: 2, initial_interval: 60, max_interval: 1 } })],
    ]) {
      const handle = await start(steps);
      const err = await failureOf(handle);
      expect((err.cause as ApplicationFailure).type).toBe('InvalidDefinition');
      const history = await handle.fetchHistory();
      expect(history.events?.some((e) => e.workflowTaskFailedEventAttributes)).toBe(false);
      expect((await handle.query(executionStateQuery)).status).toBe('failed');
    }
    const executionId = definitionExecutionId(randomUUID());
    const garbage = await temporal.client.workflow.start('runDefinition', { workflowId: executionId, taskQueue, args: [{ executionId, definition: null, input_data: 7 }] });
    expect(((await failureOf(garbage)).cause as ApplicationFailure).type).toBe('InvalidDefinition');
  });
});
