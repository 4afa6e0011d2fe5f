import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import type { DataSource } from 'typeorm';
import { loadConfig, type AppConfig } from '../../src/config';
import { activityDepsFromConfig } from '../../worker/activity-deps';
import { createWorker } from '../../worker/create-worker';
import { TEMPORAL_ADDRESS_VAR, WORKFLOW_BUNDLE_VAR } from './shared-env';

let runtimeInstalled = false;

/** Keeps the SDK quiet in test output unless a test fails loudly. */
function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({
      logger: {
        log() {},
        trace() {},
        debug() {},
        info() {},
        warn() {},
        error: (message: string, meta?: unknown) => process.stderr.write(`[temporal] ${message} ${JSON.stringify(meta ?? {})}\n`),
      },
    });
  } catch {
    // Already installed by an earlier import in this worker process.
  }
}

export function temporalAddress(): string {
  const address = process.env[TEMPORAL_ADDRESS_VAR];
  if (!address) throw new Error(`${TEMPORAL_ADDRESS_VAR} is not set: run the tests through jest (globalSetup starts Temporal)`);
  return address;
}

export function workflowBundle(): { codePath: string } {
  const codePath = process.env[WORKFLOW_BUNDLE_VAR];
  if (!codePath) throw new Error(`${WORKFLOW_BUNDLE_VAR} is not set`);
  return { codePath };
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
): Promise<RunningWorker> {
  const worker = await createWorker({
    connection: ctx.nativeConnection,
    namespace: 'default',
    taskQueue,
    deps: activityDepsFromConfig(testConfig(env), db),
    workflowBundle: workflowBundle(),
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
