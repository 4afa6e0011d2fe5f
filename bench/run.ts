import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { tsToMs } from '@temporalio/common/lib/time';
import type { WorkflowHandle } from '@temporalio/client';
import { triageByRules } from '../src/activities/triage';
import type { MessageStatus } from '../src/contracts';
import type { Intent } from '../src/domain';
import { postJson } from './http';
import { intEnv, startRig, type Rig } from './rig';
import { withTimeout } from '../src/api/common/with-timeout';
import { mb, runPool, sampleProcess, summarize, table, type LatencySummary, type ProcessSample } from './stats';
import { SEED_CREATE_BODY, SEED_EXECUTE_BODY } from '../test/fixtures/seed-004';
import { baselineSubjects, sideBySide, stepsOf, type SubjectResult } from './side-by-side';
import { campaignMemory, conversationMemory, loadCheck, type LoadCheck, type MemoryCost } from './capacity';

/**
 * `npm run bench`: speed and memory figures of the whole system on this machine. Starts
 * its own throw-away Temporal dev server, SQLite database, worker and API (all but the
 * dev server in this process), then measures:
 *   1. messages end to end over HTTP (accept latency, completion latency, messages/s);
 *   2. synchronous executions of the seed 004 lead definition;
 *   3. the keyword triage rules in-process;
 *   4. this process's memory before and after.
 * Prints a table, writes reports/bench.json, and exits non-zero if anything it measured
 * failed. Sizes: BENCH_MESSAGES, BENCH_CONCURRENCY, BENCH_EXECUTIONS,
 * BENCH_EXECUTION_CONCURRENCY, BENCH_TRIAGE_PASSES; deadline: BENCH_TIMEOUT_SECONDS.
 */

const MESSAGES = intEnv('BENCH_MESSAGES', 200);
const CONCURRENCY = intEnv('BENCH_CONCURRENCY', 20);
const EXECUTIONS = intEnv('BENCH_EXECUTIONS', 100);
const EXECUTION_CONCURRENCY = intEnv('BENCH_EXECUTION_CONCURRENCY', 10);
const TRIAGE_PASSES = intEnv('BENCH_TRIAGE_PASSES', 50);
/** Messages sent one at a time before the concurrent run: the latency with nothing queued. */
const SEQUENTIAL = intEnv('BENCH_SEQUENTIAL', 8, 0);
const TIMEOUT_SECONDS = intEnv('BENCH_TIMEOUT_SECONDS', 600);
/** Idle campaigns and waiting conversations opened for the memory figures. */
const MEMORY_ITEMS = intEnv('BENCH_MEMORY_ITEMS', 200, 1);
/** Side by side: items per subject one at a time, and in all at BENCH_CONCURRENCY in flight. */
const SIDE_SEQUENTIAL = intEnv('BENCH_SIDE_SEQUENTIAL', 20, 1);
const SIDE_TOTAL = intEnv('BENCH_SIDE_TOTAL', 100, 1);
/** How long one message or execution may take before it counts as failed. */
const ITEM_TIMEOUT_MS = 60_000;

const say = (line: string) => process.stderr.write(`[bench] ${line}\n`);

/** The message mix, in turn: one of each per four messages. */
const MIX: { kind: string; body: string; intent: Intent }[] = [
  { kind: 'booking', body: 'I want to book an appointment for next Monday', intent: 'appointment_booking' },
  { kind: 'inquiry', body: 'what are your opening hours', intent: 'inquiry' },
  { kind: 'order status', body: 'Where is my order #45821?', intent: 'order_status' },
  { kind: 'greeting', body: 'Hello!', intent: 'greeting' },
];

/** Seed 004's "Create a workflow" and "Execute the workflow" bodies, the fixture the tests send. */
const LEAD_DEFINITION: unknown = JSON.parse(SEED_CREATE_BODY);
const LEAD_EXECUTE: unknown = JSON.parse(SEED_EXECUTE_BODY);

interface Failure {
  phase: string;
  item: string;
  error: string;
}

/** CPU seconds of this process and of the dev server, and this process's event-loop delay, over one phase. */
class CpuMeter {
  private readonly self = process.cpuUsage();
  private readonly loop = monitorEventLoopDelay({ resolution: 10 });
  private readonly server: ProcessSample | undefined;
  private readonly t0 = performance.now();
  constructor(private readonly serverPid?: number) {
    this.server = serverPid ? sampleProcess(serverPid) : undefined;
    this.loop.enable();
  }
  read(): { wallSeconds: number; benchProcessCpuSeconds: number; temporalServerCpuSeconds?: number; eventLoopDelayMs: { p50: number; p99: number; max: number } } {
    const used = process.cpuUsage(this.self);
    const server = this.serverPid ? sampleProcess(this.serverPid) : undefined;
    this.loop.disable();
    return {
      eventLoopDelayMs: { p50: round(this.loop.percentile(50) / 1e6), p99: round(this.loop.percentile(99) / 1e6), max: round(this.loop.max / 1e6) },
      wallSeconds: round((performance.now() - this.t0) / 1000, 2),
      benchProcessCpuSeconds: round((used.user + used.system) / 1e6, 2),
      temporalServerCpuSeconds: server && this.server ? round(server.cpuSeconds - this.server.cpuSeconds, 2) : undefined,
    };
  }
}

const round = (v: number, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits;

/** Peak RSS of this process, sampled while the phases run. */
function trackPeakRss(): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 200);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss);
    },
  };
}

function memory() {
  const m = process.memoryUsage();
  return { rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed), heapTotalMb: mb(m.heapTotal), externalMb: mb(m.external), arrayBuffersMb: mb(m.arrayBuffers) };
}

// ---------------------------------------------------------------------------------------
// 1. Messages end to end

interface MessageTiming {
  kind: string;
  workflowId: string;
  acceptMs: number;
  completeMs: number;
}

async function sendMessage(rig: Rig, runTag: string, i: number): Promise<MessageTiming> {
  const mix = MIX[i % MIX.length];
  const message = { chatId: `bench-${runTag}-${i}@c.us`, id: `bench-${runTag}-${i}`, body: mix.body, fromMe: false };
  const t0 = performance.now();
  const accepted = await postJson(`${rig.baseUrl}/api/messages`, message);
  const acceptMs = performance.now() - t0;
  if (accepted.status !== 202) throw new Error(`POST /api/messages answered ${accepted.status}: ${JSON.stringify(accepted.body)}`);
  const { workflowId, runId } = accepted.body as { workflowId: string; runId: string };
  const result = (await withTimeout(
    rig.client.workflow.getHandle(workflowId, runId).result(),
    ITEM_TIMEOUT_MS,
    `${workflowId} did not complete within ${ITEM_TIMEOUT_MS / 1000} s`,
  )) as MessageStatus;
  const completeMs = performance.now() - t0;
  if (result.step !== 'completed') throw new Error(`${workflowId} ended at step ${result.step}`);
  if (result.triage?.intent !== mix.intent) throw new Error(`${workflowId}: triaged as ${result.triage?.intent}, expected ${mix.intent}`);
  return { kind: mix.kind, workflowId, acceptMs, completeMs };
}

/** Where a workflow's time went, from its history: waits for the worker versus work. */
interface HistoryBreakdown {
  serverDurationMs: number;
  workflowTasks: number;
  workflowTaskScheduleToStartMs: number;
  workflowTaskProcessingMs: number;
  activities: number;
  activityScheduleToStartMs: number;
  activityRunMs: number;
}

type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];

function breakdown(events: HistoryEvent[]): HistoryBreakdown {
  const at = new Map<number, number>();
  const b: HistoryBreakdown = { serverDurationMs: 0, workflowTasks: 0, workflowTaskScheduleToStartMs: 0, workflowTaskProcessingMs: 0, activities: 0, activityScheduleToStartMs: 0, activityRunMs: 0 };
  for (const e of events) {
    const time = tsToMs(e.eventTime);
    at.set(Number(e.eventId), time);
    const since = (id: unknown) => time - (at.get(Number(id)) ?? time);
    if (e.workflowTaskStartedEventAttributes) {
      b.workflowTasks++;
      b.workflowTaskScheduleToStartMs += since(e.workflowTaskStartedEventAttributes.scheduledEventId);
    } else if (e.workflowTaskCompletedEventAttributes) {
      b.workflowTaskProcessingMs += since(e.workflowTaskCompletedEventAttributes.startedEventId);
    } else if (e.activityTaskStartedEventAttributes) {
      b.activities++;
      b.activityScheduleToStartMs += since(e.activityTaskStartedEventAttributes.scheduledEventId);
    } else if (e.activityTaskCompletedEventAttributes) {
      b.activityRunMs += since(e.activityTaskCompletedEventAttributes.startedEventId);
    }
  }
  if (events.length > 0) b.serverDurationMs = tsToMs(events[events.length - 1].eventTime) - tsToMs(events[0].eventTime);
  return b;
}

async function historyBreakdowns(rig: Rig, workflowIds: string[]): Promise<Record<string, LatencySummary>> {
  const all: HistoryBreakdown[] = [];
  await runPool(workflowIds.length, 10, async (i) => {
    const history = await rig.client.workflow.getHandle(workflowIds[i]).fetchHistory();
    all.push(breakdown(history.events ?? []));
  });
  const keys = Object.keys(all[0] ?? {}) as (keyof HistoryBreakdown)[];
  return Object.fromEntries(keys.map((k) => [k, summarize(all.map((b) => b[k]))]));
}

async function benchMessages(rig: Rig, failures: Failure[]) {
  const runTag = randomUUID().slice(0, 8);
  // One of each kind first, not counted: loads the workflow bundle into the sandbox, JIT-warms the paths.
  say(`messages: ${MIX.length} warm-up`);
  for (let i = 0; i < MIX.length; i++) {
    await sendMessage(rig, `${runTag}-warm`, i).catch((err: unknown) => failures.push({ phase: 'messages (warm-up)', item: String(i), error: (err as Error).message }));
  }
  say(`messages: ${SEQUENTIAL} one at a time (the latency with nothing queued)`);
  const sequential: MessageTiming[] = [];
  for (let i = 0; i < SEQUENTIAL; i++) {
    try {
      sequential.push(await sendMessage(rig, `${runTag}-seq`, i));
    } catch (err) {
      failures.push({ phase: 'messages (sequential)', item: `bench-${runTag}-seq-${i}`, error: (err as Error).message });
    }
  }
  say(`messages: ${MESSAGES} with concurrency ${CONCURRENCY}`);
  const timings: MessageTiming[] = [];
  const cpu = new CpuMeter(rig.serverPid);
  await runPool(MESSAGES, CONCURRENCY, async (i) => {
    try {
      timings.push(await sendMessage(rig, runTag, i));
    } catch (err) {
      failures.push({ phase: 'messages', item: `bench-${runTag}-${i}`, error: (err as Error).message });
    }
  });
  const usage = cpu.read();
  say('messages: reading histories for the time breakdown (not timed)');
  const histories = await historyBreakdowns(rig, timings.map((t) => t.workflowId));
  // Bookings start follow-up campaigns that wait for days: they stay open (and cached by the worker).
  const campaignsOpen = await rig.client.workflow
    .count(`TaskQueue = '${rig.taskQueue}' AND WorkflowType = 'followUpCampaign' AND ExecutionStatus = 'Running'`)
    .then((c) => c.count, () => undefined);
  return {
    sent: MESSAGES,
    completed: timings.length,
    concurrency: CONCURRENCY,
    ...usage,
    completedPerSecond: round(timings.length / usage.wallSeconds, 2),
    acceptMs: summarize(timings.map((t) => t.acceptMs)),
    completeMs: summarize(timings.map((t) => t.completeMs)),
    completeMsByKind: Object.fromEntries(MIX.map((m) => [m.kind, summarize(timings.filter((t) => t.kind === m.kind).map((t) => t.completeMs))])),
    perWorkflowFromHistory: histories,
    followUpCampaignsLeftRunning: campaignsOpen,
    sequential: { sent: SEQUENTIAL, completed: sequential.length, acceptMs: summarize(sequential.map((t) => t.acceptMs)), completeMs: summarize(sequential.map((t) => t.completeMs)) },
  };
}

// ---------------------------------------------------------------------------------------
// 0. The message path beside the engine's floor

/** A keyword message (no LLM) over HTTP, from POST to completed, each in a chat of its own. */
const KEYWORD_MESSAGE = MIX[1];

async function benchSideBySide(rig: Rig, failures: Failure[]) {
  const runTag = randomUUID().slice(0, 8);
  const keyword = (i: number) => sendMessage(rig, `side-${runTag}`, i * MIX.length + 1).then(() => undefined);
  // The twins get as many steps as a keyword message runs: counted from one message's history.
  const sample = await sendMessage(rig, `side-${runTag}-sample`, 1);
  const steps = stepsOf((await rig.client.workflow.getHandle(sample.workflowId).fetchHistory()).events ?? []);
  say(`side by side: a keyword message runs ${steps.local} local and ${steps.regular} regular activities; the twins run as many no-op steps`);
  // BENCH_SIDE_MESSAGE_ONLY=1: the keyword message alone (to profile it without the baselines).
  const baselines = process.env.BENCH_SIDE_MESSAGE_ONLY === '1' ? [] : baselineSubjects(rig.client, rig.baselineQueue, steps);
  const results = await sideBySide(
    [{ name: `keyword message over HTTP (${KEYWORD_MESSAGE.kind})`, run: keyword }, ...baselines],
    { sequential: SIDE_SEQUENTIAL, total: SIDE_TOTAL, concurrency: CONCURRENCY, warmup: 3 },
    say,
  );
  for (const r of results) for (const f of r.failures.slice(0, 5)) failures.push({ phase: 'side by side', item: r.name, error: f });
  const [message, , regularTwin, localTwin, empty] = results;
  const ratio = (a: number, b: number | undefined) => (b ? Math.round((a / b) * 100) / 100 : NaN);
  return {
    steps,
    concurrency: CONCURRENCY,
    results,
    ratios: {
      sequentialP50VsLocalTwin: ratio(message.sequentialMs.p50, localTwin?.sequentialMs.p50),
      sequentialP50VsRegularTwin: ratio(message.sequentialMs.p50, regularTwin?.sequentialMs.p50),
      sequentialP50VsEmpty: ratio(message.sequentialMs.p50, empty?.sequentialMs.p50),
      throughputVsLocalTwin: ratio(message.perSecond, localTwin?.perSecond),
      throughputVsRegularTwin: ratio(message.perSecond, regularTwin?.perSecond),
    },
  };
}

// ---------------------------------------------------------------------------------------
// 2. User-defined workflow executions

async function benchDefinitions(rig: Rig, failures: Failure[]) {
  const created = await postJson(`${rig.baseUrl}/api/v1/workflows/`, LEAD_DEFINITION);
  if (created.status !== 201) throw new Error(`POST /api/v1/workflows/ answered ${created.status}: ${JSON.stringify(created.body)}`);
  const id = (created.body as { workflow_id: string }).workflow_id;
  const execute = async (): Promise<number> => {
    const t0 = performance.now();
    const run = await postJson(`${rig.baseUrl}/api/v1/workflows/${id}/execute`, LEAD_EXECUTE);
    const ms = performance.now() - t0;
    const status = (run.body as { status?: string } | undefined)?.status;
    if (run.status !== 200 || status !== 'completed') throw new Error(`execute answered ${run.status} with status ${status}: ${JSON.stringify(run.body).slice(0, 300)}`);
    return ms;
  };
  say(`definitions: 2 warm-up, then ${EXECUTIONS} synchronous executions with concurrency ${EXECUTION_CONCURRENCY}`);
  for (let i = 0; i < 2; i++) await execute().catch((err: unknown) => failures.push({ phase: 'executions (warm-up)', item: String(i), error: (err as Error).message }));
  const latencies: number[] = [];
  const cpu = new CpuMeter(rig.serverPid);
  await runPool(EXECUTIONS, EXECUTION_CONCURRENCY, async (i) => {
    try {
      latencies.push(await withTimeout(execute(), ITEM_TIMEOUT_MS, `execution ${i} took over ${ITEM_TIMEOUT_MS / 1000} s`));
    } catch (err) {
      failures.push({ phase: 'executions', item: String(i), error: (err as Error).message });
    }
  });
  const usage = cpu.read();
  return {
    executed: EXECUTIONS,
    completed: latencies.length,
    concurrency: EXECUTION_CONCURRENCY,
    ...usage,
    completedPerSecond: round(latencies.length / usage.wallSeconds, 2),
    latencyMs: summarize(latencies),
  };
}

// ---------------------------------------------------------------------------------------
// 3. Triage rules in-process

async function benchTriage() {
  const fixture = path.resolve(__dirname, '..', '..', 'test', 'fixtures', 'triage-labelled.json');
  const texts = (JSON.parse(readFileSync(fixture, 'utf8')) as { text: string }[]).map((m) => m.text);
  say(`triage: ${TRIAGE_PASSES} passes over ${texts.length} labelled messages (after one warm-up pass)`);
  for (const text of texts) await triageByRules({ text });
  const perPass: number[] = [];
  const t0 = performance.now();
  for (let pass = 0; pass < TRIAGE_PASSES; pass++) {
    const p0 = performance.now();
    for (const text of texts) await triageByRules({ text });
    perPass.push(performance.now() - p0);
  }
  const seconds = (performance.now() - t0) / 1000;
  const total = texts.length * TRIAGE_PASSES;
  return {
    function: 'triageByRules (src/activities/triage.ts: keyword rules + metrics counter)',
    set: path.relative(path.resolve(__dirname, '..', '..'), fixture),
    messages: total,
    seconds: round(seconds, 3),
    messagesPerSecond: Math.round(total / seconds),
    meanMicrosecondsPerMessage: round((seconds * 1e6) / total, 1),
    passMs: summarize(perPass),
  };
}

// ---------------------------------------------------------------------------------------
// 4. Capacity: the concurrency where throughput stops growing, a check at twice it, memory

async function benchCapacity(rig: Rig, failures: Failure[]): Promise<LoadCheck> {
  const keyword = (tag: string, i: number) => sendMessage(rig, tag, i * MIX.length + 1);
  const load = await loadCheck(rig, keyword, say);
  for (const id of load.check.lost) failures.push({ phase: 'capacity', item: id, error: 'not exactly one reply and one line in and out' });
  for (const id of load.check.duplicated) failures.push({ phase: 'capacity', item: id, error: 'replied more than once' });
  for (const point of load.sweep) for (const error of point.errors) failures.push({ phase: `capacity at ${point.concurrency}`, item: 'message', error });
  for (const error of load.check.errors) failures.push({ phase: 'capacity check', item: 'message', error });
  return load;
}

/** Run first, on a fresh worker: later phases leave garbage whose collection would blur the deltas. */
async function benchMemory(rig: Rig): Promise<{ campaigns: MemoryCost; conversations: Awaited<ReturnType<typeof conversationMemory>> }> {
  const booking = (tag: string, i: number) => sendMessage(rig, tag, i * MIX.length);
  say(`memory: ${MEMORY_ITEMS} follow-up campaigns waiting on their first step`);
  const campaigns = await campaignMemory(rig, MEMORY_ITEMS);
  say(`memory: ${MEMORY_ITEMS} chats waiting for the answer to an agent's question`);
  const conversations = await conversationMemory(rig, MEMORY_ITEMS, booking, rig.conversationIdleSeconds, say);
  return { campaigns, conversations };
}

// ---------------------------------------------------------------------------------------

function print(report: any): void {
  const m = report.messages;
  const d = report.executions;
  const t = report.triage;
  const lat = (s: LatencySummary) => [s.p50, s.p95, s.p99, s.max];
  const out: string[] = [];
  out.push('', `Switchboard bench — ${report.machine.cpus} CPUs (${report.machine.cpuModel}), Node ${report.machine.node}, ${report.startedAt}`, '');
  const sbs = report.sideBySide;
  out.push(`Side by side on one server (a keyword message runs ${sbs.steps.local} local + ${sbs.steps.regular} regular activities; ms):`);
  out.push(
    table(
      ['workflow', 'one at a time p50', 'p95', `c=${sbs.concurrency} p50`, 'per second'],
      (sbs.results as SubjectResult[]).map((r) => [r.name, r.sequentialMs.p50, r.sequentialMs.p95, r.concurrentMs.p50, r.perSecond]),
    ),
  );
  const q = sbs.ratios;
  out.push(
    `Ratios: message p50 ${q.sequentialP50VsLocalTwin}× the all-local twin, ${q.sequentialP50VsRegularTwin}× the regular twin, ${q.sequentialP50VsEmpty}× an empty workflow; ` +
      `throughput ${q.throughputVsLocalTwin}× the all-local twin, ${q.throughputVsRegularTwin}× the regular twin.`,
    '',
  );
  out.push(
    table(
      ['measure', 'n', 'ok', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'per second'],
      [
        ...(m.sequential.sent > 0
          ? [
              ['message accepted (202), one at a time', m.sequential.sent, m.sequential.completed, ...lat(m.sequential.acceptMs), ''],
              ['message completed, one at a time', m.sequential.sent, m.sequential.completed, ...lat(m.sequential.completeMs), ''],
            ]
          : []),
        [`message accepted (202), c=${m.concurrency}`, m.sent, m.completed, ...lat(m.acceptMs), ''],
        [`message completed (POST → COMPLETED)`, m.sent, m.completed, ...lat(m.completeMs), m.completedPerSecond],
        ...Object.entries(m.completeMsByKind as Record<string, LatencySummary>).map(([kind, s]) => [`  of which ${kind}`, s.count, s.count, ...lat(s), '']),
        [`definition execute (sync), c=${d.concurrency}`, d.executed, d.completed, ...lat(d.latencyMs), d.completedPerSecond],
        ['triage rules (in-process)', t.messages, t.messages, '', '', '', '', t.messagesPerSecond],
      ],
    ),
  );
  const h = m.perWorkflowFromHistory as Record<string, LatencySummary>;
  if (h.serverDurationMs) {
    out.push('', 'Per message workflow, from its Temporal history (p50 / p95, ms; sums over the workflow):');
    out.push(
      table(
        ['', 'p50', 'p95'],
        [
          ['workflow start → close (server clock)', h.serverDurationMs.p50, h.serverDurationMs.p95],
          ['workflow tasks (count)', h.workflowTasks.p50, h.workflowTasks.p95],
          ['  waiting for the worker (schedule → start)', h.workflowTaskScheduleToStartMs.p50, h.workflowTaskScheduleToStartMs.p95],
          ['  processing (start → completed)', h.workflowTaskProcessingMs.p50, h.workflowTaskProcessingMs.p95],
          ['activities (count; local ones not included)', h.activities.p50, h.activities.p95],
          ['  waiting for the worker (schedule → start)', h.activityScheduleToStartMs.p50, h.activityScheduleToStartMs.p95],
          ['  running (start → completed)', h.activityRunMs.p50, h.activityRunMs.p95],
        ],
      ),
    );
  }
  const cpuRow = (name: string, p: any, items: number) => [
    name,
    p.wallSeconds,
    p.benchProcessCpuSeconds,
    p.temporalServerCpuSeconds ?? 'n/a',
    Math.round(((p.benchProcessCpuSeconds + (p.temporalServerCpuSeconds ?? 0)) * 1000) / Math.max(1, items)),
    `${p.eventLoopDelayMs.p50} / ${p.eventLoopDelayMs.p99} / ${p.eventLoopDelayMs.max}`,
  ];
  out.push('', `CPU per phase (${report.machine.cpus} cores: at most ${report.machine.cpus} CPU-seconds per wall second) and the bench process's event-loop delay:`);
  out.push(
    table(
      ['phase', 'wall s', 'bench process CPU s', 'temporal server CPU s', 'CPU ms per item', 'loop delay p50/p99/max ms'],
      [cpuRow('messages', m, m.completed), cpuRow('definition executions', d, d.completed)],
    ),
  );
  const mem = report.memory;
  out.push('', `Memory of the bench process, which holds the worker AND the API (and the load generator); the Temporal dev server is a separate process:`);
  out.push(
    table(
      ['', 'RSS MB', 'heap used MB', 'heap total MB', 'external MB'],
      [
        ['before the runs (after set-up)', mem.before.rssMb, mem.before.heapUsedMb, mem.before.heapTotalMb, mem.before.externalMb],
        ['after the runs', mem.after.rssMb, mem.after.heapUsedMb, mem.after.heapTotalMb, mem.after.externalMb],
        ['peak RSS during the runs (200 ms samples)', mem.peakRssMb, '', '', ''],
        ['Temporal dev server RSS before / after', `${mem.temporalServerRssMb?.before ?? 'n/a'} / ${mem.temporalServerRssMb?.after ?? 'n/a'}`, '', '', ''],
      ],
    ),
  );
  if (m.followUpCampaignsLeftRunning !== undefined) out.push('', `Follow-up campaigns the messages started and left waiting (timers of hours, cached by the worker): ${m.followUpCampaignsLeftRunning}`);
  const c = report.capacity;
  out.push('', 'Capacity: keyword messages per second by concurrency, then a check at twice the concurrency where throughput stops growing:');
  out.push(table(['in flight', 'sent', 'completed', 'per second'], (c.load.sweep as Array<{ concurrency: number; sent: number; completed: number; perSecond: number }>).map((p) => [p.concurrency, p.sent, p.completed, p.perSecond])));
  const k = c.load.check;
  out.push(`check at ${k.concurrency} in flight: ${k.completed}/${k.sent} completed, ${k.perSecond}/s; ${k.replies} replies, ${k.transcriptLines} transcript lines; lost ${k.lost.length}, sent twice ${k.duplicated.length}`);
  const memRow = (name: string, mc: MemoryCost) => [name, mc.items, `${mc.processRssMb.before} → ${mc.processRssMb.after}`, mc.processRssMb.perItemKb, mc.serverRssMb ? `${mc.serverRssMb.before} → ${mc.serverRssMb.after}` : 'n/a', mc.serverRssMb?.perItemKb ?? 'n/a'];
  out.push('', 'Memory of what waits (worker + API process, and the dev server; after a GC):');
  out.push(
    table(
      ['waiting', 'n', 'process RSS MB', 'KB each', 'server RSS MB', 'KB each'],
      [
        memRow('follow-up campaigns (timer a day away)', c.campaigns),
        memRow('conversations with a question open', c.conversations.open),
        memRow(`  the same after closing when idle (${c.conversations.stillOpen} still open)`, c.conversations.closed),
      ],
    ),
  );
  out.push('', `Set-up (ms): ${Object.entries(report.setupMs).map(([k, v]) => `${k} ${v}`).join(', ')}; total run ${report.totalSeconds} s`);
  out.push(report.failures.length === 0 ? 'All messages and executions completed.' : `FAILURES: ${report.failures.length} (first ones below)`);
  for (const f of report.failures.slice(0, 10)) out.push(`  [${f.phase}] ${f.item}: ${f.error}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

async function main(): Promise<number> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  let stopRig: (() => Promise<void>) | undefined;
  let exiting = false;
  const abort = async (why: string, code: number) => {
    if (exiting) return;
    exiting = true;
    say(`${why}: stopping`);
    await stopRig?.();
    process.exit(code);
  };
  process.once('SIGINT', () => void abort('interrupted', 130));
  process.once('SIGTERM', () => void abort('terminated', 143));
  const deadline = setTimeout(() => void abort(`over the ${TIMEOUT_SECONDS} s deadline (BENCH_TIMEOUT_SECONDS)`, 1), TIMEOUT_SECONDS * 1000);
  deadline.unref();

  const failures: Failure[] = [];
  say('setting up: Temporal dev server, SQLite database, worker (bundles the workflows), API');
  const rig = await startRig(say, (stop) => (stopRig = stop));
  try {
    const serverBefore = rig.serverPid ? sampleProcess(rig.serverPid) : undefined;
    const before = memory();
    const peak = trackPeakRss();
    const waiting = process.env.BENCH_ONLY === 'side' ? undefined : await benchMemory(rig);
    const side = await benchSideBySide(rig, failures);
    // BENCH_ONLY=side: the side-by-side comparison alone (to try server or worker settings quickly).
    if (process.env.BENCH_ONLY === 'side') {
      process.stdout.write(`${JSON.stringify({ steps: side.steps, ratios: side.ratios, results: side.results.map((r) => ({ name: r.name, p50: r.sequentialMs.p50, p95: r.sequentialMs.p95, c20p50: r.concurrentMs.p50, perSecond: r.perSecond })) }, null, 1)}\n`);
      return failures.length === 0 ? 0 : 1;
    }
    const messages = await benchMessages(rig, failures);
    const executions = await benchDefinitions(rig, failures);
    const triage = await benchTriage();
    const capacity = { load: await benchCapacity(rig, failures), ...waiting! };
    const peakRss = peak.stop();
    const after = memory();
    const serverAfter = rig.serverPid ? sampleProcess(rig.serverPid) : undefined;

    const report = {
      startedAt,
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', memoryGb: round(os.totalmem() / 1024 ** 3), node: process.version, platform: `${os.platform()} ${os.release()}` },
      settings: { MESSAGES, CONCURRENCY, SEQUENTIAL, EXECUTIONS, EXECUTION_CONCURRENCY, TRIAGE_PASSES, itemTimeoutMs: ITEM_TIMEOUT_MS, messageMix: MIX.map((m) => m.kind) },
      setupMs: rig.setupMs,
      sideBySide: side,
      messages,
      executions,
      triage,
      capacity,
      memory: {
        note: 'process.memoryUsage() of the bench process, which runs the worker, the API and the load generator together',
        before,
        after,
        peakRssMb: mb(peakRss),
        temporalServerRssMb: serverBefore && serverAfter ? { before: mb(serverBefore.rssBytes), after: mb(serverAfter.rssBytes) } : undefined,
      },
      failures,
      totalSeconds: 0,
    };
    report.totalSeconds = round((performance.now() - started) / 1000, 1);
    const reports = path.resolve(__dirname, '..', '..', 'reports');
    mkdirSync(reports, { recursive: true });
    writeFileSync(path.join(reports, 'bench.json'), `${JSON.stringify(report, null, 2)}\n`);
    print(report);
    say(`wrote ${path.join(reports, 'bench.json')}`);
  } finally {
    say('cleaning up');
    await rig.stop();
    clearTimeout(deadline);
  }
  return failures.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    say(`failed: ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  },
);
