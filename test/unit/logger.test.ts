import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { log as activityLog } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { initLoggerSink } from '@temporalio/worker/lib/workflow/logger';
import { createActivities } from '../../src/activities';
import { messageWorkflowId, type HandleMessageInput } from '../../src/contracts';
import { createLogger, maskContact, PinoTemporalLogger, scrubPhoneNumbers } from '../../src/observability/logger';
import { workerObservabilityOptions } from '../../src/observability/worker-observability';
import { activityDepsFromConfig } from '../../worker/activity-deps';
import { coverageSinks } from '../helpers/coverage/sinks';
import { openTestDatabase, type TestDatabase } from '../helpers/database';
import { connectTemporal, testConfig, uniqueTaskQueue, workflowBundle, type TemporalTestContext } from '../helpers/temporal';

/** A pino logger as the worker builds it, writing JSON lines into an array. */
function capturedLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const raw: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        raw.push(line);
        lines.push(JSON.parse(line));
      }
      done();
    },
  });
  const temporal = new PinoTemporalLogger(createLogger('info', 'switchboard-worker', sink));
  return { lines, raw, temporal };
}

const PHONE = '+85260552717';
const CHAT = '85260552717@c.us';
const SECRET = 'my card number is 4111 1111 1111 1111, please book me in';

describe('worker log lines: correlation ids and redaction', () => {
  it('an activity log line carries the workflow id, run id and activity type; text and phone numbers are redacted', async () => {
    const { lines, raw, temporal } = capturedLogger();
    const env = new MockActivityEnvironment(
      { activityType: 'sendReply', workflowExecution: { workflowId: 'msg:whatsapp:log-1', runId: 'run-1' }, workflowType: 'handleMessage' },
      { logger: temporal },
    );
    await env.run(async () => {
      activityLog.info(`reply sent to ${PHONE}`, { text: SECRET, from: PHONE, chatId: CHAT, to: 'ana@example.com', input: { body: SECRET }, outboundId: 'o-1' });
    });
    const line = lines.find((l) => l.msg === 'reply sent to +*******2717');
    expect(line).toMatchObject({
      level: 30,
      service: 'switchboard-worker',
      workflowId: 'msg:whatsapp:log-1',
      runId: 'run-1',
      workflowRunId: 'run-1',
      activityType: 'sendReply',
      workflowType: 'handleMessage',
      text: '[redacted]',
      from: '+*******2717',
      chatId: '*******2717@c.us',
      to: 'a***@example.com',
      input: { body: '[redacted]' },
      outboundId: 'o-1',
    });
    expect(line?.taskToken).toBe('[redacted]');
    expect(raw.join('\n')).not.toContain('4111');
    expect(raw.join('\n')).not.toContain('60552717');
  });

  describe('a workflow log line, from a real workflow on the dev server', () => {
    let ctx: TemporalTestContext;
    let database: TestDatabase;
    beforeAll(async () => {
      ctx = await connectTemporal();
      database = await openTestDatabase();
    });
    afterAll(async () => {
      await database?.close();
      await ctx?.close();
    });

    it('carries workflowId, runId and workflowType from the SDK, and never the message text', async () => {
      const { lines, raw, temporal } = capturedLogger();
      const taskQueue = uniqueTaskQueue('unit-logger');
      const worker = await Worker.create({
        connection: ctx.nativeConnection,
        taskQueue,
        workflowBundle: workflowBundle(),
        activities: createActivities(activityDepsFromConfig(testConfig({ TEMPORAL_TASK_QUEUE: taskQueue }), database.db, ctx.client)),
        ...workerObservabilityOptions(true),
        // The workflow logger's sink, as the worker wires it to the Runtime's logger (here: ours).
        sinks: { ...workerObservabilityOptions(true).sinks, ...coverageSinks(), defaultWorkerLogger: initLoggerSink(temporal).__temporal_logger },
      });
      const input: HandleMessageInput = { chatId: CHAT, messageId: randomUUID(), channel: 'whatsapp', body: `hello there, ${SECRET}` };
      const workflowId = messageWorkflowId('whatsapp', input.messageId);
      const runId = await worker.runUntil(async () => {
        const handle = await ctx.client.workflow.start('handleMessage', { workflowId, taskQueue, args: [input] });
        await handle.result();
        return handle.firstExecutionRunId;
      });

      const routed = lines.find((l) => l.msg === 'routed');
      expect(routed).toMatchObject({ workflowId, runId, workflowType: 'handleMessage', taskQueue, sdkComponent: 'workflow', service: 'switchboard-worker' });
      expect(raw.join('\n')).not.toContain('4111');
      expect(raw.join('\n')).not.toContain('60552717');
    });
  });

  it('masks contact fields down to what tells customers apart, and phone numbers inside messages', () => {
    expect(maskContact('85260552717@c.us')).toBe('*******2717@c.us');
    expect(maskContact('+14155550100')).toBe('+*******0100');
    expect(maskContact('ana.maria@example.com')).toBe('a***@example.com');
    expect(maskContact(42)).toBe('[redacted]');
    expect(scrubPhoneNumbers('sent to +14155550100 and 85260552717@c.us')).toBe('sent to +*******0100 and *******2717@c.us');
    // Plain numbers (counts, epoch seconds, order numbers) are left alone.
    expect(scrubPhoneNumbers('deleted 12345678 rows at 1767139200')).toBe('deleted 12345678 rows at 1767139200');
  });
});
