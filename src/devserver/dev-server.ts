import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../contracts/search-attributes';

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
}

export interface RunningDevServer {
  address: string;
  uiUrl?: string;
  /** Settles when the server process ends, expectedly or not. */
  exited: Promise<void>;
  stop(): Promise<void>;
}

/** `--search-attribute` values for the CLI, from the same keys the workflows upsert. */
export function searchAttributeArgs(): string[] {
  return SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${toCliType(key.type)}`]);
}

function toCliType(type: string): string {
  return type.charAt(0) + type.slice(1).toLowerCase().replace(/_(\w)/g, (_, c: string) => c.toUpperCase());
}

export async function waitForTemporal(address: string, timeoutMs: number, namespace = 'default'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
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

  const child = spawn(options.cliPath, args, { stdio: options.stdio ?? 'inherit' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const address = `${ip}:${options.port}`;
  const failedEarly = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`temporal server start-dev exited with code ${code} before it was ready`))),
  );
  try {
    await Promise.race([waitForTemporal(address, 60_000, options.namespace), failedEarly]);
  } catch (err) {
    child.kill('SIGTERM');
    throw err;
  }
  failedEarly.catch(() => undefined);
  return {
    address,
    uiUrl: options.uiPort ? `http://${ip}:${options.uiPort}` : undefined,
    exited,
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

/** Asks the OS for a free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
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
      ...(options.codecEndpoint && options.uiPort ? { extraArgs: ['--ui-codec-endpoint', options.codecEndpoint] } : {}),
    },
  });
  let stopped!: () => void;
  const exited = new Promise<void>((resolve) => (stopped = resolve));
  return {
    address: env.address,
    uiUrl: options.uiPort ? `http://${options.ip ?? '127.0.0.1'}:${options.uiPort}` : undefined,
    exited,
    async stop() {
      await env.teardown();
      stopped();
    },
  };
}
