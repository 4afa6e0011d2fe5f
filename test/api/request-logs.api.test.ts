import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { freePort } from '../../src/devserver/dev-server';
import { eventually, getJson, postJson } from '../helpers/api';
import { databaseEnv, openTestDatabase, type TestDatabase } from '../helpers/database';
import { connectTemporal, startTestWorker, uniqueTaskQueue, type RunningWorker, type TemporalTestContext } from '../helpers/temporal';

const ROOT = path.resolve(__dirname, '../..');

/**
 * The compiled API process as `npm run api` runs it, its JSON log read from stdout: what an
 * operator greps when a customer asks about a message.
 */
describe('API request logs', () => {
  let ctx: TemporalTestContext;
  let database: TestDatabase;
  let worker: RunningWorker;
  let api: ChildProcess | undefined;
  let baseUrl = '';
  const lines: Array<Record<string, unknown>> = [];
  const taskQueue = uniqueTaskQueue('api-logs');

  beforeAll(async () => {
    const build = spawnSync(path.join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`build failed: ${build.stdout}${build.stderr}`);
    ctx = await connectTemporal();
    database = await openTestDatabase();
    worker = await startTestWorker(ctx, taskQueue, database.db);
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    api = spawn(process.execPath, [path.join(ROOT, 'dist/src/api/main.js')], {
      env: { ...process.env, ...databaseEnv(database), SWITCHBOARD_CONFIG: '', NODE_ENV: 'test', LOG_LEVEL: 'info', PORT: String(port), TEMPORAL_ADDRESS: ctx.address, TEMPORAL_TASK_QUEUE: taskQueue },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let pending = '';
    api.stdout!.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const complete = pending.split('\n');
      pending = complete.pop() ?? '';
      for (const line of complete) if (line.startsWith('{')) lines.push(JSON.parse(line) as Record<string, unknown>);
    });
    await eventually(() => getJson(`${baseUrl}/health`).catch(() => ({ status: 0, body: undefined })), (r) => r.status === 200, 30_000);
  }, 120_000);

  afterAll(async () => {
    if (api && api.exitCode === null) {
      const exited = new Promise((resolve) => api!.once('exit', resolve));
      api.kill('SIGTERM');
      await exited;
    }
    await worker?.stop();
    await database?.close();
    await ctx?.close();
  });

  const completedLine = (method: string, url: string) =>
    eventually(
      async () => lines.find((l) => l.msg === 'request completed' && (l.req as { method?: string; url?: string } | undefined)?.method === method && (l.req as { url?: string }).url === url),
      (l) => l !== undefined,
    );

  it('names the workflow on the line of the request that started it and of one that read it', async () => {
    const phone = `8526${Math.floor(Math.random() * 9e6 + 1e6)}`;
    const message = { chatId: `${phone}@c.us`, id: `msg_${randomUUID()}`, body: 'What are your opening hours? My name is Zebulon' };
    const accepted = await postJson(`${baseUrl}/api/messages`, message);
    expect(accepted.status).toBe(202);
    const workflowId = accepted.body.workflowId as string;
    expect(await completedLine('POST', '/api/messages')).toMatchObject({ workflowId, res: { statusCode: 202 } });

    const url = `/api/messages/${encodeURIComponent(workflowId)}`;
    await getJson(`${baseUrl}${url}`);
    expect(await completedLine('GET', url)).toMatchObject({ workflowId });

    // Nothing the customer wrote, nor their number, is in the log.
    const all = lines.map((l) => JSON.stringify(l)).join('\n');
    expect(all).not.toContain('Zebulon');
    expect(all).not.toContain(phone);
  });
});
