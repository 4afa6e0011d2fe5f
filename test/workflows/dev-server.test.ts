import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../../src/contracts/search-attributes';
import { freePort, startDevServer, temporalAnswers, waitForTemporal, type RunningDevServer } from '../../src/devserver/dev-server';
import { CLI_PATH_VAR } from '../helpers/shared-env';

/**
 * The Temporal dev server as `npm run dev` (and the bench, and the history recorder) start
 * it: the project's own CLI, the search attributes the workflows upsert, a history file that
 * survives a restart, and a clear failure when it cannot start.
 */
describe('startDevServer (npm run dev)', () => {
  const cliPath = process.env[CLI_PATH_VAR];
  let dir: string;
  const started: RunningDevServer[] = [];

  beforeAll(() => {
    if (!cliPath) throw new Error(`${CLI_PATH_VAR} is not set: the test harness found no Temporal CLI`);
    dir = mkdtempSync(path.join(os.tmpdir(), 'sb-dev-server-'));
  });

  afterAll(async () => {
    await Promise.all(started.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(options: { port: number; dbFilename?: string; namespace?: string }): Promise<RunningDevServer> {
    const server = await startDevServer({ cliPath: cliPath!, stdio: 'ignore', ...options });
    started.push(server);
    return server;
  }

  it('answers on its port with the namespace asked for and every search attribute the workflows upsert', async () => {
    const server = await start({ port: await freePort(), namespace: 'switchboard-dev' });
    expect(server.address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(server.uiUrl).toBeUndefined(); // headless unless a UI port is given
    expect(await temporalAnswers(server.address)).toBe(true);

    const connection = await Connection.connect({ address: server.address });
    try {
      await connection.workflowService.describeNamespace({ namespace: 'switchboard-dev' });
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: 'switchboard-dev' });
      for (const key of SEARCH_ATTRIBUTES) expect(Object.keys(customAttributes ?? {})).toContain(key.name);
    } finally {
      await connection.close();
    }
    await server.stop();
    await server.exited;
    expect(await temporalAnswers(server.address)).toBe(false);
  }, 90_000);

  it('keeps histories in its SQLite file across a restart', async () => {
    const port = await freePort();
    const dbFilename = path.join(dir, 'nested', 'temporal.db'); // the folder is created
    const first = await start({ port, dbFilename });
    const connection = await Connection.connect({ address: first.address });
    const workflowId = `dev-server-persists-${Date.now()}`;
    try {
      // No worker polls this queue: the run stays open, as a customer's conversation would.
      await new Client({ connection }).workflow.start('handleMessage', { workflowId, taskQueue: 'nobody-polls', args: [{}] });
    } finally {
      await connection.close();
    }
    await first.stop();

    const second = await start({ port, dbFilename });
    const again = await Connection.connect({ address: second.address });
    try {
      const description = await new Client({ connection: again }).workflow.getHandle(workflowId).describe();
      expect(description.status.name).toBe('RUNNING');
      expect(description.type).toBe('handleMessage');
    } finally {
      await again.close();
    }
  }, 120_000);

  it('fails with a clear error when its port is taken', async () => {
    const port = await freePort();
    const sockets = new Set<Socket>();
    const squatter: Server = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    try {
      await expect(startDevServer({ cliPath: cliPath!, port, stdio: 'ignore' })).rejects.toThrow(/exited with code \d+ before it was ready/);
    } finally {
      sockets.forEach((s) => s.destroy());
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
    }
  }, 90_000);

  it('says when nothing answers as Temporal at an address', async () => {
    const port = await freePort();
    expect(await temporalAnswers(`127.0.0.1:${port}`)).toBe(false);
    await expect(waitForTemporal(`127.0.0.1:${port}`, 600)).rejects.toThrow(`Temporal at 127.0.0.1:${port} did not become ready in 600 ms`);
  });
});
