import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { handoffReplyUpdate, messageWorkflowId, type HandleMessageInput } from '../../src/contracts';
import { AgentLog, Handoff, OutboundMessage, Task } from '../../src/persistence';
import type { handleMessage } from '../../src/workflows';
import { eventually } from '../helpers/api';
import { databaseEnv, openTestDatabase, type TestDatabase } from '../helpers/database';
import { connectTemporal, startTestWorker, uniqueTaskQueue, type RunningWorker, type TemporalTestContext } from '../helpers/temporal';

const ROOT = path.resolve(__dirname, '../..');

/** The real worker process (compiled), so it can be killed the way a machine dies. */
function spawnWorker(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [path.join(ROOT, 'dist/worker/main.js')], {
    env: { ...process.env, ...env, SWITCHBOARD_CONFIG: '', LOG_LEVEL: 'warn', NODE_ENV: 'test' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

describe('a worker killed mid-conversation', () => {
  let ctx: TemporalTestContext;
  let database: TestDatabase;
  let replacement: RunningWorker | undefined;
  let doomed: ChildProcess | undefined;
  const taskQueue = uniqueTaskQueue('wf-crash');

  beforeAll(async () => {
    // The compiled worker is what `npm run worker` runs; build it (incremental, fast when current).
    const build = spawnSync(path.join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`build failed: ${build.stdout}${build.stderr}`);
    ctx = await connectTemporal();
    database = await openTestDatabase();
  }, 120_000);

  afterAll(async () => {
    doomed?.kill('SIGKILL');
    await replacement?.stop();
    await database?.close();
    await ctx?.close();
  });

  it('resumes on another worker with one task row, one log entry per step, and no reply sent twice', async () => {
    doomed = spawnWorker({ TEMPORAL_ADDRESS: ctx.address, TEMPORAL_TASK_QUEUE: taskQueue, ...databaseEnv(database) });
    const message: HandleMessageInput = { chatId: `crash-${randomUUID().slice(0, 6)}@c.us`, messageId: randomUUID(), channel: 'whatsapp', body: 'I want to talk to a human please' };
    const workflowId = messageWorkflowId('whatsapp', message.messageId);
    const handle = await ctx.client.workflow.start<typeof handleMessage>('handleMessage', { workflowId, taskQueue, args: [message] });

    // The first worker gets as far as the durable wait for a person, then dies without warning.
    await eventually(() => database.db.getRepository(Handoff).findOneBy({ workflowId }), (h) => h?.status === 'open', 30_000);
    doomed.kill('SIGKILL');
    await new Promise((resolve) => doomed!.once('exit', resolve));

    replacement = await startTestWorker(ctx, taskQueue, database.db);
    await handle.executeUpdate(handoffReplyUpdate, { args: [{ text: 'Hi, Sam here. How can I help?', operator: 'sam' }] });
    const result = await handle.result();
    expect(result.handoff).toMatchObject({ status: 'answered', operator: 'sam' });

    const tasks = await database.db.getRepository(Task).findBy({ workflowId });
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ status: 'completed', assignedAgent: 'human_handoff' });
    const logs = await database.db.getRepository(AgentLog).findBy({ workflowId });
    const keys = logs.map((l) => l.logKey).sort();
    expect(keys).toEqual(['completed:human_handoff', 'created', 'delegated:human_handoff', 'replied', 'triaged']);
    const sent = await database.db.getRepository(OutboundMessage).findBy({ workflowId });
    expect(sent.map((m) => m.idempotencyKey).sort()).toEqual([`${workflowId}:operator-reply`, `${workflowId}:reply`]);
  }, 90_000);
});
