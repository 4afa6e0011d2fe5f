import { randomUUID } from 'node:crypto';
import { definitionExecutionId, type DefinitionStep } from '../../src/contracts/run-definition';
import type { runDefinition } from '../../src/workflows';
import { useTimeSkippingRig } from '../helpers/time-skipping';

const DAY = 24 * 60 * 60 * 1000;

describe('a delay step of days, on the time-skipping test server', () => {
  const rig = useTimeSkippingRig();


  it('waits two days on a durable timer, then runs what depends on it', async () => {
    const executionId = definitionExecutionId(randomUUID());
    const steps = [
      { step_id: 'wait', step_type: 'delay', duration: 2 * 24 * 60 * 60 },
      { step_id: 'check', step_type: 'condition', depends_on: ['wait'], condition: { '==': [{ var: 'input.plan' }, 'pro'] } },
    ] as DefinitionStep[];
    const before = await rig.env.currentTimeMs();

    const state = await rig.env.client.workflow.execute<typeof runDefinition>('runDefinition', {
      workflowId: executionId,
      taskQueue: rig.worker.taskQueue,
      args: [{ executionId, definition: { workflow_id: randomUUID(), version: 1, name: 'two days', steps }, input_data: { plan: 'pro' } }],
    });

    expect(await rig.env.currentTimeMs()).toBeGreaterThanOrEqual(before + 2 * DAY);
    expect(state.status).toBe('completed');
    const wait = state.steps.find((s) => s.step_id === 'wait');
    expect(wait?.status).toBe('done');
    expect(Date.parse(wait?.finished_at as string) - Date.parse(wait?.started_at as string)).toBeGreaterThanOrEqual(2 * DAY);
    expect(state.outputs.check).toEqual({ result: true });
  });
});
