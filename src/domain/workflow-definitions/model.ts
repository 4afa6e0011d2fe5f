/**
 * User-defined workflows (seed 004), the definition itself: its step types and fields. Field
 * names are snake_case because the seed's curl bodies are the contract. The domain validates
 * and interprets these; `src/contracts/run-definition.ts` carries them across processes.
 */

export const STEP_TYPES = ['agent_task', 'http', 'condition', 'delay', 'callback', 'parallel', 'for_each', 'sub_workflow'] as const;
export type StepType = (typeof STEP_TYPES)[number];

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export const RUN_WHEN = ['all_succeeded', 'any_succeeded', 'all_finished'] as const;
export type RunWhen = (typeof RUN_WHEN)[number];

/** Per-step retry policy; absent means the step's type default (activities: 3 attempts). */
export interface StepRetry {
  max_attempts: number;
  /** Seconds before the first retry. */
  initial_interval?: number;
  backoff_coefficient?: number;
  /** Upper bound between retries, seconds. */
  max_interval?: number;
}

interface StepBase {
  step_id: string;
  name?: string;
  description?: string;
  depends_on?: string[];
  /** Seconds: an activity's start-to-close, a callback's wait, a sub-workflow's run. */
  timeout?: number;
  retry?: StepRetry;
  /** A failure of this step is recorded and its dependents still run (seeing `null` output). */
  continue_on_error?: boolean;
  /**
   * When the step runs once its dependencies are finished. `all_succeeded` (default): it is
   * skipped if any dependency was skipped. `any_succeeded`: it runs if at least one was done,
   * the join after a condition's two branches. `all_finished`: it runs whatever they did.
   */
  run_when?: RunWhen;
}

/** Calls `task` on the registry agent `agent_type`; `parameters` are templated. */
export interface AgentTaskStep extends StepBase {
  step_type: 'agent_task';
  agent_type: string;
  task: string;
  parameters?: Record<string, unknown>;
}

/** An API call from an activity, to a host on `WORKFLOW_HTTP_ALLOWED_HOSTS`. */
export interface HttpStep extends StepBase {
  step_type: 'http';
  method: HttpMethod;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
}

/**
 * Evaluates a JSON Logic rule over `{ input, steps }`; the steps listed in `then` run when it
 * holds and those in `else` are skipped, or the other way round. Both lists implicitly depend
 * on the condition step.
 */
export interface ConditionStep extends StepBase {
  step_type: 'condition';
  condition: Record<string, unknown> | boolean;
  then?: string[];
  else?: string[];
}

/** A durable timer of `duration` seconds. */
export interface DelayStep extends StepBase {
  step_type: 'delay';
  duration: number;
}

/** Waits for `POST /api/v1/executions/:id/callbacks/:stepId` (or fails after `timeout`). */
export interface CallbackStep extends StepBase {
  step_type: 'callback';
}

/** The step types that may run inside `parallel` and `for_each`. */
export type InnerStep = Omit<AgentTaskStep, 'depends_on' | 'continue_on_error' | 'run_when'> | Omit<HttpStep, 'depends_on' | 'continue_on_error' | 'run_when'>;

/** Runs fixed branches at once; the output maps each branch's `step_id` to its output. */
export interface ParallelStep extends StepBase {
  step_type: 'parallel';
  branches: InnerStep[];
  max_concurrency?: number;
}

/** Runs `step` once per element of `items` (a template resolving to a list), bounded. */
export interface ForEachStep extends StepBase {
  step_type: 'for_each';
  items: string;
  step: InnerStep;
  max_concurrency?: number;
}

/** Runs another stored definition as a child `runDefinition`. */
export interface SubWorkflowStep extends StepBase {
  step_type: 'sub_workflow';
  workflow_id: string;
  /** Absent: the definition's latest version when this step starts. */
  version?: number;
  input_data?: Record<string, unknown>;
}

export type DefinitionStep =
  | AgentTaskStep
  | HttpStep
  | ConditionStep
  | DelayStep
  | CallbackStep
  | ParallelStep
  | ForEachStep
  | SubWorkflowStep;

/** What a user submits to `POST /api/v1/workflows` (and `PUT`). */
export interface WorkflowDefinitionBody {
  name: string;
  description?: string;
  steps: DefinitionStep[];
}

/** A stored version of a definition. */
export interface StoredDefinition extends WorkflowDefinitionBody {
  workflow_id: string;
  version: number;
}
