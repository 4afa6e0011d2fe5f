import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import { submitCallbackUpdate, type CallbackInput, type CallbackStep, type StepState } from '../../contracts/run-definition';
import { jsonValueProblems } from '../../domain/workflow-definitions/limits';
import { StepError } from './failures';
import type { DefinitionRun, StepContext, StepResult } from './run-context';

/**
 * Callback steps and the update that feeds them. The handshake runs on the step's
 * `waiting_for_callback`: the step sets it (true) and waits for its callback; the update
 * accepts a callback only while it is true, sets it to false and completes once the step
 * has taken the callback and cleared it (undefined).
 */

const DEFAULT_CALLBACK_TIMEOUT_S = 7 * 24 * 60 * 60;

/** A `callback` step: waits for `submitCallbackUpdate` (or fails after `timeout`); `approved: false` fails it. */
export async function executeCallback(step: CallbackStep, { run, st }: StepContext): Promise<StepResult> {
  st.waiting_for_callback = true;
  const arrived = await condition(() => run.callbacks.has(step.step_id), (step.timeout ?? DEFAULT_CALLBACK_TIMEOUT_S) * 1000);
  st.waiting_for_callback = undefined;
  if (!arrived) throw new StepError('callback timed out', 'CallbackTimeout', 1);
  const callback = run.callbacks.get(step.step_id) as CallbackInput;
  if (callback.approved === false) throw new StepError(`rejected by ${callback.by ?? 'an unnamed approver'}`, 'CallbackRejected', 1);
  return { output: callback.data ?? null, attempts: 1 };
}

/** Registers `submitCallbackUpdate`: an update, because the API answers 409 when the step is not waiting. */
export function acceptCallbacks(run: DefinitionRun): void {
  setHandler(
    submitCallbackUpdate,
    async (callback) => {
      run.callbacks.set(callback.step_id, callback);
      const step = run.state.steps.find((s) => s.step_id === callback.step_id) as StepState;
      step.waiting_for_callback = false;
      const accepted = { ...step };
      // Complete only once the step's wait has taken the callback (and cancelled its timer, and
      // started what follows). Completing in the same round as the wait ends would order the
      // UpdateCompleted command against the main code's commands by the number of microtasks
      // the update interceptors take, and that number changes on replay when the SDK flag that
      // gates the OpenTelemetry update span was first used in a rejected (speculative, hence
      // discarded) workflow task: the history then fails to replay with "Update machine does
      // not handle this event: TimerCanceled". See test/workflows/update-replay.test.ts.
      await condition(() => step.waiting_for_callback !== false);
      return accepted;
    },
    { validator: (callback) => checkCallback(run, callback) },
  );
}

/** Refuses (before anything is recorded) a malformed callback or one for a step that is not waiting. */
function checkCallback(run: DefinitionRun, callback: CallbackInput): void {
  if (typeof callback !== 'object' || callback === null || typeof callback.step_id !== 'string') {
    throw ApplicationFailure.nonRetryable('a callback names its step: { step_id, data?, approved?, by? }', 'InvalidCallback');
  }
  if (callback.approved !== undefined && typeof callback.approved !== 'boolean') throw ApplicationFailure.nonRetryable('approved is a boolean', 'InvalidCallback');
  if (callback.by !== undefined && (typeof callback.by !== 'string' || callback.by.length > 200)) throw ApplicationFailure.nonRetryable('by is a string of at most 200 characters', 'InvalidCallback');
  const problems = jsonValueProblems(callback.data ?? null);
  if (problems.length > 0) throw ApplicationFailure.nonRetryable(`data: ${problems[0]?.message}`, 'InvalidCallback');
  const step = run.state.steps.find((s) => s.step_id === callback.step_id);
  if (!step) throw ApplicationFailure.nonRetryable(`no step "${callback.step_id}" in this execution`, 'CallbackNotWaiting');
  if (step.step_type !== 'callback') throw ApplicationFailure.nonRetryable(`step "${callback.step_id}" is a ${step.step_type} step, not a callback`, 'CallbackNotWaiting');
  if (!step.waiting_for_callback || run.callbacks.has(callback.step_id)) {
    throw ApplicationFailure.nonRetryable(`callback step "${callback.step_id}" is not waiting (it is ${step.status})`, 'CallbackNotWaiting');
  }
}
