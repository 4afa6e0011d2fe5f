import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  condition,
  executeChild,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  sleep,
  TemporalFailure,
  TimeoutFailure,
} from '@temporalio/workflow';
import {
  childExecutionId,
  executionStateQuery,
  submitCallbackUpdate,
  type CallbackInput,
  type DefinitionActivities,
  type DefinitionStep,
  type ExecutionState,
  type ExecutionStatus,
  type HttpMethod,
  type InnerStep,
  type RunDefinitionInput,
  type RunDefinitionResult,
  type StepActivityResult,
  type StepState,
  type SubWorkflowStep,
} from '../contracts/run-definition';
import { evaluateCondition } from '../domain/workflow-definitions/conditions';
import { predecessors, topologicalOrder } from '../domain/workflow-definitions/dag';
import { DEFINITION_LIMITS, jsonValueProblems } from '../domain/workflow-definitions/limits';
import { renderString, renderTemplates, type TemplateContext } from '../domain/workflow-definitions/templates';

/**
 * The full validation, zod schema included, loaded when an execution starts rather than
 * with the bundle: every workflow's sandbox evaluates the modules it imports, and zod is the
 * heaviest by far (it cost every message ~15 ms of CPU). Same code, same result, loaded late.
 */
function validation(): typeof import('../domain/workflow-definitions/validate') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('../domain/workflow-definitions/validate');
}

/**
 * The interpreter of user-defined workflows (seed 004): one run executes one stored
 * definition version as a DAG. Steps start when their dependencies finish; independent
 * steps run at once. State is queryable at any time (`executionStateQuery`); callback steps
 * wait for `submitCallbackUpdate` (an update, because the API answers 409 when the step is
 * not waiting). Nothing a user can submit throws a plain Error here: a bad definition fails
 * the run with `InvalidDefinition`, a failed step with `StepFailed`.
 */

const DEFAULT_STEP_TIMEOUT_S = 60;
const DEFAULT_CALLBACK_TIMEOUT_S = 7 * 24 * 60 * 60;
const NON_RETRYABLE = ['InvalidParameters', 'HostNotAllowed', 'AgentTaskNotFound'];

/** Bookkeeping activities: short, retried patiently, never part of a step's own policy. */
const bookkeeping = proxyActivities<Pick<DefinitionActivities, 'recordExecution' | 'loadDefinition'>>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 10, initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', nonRetryableErrorTypes: ['DefinitionNotFound'] },
});

/** A step's failure inside the interpreter; turned into the step's `error`, never thrown out. */
class StepError extends Error {
  constructor(
    message: string,
    readonly type: string,
    readonly attempts?: number,
  ) {
    super(message);
    this.name = 'StepError';
  }
}

interface StepResult {
  output: unknown;
  attempts: number;
}

function now(): string {
  return new Date().toISOString();
}

/** The innermost cause's message and type: "HTTP 503 from …", not "Activity task failed". */
function describeFailure(err: unknown): { message: string; type: string } {
  if (err instanceof StepError) return { message: err.message, type: err.type };
  let inner: unknown = err;
  while (inner instanceof TemporalFailure && inner.cause) inner = inner.cause;
  if (inner instanceof ApplicationFailure) return { message: inner.message, type: inner.type ?? 'ApplicationFailure' };
  if (inner instanceof TimeoutFailure) return { message: `timed out (${inner.timeoutType})`, type: 'Timeout' };
  if (inner instanceof Error) return { message: inner.message, type: inner.name };
  return { message: String(inner), type: 'Error' };
}

/**
 * Attempts known from an activity's failure: the whole policy when the server says it ran
 * out, the `attempt` the activity put in its failure's details, else 1 (the attempt that
 * failed; a lower bound, as ActivityFailure carries no count).
 */
function failedAttempts(err: unknown, maximumAttempts: number): number | undefined {
  if (err instanceof StepError) return err.attempts;
  if (!(err instanceof ActivityFailure)) return undefined;
  if (err.retryState === 'MAXIMUM_ATTEMPTS_REACHED') return maximumAttempts;
  const detail: unknown = err.cause instanceof ApplicationFailure ? err.cause.details?.[0] : undefined;
  const attempt = typeof detail === 'object' && detail !== null ? (detail as { attempt?: unknown }).attempt : undefined;
  return typeof attempt === 'number' && Number.isInteger(attempt) && attempt >= 1 ? attempt : 1;
}

/** What the Web UI shows beside the activity: the step and what it calls (never templated values). */
function stepSummary(step: InnerStep, stepId: string): string {
  return step.step_type === 'agent_task' ? `${stepId}: ${step.agent_type}.${step.task}` : `${stepId}: http ${step.method}`;
}

function activitiesFor(step: InnerStep, stepId: string) {
  const retry = step.retry;
  const initial = retry?.initial_interval ?? 1;
  const maximumAttempts = retry?.max_attempts ?? 3;
  const activities = proxyActivities<Pick<DefinitionActivities, 'runAgentTask' | 'httpRequest'>>({
    startToCloseTimeout: (step.timeout ?? DEFAULT_STEP_TIMEOUT_S) * 1000,
    summary: stepSummary(step, stepId),
    retry: {
      maximumAttempts,
      initialInterval: initial * 1000,
      backoffCoefficient: retry?.backoff_coefficient ?? 2,
      ...(retry?.max_interval !== undefined ? { maximumInterval: Math.max(retry.max_interval, initial) * 1000 } : {}),
      nonRetryableErrorTypes: NON_RETRYABLE,
    },
  });
  return { activities, maximumAttempts };
}

/** Runs `fn` over `items`, at most `limit` at a time, in a scope that one failure cancels. */
async function boundedAll<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>, label: (index: number) => string): Promise<R[]> {
  const results = new Array<R>(items.length);
  const scope = new CancellationScope();
  let first: unknown;
  let next = 0;
  const lane = async (): Promise<void> => {
    while (first === undefined && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index] as T, index);
      } catch (err) {
        if (first !== undefined) continue;
        if (isCancellation(err) && scope.consideredCancelled) {
          first = err;
        } else {
          const { message, type } = describeFailure(err);
          first = new StepError(`${label(index)} failed: ${message}`, type);
        }
        scope.cancel();
      }
    }
  };
  await scope.run(() => Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane)));
  if (first !== undefined) throw first;
  return results;
}

export async function runDefinition(input: RunDefinitionInput): Promise<RunDefinitionResult> {
  const definition = input?.definition;
  const inputData: Record<string, unknown> = typeof input?.input_data === 'object' && input.input_data !== null && !Array.isArray(input.input_data) ? input.input_data : {};
  const executionId = String(input?.executionId ?? '');
  const depth = typeof input?.depth === 'number' ? input.depth : 0;
  const state: ExecutionState = {
    execution_id: executionId,
    workflow_id: typeof definition?.workflow_id === 'string' ? definition.workflow_id : '',
    version: typeof definition?.version === 'number' ? definition.version : 0,
    status: 'running',
    started_at: now(),
    steps: [],
    outputs: {},
  };
  const callbacks = new Map<string, CallbackInput>();

  setHandler(executionStateQuery, () => state);
  setHandler(
    submitCallbackUpdate,
    async (callback) => {
      callbacks.set(callback.step_id, callback);
      const step = state.steps.find((s) => s.step_id === callback.step_id) as StepState;
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
    {
      validator: (callback) => {
        if (typeof callback !== 'object' || callback === null || typeof callback.step_id !== 'string') {
          throw ApplicationFailure.nonRetryable('a callback names its step: { step_id, data?, approved?, by? }', 'InvalidCallback');
        }
        if (callback.approved !== undefined && typeof callback.approved !== 'boolean') throw ApplicationFailure.nonRetryable('approved is a boolean', 'InvalidCallback');
        if (callback.by !== undefined && (typeof callback.by !== 'string' || callback.by.length > 200)) throw ApplicationFailure.nonRetryable('by is a string of at most 200 characters', 'InvalidCallback');
        const problems = jsonValueProblems(callback.data ?? null);
        if (problems.length > 0) throw ApplicationFailure.nonRetryable(`data: ${problems[0]?.message}`, 'InvalidCallback');
        const step = state.steps.find((s) => s.step_id === callback.step_id);
        if (!step) throw ApplicationFailure.nonRetryable(`no step "${callback.step_id}" in this execution`, 'CallbackNotWaiting');
        if (step.step_type !== 'callback') throw ApplicationFailure.nonRetryable(`step "${callback.step_id}" is a ${step.step_type} step, not a callback`, 'CallbackNotWaiting');
        if (!step.waiting_for_callback || callbacks.has(callback.step_id)) {
          throw ApplicationFailure.nonRetryable(`callback step "${callback.step_id}" is not waiting (it is ${step.status})`, 'CallbackNotWaiting');
        }
      },
    },
  );

  const finish = async (status: ExecutionStatus): Promise<void> => {
    state.status = status;
    state.finished_at = now();
    // Recording must happen even while the run is being cancelled; a failure to record
    // leaves the state queryable in Temporal and is logged, not turned into a run failure.
    await CancellationScope.nonCancellable(async () => {
      try {
        await bookkeeping.recordExecution({ execution_id: executionId, status, finished_at: state.finished_at, ...(state.error ? { error: state.error } : {}) });
      } catch (err) {
        log.warn('recordExecution failed', { executionId, error: describeFailure(err).message });
      }
    });
  };

  // The stored copy carries its id and version besides the body the user wrote.
  const body = typeof definition === 'object' && definition !== null ? { name: definition.name, ...(definition.description !== undefined ? { description: definition.description } : {}), steps: definition.steps } : definition;
  const checked = validation().validateDefinition(body, { agentTasks: () => undefined, skipAgentChecks: true, ...(state.workflow_id ? { workflowId: state.workflow_id } : {}) });
  if (!checked.ok) {
    const summary = checked.errors
      .slice(0, 5)
      .map((e) => `${e.field}: ${e.message}`)
      .join('; ');
    state.error = { message: `invalid definition: ${summary}` };
    await finish('failed');
    throw ApplicationFailure.create({ message: state.error.message, type: 'InvalidDefinition', nonRetryable: true, details: [checked.errors] });
  }

  try {
    return await interpret(checked.definition.steps);
  } catch (err) {
    if (err instanceof TemporalFailure) throw err;
    // A bug in the interpreter ends this run; retrying the workflow task would loop forever.
    const message = err instanceof Error ? err.message : String(err);
    state.error = { message: `interpreter error: ${message}` };
    await finish('failed');
    throw ApplicationFailure.nonRetryable(state.error.message, 'InterpreterError');
  }

  async function interpret(steps: DefinitionStep[]): Promise<RunDefinitionResult> {
    state.steps = steps.map((s) => ({ step_id: s.step_id, step_type: s.step_type, status: 'pending', attempts: 0 }));
    const stateOf = new Map(state.steps.map((s) => [s.step_id, s]));
    const byId = new Map(steps.map((s) => [s.step_id, s]));
    const preds = predecessors(steps);
    const sorted = topologicalOrder(
      steps.map((s) => s.step_id),
      preds,
    );
    if (!sorted.ok) throw new Error(`cycle ${sorted.cycle.join(' -> ')} passed validation`);
    /** Conditions that name a step in `then`/`else`: the step runs only on its branch. */
    const gates = new Map<string, Array<{ conditionId: string; branch: 'then' | 'else' }>>();
    for (const s of steps) {
      if (s.step_type !== 'condition') continue;
      for (const id of s.then ?? []) gates.set(id, [...(gates.get(id) ?? []), { conditionId: s.step_id, branch: 'then' }]);
      for (const id of s.else ?? []) gates.set(id, [...(gates.get(id) ?? []), { conditionId: s.step_id, branch: 'else' }]);
    }

    const scope = new CancellationScope();
    let failure: { step_id: string; message: string } | undefined;
    const finished = new Map<string, Promise<void>>();

    const templateContext = (): TemplateContext => ({ input: inputData, steps: state.outputs });

    const whySkipped = (id: string): string | undefined => {
      if (failure) return `execution failed at step "${failure.step_id}"`;
      if (scope.consideredCancelled) return 'execution cancelled';
      for (const gate of gates.get(id) ?? []) {
        const cond = stateOf.get(gate.conditionId) as StepState;
        if (cond.status === 'skipped') return `condition ${gate.conditionId} was skipped`;
        if (cond.status === 'failed') return `condition ${gate.conditionId} failed`;
        const result = (cond.output as { result?: unknown } | undefined)?.result === true;
        if ((gate.branch === 'then') !== result) return `condition ${gate.conditionId} was ${result}`;
      }
      const deps = preds.get(id) ?? [];
      switch (byId.get(id)?.run_when ?? 'all_succeeded') {
        case 'all_succeeded': {
          const skippedDep = deps.find((p) => stateOf.get(p)?.status === 'skipped');
          return skippedDep === undefined ? undefined : `dependency ${skippedDep} was skipped`;
        }
        case 'any_succeeded':
          return deps.length === 0 || deps.some((p) => stateOf.get(p)?.status === 'done') ? undefined : `no dependency succeeded (${deps.join(', ')})`;
        case 'all_finished':
          return undefined;
      }
      return undefined;
    };

    const runStep = async (step: DefinitionStep): Promise<void> => {
      const st = stateOf.get(step.step_id) as StepState;
      await Promise.all((preds.get(step.step_id) ?? []).map((p) => finished.get(p)));
      const skip = whySkipped(step.step_id);
      if (skip !== undefined) {
        st.status = 'skipped';
        st.skipped_reason = skip;
        return;
      }
      st.status = 'running';
      st.started_at = now();
      try {
        const result = await execute(step, st);
        st.attempts = result.attempts;
        st.output = result.output;
        st.status = 'done';
        state.outputs[step.step_id] = result.output;
      } catch (err) {
        st.waiting_for_callback = undefined;
        st.status = 'failed';
        if (isCancellation(err) && scope.consideredCancelled) {
          st.error = { message: 'cancelled', type: 'Cancelled' };
          return;
        }
        const { message, type } = describeFailure(err);
        st.error = { message, type };
        const attempts = failedAttempts(err, step.retry?.max_attempts ?? 3);
        if (attempts !== undefined) st.attempts = attempts;
        if (step.continue_on_error) {
          state.outputs[step.step_id] = null;
        } else if (!failure) {
          failure = { step_id: step.step_id, message };
          scope.cancel();
        }
      } finally {
        st.finished_at = now();
      }
    };

    const execute = async (step: DefinitionStep, st: StepState): Promise<StepResult> => {
      const upstream = Object.fromEntries((preds.get(step.step_id) ?? []).map((p) => [p, state.outputs[p] ?? null]));
      switch (step.step_type) {
        case 'agent_task':
        case 'http':
          return runActivityStep(step, step.step_id, templateContext(), upstream, st);
        case 'condition': {
          const data = { input: inputData, steps: Object.fromEntries(Object.entries(state.outputs).map(([id, output]) => [id, { output }])) };
          const evaluated = evaluateCondition(step.condition, data);
          if (!evaluated.ok) throw new StepError(evaluated.message, 'ConditionError', 1);
          return { output: { result: evaluated.result }, attempts: 1 };
        }
        case 'delay':
          await sleep(step.duration * 1000);
          return { output: { slept_seconds: step.duration }, attempts: 1 };
        case 'callback': {
          st.waiting_for_callback = true;
          const arrived = await condition(() => callbacks.has(step.step_id), (step.timeout ?? DEFAULT_CALLBACK_TIMEOUT_S) * 1000);
          st.waiting_for_callback = undefined;
          if (!arrived) throw new StepError('callback timed out', 'CallbackTimeout', 1);
          const callback = callbacks.get(step.step_id) as CallbackInput;
          if (callback.approved === false) throw new StepError(`rejected by ${callback.by ?? 'an unnamed approver'}`, 'CallbackRejected', 1);
          return { output: callback.data ?? null, attempts: 1 };
        }
        case 'parallel': {
          const outputs = await boundedAll(
            step.branches,
            step.max_concurrency ?? DEFINITION_LIMITS.defaultConcurrency,
            async (branch) => (await runActivityStep(branch, `${step.step_id}.${branch.step_id}`, templateContext(), upstream)).output,
            (i) => `branch "${step.branches[i]?.step_id}"`,
          );
          return { output: Object.fromEntries(step.branches.map((b, i) => [b.step_id, outputs[i]])), attempts: 1 };
        }
        case 'for_each': {
          const items = renderString(step.items, templateContext());
          if (!Array.isArray(items)) throw new StepError(`items "${step.items}" resolved to ${items === null ? 'nothing' : typeof items}, not a list`, 'InvalidItems', 1);
          if (items.length > DEFINITION_LIMITS.maxForEachItems) {
            throw new StepError(`items "${step.items}" has ${items.length} elements; a for_each step takes at most ${DEFINITION_LIMITS.maxForEachItems}`, 'InvalidItems', 1);
          }
          const outputs = await boundedAll(
            items,
            step.max_concurrency ?? DEFINITION_LIMITS.defaultConcurrency,
            async (item, index) => (await runActivityStep(step.step, `${step.step_id}.${step.step.step_id}[${index}]`, { ...templateContext(), item, index }, upstream)).output,
            (i) => `item ${i}`,
          );
          return { output: outputs, attempts: 1 };
        }
        case 'sub_workflow':
          return runSubWorkflow(step);
      }
    };

    const runActivityStep = async (step: InnerStep, stepId: string, ctx: TemplateContext, upstream: Record<string, unknown>, st?: StepState): Promise<StepResult> => {
      const { activities, maximumAttempts } = activitiesFor(step, stepId);
      let result: StepActivityResult;
      try {
        if (step.step_type === 'agent_task') {
          const parameters = renderTemplates(step.parameters ?? {}, ctx) as Record<string, unknown>;
          result = await activities.runAgentTask({ executionId, stepId, agent_type: step.agent_type, task: step.task, parameters, input_data: inputData, upstream });
        } else {
          const url = renderString(step.url, ctx);
          const headers = step.headers ? (renderTemplates(step.headers, ctx) as Record<string, unknown>) : undefined;
          result = await activities.httpRequest({
            executionId,
            stepId,
            method: step.method as HttpMethod,
            url: typeof url === 'string' ? url : JSON.stringify(url ?? ''),
            ...(headers ? { headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v ?? '')])) } : {}),
            ...(step.body !== undefined ? { body: renderTemplates(step.body, ctx) } : {}),
          });
        }
      } catch (err) {
        if (isCancellation(err) && CancellationScope.current().consideredCancelled) throw err;
        const { message, type } = describeFailure(err);
        const attempts = failedAttempts(err, maximumAttempts);
        if (st && attempts !== undefined) st.attempts = attempts;
        throw new StepError(message, type, attempts);
      }
      const attempt = typeof result?.attempt === 'number' && result.attempt >= 1 ? result.attempt : 1;
      return { output: result?.output ?? null, attempts: attempt };
    };

    const runSubWorkflow = async (step: SubWorkflowStep): Promise<StepResult> => {
      if (depth + 1 > DEFINITION_LIMITS.maxSubWorkflowDepth) {
        throw new StepError(`sub_workflow nesting is limited to ${DEFINITION_LIMITS.maxSubWorkflowDepth} levels`, 'SubWorkflowTooDeep', 1);
      }
      let child: RunDefinitionResult;
      try {
        const loaded = await bookkeeping.loadDefinition({ workflow_id: step.workflow_id, ...(step.version !== undefined ? { version: step.version } : {}) });
        const childId = childExecutionId(executionId, step.step_id);
        child = await executeChild(runDefinition, {
          workflowId: childId,
          args: [{ executionId: childId, definition: loaded, input_data: renderTemplates(step.input_data ?? {}, templateContext()) as Record<string, unknown>, parentExecutionId: executionId, depth: depth + 1 }],
          ...(step.timeout !== undefined ? { workflowExecutionTimeout: step.timeout * 1000 } : {}),
        });
      } catch (err) {
        if (isCancellation(err) && CancellationScope.current().consideredCancelled) throw err;
        const { message, type } = describeFailure(err);
        throw new StepError(message, type, 1);
      }
      return { output: child.outputs, attempts: 1 };
    };

    await scope.run(async () => {
      for (const id of sorted.order) finished.set(id, runStep(byId.get(id) as DefinitionStep));
      await Promise.all(finished.values());
    });

    if (failure) {
      state.error = failure;
      await finish('failed');
      throw ApplicationFailure.create({ message: `step "${failure.step_id}" failed: ${failure.message}`, type: 'StepFailed', nonRetryable: true, details: [failure] });
    }
    if (CancellationScope.current().consideredCancelled) {
      state.error = { message: 'execution cancelled' };
      await finish('cancelled');
      throw new CancelledFailure('execution cancelled');
    }
    await finish('completed');
    return state;
  }
}
