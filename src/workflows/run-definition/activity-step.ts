import { CancellationScope, isCancellation } from '@temporalio/workflow';
import type { InnerStep, StepActivityResult, StepState } from '../../contracts/run-definition';
import { activitiesFor, type StepActivities } from './activity-proxies';
import { describeFailure, failedAttempts, StepError } from './failures';
import type { StepResult } from './run-context';

/** Calls the step's activity: synchronous up to the call, so the command goes out in the same turn. */
export type ActivityCall = (activities: StepActivities) => Promise<StepActivityResult>;

/**
 * Runs an `agent_task` or `http` step (top level, a parallel branch or a for_each item) under
 * its own retry policy. A failure becomes a StepError carrying the attempts known; `st`, when
 * given, gets them at once. Cancellation passes through untouched.
 */
export async function runActivityStep(step: InnerStep, stepId: string, call: ActivityCall, st?: StepState): Promise<StepResult> {
  const { activities, maximumAttempts } = activitiesFor(step, stepId);
  let result: StepActivityResult;
  try {
    result = await call(activities);
  } catch (err) {
    if (isCancellation(err) && CancellationScope.current().consideredCancelled) throw err;
    const { message, type } = describeFailure(err);
    const attempts = failedAttempts(err, maximumAttempts);
    if (st && attempts !== undefined) st.attempts = attempts;
    throw new StepError(message, type, attempts);
  }
  const attempt = typeof result?.attempt === 'number' && result.attempt >= 1 ? result.attempt : 1;
  return { output: result?.output ?? null, attempts: attempt };
}
