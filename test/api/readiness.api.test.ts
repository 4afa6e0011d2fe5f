import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { eventually, getJson, startTestApi, type TestApi } from '../helpers/api';
import { databaseEnv, openTestDatabase, type TestDatabase } from '../helpers/database';
import { connectTemporal, startTestWorker, uniqueTaskQueue, type TemporalTestContext } from '../helpers/temporal';
import { buildProject, spawnWorker } from '../helpers/worker-process';


/**
 * `/health/ready` tells the truth about workers: ready while one sends heartbeats, not ready
 * within seconds of the last one stopping (a clean shutdown says so at once) or being killed
 * (its heartbeats stop). The server's list of pollers, which remembers a dead worker for
 * minutes, is not what decides. And a read that needs a worker answers in seconds.
 */
describe('readiness follows the workers', () => {
  let ctx: TemporalTestContext;
  let database: TestDatabase;
  let api: TestApi;
  let child: ChildProcess | undefined;
  const taskQueue = uniqueTaskQueue('ready');

  beforeAll(async () => {
    buildProject();
    ctx = await connectTemporal();
    database = await openTestDatabase();
    api = await startTestApi({ address: ctx.address, taskQueue, database });
  }, 120_000);
  afterAll(async () => {
    child?.kill('SIGKILL');
    await api?.close();
    await database?.close();
    await ctx?.close();
  });

  const ready = () => getJson(`${api.baseUrl}/health/ready`);

  it('is ready with a worker, and not ready soon after it shuts down cleanly', async () => {
    const worker = await startTestWorker(ctx, taskQueue, database.db);
    const up = await eventually(ready, (r) => r.status === 200, 20_000);
    expect(up.body.checks.worker).toMatchObject({ status: 'up', source: 'worker heartbeats', workers: 1 });
    await worker.stop();
    const down = await eventually(ready, (r) => r.status === 503, 20_000);
    expect(down.body).toMatchObject({ status: 'not_ready', checks: { worker: { status: 'down', error: `no worker polls task queue ${taskQueue}` } } });
  }, 60_000);

  it('is not ready soon after its only worker process is killed, though the server still lists its pollers', async () => {
    child = spawnWorker({ TEMPORAL_ADDRESS: ctx.address, TEMPORAL_TASK_QUEUE: taskQueue, ...databaseEnv(database) });
    await eventually(ready, (r) => r.status === 200, 30_000);
    const killedAt = Date.now();
    child.kill('SIGKILL');
    await new Promise((resolve) => child!.once('exit', resolve));
    const down = await eventually(ready, (r) => r.status === 503, 30_000);
    process.stdout.write(`readiness turned 503 ${Date.now() - killedAt} ms after the worker was killed\n`);
    expect(down.body.checks.worker.status).toBe('down');
    // The pollers the old check counted are still listed for the dead worker.
    const described = await ctx.client.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, taskQueueType: 1 });
    expect(described.pollers?.length ?? 0).toBeGreaterThan(0);
  }, 90_000);

  it('answers a read that needs a worker with 503 and Retry-After in seconds, not after the server gives up', async () => {
    const started = await ctx.client.workflow.start('runDefinition', {
      taskQueue,
      workflowId: `wfexec:${randomUUID()}`,
      args: [{ executionId: 'x', definition: { workflowId: 'w', version: 1, name: 'n', steps: [] }, inputData: {} }],
    });
    try {
      const res = await fetch(`${api.baseUrl}/api/v1/executions/${encodeURIComponent(started.workflowId)}`);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
    } finally {
      await started.terminate('test over');
    }
  }, 30_000);
});
