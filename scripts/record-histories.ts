import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CancelledFailure, Client, Connection, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { spawnSync } from 'node:child_process';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { startDevServer } from '../src/devserver/dev-server';
import { freePort } from '../src/devserver/free-port';
import { HISTORY_CASES, type CampaignCase, type CleanupCase, type ConversationCase, type DefinitionCase, type MessageCase, type ReminderCase, type SegmentCase, type TaskCase } from '../src/devserver/history-cases';
import { signalArrival } from '../src/temporal/conversation-intake';
import { TaskManager } from '../src/tasks/task-manager';
import { ensureTemporalCli } from '../src/devserver/temporal-cli';
import { openDatabase, Reminder } from '../src/persistence';
import { activityDepsFromConfig } from '../worker/activity-deps';
import { createWorker } from '../worker/create-worker';
import { loadConfig } from '../src/config';
import { seedDemoData } from '../src/persistence/seed/demo-data';
import {
  closeHandoffUpdate,
  conversationWorkflowId,
  customerRepliedSignal,
  definitionExecutionId,
  executionStateQuery,
  followUpWorkflowId,
  getStatusQuery,
  handoffReplyUpdate,
  messageWorkflowId,
  reminderWorkflowId,
  submitCallbackUpdate,
  type HandleMessageInput,
} from '../src/contracts';

/**
 * `npm run histories:record`: runs each case in HISTORY_CASES on a throw-away dev server
 * with the current worker code and writes its event history to test/histories/<name>.json.
 * Record new histories when a workflow changes shape; keep the old ones, which is what
 * proves a running conversation of the old shape still replays.
 */
async function main(): Promise<void> {
  const outDir = path.resolve(__dirname, '..', '..', 'test', 'histories');
  mkdirSync(outDir, { recursive: true });
  const force = process.argv.includes('--force');
  const only = process.argv.slice(2).filter((a) => a !== '--force');

  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  const cli = await ensureTemporalCli();
  const server = await startDevServer({ cliPath: cli.path, port: await freePort(), stdio: 'ignore' });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-record-'));
  const db = await openDatabase({ dataDir });
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const taskQueue = 'record-histories';
  try {
    const config = loadConfig({ SWITCHBOARD_CONFIG: '', LOG_LEVEL: 'warn' });
    await seedDemoData(db);
    const worker = await createWorker({ connection: nativeConnection, namespace: 'default', taskQueue, deps: activityDepsFromConfig({ ...config, temporal: { ...config.temporal, taskQueue } }, db, client) });
    /** Starts a message as its starter would; the API's way (`handedOver`) also signals its conversation. */
    const startMessage = async (input: HandleMessageInput, idleSeconds?: number) => {
      const workflowId = messageWorkflowId(input.channel, input.messageId);
      const handle = await client.workflow.start('handleMessage', { workflowId, taskQueue, args: [input] });
      if (input.handedOver) {
        const chatRef = input.chatRef ?? input.chatId;
        await signalArrival(client, taskQueue, { chatId: input.chatId, chatRef, channel: input.channel, settings: idleSeconds ? { idleSeconds } : undefined }, { workflowId, channel: input.channel, at: new Date().toISOString(), body: input.body });
      }
      return { workflowId, handle };
    };
    const waitForStep = async (handle: WorkflowHandle, step: string) => {
      while ((await handle.query(getStatusQuery)).step !== step) await new Promise((r) => setTimeout(r, 100));
    };
    const runMessageCase = async (c: MessageCase): Promise<string> => {
      for (const earlier of c.before ?? []) await (await startMessage(earlier)).handle.result();
      const { workflowId, handle } = await startMessage(c.input);
      const burst = [];
      for (const next of c.burst ?? []) burst.push(await startMessage(next));
      let recorded = workflowId;
      if (c.during) {
        await waitForStep(handle, 'waiting_for_human');
        const during = await startMessage(c.during);
        await during.handle.result();
        if (c.recordDuring) recorded = during.workflowId;
      }
      if (c.operatorReply) {
        await waitForStep(handle, 'waiting_for_human');
        await handle.executeUpdate(handoffReplyUpdate, { args: [c.operatorReply] });
        if (c.closeAfterReply) await handle.executeUpdate(closeHandoffUpdate, { args: [{ operator: c.operatorReply.operator }] });
      }
      if (c.cancelWhileWaiting) {
        await waitForStep(handle, 'waiting_for_human');
        await handle.cancel();
        const cancelled = await handle.result().then(
          () => false,
          (err: unknown) => err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure,
        );
        if (!cancelled) throw new Error(`${c.name}: the conversation did not end cancelled`);
        return workflowId;
      }
      await handle.result();
      for (const b of burst) await b.handle.result();
      if (c.recordLast) {
        const last = burst[burst.length - 1];
        const result = await last.handle.result();
        if (!result.answeredBy) throw new Error(`${c.name}: the last message of the burst ran a turn of its own; record again`);
        recorded = last.workflowId;
      }
      return recorded;
    };
    const runConversationCase = async (c: ConversationCase): Promise<string> => {
      for (const message of c.messages) await (await startMessage(message, c.idleSeconds)).handle.result();
      const first = c.messages[0];
      const workflowId = conversationWorkflowId(first.chatRef ?? first.chatId, taskQueue);
      await client.workflow.getHandle(workflowId).result();
      return workflowId;
    };
    const runReminderCase = async (c: ReminderCase): Promise<string> => {
      const reminder = await db.getRepository(Reminder).findOneByOrFail({ workflowId: messageWorkflowId('whatsapp', c.reminderOfMessage) });
      // The scheduled timer waits for its real due time; a copy due now records the firing.
      await client.workflow.getHandle(reminderWorkflowId(reminder.id)).terminate('recorded as due below');
      const workflowId = `reminder-due:${reminder.id}`;
      const handle = await client.workflow.start(c.workflowType, {
        workflowId,
        taskQueue,
        args: [{ reminderId: reminder.id, chatId: reminder.chatId, channel: 'whatsapp', remindAt: new Date(Date.now() + 1000).toISOString(), language: 'en' }],
      });
      await handle.result();
      return workflowId;
    };
    const runTaskCase = async (c: TaskCase): Promise<string> => {
      const task = await new TaskManager(db, client, taskQueue).create(c.task);
      await client.workflow.getHandle(task.workflowId).result();
      return task.workflowId;
    };
    const runCleanupCase = async (c: CleanupCase): Promise<string> => {
      const workflowId = `history-cleanup-${Date.now()}`;
      await client.workflow.execute(c.workflowType, { workflowId, taskQueue, args: [{ olderThanDays: c.olderThanDays, transcriptOlderThanDays: c.transcriptOlderThanDays }] });
      return workflowId;
    };
    const runCampaignCase = async (c: CampaignCase): Promise<string> => {
      const workflowId = followUpWorkflowId(c.input.chatId, c.input.purpose);
      const handle = await client.workflow.start('followUpCampaign', { workflowId, taskQueue, args: [c.input] });
      if (c.replyAfterMs !== undefined) {
        await new Promise((r) => setTimeout(r, c.replyAfterMs));
        await handle.signal(customerRepliedSignal, { at: new Date().toISOString() });
      }
      await handle.result();
      return workflowId;
    };
    const runSegmentCase = async (c: SegmentCase): Promise<string> => {
      const workflowId = `history-segment-${Date.now()}`;
      await client.workflow.execute('segmentCampaign', { workflowId, taskQueue, args: [c.input] });
      return workflowId;
    };
    const runDefinitionCase = async (c: DefinitionCase): Promise<string> => {
      const executionId = definitionExecutionId(randomUUID());
      const handle = await client.workflow.start('runDefinition', { workflowId: executionId, taskQueue, args: [{ executionId, definition: c.definition, input_data: c.input_data }] });
      for (const callback of c.callbacks ?? []) {
        for (;;) {
          const state = await handle.query(executionStateQuery);
          if (state.steps.some((s) => s.step_id === callback.step_id && s.waiting_for_callback)) break;
          if (state.status !== 'running') throw new Error(`${c.name}: ${callback.step_id} never waited (${state.status})`);
          await new Promise((r) => setTimeout(r, 100));
        }
        await handle.executeUpdate(submitCallbackUpdate, { args: [callback] });
      }
      await handle.result();
      return executionId;
    };
    await worker.runUntil(async () => {
      // A file already recorded is the proof that runs of its shape still replay: it is kept
      // unless named on the command line (or --force), never silently re-recorded in a new shape.
      const cases = HISTORY_CASES.filter((h) => (only.length === 0 ? force || !existsSync(path.join(outDir, `${h.name}.json`)) : only.includes(h.name)));
      for (const c of cases) {
        const workflowId =
          c.workflowType === 'handleMessage'
            ? await runMessageCase(c)
            : c.workflowType === 'sendReminder'
              ? await runReminderCase(c)
              : c.workflowType === 'runTask'
                ? await runTaskCase(c)
                : c.workflowType === 'cleanupTasks'
                  ? await runCleanupCase(c)
                  : c.workflowType === 'followUpCampaign'
                    ? await runCampaignCase(c)
                    : c.workflowType === 'segmentCampaign'
                      ? await runSegmentCase(c)
                      : c.workflowType === 'conversation'
                        ? await runConversationCase(c)
                        : await runDefinitionCase(c);
        // The CLI writes the canonical proto3 JSON that the Web UI exports and
        // historyFromJSON reads back.
        const shown = spawnSync(
          cli.path,
          ['workflow', 'show', '--workflow-id', workflowId, '--address', server.address, '--output', 'json'],
          { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
        );
        if (shown.status !== 0) throw new Error(`temporal workflow show failed: ${shown.stderr}`);
        const events = (JSON.parse(shown.stdout) as { events: unknown[] }).events.length;
        writeFileSync(path.join(outDir, `${c.name}.json`), shown.stdout.endsWith('\n') ? shown.stdout : `${shown.stdout}\n`);
        process.stdout.write(`recorded ${c.name} (${events} events)\n`);
      }
    });
  } finally {
    await connection.close();
    await nativeConnection.close();
    await db.destroy();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
