import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CancelledFailure, Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { spawnSync } from 'node:child_process';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { freePort, startDevServer } from '../src/devserver/dev-server';
import { HISTORY_CASES, type CampaignCase, type CleanupCase, type DefinitionCase, type MessageCase, type ReminderCase, type SegmentCase, type TaskCase } from '../src/devserver/history-cases';
import { TaskManager } from '../src/tasks/task-manager';
import { ensureTemporalCli } from '../src/devserver/temporal-cli';
import { openDatabase, Reminder } from '../src/persistence';
import { activityDepsFromConfig } from '../worker/activity-deps';
import { createWorker } from '../worker/create-worker';
import { loadConfig } from '../src/config';
import { seedDemoData } from '../src/persistence/seed/demo-data';
import { customerRepliedSignal, definitionExecutionId, executionStateQuery, followUpWorkflowId, getStatusQuery, handoffReplyUpdate, messageWorkflowId, reminderWorkflowId, submitCallbackUpdate } from '../src/contracts';

/**
 * `npm run histories:record`: runs each case in HISTORY_CASES on a throw-away dev server
 * with the current worker code and writes its event history to test/histories/<name>.json.
 * Record new histories when a workflow changes shape; keep the old ones, which is what
 * proves a running conversation of the old shape still replays.
 */
async function main(): Promise<void> {
  const outDir = path.resolve(__dirname, '..', '..', 'test', 'histories');
  mkdirSync(outDir, { recursive: true });
  const only = process.argv.slice(2);

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
    const runMessageCase = async (c: MessageCase): Promise<string> => {
      for (const earlier of c.before ?? []) {
        const first = await client.workflow.start(c.workflowType, { workflowId: messageWorkflowId(earlier.channel, earlier.messageId), taskQueue, args: [earlier] });
        await first.result();
      }
      const workflowId = messageWorkflowId(c.input.channel, c.input.messageId);
      const handle = await client.workflow.start(c.workflowType, { workflowId, taskQueue, args: [c.input] });
      if (c.operatorReply) {
        while ((await handle.query(getStatusQuery)).step !== 'waiting_for_human') await new Promise((r) => setTimeout(r, 100));
        await handle.executeUpdate(handoffReplyUpdate, { args: [c.operatorReply] });
      }
      if (c.cancelWhileWaiting) {
        while ((await handle.query(getStatusQuery)).step !== 'waiting_for_human') await new Promise((r) => setTimeout(r, 100));
        await handle.cancel();
        const cancelled = await handle.result().then(
          () => false,
          (err: unknown) => err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure,
        );
        if (!cancelled) throw new Error(`${c.name}: the conversation did not end cancelled`);
        return workflowId;
      }
      await handle.result();
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
      await client.workflow.execute(c.workflowType, { workflowId, taskQueue, args: [{ olderThanDays: c.olderThanDays }] });
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
      for (const c of HISTORY_CASES.filter((h) => only.length === 0 || only.includes(h.name))) {
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
