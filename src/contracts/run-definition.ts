import { defineQuery, defineUpdate } from '@temporalio/workflow';

/**
 * User-defined workflows (seed 004): a definition is a DAG of steps, stored and versioned by
 * the API and run by one interpreter workflow, `runDefinition`. The definition's own shape is
 * the domain's (`src/domain/workflow-definitions/model.ts`); this module carries what crosses
 * processes: the workflow's input and state, its query and update, the activities' payloads.
 */

export type { StepType, HttpMethod, RunWhen, StepRetry, AgentTaskStep, HttpStep, ConditionStep, DelayStep, CallbackStep, InnerStep, ParallelStep, ForEachStep, SubWorkflowStep, DefinitionStep, WorkflowDefinitionBody, StoredDefinition } from '../domain/workflow-definitions/model';
import type { HttpMethod, StepType, StoredDefinition } from '../domain/workflow-definitions/model';

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
 * The activities `runDefinition` calls (implemented in src/activities/definitions/).
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
