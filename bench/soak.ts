import 'reflect-metadata';
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createApp } from '../src/api/app';
import { withTimeout } from '../src/api/common/with-timeout';
import type { MessageStatus } from '../src/contracts';
import { loadConfig } from '../src/config';
import { freePort } from '../src/devserver/dev-server';
import { openDatabase } from '../src/persistence';
import { seedDemoData } from '../src/persistence/seed/demo-data';
import { activityDepsFromConfig } from '../worker/activity-deps';
import { createWorker } from '../worker/create-worker';
import { postJson } from './http';
import { intEnv, measuredEnv, startMeasuredDevServer } from './rig';
import { findProcess, mb, runPool, sampleProcess, table } from './stats';

/**
 * `npm run soak`: does the worker's memory level off under a long load, or keep growing?
 * Starts a throw-away Temporal dev server, a temporary SQLite database with the demo data,
 * the API in this process and the project's worker in a child process of its own (so its
 * RSS is the worker's alone), then sends SOAK_BATCHES batches of SOAK_MESSAGES messages over
 * HTTP at SOAK_CONCURRENCY in flight, each on a chat of its own: keyword inquiries, and every
 * SOAK_QUOTE_EVERY-th a quote request, which starts a follow-up campaign that waits a day
 * (so campaigns pile up) and leaves its conversation waiting for an answer. Conversations
 * close after SOAK_IDLE_SECONDS (the production default, 60) without a message.
 *
 * After each batch the worker collects its garbage (it runs with --expose-gc) and reports
 * RSS, heap used and its cached workflows. The heap is the worker's main thread only: the SDK
 * runs the workflows (and so its cache) in a worker thread whose heap this GC neither
 * collects nor counts, so RSS is the figure that covers the cache; the dev server's visibility gives the open
 * campaigns and conversations. A last row is taken once the conversations closed idle.
 * WORKER_MAX_CACHED_WORKFLOWS sizes the worker's cache as in production. Prints the table
 * and a verdict, writes reports/soak-cache<N>.json; exits non-zero if a message failed.
 */

const BATCHES = intEnv('SOAK_BATCHES', 8);
const MESSAGES = intEnv('SOAK_MESSAGES', 500);
const CONCURRENCY = intEnv('SOAK_CONCURRENCY', 20);
const QUOTE_EVERY = intEnv('SOAK_QUOTE_EVERY', 4);
const IDLE_SECONDS = intEnv('SOAK_IDLE_SECONDS', 60, 10);
/** A batch's RSS growth (percent of the previous row) below which the curve counts as level. */
const LEVEL_PERCENT = intEnv('SOAK_LEVEL_PERCENT', 5, 0);
/** How many of the last batches must each grow less than SOAK_LEVEL_PERCENT. */
const LEVEL_BATCHES = intEnv('SOAK_LEVEL_BATCHES', 3);
const TIMEOUT_SECONDS = intEnv('SOAK_TIMEOUT_SECONDS', 1500);
const ITEM_TIMEOUT_MS = 60_000;
const TASK_QUEUE = 'soak';

const say = (line: string) => process.stderr.write(`[soak] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const INQUIRY = { body: 'what are your opening hours', intent: 'inquiry' };
const QUOTE = { body: 'Can I get a quote for 20 yoga mats?', intent: 'quote_request' };

// ---------------------------------------------------------------------------------------
// The worker, in a child process: measured on request, after a GC

type ToWorker = { type: 'measure' } | { type: 'stop' };
interface WorkerSample {
  rssBytes: number;
  /** Of RSS: anonymous memory (heaps, V8, Rust core), the rest being mapped files. */
  rssAnonBytes: number;
  heapUsedBytes: number;
  externalBytes: number;
  cachedWorkflows: number;
}
type FromWorker = { type: 'ready'; maxCachedWorkflows: number } | ({ type: 'sample' } & WorkerSample);

async function workerChild(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  const config = loadConfig(process.env);
  const db = await openDatabase({ dataDir: config.dataDir });
  const connection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection });
  const native = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await createWorker({
    connection: native,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    deps: activityDepsFromConfig(config, db, client),
    maxCachedWorkflows: config.worker.maxCachedWorkflows,
  });
  const running = worker.run();
  const send = (msg: FromWorker) => process.send?.(msg);
  const gc = (globalThis as { gc?: () => void }).gc;
  process.on('message', (msg: ToWorker) => {
    void (async () => {
      if (msg.type === 'measure') {
        // Three collections with pauses: RSS then reflects what is kept, not what is garbage.
        for (let i = 0; i < 3; i++) {
          gc?.();
          await sleep(300);
        }
        const m = process.memoryUsage();
        const anonKb = Number(/RssAnon:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? NaN);
        send({ type: 'sample', rssBytes: m.rss, rssAnonBytes: anonKb * 1024, heapUsedBytes: m.heapUsed, externalBytes: m.external, cachedWorkflows: worker.getStatus().numCachedWorkflows });
      } else if (msg.type === 'stop') {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running.catch(() => undefined);
        await native.close();
        await connection.close();
        await db.destroy();
        process.exit(0);
      }
    })();
  });
  // The parent gone: nothing left to serve.
  process.on('disconnect', () => process.exit(1));
  send({ type: 'ready', maxCachedWorkflows: worker.options.maxCachedWorkflows });
  await running;
}

/** A handle on the worker child: ready once its worker polls, `sample()` after a GC, `stop()`. */
function startWorkerChild(env: Record<string, string>): Promise<{ pid: number; maxCachedWorkflows: number; sample(): Promise<WorkerSample>; stop(): Promise<void> }> {
  const child: ChildProcess = fork(__filename, ['worker'], {
    execArgv: ['--expose-gc', '--enable-source-maps'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? os.homedir(),
      // Settings of the worker or of its allocator to try (glibc's MALLOC_ARENA_MAX), passed on.
      ...Object.fromEntries(['SWITCHBOARD_WORKER_OPTIONS', 'MALLOC_ARENA_MAX', 'NODE_OPTIONS'].flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : []))),
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let pending: ((s: WorkerSample) => void) | undefined;
  return new Promise((resolve, reject) => {
    void exited.then((code) => reject(new Error(`the worker child exited (${code}) before it was ready`)));
    child.on('message', (msg: FromWorker) => {
      if (msg.type === 'sample') pending?.(msg);
      else if (msg.type === 'ready')
        resolve({
          pid: child.pid!,
          maxCachedWorkflows: msg.maxCachedWorkflows,
          sample: () =>
            withTimeout(
              new Promise<WorkerSample>((r) => {
                pending = r;
                child.send({ type: 'measure' } satisfies ToWorker);
              }),
              30_000,
              'the worker did not report its memory within 30 s',
            ),
          async stop() {
            if (child.exitCode !== null || child.signalCode !== null) return;
            child.send({ type: 'stop' } satisfies ToWorker);
            await withTimeout(exited, 20_000, 'worker stop').catch(() => child.kill('SIGKILL'));
          },
        });
    });
  });
}

// ---------------------------------------------------------------------------------------
// The soak

interface Row {
  label: string;
  messages: number;
  seconds: number;
  openCampaigns: number;
  openConversations: number;
  cachedWorkflows: number;
  rssMb: number;
  rssAnonMb: number;
  heapUsedMb: number;
  externalMb: number;
  serverRssMb?: number;
}

async function soak(): Promise<number> {
  const started = performance.now();
  const undo: (() => Promise<void> | void)[] = [];
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      for (const step of undo.splice(0).reverse()) await Promise.resolve().then(step).catch((err: unknown) => say(`cleanup step failed: ${(err as Error).message}`));
    })());
  const abort = (why: string, code: number) => {
    say(`${why}: stopping`);
    void stop().then(() => process.exit(code));
  };
  process.once('SIGINT', () => abort('interrupted', 130));
  process.once('SIGTERM', () => abort('terminated', 143));
  const deadline = setTimeout(() => abort(`over the ${TIMEOUT_SECONDS} s deadline (SOAK_TIMEOUT_SECONDS)`, 1), TIMEOUT_SECONDS * 1000);
  deadline.unref();

  try {
    say('setting up: Temporal dev server, SQLite database, API here, worker in a child process');
    const port = await freePort();
    const server = await startMeasuredDevServer(say, port);
    undo.push(() => server.stop());
    const serverPid = findProcess(['start-dev', String(port)]);

    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-soak-'));
    undo.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const env: Record<string, string> = {
      ...measuredEnv({ dataDir, address: server.address, taskQueue: TASK_QUEUE, conversationIdleSeconds: IDLE_SECONDS }),
      ...(process.env.WORKER_MAX_CACHED_WORKFLOWS ? { WORKER_MAX_CACHED_WORKFLOWS: process.env.WORKER_MAX_CACHED_WORKFLOWS } : {}),
    };
    const config = loadConfig(env);
    const seeded = await openDatabase({ dataDir });
    await seedDemoData(seeded);
    await seeded.destroy();

    const worker = await startWorkerChild(env);
    undo.push(() => worker.stop());
    const connection = await Connection.connect({ address: server.address });
    undo.push(() => connection.close());
    const client = new Client({ connection });
    const app = await createApp(config);
    await app.listen(0, '127.0.0.1');
    undo.push(() => app.close());
    const baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    say(`worker pid ${worker.pid}, maxCachedWorkflows ${worker.maxCachedWorkflows}; ${BATCHES} batches × ${MESSAGES} messages at ${CONCURRENCY} in flight, 1 in ${QUOTE_EVERY} a quote; conversations close after ${IDLE_SECONDS} s idle`);

    const runTag = randomUUID().slice(0, 6);
    const failures: string[] = [];
    const send = async (n: number): Promise<void> => {
      const kind = n % QUOTE_EVERY === 0 ? QUOTE : INQUIRY;
      const chatId = `soak-${runTag}-${n}@c.us`;
      const accepted = await postJson(`${baseUrl}/api/messages`, { chatId, id: `soak-${runTag}-${n}`, body: kind.body, fromMe: false });
      if (accepted.status !== 202) throw new Error(`POST /api/messages answered ${accepted.status}: ${JSON.stringify(accepted.body)}`);
      const { workflowId, runId } = accepted.body as { workflowId: string; runId: string };
      const result = (await withTimeout(client.workflow.getHandle(workflowId, runId).result(), ITEM_TIMEOUT_MS, `${workflowId} did not complete within ${ITEM_TIMEOUT_MS / 1000} s`)) as MessageStatus;
      if (result.step !== 'completed') throw new Error(`${workflowId} ended at step ${result.step}`);
      if (result.triage?.intent !== kind.intent) throw new Error(`${workflowId}: triaged as ${result.triage?.intent}, expected ${kind.intent}`);
    };
    const count = (type: string) =>
      client.workflow.count(`TaskQueue = '${TASK_QUEUE}' AND WorkflowType = '${type}' AND ExecutionStatus = 'Running'`).then(
        (c) => c.count,
        () => -1,
      );
    let sent = 0;
    const rows: Row[] = [];
    const measure = async (label: string, seconds: number): Promise<Row> => {
      const s = await worker.sample();
      const serverRss = serverPid ? sampleProcess(serverPid)?.rssBytes : undefined;
      const row: Row = {
        label,
        messages: sent,
        seconds: Math.round(seconds),
        openCampaigns: await count('followUpCampaign'),
        openConversations: await count('conversation'),
        cachedWorkflows: s.cachedWorkflows,
        rssMb: mb(s.rssBytes),
        rssAnonMb: mb(s.rssAnonBytes),
        heapUsedMb: mb(s.heapUsedBytes),
        externalMb: mb(s.externalBytes),
        serverRssMb: serverRss === undefined ? undefined : mb(serverRss),
      };
      rows.push(row);
      say(`${label}: ${row.messages} messages, ${row.openCampaigns} campaigns and ${row.openConversations} conversations open, ${row.cachedWorkflows} cached; worker RSS ${row.rssMb} MB, heap ${row.heapUsedMb} MB`);
      return row;
    };

    // A few first: the bundle loads into the sandbox, the paths warm up.
    const sendCounted = async (n: number) => {
      try {
        await send(n);
      } catch (err) {
        failures.push((err as Error).message);
      }
      sent++;
    };
    for (let n = 0; n < 8; n++) await sendCounted(n);
    await measure('after warm-up', 0);
    for (let batch = 1; batch <= BATCHES; batch++) {
      const t0 = performance.now();
      const from = sent;
      await runPool(MESSAGES, CONCURRENCY, (i) => sendCounted(from + i));
      await measure(`batch ${batch}`, (performance.now() - t0) / 1000);
    }
    say(`waiting ${IDLE_SECONDS + 15} s for the conversations to close idle`);
    await sleep((IDLE_SECONDS + 15) * 1000);
    await measure('idle after the soak', IDLE_SECONDS + 15);

    const verdict = judge(rows.filter((r) => r.label.startsWith('batch')));
    const report = {
      startedAt: new Date(Date.now() - (performance.now() - started)).toISOString(),
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(os.totalmem() / 1024 ** 3), node: process.version },
      settings: { BATCHES, MESSAGES, CONCURRENCY, QUOTE_EVERY, IDLE_SECONDS, LEVEL_PERCENT, LEVEL_BATCHES, maxCachedWorkflows: worker.maxCachedWorkflows },
      rows,
      verdict,
      failures: failures.slice(0, 20),
      failureCount: failures.length,
      totalSeconds: Math.round((performance.now() - started) / 1000),
    };
    const reports = path.resolve(__dirname, '..', '..', 'reports');
    mkdirSync(reports, { recursive: true });
    const file = path.join(reports, `soak-cache${worker.maxCachedWorkflows}.json`);
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    print(report);
    say(`wrote ${file}`);
    return failures.length === 0 ? 0 : 1;
  } finally {
    say('cleaning up');
    await stop();
    clearTimeout(deadline);
  }
}

interface Verdict {
  levelsOff: boolean;
  /** RSS growth of each batch over the row before it, in percent. */
  growthPercent: number[];
  /** Least-squares slope of worker RSS over cached workflows across the batches (KB each), when the cache size varied. */
  rssKbPerCachedWorkflow?: number;
  heapKbPerCachedWorkflow?: number;
  text: string;
}

function judge(batches: Row[]): Verdict {
  const growthPercent = batches.slice(1).map((r, i) => Math.round(((r.rssMb - batches[i].rssMb) / batches[i].rssMb) * 1000) / 10);
  const last = growthPercent.slice(-LEVEL_BATCHES);
  const levelsOff = last.length === LEVEL_BATCHES && last.every((g) => g < LEVEL_PERCENT);
  const slope = (ys: number[]) => {
    const xs = batches.map((r) => r.cachedWorkflows);
    const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
    const my = ys.reduce((a, b) => a + b, 0) / ys.length;
    const sxx = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
    if (Math.max(...xs) - Math.min(...xs) < 50) return undefined; // the cache hardly varied: no slope to read
    return Math.round((xs.reduce((a, x, i) => a + (x - mx) * (ys[i] - my), 0) / sxx) * 1024);
  };
  const rssKb = slope(batches.map((r) => r.rssMb));
  const heapKb = slope(batches.map((r) => r.heapUsedMb));
  const first = batches[0];
  const end = batches[batches.length - 1];
  const text = levelsOff
    ? `RSS levels off: each of the last ${LEVEL_BATCHES} batches grew less than ${LEVEL_PERCENT} % (${last.join(', ')} %); ${first.rssMb} → ${end.rssMb} MB from batch 1 to ${batches.length}`
    : `RSS keeps growing: the last ${LEVEL_BATCHES} batches grew ${last.join(', ')} % (threshold ${LEVEL_PERCENT} %); ${first.rssMb} → ${end.rssMb} MB from batch 1 to ${batches.length}`;
  return { levelsOff, growthPercent, rssKbPerCachedWorkflow: rssKb, heapKbPerCachedWorkflow: heapKb, text };
}

function print(report: { settings: { maxCachedWorkflows: number }; rows: Row[]; verdict: Verdict; failureCount: number; failures: string[]; totalSeconds: number; machine: { cpus: number } }): void {
  const out: string[] = ['', `Soak: worker with maxCachedWorkflows ${report.settings.maxCachedWorkflows} (${report.machine.cpus} CPUs); worker memory after a GC, in a process of its own:`];
  out.push(
    table(
      ['row', 'messages', 'batch s', 'open campaigns', 'open conversations', 'cached', 'worker RSS MB', 'of it anon MB', 'main heap MB', 'external MB', 'server RSS MB'],
      report.rows.map((r) => [r.label, r.messages, r.seconds, r.openCampaigns, r.openConversations, r.cachedWorkflows, r.rssMb, r.rssAnonMb, r.heapUsedMb, r.externalMb, r.serverRssMb ?? 'n/a']),
    ),
  );
  const v = report.verdict;
  out.push('', `RSS growth per batch (%): ${v.growthPercent.join(', ')}`);
  if (v.rssKbPerCachedWorkflow !== undefined) out.push(`Worker RSS per cached workflow (slope over the batches): ~${v.rssKbPerCachedWorkflow} KB; heap used ~${v.heapKbPerCachedWorkflow} KB`);
  out.push(v.text);
  out.push(report.failureCount === 0 ? `All messages completed; ${report.totalSeconds} s in all.` : `FAILURES: ${report.failureCount} (first ones below)`);
  for (const f of report.failures.slice(0, 10)) out.push(`  ${f}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

if (process.argv[2] === 'worker') {
  workerChild().catch((err: unknown) => {
    process.stderr.write(`[soak worker] failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
} else {
  soak().then(
    (code) => process.exit(code),
    (err: unknown) => {
      say(`failed: ${(err as Error).stack ?? String(err)}`);
      process.exit(1);
    },
  );
}
