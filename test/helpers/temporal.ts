import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import type { DataSource } from 'typeorm';
import type { ActivityDeps } from '../../src/activities';
import { dataConverterFor } from '../../src/codec';
import { loadConfig, type AppConfig } from '../../src/config';
import { activityDepsFromConfig } from '../../worker/activity-deps';
import { createWorker } from '../../worker/create-worker';
import { WORKER_HEARTBEAT_INTERVAL_MS } from '../../src/temporal/worker-heartbeats';
import { coverageSinks } from './coverage/sinks';
import { TEMPORAL_ADDRESS_VAR, WORKFLOW_BUNDLE_VAR } from './shared-env';

/**
 * Keeps the SDK quiet, but forwards SDK Core's warnings: a workflow task the test server
 * rejects (an unregistered search attribute, say) shows only as a Core warning and a test
 * timeout. The Java test server does not advertise one capability of recent servers; that
 * warning is expected here and dropped.
 */
export function installQuietRuntime(): void {
  const log = (level: string, message: string, meta?: unknown) => {
    if (level !== 'WARN' && level !== 'ERROR') return;
    if (message.includes('activity_failure_include_heartbeat')) return;
    process.stderr.write(`[temporal ${level.toLowerCase()}] ${message} ${JSON.stringify(meta ?? {})}\n`);
  };
  try {
    Runtime.install({
      // Core's forwarded logs arrive through log(level, ...), the SDK's own through the rest.
      logger: {
        log,
        trace: (message, meta) => log('TRACE', message, meta),
        debug: (message, meta) => log('DEBUG', message, meta),
        info: (message, meta) => log('INFO', message, meta),
        warn: (message, meta) => log('WARN', message, meta),
        error: (message, meta) => log('ERROR', message, meta),
      },
      telemetryOptions: { logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} } },
      workerHeartbeatInterval: WORKER_HEARTBEAT_INTERVAL_MS,
    });
  } catch {
    // Already installed in this Jest worker by an earlier test file.
  }
}

export function temporalAddress(): string {
  const address = process.env[TEMPORAL_ADDRESS_VAR];
  if (!address) throw new Error(`${TEMPORAL_ADDRESS_VAR} is not set: run the tests through jest (globalSetup starts Temporal)`);
  return address;
}

let bundleCode: string | undefined;

/**
 * The shared bundle, as code rather than as a path: a worker given a path names the sandbox's
 * frames after that file, and Jest's stack formatting then reads the whole file and scans its
 * megabytes of inline source map with a regular expression for every error a workflow raises,
 * which has run out of stack mid-suite (the replay suites, under --coverage).
 */
export function workflowBundle(): { code: string } {
  const codePath = process.env[WORKFLOW_BUNDLE_VAR];
  if (!codePath) throw new Error(`${WORKFLOW_BUNDLE_VAR} is not set`);
  bundleCode ??= readFileSync(codePath, 'utf8');
  return { code: bundleCode };
}

/** A task queue no other test file uses. */
export function uniqueTaskQueue(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export interface TemporalTestContext {
  address: string;
  client: Client;
  nativeConnection: NativeConnection;
  close(): Promise<void>;
}

export async function connectTemporal(): Promise<TemporalTestContext> {
  installQuietRuntime();
  const address = temporalAddress();
  const connection = await Connection.connect({ address });
  const nativeConnection = await NativeConnection.connect({ address });
  return {
    address,
    client: new Client({ connection }),
    nativeConnection,
    async close() {
      await connection.close();
      await nativeConnection.close();
    },
  };
}

export interface RunningWorker {
  worker: Worker;
  stop(): Promise<void>;
}

/** A config for tests: embedded defaults, no config file, overridable per test. */
export function testConfig(env: Record<string, string> = {}): AppConfig {
  return loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', SWITCHBOARD_CONFIG: '', ...env });
}

/** Starts the project's worker (same options as production) on a test's own task queue. */
export async function startTestWorker(
  ctx: TemporalTestContext,
  taskQueue: string,
  db: DataSource,
  env: Record<string, string> = {},
  /** Replaces dependencies, e.g. to inject a fault at the edge of one agent. */
  override: (deps: ActivityDeps) => ActivityDeps = (deps) => deps,
): Promise<RunningWorker> {
  const config = testConfig({ TEMPORAL_TASK_QUEUE: taskQueue, ...env });
  // With PAYLOAD_ENCRYPTION_KEYS in env, the worker and its activities' client encrypt, as in production.
  const dataConverter = dataConverterFor(config);
  const client = dataConverter ? new Client({ connection: ctx.client.connection, dataConverter }) : ctx.client;
  const worker = await createWorker({
    connection: ctx.nativeConnection,
    namespace: 'default',
    taskQueue,
    deps: override(activityDepsFromConfig(config, db, client)),
    // The shared bundle has the SDK's default failure converter; an encrypting worker bundles
    // src/workflows with its own (failure messages encrypted), as the production worker does.
    ...(dataConverter?.failureConverterPath ? {} : { workflowBundle: workflowBundle() }),
    dataConverter,
    sinks: coverageSinks(),
    maxCachedWorkflows: config.worker.maxCachedWorkflows,
  });
  const running = worker.run();
  return {
    worker,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  };
}
