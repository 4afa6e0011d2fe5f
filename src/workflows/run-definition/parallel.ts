import type { ParallelStep } from '../../contracts/run-definition';
import { DEFINITION_LIMITS } from '../../domain/workflow-definitions/limits';
import { boundedAll } from './bounded-all';
import { runInnerStep } from './inner-step';
import { templateContext, type StepContext, type StepResult } from './run-context';

/** A `parallel` step: its fixed branches at once (bounded); the output maps each branch's id to its output. */
export async function executeParallel(step: ParallelStep, { run, upstream }: StepContext): Promise<StepResult> {
  const outputs = await boundedAll(
    step.branches,
    step.max_concurrency ?? DEFINITION_LIMITS.defaultConcurrency,
    async (branch) => (await runInnerStep(run, branch, `${step.step_id}.${branch.step_id}`, templateContext(run), upstream)).output,
    (i) => `branch "${step.branches[i]?.step_id}"`,
  );
  return { output: Object.fromEntries(step.branches.map((b, i) => [b.step_id, outputs[i]])), attempts: 1 };
}
