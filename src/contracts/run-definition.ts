import { defineQuery, defineUpdate } from '@temporalio/workflow';

/**
 * User-defined workflows (seed 004): a definition is a DAG of steps, stored and versioned by
 * the API and run by one interpreter workflow, `runDefinition`. Field names are snake_case
 * because the seed's curl bodies are the contract.
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

export interface RunDefinitionInput {
  executionId: string;
  /** The exact version the execution started with; later edits do not reach it. */
  definition: StoredDefinition;
  input_data: Record<string, unknown>;
  /** Set for a `sub_workflow` child: the parent's execution id. */
  parentExecutionId?: string;
  /** Sub-workflow nesting: absent or 0 for a top-level execution, the parent's plus one for a child. */
  depth?: number;
}

export const STEP_STATUSES = ['pending', 'running', 'done', 'skipped', 'failed'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export const EXECUTION_STATUSES = ['running', 'completed', 'failed', 'cancelled'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

export interface StepState {
  step_id: string;
  step_type: StepType;
  status: StepStatus;
  started_at?: string;
  finished_at?: string;
  /**
   * Attempts made so far (activities), 0 before the step starts: exact on success (the
   * activity returns its attempt) and when retries ran out; after another failure, the
   * `attempt` in the failure's first detail when the activity put one there, else 1.
   * Other step types count 1 once they ran.
   */
  attempts: number;
  output?: unknown;
  error?: { message: string; type?: string };
  /** Why a step was skipped (a condition's branch not taken, a skipped dependency). */
  skipped_reason?: string;
  /** A callback step waiting for its data. */
  waiting_for_callback?: boolean;
}

export interface ExecutionState {
  execution_id: string;
  workflow_id: string;
  version: number;
  status: ExecutionStatus;
  started_at: string;
  finished_at?: string;
  steps: StepState[];
  /** Output of every step that finished, by step id. */
  outputs: Record<string, unknown>;
  error?: { message: string; step_id?: string };
}

export type RunDefinitionResult = ExecutionState;

export interface CallbackInput {
  step_id: string;
  /** Arbitrary JSON; becomes the callback step's output. */
  data?: unknown;
  /** `false` fails the callback step (a rejected approval). Default true. */
  approved?: boolean;
  by?: string;
}

export const executionStateQuery = defineQuery<ExecutionState>('executionState');
/** Rejected (the API answers 409) unless `step_id` is a callback step that is waiting now. */
export const submitCallbackUpdate = defineUpdate<StepState, [CallbackInput]>('submitCallback');

/** Execution ids are the Temporal workflow ids of `runDefinition` runs. */
export function definitionExecutionId(uuid: string): string {
  return `wfexec:${uuid}`;
}

export function isDefinitionExecutionId(id: string): boolean {
  return /^wfexec:[0-9a-f-]{36}(:[a-z0-9_-]+)*$/i.test(id);
}

/** A sub_workflow child's execution id: the parent's plus the step's, so it is stable on replay. */
export function childExecutionId(parentExecutionId: string, stepId: string): string {
  return `${parentExecutionId}:${stepId.toLowerCase()}`;
}

/** What an activity of a definition step returns: its output and the attempt that produced it. */
export interface StepActivityResult {
  output: unknown;
  attempt: number;
}

export interface RunAgentTaskInput {
  executionId: string;
  stepId: string;
  agent_type: string;
  task: string;
  /** The step's parameters, already templated. */
  parameters: Record<string, unknown>;
  input_data: Record<string, unknown>;
  /** Outputs of the steps this one depends on, by step id. */
  upstream: Record<string, unknown>;
}

export interface HttpRequestInput {
  executionId: string;
  stepId: string;
  method: HttpMethod;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
}

/** An `http` step's output: the response, with its body parsed when it is JSON. */
export interface HttpStepOutput {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface LoadDefinitionInput {
  workflow_id: string;
  /** Absent: the latest live version. */
  version?: number;
}

export interface RecordExecutionInput {
  execution_id: string;
  status: ExecutionStatus;
  finished_at?: string;
  error?: { message: string; step_id?: string };
}

/**
 * The activities `runDefinition` calls (implemented in src/activities/definitions.ts).
 * Failures that retrying cannot fix are non-retryable ApplicationFailures whose type says
 * why: `AgentTaskNotFound`, `InvalidParameters`, `HostNotAllowed`, `HttpStatus` (a 4xx),
 * `DefinitionNotFound`.
 */
export interface DefinitionActivities {
  runAgentTask(input: RunAgentTaskInput): Promise<StepActivityResult>;
  httpRequest(input: HttpRequestInput): Promise<StepActivityResult>;
  loadDefinition(input: LoadDefinitionInput): Promise<StoredDefinition>;
  recordExecution(input: RecordExecutionInput): Promise<void>;
}
