import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { conversationStateQuery, conversationWorkflowId } from '../../src/contracts';
import { Appointment, OutboundMessage } from '../../src/persistence';
import { seedDemoData } from '../../src/persistence/seed/demo-data';
import { eventually, getJson, postJson, startTestApi, type TestApi } from '../helpers/api';
import { databaseEnv, openTestDatabase, type TestDatabase } from '../helpers/database';
import { connectTemporal, startTestWorker, uniqueTaskQueue, type RunningWorker, type TemporalTestContext } from '../helpers/temporal';

const ROOT = path.resolve(__dirname, '../..');

/** The real worker process (compiled), so it can be killed the way a machine dies. */
function spawnWorker(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [path.join(ROOT, 'dist/worker/main.js')], {
    env: { ...process.env, WORKER_METRICS_PORT: '0', TEMPORAL_METRICS_PORT: '0', ...env, SWITCHBOARD_CONFIG: '', LOG_LEVEL: 'warn', NODE_ENV: 'test' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

describe('a worker killed between two turns of a dialogue', () => {
  let ctx: TemporalTestContext;
  let database: TestDatabase;
  let api: TestApi;
  let doomed: ChildProcess | undefined;
  let replacement: RunningWorker | undefined;
  const taskQueue = uniqueTaskQueue('wf-conversation-crash');

  beforeAll(async () => {
    const build = spawnSync(path.join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`build failed: ${build.stdout}${build.stderr}`);
    ctx = await connectTemporal();
    database = await openTestDatabase();
    await seedDemoData(database.db);
    // The API alone: it runs no worker of its own, so only the processes below do the work.
    api = await startTestApi({ address: ctx.address, taskQueue, database });
  }, 120_000);

  afterAll(async () => {
    doomed?.kill('SIGKILL');
    await replacement?.stop();
    await api?.close();
    await database?.close();
    await ctx?.close();
  });

  const view = (workflowId: string) => getJson(`${api.baseUrl}/api/messages/${encodeURIComponent(workflowId)}`);
  async function post(chatId: string, body: string): Promise<string> {
    const res = await postJson(`${api.baseUrl}/api/messages`, { chatId, id: `crash-${randomUUID()}`, body, fromMe: false });
    expect(res.status).toBe(202);
    return res.body.workflowId as string;
  }

  it('lets the replacement finish the dialogue with the question intact, booking once', async () => {
    doomed = spawnWorker({ TEMPORAL_ADDRESS: ctx.address, TEMPORAL_TASK_QUEUE: taskQueue, ...databaseEnv(database) });
    const chatId = `crash-${randomUUID().slice(0, 8)}@c.us`;

    const first = await post(chatId, 'I want to book an appointment for next Monday');
    const offered = await eventually(() => view(first), (r) => r.body.status === 'COMPLETED', 60_000);
    expect(offered.body.pending).toMatchObject({ kind: 'choice', agent: 'appointment' });
    const second = offered.body.pending.options[1].label as string;

    // The only worker dies between the two turns, without warning.
    doomed.kill('SIGKILL');
    await new Promise((resolve) => doomed!.once('exit', resolve));

    // The answer is accepted while no worker runs, and waits.
    const answer = await post(chatId, 'the second one please');
    expect((await view(answer)).body.status).toBe('RUNNING');

    replacement = await startTestWorker(ctx, taskQueue, database.db);
    const booked = await eventually(() => view(answer), (r) => r.body.status === 'COMPLETED', 60_000);
    expect(booked.body).toMatchObject({ route: { agent: 'appointment', reason: 'answer' }, answer: { question: 'choice', reading: 'option' } });
    expect(booked.body.reply.text).toMatch(/You're booked/);
    expect(booked.body.reply.text).toContain(second);

    const appointments = await database.db.getRepository(Appointment).findBy({ chatId, status: 'booked' });
    expect(appointments).toHaveLength(1);
    expect(await database.db.getRepository(OutboundMessage).countBy({ chatId })).toBe(2);
    const state = await eventually(() => ctx.client.workflow.getHandle(conversationWorkflowId(chatId, taskQueue)).query(conversationStateQuery), (s) => s.turns === 2 && !s.turn);
    expect(state.pending).toBeUndefined();
  }, 120_000);
});
