import { setHandler, TemporalFailure } from '@temporalio/workflow';
import { executionStateQuery, type RunDefinitionInput, type RunDefinitionResult } from '../contracts/run-definition';
import { acceptCallbacks } from './run-definition/callback';
import { failInterpreterError, failInvalidDefinition } from './run-definition/outcome';
import { startRun } from './run-definition/run-context';
import { runSteps } from './run-definition/scheduler';
import { checkDefinition } from './run-definition/validation';

/**
 * The interpreter of user-defined workflows (seed 004): one run executes one stored
 * definition version as a DAG. Steps start when their dependencies finish; independent
 * steps run at once. State is queryable at any time (`executionStateQuery`); callback steps
 * wait for `submitCallbackUpdate` (an update, because the API answers 409 when the step is
 * not waiting). Nothing a user can submit throws a plain Error here: a bad definition fails
 * the run with `InvalidDefinition`, a failed step with `StepFailed`.
 *
 * The parts live in `./run-definition/`: `scheduler.ts` walks the DAG, one executor per step
 * type (`agent-task.ts`, `http.ts`, `condition.ts`, `delay.ts`, `callback.ts`, `parallel.ts`,
 * `for-each.ts`, `sub-workflow.ts`), `outcome.ts` ends the run.
 */
export async function runDefinition(input: RunDefinitionInput): Promise<RunDefinitionResult> {
  const run = startRun(input, runDefinition);
  setHandler(executionStateQuery, () => run.state);
  acceptCallbacks(run);

  const checked = checkDefinition(input?.definition, run.state.workflow_id);
  if (!checked.ok) return failInvalidDefinition(run, checked.errors);

  try {
    return await runSteps(run, checked.definition.steps);
  } catch (err) {
    if (err instanceof TemporalFailure) throw err;
    return failInterpreterError(run, err);
  }
}
