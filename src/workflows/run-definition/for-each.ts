import type { ForEachStep } from '../../contracts/run-definition';
import { DEFINITION_LIMITS } from '../../domain/workflow-definitions/limits';
import { renderString } from '../../domain/workflow-definitions/templates';
import { boundedAll } from './bounded-all';
import { StepError } from './failures';
import { runInnerStep } from './inner-step';
import { templateContext, type StepContext, type StepResult } from './run-context';

/** A `for_each` step: its inner step once per element of `items` (bounded, `{{item}}` and `{{index}}` bound); the output is the list of outputs. */
export async function executeForEach(step: ForEachStep, { run, upstream }: StepContext): Promise<StepResult> {
  const items = renderString(step.items, templateContext(run));
  if (!Array.isArray(items)) throw new StepError(`items "${step.items}" resolved to ${items === null ? 'nothing' : typeof items}, not a list`, 'InvalidItems', 1);
  if (items.length > DEFINITION_LIMITS.maxForEachItems) {
    throw new StepError(`items "${step.items}" has ${items.length} elements; a for_each step takes at most ${DEFINITION_LIMITS.maxForEachItems}`, 'InvalidItems', 1);
  }
  const outputs = await boundedAll(
    items,
    step.max_concurrency ?? DEFINITION_LIMITS.defaultConcurrency,
    async (item, index) => (await runInnerStep(run, step.step, `${step.step_id}.${step.step.step_id}[${index}]`, { ...templateContext(run), item, index }, upstream)).output,
    (i) => `item ${i}`,
  );
  return { output: outputs, attempts: 1 };
}
