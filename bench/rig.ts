import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { DataSource } from 'typeorm';
import { createApp } from '../src/api/app';
import { loadConfig } from '../src/config';
import { freePort, startDevServer, startDownloadedDevServer, type RunningDevServer } from '../src/devserver/dev-server';
import { ensureTemporalCli, TemporalCliNotFoundError } from '../src/devserver/temporal-cli';
import { openDatabase } from '../src/persistence';
import { seedDemoData } from '../src/persistence/seed/demo-data';
import { activityDepsFromConfig } from '../worker/activity-deps';
import { createWorker, productionWorkerTuning } from '../worker/create-worker';
import { baselineActivities } from './baselines/activities';
import { findProcess } from './stats';

/** A whole-number setting from the environment, or its default; refuses anything else by name. */
export function intEnv(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer ≥ ${min}; got ${raw}`);
  return value;
}

/** A throw-away dev server on `port`: the project's Temporal CLI, else the SDK's own download. */
export async function startMeasuredDevServer(say: (line: string) => void, port: number, options: { tuned?: boolean; extraArgs?: string[] } = {}): Promise<RunningDevServer> {
  try {
    const cli = await ensureTemporalCli(say);
    return await startDevServer({ cliPath: cli.path, port, stdio: 'ignore', ...options });
  } catch (err) {
    if (!(err instanceof TemporalCliNotFoundError)) throw err;
    say(`${err.message}\nTrying the Temporal SDK's own download of the dev server (needs internet).`);
    return startDownloadedDevServer({ port });
  }
}

/**
 * The configuration the measured processes share: embedded defaults only (no config file,
 * no LLM, no providers, whatever the shell holds), fixed metrics ports off, and rate limits
 * out of the way (600/min per caller by default would otherwise be what is measured).
 */
export function measuredEnv(options: { dataDir: string; address: string; taskQueue: string; conversationIdleSeconds: number }): Record<string, string> {
  return {
    SWITCHBOARD_CONFIG: '',
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_DIR: options.dataDir,
    TEMPORAL_ADDRESS: options.address,
    TEMPORAL_TASK_QUEUE: options.taskQueue,
    RATE_LIMIT_PER_MINUTE: '1000000',
    RATE_LIMIT_CHAT_PER_MINUTE: '100000',
    WORKER_METRICS_PORT: '0',
    TEMPORAL_METRICS_PORT: '0',
    CONVERSATION_IDLE_SECONDS: String(options.conversationIdleSeconds),
  };
}

/**
 * Everything the benchmark runs against, in this one process (the Temporal dev server
 * aside): a throw-away dev server on free ports, a temporary SQLite database with the
 * demo data, the project's worker (bundling src/workflows as `npm run worker` does) and
 * the Nest API on a free loopback port. `stop()` undoes whatever was started, in reverse.
 */
export interface Rig {
  baseUrl: string;
  client: Client;
  taskQueue: string;
  /** The baseline workflows' own queue, polled by a worker in this process with the project's worker settings. */
  baselineQueue: string;
  /** The dev server's pid when it could be found, for its CPU and memory. */
  serverPid?: number;
  /** The database the worker and the API use, for checks after a run. */
  db: DataSource;
  /** The conversations' idle time in this rig (short, so the memory phase sees them close). */
  conversationIdleSeconds: number;
  setupMs: Record<string, number>;
  stop(): Promise<void>;
}

/** Conversations close this long after their last message (the default is a minute). */
const CONVERSATION_IDLE_SECONDS = 15;

/**
 * `onStop` receives the clean-up at once, so an interrupt or the benchmark's deadline can
 * undo a half-started rig too.
 */
export async function startRig(say: (line: string) => void, onStop: (stop: () => Promise<void>) => void): Promise<Rig> {
  const undo: (() => Promise<void> | void)[] = [];
  let stopped = false;
  let stopping: Promise<void> | undefined;
  const undoAll = async () => {
    for (const step of undo.splice(0).reverse()) {
      try {
        await step();
      } catch (err) {
        say(`cleanup step failed: ${(err as Error).message}`);
      }
    }
  };
  // Idempotent: an interrupt during the normal clean-up waits for the same one.
  const stop = () => {
    stopped = true;
    stopping ??= undoAll();
    return stopping;
  };
  onStop(stop);
  // Whatever starts after an interrupt is undone at once.
  const track = (step: () => Promise<void> | void) => {
    if (stopped) void Promise.resolve().then(step).catch(() => undefined);
    else undo.push(step);
  };
  const setupMs: Record<string, number> = {};
  const timed = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const value = await work();
    setupMs[name] = Math.round(performance.now() - t0);
    return value;
  };

  try {
    Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });

    const port = await freePort();
    // BENCH_DEV_SERVER_TUNED=0 measures the dev server's own defaults; BENCH_DEV_SERVER_ARGS adds settings to try.
    const extraArgs = (process.env.BENCH_DEV_SERVER_ARGS ?? '').split(' ').filter(Boolean);
    const server = await timed('temporalDevServer', () => startMeasuredDevServer(say, port, { tuned: process.env.BENCH_DEV_SERVER_TUNED !== '0', extraArgs }));
    track(() => server.stop());
    const serverPid = findProcess(['start-dev', String(port)]);

    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-bench-'));
    track(() => rmSync(dataDir, { recursive: true, force: true }));
    const taskQueue = 'bench';
    const config = loadConfig(measuredEnv({ dataDir, address: server.address, taskQueue, conversationIdleSeconds: CONVERSATION_IDLE_SECONDS }));

    const db: DataSource = await timed('database', async () => {
      const opened = await openDatabase({ dataDir });
      await seedDemoData(opened);
      return opened;
    });
    track(() => db.destroy());

    const connection = await Connection.connect({ address: server.address });
    track(() => connection.close());
    const client = new Client({ connection });
    const nativeConnection = await NativeConnection.connect({ address: server.address });
    track(() => nativeConnection.close());

    const worker: Worker = await timed('workerBundleAndCreate', () =>
      createWorker({ connection: nativeConnection, namespace: 'default', taskQueue, deps: activityDepsFromConfig(config, db, client) }),
    );
    const running = worker.run().catch((err: unknown) => say(`worker stopped with an error: ${(err as Error).message}`));
    track(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    });

    // The baselines run beside the project's worker, on a queue of their own, with the same worker options.
    const baselineQueue = 'bench-baselines';
    const baselineWorker = await Worker.create({
      connection: nativeConnection,
      namespace: 'default',
      taskQueue: baselineQueue,
      workflowsPath: require.resolve('./baselines/workflows'),
      activities: baselineActivities,
      ...productionWorkerTuning(),
    });
    const baselineRunning = baselineWorker.run().catch((err: unknown) => say(`baseline worker stopped with an error: ${(err as Error).message}`));
    track(async () => {
      if (baselineWorker.getState() === 'RUNNING') baselineWorker.shutdown();
      await baselineRunning;
    });

    const app: NestExpressApplication = await timed('api', async () => {
      const created = await createApp(config);
      await created.listen(0, '127.0.0.1');
      return created;
    });
    track(() => app.close());
    const { port: apiPort } = app.getHttpServer().address() as { port: number };

    return { baseUrl: `http://127.0.0.1:${apiPort}`, client, taskQueue, baselineQueue, serverPid, db, conversationIdleSeconds: CONVERSATION_IDLE_SECONDS, setupMs, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
