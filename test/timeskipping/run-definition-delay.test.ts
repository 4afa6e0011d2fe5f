import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { definitionExecutionId, type DefinitionStep } from '../../src/contracts/run-definition';
import type { runDefinition } from '../../src/workflows';
import { openTestDatabase, type TestDatabase } from '../helpers/database';
import type { RunningWorker } from '../helpers/temporal';
import { createTimeSkippingEnv, startTimeSkippingWorker } from '../helpers/time-skipping';

const DAY = 24 * 60 * 60 * 1000;
/** The first run on a machine fetches the test server with Maven (about a minute on an empty ~/.m2). */
const PROVISIONING_TIMEOUT_MS = 5 * 60_000;

describe('a delay step of days, on the time-skipping test server', () => {
  let env: TestWorkflowEnvironment;
  let database: TestDatabase;
  let worker: RunningWorker & { taskQueue: string };

  beforeAll(async () => {
    env = await createTimeSkippingEnv();
    database = await openTestDatabase();
    worker = await startTimeSkippingWorker(env, database.db);
  }, PROVISIONING_TIMEOUT_MS);

  afterAll(async () => {
    await worker?.stop();
    await env?.teardown();
    await database?.close();
  });

  it('waits two days on a durable timer, then runs what depends on it', async () => {
    const executionId = definitionExecutionId(randomUUID());
    const steps = [
      { step_id: 'wait', step_type: 'delay', duration: 2 * 24 * 60 * 60 },
      { step_id: 'check', step_type: 'condition', depends_on: ['wait'], condition: { '==': [{ var: 'input.plan' }, 'pro'] } },
    ] as DefinitionStep[];
    const before = await env.currentTimeMs();

    const state = await env.client.workflow.execute<typeof runDefinition>('runDefinition', {
      workflowId: executionId,
      taskQueue: worker.taskQueue,
      args: [{ executionId, definition: { workflow_id: randomUUID(), version: 1, name: 'two days', steps }, input_data: { plan: 'pro' } }],
    });

    expect(await env.currentTimeMs()).toBeGreaterThanOrEqual(before + 2 * DAY);
    expect(state.status).toBe('completed');
    const wait = state.steps.find((s) => s.step_id === 'wait');
    expect(wait?.status).toBe('done');
    expect(Date.parse(wait?.finished_at as string) - Date.parse(wait?.started_at as string)).toBeGreaterThanOrEqual(2 * DAY);
    expect(state.outputs.check).toEqual({ result: true });
  });
});
