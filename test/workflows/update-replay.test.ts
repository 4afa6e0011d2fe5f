import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { closeHandoffUpdate, getStatusQuery, handoffReplyUpdate, messageWorkflowId, type HandleMessageInput } from '../../src/contracts';
import { definitionExecutionId, executionStateQuery, submitCallbackUpdate, type DefinitionStep, type ExecutionState } from '../../src/contracts/run-definition';
import { workerObservabilityOptions } from '../../src/observability/worker-observability';
import { seedDemoData } from '../../src/persistence/seed/demo-data';
import type { handleMessage, runDefinition } from '../../src/workflows';
import { eventually } from '../helpers/api';
import { coverageSinks } from '../helpers/coverage/sinks';
import { openTestDatabase, type TestDatabase } from '../helpers/database';
import { connectTemporal, startTestWorker, uniqueTaskQueue, workflowBundle, type RunningWorker, type TemporalTestContext } from '../helpers/temporal';

/**
 * An update that its validator rejects leaves nothing in the history: the server drops the
 * speculative workflow task that carried it, including the SDK flags first used in it (here
 * the one that gates the OpenTelemetry update span, flag 6), while the worker believes they
 * were written. A valid update accepted afterwards, which ends a `condition(…, timeout)` wait,
 * is then replayed without that flag, so its handler takes fewer microtasks than it did live.
 * The history must still replay: a worker does so after an eviction, for a query on a
 * closed run, or after a deploy.
 */
describe('replay after a rejected update followed by an accepted one', () => {
  let temporal: TemporalTestContext;
  let database: TestDatabase;
  let worker: RunningWorker;
  const taskQueue = uniqueTaskQueue('update-replay');

  beforeAll(async () => {
    temporal = await connectTemporal();
    database = await openTestDatabase();
    await seedDemoData(database.db);
    worker = await startTestWorker(temporal, taskQueue, database.db);
  });

  afterAll(async () => {
    await worker?.stop();
    await database?.close();
    await temporal?.close();
  });

  /** Replays the run's history as the replay suite does: shared bundle, production sinks and interceptors. */
  async function replay(handle: WorkflowHandle): Promise<void> {
    const history = await handle.fetchHistory();
    const observability = workerObservabilityOptions(true);
    await Worker.runReplayHistory({ workflowBundle: workflowBundle(), replayName: 'update-replay', ...observability, sinks: { ...observability.sinks, ...coverageSinks() } }, history, handle.workflowId);
  }

  async function rejectedWith(promise: Promise<unknown>): Promise<string | null | undefined> {
    const err = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    return ((err as WorkflowUpdateFailedError).cause as ApplicationFailure).type;
  }

  async function waitForCallback(handle: WorkflowHandle, stepId: string): Promise<ExecutionState> {
    return eventually(
      () => handle.query(executionStateQuery),
      (s) => s.steps.some((st) => st.step_id === stepId && st.waiting_for_callback === true),
    );
  }

  async function startDefinition(steps: DefinitionStep[]): Promise<WorkflowHandle<typeof runDefinition>> {
    const executionId = definitionExecutionId(randomUUID());
    return temporal.client.workflow.start<typeof runDefinition>('runDefinition', {
      workflowId: executionId,
      taskQueue,
      args: [{ executionId, definition: { workflow_id: randomUUID(), version: 1, name: 'update replay', steps }, input_data: {} }],
    });
  }

  it('runDefinition: a callback for a wrong step, then the right one', async () => {
    const handle = await startDefinition([
      { step_id: 'first', step_type: 'callback', timeout: 600 },
      { step_id: 'second', step_type: 'callback', timeout: 600, depends_on: ['first'] },
    ]);
    await waitForCallback(handle, 'first');
    expect(await rejectedWith(handle.executeUpdate(submitCallbackUpdate, { args: [{ step_id: 'second', data: 'too soon' }] }))).toBe('CallbackNotWaiting');
    expect(await handle.executeUpdate(submitCallbackUpdate, { args: [{ step_id: 'first', data: { note: 'ok' } }] })).toMatchObject({ step_id: 'first', waiting_for_callback: false });
    await waitForCallback(handle, 'second');
    expect(await rejectedWith(handle.executeUpdate(submitCallbackUpdate, { args: [{ step_id: 'first', data: 'twice' }] }))).toBe('CallbackNotWaiting');
    await handle.executeUpdate(submitCallbackUpdate, { args: [{ step_id: 'second', data: 'done' }] });
    const state = await handle.result();
    expect(state).toMatchObject({ status: 'completed', outputs: { first: { note: 'ok' }, second: 'done' } });
    await replay(handle);
  });

  it('runDefinition: a callback with no rejected update before it (control)', async () => {
    const handle = await startDefinition([{ step_id: 'only', step_type: 'callback', timeout: 600 }]);
    await waitForCallback(handle, 'only');
    await handle.executeUpdate(submitCallbackUpdate, { args: [{ step_id: 'only', data: 1 }] });
    expect(await handle.result()).toMatchObject({ status: 'completed', outputs: { only: 1 } });
    await replay(handle);
  });

  it('handleMessage: an empty operator reply, then a real one', async () => {
    const message: HandleMessageInput = { chatId: `${randomUUID().slice(0, 8)}@c.us`, messageId: randomUUID(), channel: 'whatsapp', body: 'I need to talk to a human about my bill' };
    const handle = await temporal.client.workflow.start<typeof handleMessage>('handleMessage', { workflowId: messageWorkflowId(message.channel, message.messageId), taskQueue, args: [message] });
    await eventually(
      () => handle.query(getStatusQuery),
      (s) => s.step === 'waiting_for_human',
    );
    expect(await rejectedWith(handle.executeUpdate(handoffReplyUpdate, { args: [{ text: '   ', operator: 'maria' }] }))).toBe('ValidationError');
    const sent = await handle.executeUpdate(handoffReplyUpdate, { args: [{ text: 'Hello, Maria here.', operator: 'maria' }] });
    expect(sent.text).toBe('Hello, Maria here.');
    // The person holds the chat until they hand it back: another update, accepted.
    expect(await handle.executeUpdate(closeHandoffUpdate, { args: [{ operator: 'maria' }] })).toMatchObject({ status: 'closed' });
    expect((await handle.result()).handoff).toMatchObject({ status: 'closed', operator: 'maria' });
    await replay(handle);
  });
});
