import type { ConditionStep } from '../../contracts/run-definition';
import { evaluateCondition } from '../../domain/workflow-definitions/conditions';
import { StepError } from './failures';
import type { StepContext, StepResult } from './run-context';

/**
 * A `condition` step: its JSON Logic rule over `{ input, steps: { id: { output } } }`. The
 * output `{ result }` decides which of the steps it names in `then`/`else` run (the scheduler's
 * skip rules read it).
 */
export async function executeCondition(step: ConditionStep, { run }: StepContext): Promise<StepResult> {
  const data = { input: run.inputData, steps: Object.fromEntries(Object.entries(run.state.outputs).map(([id, output]) => [id, { output }])) };
  const evaluated = evaluateCondition(step.condition, data);
  if (!evaluated.ok) throw new StepError(evaluated.message, 'ConditionError', 1);
  return { output: { result: evaluated.result }, attempts: 1 };
}
