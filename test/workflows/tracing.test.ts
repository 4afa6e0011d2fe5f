import { randomUUID } from 'node:crypto';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { installTracing, type Tracing } from '../../src/observability/tracing';
import { eventually, getJson, postJson } from '../helpers/api';
import { useApiHarness } from '../helpers/harness';

/**
 * One message through the real stack (HTTP → Nest → Temporal client → dev server → worker →
 * workflow sandbox → activities), with an in-memory exporter in place of OTLP: the whole
 * journey is one trace, each span the child of the one that caused it.
 */
describe('tracing: one trace from the API request through the workflow to every activity', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing | undefined;
  beforeAll(() => {
    // Before the harness builds the worker and the API, as main.ts does in each process.
    tracing = installTracing({ serviceName: 'switchboard-test', exporters: [exporter] });
  });
  const h = useApiHarness({
    name: 'wf-tracing',
    seed: true,
    beforeTeardown: async ({ ctx, taskQueue }) => {
      for await (const wf of ctx.client.workflow.list({ query: `TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'` })) {
        await ctx.client.workflow.getHandle(wf.workflowId, wf.runId).terminate('test done').catch(() => undefined);
      }
    },
  });
  afterAll(async () => {
    await tracing?.shutdown();
  });

  const spanId = (s: ReadableSpan) => s.spanContext().spanId;
  const traceId = (s: ReadableSpan) => s.spanContext().traceId;

  it('links HTTP request → StartWorkflow → RunWorkflow → StartActivity → RunActivity', async () => {
    expect(tracing).toBeDefined();
    const res = await postJson(`${h.api.baseUrl}/api/messages`, {
      chatId: `trace-${randomUUID().slice(0, 8)}@c.us`,
      id: randomUUID(),
      body: 'I want to book an appointment tomorrow at 10am',
    });
    expect(res.status).toBe(202);
    const workflowId: string = res.body.workflowId;
    const done = await eventually(
      () => getJson(`${h.api.baseUrl}/api/messages/${encodeURIComponent(workflowId)}`),
      (r) => r.body.status === 'COMPLETED',
      30_000,
    );
    expect(done.body.route.agent).toBe('appointment');

    // The workflow's spans arrive through the worker's sink after its last activation.
    const spans = await eventually(
      async () => exporter.getFinishedSpans(),
      (all) => all.some((s) => s.name === 'RunWorkflow:handleMessage' && s.attributes.temporalWorkflowId === workflowId),
    );
    const http = spans.find((s) => s.name === 'HTTP POST /api/messages');
    expect(http).toBeDefined();
    expect(http!.kind).toBe(SpanKind.SERVER);
    expect(http!.attributes['http.response.status_code']).toBe(202);
    const trace = spans.filter((s) => traceId(s) === traceId(http!));
    const named = (name: string) => trace.filter((s) => s.name === name);
    const childOf = (name: string, parent: ReadableSpan) => named(name).filter((s) => s.parentSpanId === spanId(parent));

    const [start] = childOf('StartWorkflow:handleMessage', http!);
    expect(start).toBeDefined();
    const [run] = childOf('RunWorkflow:handleMessage', start!);
    expect(run).toBeDefined();
    expect(run!.attributes.temporalWorkflowId).toBe(workflowId);
    expect(run!.resource.attributes['service.name']).toBe('switchboard-test');
    // Identifiers only: no search attributes (ChatId is a phone number) or memo on workflow spans.
    for (const span of named('StartActivity:sendReply').concat(run!)) {
      expect(Object.keys(span.attributes).sort()).toEqual(['namespace', 'run_id', 'taskQueue', 'temporalWorkflowId', 'workflowType']);
    }
    expect(http!.attributes['url.path']).toBe('/api/messages');

    // Every activity of this message, remote and local, ran in a span of this trace.
    const ranActivities = new Set(trace.filter((s) => s.name.startsWith('RunActivity:')).map((s) => s.name.slice('RunActivity:'.length)));
    expect([...ranActivities]).toEqual(expect.arrayContaining(['recordInbound', 'triageTurn', 'appointmentAgent', 'recordTaskEvents', 'sendReply']));
    for (const activity of ['appointmentAgent', 'sendReply']) {
      const scheduled = childOf(`StartActivity:${activity}`, run!);
      expect(scheduled).toHaveLength(1);
      const [ran] = childOf(`RunActivity:${activity}`, scheduled[0]!);
      expect(ran).toBeDefined();
      expect(ran!.attributes.temporalWorkflowId).toBe(workflowId);
    }

    // Nothing of this execution landed in another trace (the status reads are traces of their own).
    const ofWorkflow = spans.filter((s) => s.attributes.temporalWorkflowId === workflowId && /^(RunWorkflow|StartActivity|RunActivity):/.test(s.name));
    expect(ofWorkflow.length).toBeGreaterThanOrEqual(5);
    expect(ofWorkflow.filter((s) => traceId(s) !== traceId(http!)).map((s) => s.name)).toEqual([]);
  });
});
