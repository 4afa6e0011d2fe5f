import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../contracts/search-attributes';
import { WORKER_HEARTBEAT_SERVER_ARGS } from '../temporal/worker-heartbeats';

// Callers that start a dev server pick its port here too.
export { freePort } from './free-port';

/**
 * Starts `temporal server start-dev` as a child process with the project's search
 * attributes registered, and waits until its frontend answers.
 */
export interface DevServerOptions {
  cliPath: string;
  ip?: string;
  port: number;
  uiPort?: number;
  /** Persist history to this SQLite file; omitted keeps everything in memory. */
  dbFilename?: string;
  namespace?: string;
  /** The Web UI's codec server (`http://<api>/codec`), so it shows encrypted payloads decoded. */
  codecEndpoint?: string;
  /** Where the server's own output goes; inherited by default. */
  stdio?: 'inherit' | 'ignore';
  /** Start with `DEV_SERVER_SPEED_ARGS` (the default), or with the dev server's own defaults. */
  tuned?: boolean;
  /** More `start-dev` arguments, after the speed settings (a later `--dynamic-config-value` of the same key wins). */
  extraArgs?: string[];
}

/**
 * The dev server provisioned for speed, as measured by `npm run bench` (README, "Benchmarks").
 * Out of the box a single-shard dev server polls its queues at most 20 times a second, so
 * each workflow or activity task waits up to ~100 ms to be handed out, and its SQLite file
 * runs in rollback-journal mode with a sync per commit. Only servers the project starts get
 * these; a user's own cluster is never touched.
 * - WAL with `synchronous=normal`: commits without waiting for the disk; on power loss the
 *   last transactions can be lost, the file is never corrupted (a dev server, not production).
 * - The history service's transfer and timer queues polled up to 1000 times a second: a task
 *   is handed out as soon as it is written.
 */
export const DEV_SERVER_SPEED_ARGS: readonly string[] = [
  '--sqlite-pragma', 'journal_mode=wal',
  '--sqlite-pragma', 'synchronous=normal',
  '--dynamic-config-value', 'history.transferProcessorMaxPollRPS=1000',
  '--dynamic-config-value', 'history.timerProcessorMaxPollRPS=1000',
];

export interface RunningDevServer {
  address: string;
  uiUrl?: string;
  /** Settles when the server process ends, expectedly or not. */
  exited: Promise<void>;
  stop(): Promise<void>;
  /** Ends the server the way a machine dies (SIGKILL): its history file is left as it was. */
  kill(): Promise<void>;
}

/** `--search-attribute` values for the CLI, from the same keys the workflows upsert. */
export function searchAttributeArgs(): string[] {
  return SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${toCliType(key.type)}`]);
}

function toCliType(type: string): string {
  return type.charAt(0) + type.slice(1).toLowerCase().replace(/_(\w)/g, (_, c: string) => c.toUpperCase());
}

/** Waits until Temporal at `address` serves `namespace`; `signal` stops the wait early (the server died). */
export async function waitForTemporal(address: string, timeoutMs: number, namespace = 'default', signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (signal?.aborted) throw new Error(`stopped waiting for Temporal at ${address}: ${String(signal.reason)}`);
    const connection = await Connection.connect({ address, connectTimeout: 1000 }).catch((err: unknown) => {
      lastError = err;
      return undefined;
    });
    if (connection) {
      try {
        // The frontend answers before the namespace is registered; wait for both.
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } catch (err) {
        lastError = err;
      } finally {
        await connection.close();
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`Temporal at ${address} did not become ready in ${timeoutMs} ms: ${String(lastError)}`);
}

export async function startDevServer(options: DevServerOptions): Promise<RunningDevServer> {
  const ip = options.ip ?? '127.0.0.1';
  const args = ['server', 'start-dev', '--ip', ip, '--port', String(options.port), '--log-level', 'warn'];
  if (options.uiPort) args.push('--ui-port', String(options.uiPort));
  else args.push('--headless');
  if (options.dbFilename) {
    mkdirSync(path.dirname(path.resolve(options.dbFilename)), { recursive: true });
    args.push('--db-filename', options.dbFilename);
  }
  if (options.namespace && options.namespace !== 'default') args.push('--namespace', options.namespace);
  if (options.codecEndpoint && options.uiPort) args.push('--ui-codec-endpoint', options.codecEndpoint);
  args.push(...searchAttributeArgs());
  // Worker heartbeats, which /health/ready reads to know a worker is there right now.
  args.push(...WORKER_HEARTBEAT_SERVER_ARGS);
  if (options.tuned !== false) args.push(...DEV_SERVER_SPEED_ARGS);
  args.push(...(options.extraArgs ?? []));

  const child = spawn(options.cliPath, args, { stdio: options.stdio ?? 'inherit' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const address = `${ip}:${options.port}`;
  // A server that dies before it is ready (a port in use, a bad flag) ends the wait at once.
  const died = new AbortController();
  const failedEarly = new Promise<never>((_, reject) =>
    child.once('exit', (code) => {
      const err = new Error(`temporal server start-dev exited with code ${code} before it was ready`);
      died.abort(err.message);
      reject(err);
    }),
  );
  failedEarly.catch(() => undefined);
  try {
    await Promise.race([waitForTemporal(address, 60_000, options.namespace, died.signal), failedEarly]);
  } catch (err) {
    died.abort('start-dev failed');
    child.kill('SIGTERM');
    throw err;
  }
  return {
    address,
    uiUrl: options.uiPort ? `http://${ip}:${options.uiPort}` : undefined,
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/** True when something at `address` answers as a Temporal frontend. */
export async function temporalAnswers(address: string): Promise<boolean> {
  try {
    await waitForTemporal(address, 1500);
    return true;
  } catch {
    return false;
  }
}

/**
 * Last resort for a machine with neither a Temporal CLI nor Go: the SDK downloads the dev
 * server itself (needs internet) and runs it with the same options.
 */
export async function startDownloadedDevServer(options: Omit<DevServerOptions, 'cliPath' | 'stdio'>): Promise<RunningDevServer> {
  // Loaded on demand: @temporalio/testing is a development dependency.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { TestWorkflowEnvironment } = require('@temporalio/testing') as typeof import('@temporalio/testing');
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'cached-download' },
      ip: options.ip ?? '127.0.0.1',
      port: options.port,
      ui: Boolean(options.uiPort),
      uiPort: options.uiPort,
      dbFilename: options.dbFilename,
      namespace: options.namespace,
      searchAttributes: [...SEARCH_ATTRIBUTES],
      extraArgs: [...DEV_SERVER_SPEED_ARGS, ...WORKER_HEARTBEAT_SERVER_ARGS, ...(options.codecEndpoint && options.uiPort ? ['--ui-codec-endpoint', options.codecEndpoint] : [])],
    },
  });
  let stopped!: () => void;
  const exited = new Promise<void>((resolve) => (stopped = resolve));
  const stop = async () => {
    await env.teardown();
    stopped();
  };
  return {
    address: env.address,
    uiUrl: options.uiPort ? `http://${options.ip ?? '127.0.0.1'}:${options.uiPort}` : undefined,
    exited,
    stop,
    // The SDK owns this process and stops it its own way.
    kill: stop,
  };
}
