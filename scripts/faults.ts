import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { postJson } from '../bench/http';
import { freePort, startDevServer, type RunningDevServer } from '../src/devserver/dev-server';
import { ensureTemporalCli } from '../src/devserver/temporal-cli';
import { openDatabase } from '../src/persistence';
import { OutboundMessage } from '../src/persistence/entities/outbound-message.entity';

/**
 * `npm run faults`: the faults a production user meets, as experiments over real processes
 * (the Temporal dev server on its history file, the compiled API and worker), each asserting
 * that no accepted message is lost and none is answered twice, and printing how long the
 * system took to recover. Exit code 1 when any experiment fails.
 *
 *  1. the worker SIGKILLed under load, a replacement started at once;
 *  2. the worker SIGTERMed under load (it drains), a replacement started;
 *  3. the dev server SIGKILLed and restarted on its history file, messages refused meanwhile redelivered;
 *  4. the API SIGKILLed under load and restarted, every message redelivered;
 *  5. ten parallel deliveries of one message id;
 *  6. readiness: /health/ready after the only worker is killed.
 */

const ROOT = path.resolve(__dirname, '../..');
const MESSAGES = Number(process.env.FAULTS_MESSAGES ?? 40);

type Proc = { child: ChildProcess; exited: Promise<void> };

function say(line: string): void {
  process.stdout.write(`[faults] ${line}\n`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read().catch(() => undefined as T);
    if (value !== undefined && ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(100);
  }
}

class System {
  server!: RunningDevServer;
  api?: Proc;
  worker?: Proc;
  apiUrl = '';
  private readonly dir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-faults-'));
  private env: Record<string, string> = {};
  private cliPath = '';
  private serverPort = 0;

  async start(): Promise<void> {
    this.cliPath = (await ensureTemporalCli(say)).path;
    this.serverPort = await freePort();
    await this.startServer();
    const apiPort = await freePort();
    this.apiUrl = `http://127.0.0.1:${apiPort}`;
    // The default install: one SQLite file under DATA_DIR (a DATABASE_URL in the shell is not used).
    const { DATABASE_URL: _ignored, ...shell } = process.env;
    this.env = {
      ...shell,
      SWITCHBOARD_CONFIG: '',
      NODE_ENV: 'development',
      LOG_LEVEL: 'error',
      HOST: '127.0.0.1',
      PORT: String(apiPort),
      DATA_DIR: this.dir,
      TEMPORAL_ADDRESS: this.server.address,
      TEMPORAL_TASK_QUEUE: 'faults',
      RATE_LIMIT_PER_MINUTE: '1000000',
      RATE_LIMIT_CHAT_PER_MINUTE: '100000',
      WORKER_METRICS_PORT: '0',
      TEMPORAL_METRICS_PORT: '0',
    } as Record<string, string>;
    // The database is migrated once, before two processes open it.
    await (await openDatabase({ dataDir: this.dir })).destroy();
    this.worker = this.spawn('dist/worker/main.js');
    this.api = this.spawn('dist/src/api/main.js');
    await this.ready();
  }

  async startServer(): Promise<void> {
    this.server = await startDevServer({ cliPath: this.cliPath, port: this.serverPort, stdio: 'ignore', dbFilename: path.join(this.dir, 'temporal.db') });
  }

  spawn(script: string): Proc {
    const child = spawn(process.execPath, [path.join(ROOT, script)], { env: this.env, stdio: ['ignore', 'ignore', 'inherit'] });
    return { child, exited: new Promise((resolve) => child.once('exit', () => resolve())) };
  }

  /** Worker instances serving the queue now (their heartbeats), by instance key. */
  async workers(): Promise<Set<string>> {
    const connection = await Connection.connect({ address: this.server.address });
    try {
      const listed = await new Client({ connection }).workflowService.listWorkers({ namespace: 'default', pageSize: 100, query: "TaskQueue = 'faults'" });
      return new Set((listed.workersInfo ?? []).filter((w) => w.workerHeartbeat?.status === 1).map((w) => w.workerHeartbeat!.workerInstanceKey!));
    } finally {
      await connection.close();
    }
  }

  /** Starts a worker and answers when it is up (its first heartbeat): the time it took to start, and when. */
  async replaceWorker(): Promise<{ startMs: number; upAt: number }> {
    const before = await this.workers().catch(() => new Set<string>());
    const spawnedAt = Date.now();
    this.worker = this.spawn('dist/worker/main.js');
    await eventually(() => this.workers(), (now) => [...now].some((k) => !before.has(k)), 60_000, 'the replacement worker up');
    const upAt = Date.now();
    return { startMs: upAt - spawnedAt, upAt };
  }

  async ready(timeoutMs = 60_000): Promise<void> {
    await eventually(() => fetch(`${this.apiUrl}/health/ready`).then((r) => r.status), (s) => s === 200, timeoutMs, 'the system ready');
  }

  async kill(proc: Proc | undefined, signal: NodeJS.Signals): Promise<void> {
    if (!proc) return;
    proc.child.kill(signal);
    await proc.exited;
  }

  async replies(workflowIds: string[]): Promise<Map<string, number>> {
    const db = await openDatabase({ dataDir: this.dir });
    try {
      const rows = await db.getRepository(OutboundMessage).find();
      const counts = new Map<string, number>(workflowIds.map((id) => [id, 0]));
      for (const row of rows) if (counts.has(row.workflowId) && row.idempotencyKey === `${row.workflowId}:reply`) counts.set(row.workflowId, counts.get(row.workflowId)! + 1);
      return counts;
    } finally {
      await db.destroy();
    }
  }

  async stop(): Promise<void> {
    await this.kill(this.api, 'SIGKILL');
    await this.kill(this.worker, 'SIGKILL');
    await this.server?.stop().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

interface Delivery {
  id: string;
  chatId: string;
  body: string;
  workflowId?: string;
}

/** Posts one message as a provider would: a 503 or a refused connection is redelivered later. */
async function deliver(sys: System, d: Delivery): Promise<boolean> {
  try {
    const res = await postJson(`${sys.apiUrl}/api/messages`, { chatId: d.chatId, id: d.id, body: d.body });
    if (res.status === 202) {
      d.workflowId = res.body.workflowId;
      return true;
    }
    if (res.status >= 500) return false;
    throw new Error(`message ${d.id} refused with ${res.status}: ${JSON.stringify(res.body)}`);
  } catch (err) {
    if ((err as Error).message.startsWith('message ')) throw err;
    return false;
  }
}

/** Delivers every message, 10 at a time, calling `midway` once half are in; redelivers what was not accepted until it is. */
async function flood(sys: System, count: number, midway: () => Promise<void>): Promise<Delivery[]> {
  const run = randomUUID().slice(0, 6);
  const all: Delivery[] = Array.from({ length: count }, (_, i) => ({ id: `f-${run}-${i}`, chatId: `fault-${run}-${i}@c.us`, body: i % 2 ? 'What are your opening hours?' : 'Do you have parking?' }));
  const pending = [...all];
  let midwayDone = false;
  while (pending.length > 0) {
    const batch = pending.splice(0, 10);
    const accepted = await Promise.all(batch.map((d) => deliver(sys, d)));
    pending.push(...batch.filter((_, i) => !accepted[i]));
    if (!midwayDone && all.filter((d) => d.workflowId).length >= count / 2) {
      midwayDone = true;
      await midway();
    }
    if (accepted.some((ok) => !ok)) await sleep(250);
  }
  return all;
}

/** Waits until every message is COMPLETED; returns when the last one was seen completing. */
async function allCompleted(sys: System, deliveries: Delivery[], timeoutMs = 120_000): Promise<number> {
  const open = new Set(deliveries.map((d) => d.workflowId!));
  const deadline = Date.now() + timeoutMs;
  let last = Date.now();
  while (open.size > 0) {
    if (Date.now() > deadline) throw new Error(`${open.size} messages not completed within ${timeoutMs} ms: ${[...open].slice(0, 3).join(', ')}`);
    for (const id of [...open]) {
      const view = await fetch(`${sys.apiUrl}/api/messages/${encodeURIComponent(id)}`).then((r) => (r.ok ? (r.json() as Promise<{ status: string }>) : undefined)).catch(() => undefined);
      if (view?.status === 'COMPLETED') {
        open.delete(id);
        last = Date.now();
      } else if (view && view.status !== 'RUNNING') throw new Error(`${id} ended ${view.status}`);
    }
    if (open.size > 0) await sleep(200);
  }
  return last;
}

async function exactlyOnce(sys: System, deliveries: Delivery[]): Promise<void> {
  const counts = await sys.replies(deliveries.map((d) => d.workflowId!));
  const wrong = [...counts].filter(([, n]) => n !== 1);
  if (wrong.length > 0) throw new Error(`replies not sent exactly once: ${wrong.slice(0, 5).map(([id, n]) => `${id}=${n}`).join(', ')}`);
}

const results: Array<{ experiment: string; ok: boolean; detail: string }> = [];

async function experiment(name: string, sys: System, run: () => Promise<string>): Promise<void> {
  say(`${name}…`);
  try {
    const detail = await run();
    results.push({ experiment: name, ok: true, detail });
    say(`${name}: ok, ${detail}`);
  } catch (err) {
    results.push({ experiment: name, ok: false, detail: (err as Error).message });
    say(`${name}: FAILED, ${(err as Error).message}`);
    // Leave a working system for the next experiment.
    if (!sys.worker || sys.worker.child.exitCode !== null) sys.worker = sys.spawn('dist/worker/main.js');
    if (!sys.api || sys.api.child.exitCode !== null) sys.api = sys.spawn('dist/src/api/main.js');
    await sys.ready().catch(() => undefined);
  }
}

async function main(): Promise<void> {
  const sys = new System();
  process.once('SIGINT', () => void sys.stop().then(() => process.exit(130)));
  try {
    await sys.start();

    await experiment('worker SIGKILL under load', sys, async () => {
      let killedAt = 0;
      let replacement = { startMs: 0, upAt: 0 };
      const deliveries = await flood(sys, MESSAGES, async () => {
        killedAt = Date.now();
        await sys.kill(sys.worker, 'SIGKILL');
        replacement = await sys.replaceWorker();
      });
      const last = await allCompleted(sys, deliveries);
      await exactlyOnce(sys, deliveries);
      return `${deliveries.length}/${deliveries.length} completed, each replied once; the replacement took ${replacement.startMs} ms to start; last completion ${Math.max(0, last - replacement.upAt)} ms after it was up (${last - killedAt} ms after the kill)`;
    });

    await experiment('worker SIGTERM under load', sys, async () => {
      let replacement = { startMs: 0, upAt: 0 };
      let drainedMs = 0;
      const deliveries = await flood(sys, MESSAGES, async () => {
        const old = sys.worker;
        const termAt = Date.now();
        old?.child.kill('SIGTERM');
        await old?.exited;
        drainedMs = Date.now() - termAt;
        replacement = await sys.replaceWorker();
      });
      const last = await allCompleted(sys, deliveries);
      await exactlyOnce(sys, deliveries);
      return `${deliveries.length}/${deliveries.length} completed, each replied once; the old worker drained in ${drainedMs} ms; last completion ${Math.max(0, last - replacement.upAt)} ms after the replacement was up`;
    });

    await experiment('dev server SIGKILL and restart on its history file', sys, async () => {
      let restartedAt = 0;
      const deliveries = await flood(sys, MESSAGES, async () => {
        await sys.server.kill();
        await sleep(500);
        await sys.startServer();
        restartedAt = Date.now();
      });
      const last = await allCompleted(sys, deliveries);
      await exactlyOnce(sys, deliveries);
      return `${deliveries.length}/${deliveries.length} completed (refused ones redelivered), each replied once; last completion ${last - restartedAt} ms after the server was back`;
    });

    await experiment('API SIGKILL under load, every message redelivered', sys, async () => {
      let restartedAt = 0;
      const deliveries = await flood(sys, MESSAGES, async () => {
        await sys.kill(sys.api, 'SIGKILL');
        sys.api = sys.spawn('dist/src/api/main.js');
        await sys.ready();
        restartedAt = Date.now();
      });
      // The provider redelivers everything: each is a duplicate of what already runs.
      for (const d of deliveries) {
        const again = await postJson(`${sys.apiUrl}/api/messages`, { chatId: d.chatId, id: d.id, body: d.body });
        if (again.status !== 202 || again.body.duplicate !== true || again.body.workflowId !== d.workflowId) throw new Error(`redelivery of ${d.id} answered ${again.status} ${JSON.stringify(again.body)}`);
      }
      const last = await allCompleted(sys, deliveries);
      await exactlyOnce(sys, deliveries);
      return `${deliveries.length}/${deliveries.length} completed, redeliveries all duplicates, each replied once; last completion ${last - restartedAt} ms after the API was back`;
    });

    await experiment('ten parallel deliveries of one id', sys, async () => {
      const d = { id: `f-once-${randomUUID().slice(0, 8)}`, chatId: 'fault-once@c.us', body: 'Do you have parking?' };
      const answers = await Promise.all(Array.from({ length: 10 }, () => postJson(`${sys.apiUrl}/api/messages`, d)));
      const fresh = answers.filter((a) => a.status === 202 && a.body.duplicate === false);
      if (fresh.length !== 1 || answers.some((a) => a.status !== 202)) throw new Error(`answers: ${answers.map((a) => `${a.status}/${a.body.duplicate}`).join(' ')}`);
      const delivery = { ...d, workflowId: fresh[0].body.workflowId as string };
      await allCompleted(sys, [delivery]);
      await exactlyOnce(sys, [delivery]);
      return 'one workflow started, nine duplicates, one reply';
    });

    await experiment('readiness after the only worker is killed', sys, async () => {
      await sys.ready();
      const killedAt = Date.now();
      await sys.kill(sys.worker, 'SIGKILL');
      await eventually(() => fetch(`${sys.apiUrl}/health/ready`).then((r) => r.status), (s) => s === 503, 30_000, 'readiness 503');
      const notReadyAfter = Date.now() - killedAt;
      const replacement = await sys.replaceWorker();
      await sys.ready();
      return `503 ${notReadyAfter} ms after the kill; ready again ${Date.now() - replacement.upAt} ms after a worker was up (it took ${replacement.startMs} ms to start)`;
    });
  } finally {
    await sys.stop();
  }
  say('summary:');
  for (const r of results) say(`  ${r.ok ? 'ok    ' : 'FAILED'} ${r.experiment}: ${r.detail}`);
  if (results.some((r) => !r.ok) || results.length === 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  say(`could not run: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
});
