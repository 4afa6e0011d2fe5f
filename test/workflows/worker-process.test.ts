import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { messageWorkflowId, type HandleMessageInput } from '../../src/contracts';
import { freePort } from '../../src/devserver/dev-server';
import type { handleMessage } from '../../src/workflows';
import { eventually } from '../helpers/api';
import { databaseEnv, openTestDatabase, type TestDatabase } from '../helpers/database';
import { connectTemporal, uniqueTaskQueue, type TemporalTestContext } from '../helpers/temporal';

const ROOT = path.resolve(__dirname, '../..');

async function scrape(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  return res.ok ? res.text() : '';
}

/**
 * The compiled worker process as `npm run worker` runs it: its own /metrics, the Temporal
 * SDK's Prometheus exporter on a second port, and a clean exit on SIGTERM.
 */
describe('the worker process: metrics endpoints and graceful shutdown', () => {
  let ctx: TemporalTestContext;
  let database: TestDatabase;
  let worker: ChildProcess | undefined;
  let exited: Promise<number | null>;
  const taskQueue = uniqueTaskQueue('wf-process');
  const ports = { app: 0, sdk: 0 };

  beforeAll(async () => {
    const build = spawnSync(path.join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`build failed: ${build.stdout}${build.stderr}`);
    ctx = await connectTemporal();
    database = await openTestDatabase();
    ports.app = await freePort();
    ports.sdk = await freePort();
    worker = spawn(process.execPath, [path.join(ROOT, 'dist/worker/main.js')], {
      env: {
        ...process.env,
        ...databaseEnv(database),
        SWITCHBOARD_CONFIG: '',
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        TEMPORAL_ADDRESS: ctx.address,
        TEMPORAL_TASK_QUEUE: taskQueue,
        WORKER_METRICS_PORT: String(ports.app),
        TEMPORAL_METRICS_PORT: String(ports.sdk),
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const child = worker;
    exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }, 120_000);

  afterAll(async () => {
    worker?.kill('SIGKILL');
    await database?.close();
    await ctx?.close();
  });

  it('serves the switchboard_* series and the SDK worker metrics once a message has run', async () => {
    const message: HandleMessageInput = { chatId: `proc-${randomUUID().slice(0, 6)}@c.us`, messageId: randomUUID(), channel: 'whatsapp', body: 'What are your opening hours?' };
    const result = await ctx.client.workflow.execute<typeof handleMessage>('handleMessage', {
      workflowId: messageWorkflowId('whatsapp', message.messageId),
      taskQueue,
      args: [message],
    });
    expect(result.step).toBe('completed');

    const app = await eventually(() => scrape(ports.app), (text) => /switchboard_agent_runs_total\{[^}]*agent="inquiry"/.test(text), 30_000);
    expect(app).toMatch(/^switchboard_triage_total\{[^}]*intent="inquiry"[^}]*\} [1-9]/m);
    expect(app).toMatch(/^switchboard_sends_total\{[^}]*\} [1-9]/m);

    // The SDK's own series (poll latency, task slots, completions) for this task queue.
    const sdk = await eventually(() => scrape(ports.sdk), (text) => text.includes(`task_queue="${taskQueue}"`) && /temporal_workflow_completed/.test(text), 30_000);
    expect(sdk).toMatch(new RegExp(`^temporal_workflow_completed_total\\{[^}]*task_queue="${taskQueue}"[^}]*\\} [1-9]`, 'm'));
    // A keyword message's steps are local activities; the SDK times them too.
    expect(sdk).toMatch(/^temporal_local_activity_execution_latency_bucket\{activity_type="triageTurn"/m);
  });

  it('stops polling and exits 0 on SIGTERM, closing its metrics endpoints', async () => {
    worker!.kill('SIGTERM');
    expect(await exited).toBe(0);
    await expect(fetch(`http://127.0.0.1:${ports.app}/metrics`)).rejects.toThrow();
    await expect(fetch(`http://127.0.0.1:${ports.sdk}/metrics`)).rejects.toThrow();
  });
});
