import { ApplicationFailure, CancellationScope, CancelledFailure, log } from '@temporalio/workflow';
import type { ExecutionStatus, RunDefinitionResult } from '../../contracts/run-definition';
import type { DefinitionError } from '../../domain/workflow-definitions/validate';
import { bookkeeping } from './activity-proxies';
import { describeFailure } from './failures';
import { now, type DefinitionRun } from './run-context';

/**
 * How a run ends: its final status in the state and the execution's row, then its result or
 * the failure the caller sees. Nothing a user can submit ends it with a plain Error: a bad
 * definition fails it with `InvalidDefinition`, a failed step with `StepFailed`.
 */

/** The step that failed the run, and why. */
export interface RunFailure {
  step_id: string;
  message: string;
}

/** Sets the final status and records it on the execution's row. */
export async function finishRun(run: DefinitionRun, status: ExecutionStatus): Promise<void> {
  const { state } = run;
  state.status = status;
  state.finished_at = now();
  // Recording must happen even while the run is being cancelled; a failure to record
  // leaves the state queryable in Temporal and is logged, not turned into a run failure.
  await CancellationScope.nonCancellable(async () => {
    try {
      await bookkeeping.recordExecution({ execution_id: run.executionId, status, finished_at: state.finished_at, ...(state.error ? { error: state.error } : {}) });
    } catch (err) {
      log.warn('recordExecution failed', { executionId: run.executionId, error: describeFailure(err).message });
    }
  });
}

/** After the steps: failed at a step, cancelled, or completed with the state as result. */
export async function concludeRun(run: DefinitionRun, failure: RunFailure | undefined): Promise<RunDefinitionResult> {
  if (failure) {
    run.state.error = failure;
    await finishRun(run, 'failed');
    throw ApplicationFailure.create({ message: `step "${failure.step_id}" failed: ${failure.message}`, type: 'StepFailed', nonRetryable: true, details: [failure] });
  }
  if (CancellationScope.current().consideredCancelled) {
    run.state.error = { message: 'execution cancelled' };
    await finishRun(run, 'cancelled');
    throw new CancelledFailure('execution cancelled');
  }
  await finishRun(run, 'completed');
  return run.state;
}

/** The definition failed validation: no step runs; the first problems are in the message, all in the details. */
export async function failInvalidDefinition(run: DefinitionRun, errors: DefinitionError[]): Promise<never> {
  const summary = errors
    .slice(0, 5)
    .map((e) => `${e.field}: ${e.message}`)
    .join('; ');
  run.state.error = { message: `invalid definition: ${summary}` };
  await finishRun(run, 'failed');
  throw ApplicationFailure.create({ message: run.state.error.message, type: 'InvalidDefinition', nonRetryable: true, details: [errors] });
}

/** A bug in the interpreter ends this run; retrying the workflow task would loop forever. */
export async function failInterpreterError(run: DefinitionRun, err: unknown): Promise<never> {
  const message = err instanceof Error ? err.message : String(err);
  run.state.error = { message: `interpreter error: ${message}` };
  await finishRun(run, 'failed');
  throw ApplicationFailure.nonRetryable(run.state.error.message, 'InterpreterError');
}
