import { randomUUID } from 'node:crypto';
import { closeHandoffUpdate, getStatusQuery, handoffReplyUpdate, messageWorkflowId, type HandleMessageInput } from '../../src/contracts';
import { AgentLog, applyDeliveryStatus, Handoff, OutboundMessage, Task } from '../../src/persistence';
import { GraphApiServer } from '../helpers/channel-servers/graph-api-server';
import type { handleMessage } from '../../src/workflows';
import { eventually } from '../helpers/api';
import { databaseEnv } from '../helpers/database';
import { startTestWorker, uniqueTaskQueue, type RunningWorker } from '../helpers/temporal';
import { spawnWorker, useCrashRig } from '../helpers/worker-process';

describe('a worker killed mid-conversation', () => {

  const rig = useCrashRig('wf-crash');

  it('resumes on another worker with one task row, one log entry per step, and no reply sent twice', async () => {
    const { ctx, database, taskQueue } = rig;
    rig.doomed = spawnWorker({ TEMPORAL_ADDRESS: ctx.address, TEMPORAL_TASK_QUEUE: taskQueue, ...databaseEnv(database) });
    const message: HandleMessageInput = { chatId: `crash-${randomUUID().slice(0, 6)}@c.us`, messageId: randomUUID(), channel: 'whatsapp', body: 'I want to talk to a human please' };
    const workflowId = messageWorkflowId('whatsapp', message.messageId);
    const handle = await ctx.client.workflow.start<typeof handleMessage>('handleMessage', { workflowId, taskQueue, args: [message] });

    // The first worker gets as far as the durable wait for a person, then dies without warning.
    await eventually(() => database.db.getRepository(Handoff).findOneBy({ workflowId }), (h) => h?.status === 'open', 30_000);
    // The row is written from inside the workflow task; the server answers a query only once
    // that task is recorded, so this is the wait as history has it, not as the row does.
    await eventually(() => handle.query(getStatusQuery), (s) => s.handoff?.status === 'waiting', 30_000);
    rig.doomed.kill('SIGKILL');
    await new Promise((resolve) => rig.doomed!.once('exit', resolve));

    rig.replacement = await startTestWorker(ctx, taskQueue, database.db);
    await handle.executeUpdate(handoffReplyUpdate, { args: [{ text: 'Hi, Sam here. How can I help?', operator: 'sam' }] });
    await handle.executeUpdate(closeHandoffUpdate, { args: [{ operator: 'sam' }] });
    const result = await handle.result();
    expect(result.handoff).toMatchObject({ status: 'closed', operator: 'sam' });

    const tasks = await database.db.getRepository(Task).findBy({ workflowId });
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ status: 'completed', assignedAgent: 'human_handoff' });
    const logs = await database.db.getRepository(AgentLog).findBy({ workflowId });
    const keys = logs.map((l) => l.logKey).sort();
    expect(keys).toEqual(['completed:human_handoff', 'created', 'delegated:human_handoff', 'replied', 'triaged']);
    const sent = await database.db.getRepository(OutboundMessage).findBy({ workflowId });
    expect(sent.map((m) => m.idempotencyKey).sort()).toEqual([`${workflowId}:operator-reply`, `${workflowId}:reply`]);
  }, 90_000);

  it('sends a reply exactly once when the worker dies after the provider accepted it', async () => {
    const { ctx, database } = rig;
    const graph = new GraphApiServer();
    await graph.start();
    const whatsapp = { ...graph.whatsappEnv() };
    const queue = uniqueTaskQueue('wf-crash-send');
    const victim = spawnWorker({ TEMPORAL_ADDRESS: ctx.address, TEMPORAL_TASK_QUEUE: queue, ...databaseEnv(database), ...whatsapp });
    let rescue: RunningWorker | undefined;
    try {
      // The Graph API takes the message, then holds its answer: the worker dies waiting for it.
      graph.enqueue({ delayMs: 120_000 });
      const waId = `8529${Math.floor(Math.random() * 9e6 + 1e6)}`;
      const message: HandleMessageInput = { chatId: `${waId}@c.us`, messageId: randomUUID(), channel: 'whatsapp', body: 'Good morning!' };
      const workflowId = messageWorkflowId('whatsapp', message.messageId);
      const handle = await ctx.client.workflow.start<typeof handleMessage>('handleMessage', { workflowId, taskQueue: queue, args: [message] });
      await eventually(async () => graph.sentMessages.filter((m) => m.to === waId).length, (n) => n === 1, 30_000);
      victim.kill('SIGKILL');
      await new Promise((resolve) => victim.once('exit', resolve));

      // Meta's status webhook arrives, echoing our idempotency key: the message did go out.
      const key = `${workflowId}:reply`;
      await applyDeliveryStatus(database.db, { provider: 'whatsapp_cloud', providerMessageId: 'wamid.accepted-before-the-crash', status: 'sent', callbackData: key });

      // Another worker retries the send activity once its timeout expires, and sends nothing.
      rescue = await startTestWorker(ctx, queue, database.db, whatsapp);
      expect((await handle.result()).step).toBe('completed');
      expect(graph.sentMessages.filter((m) => m.to === waId)).toHaveLength(1);
      expect(await database.db.getRepository(OutboundMessage).findOneByOrFail({ idempotencyKey: key })).toMatchObject({
        status: 'sent',
        providerMessageId: 'wamid.accepted-before-the-crash',
      });
    } finally {
      victim.kill('SIGKILL');
      await rescue?.stop();
      await graph.stop();
    }
  }, 120_000);
});
