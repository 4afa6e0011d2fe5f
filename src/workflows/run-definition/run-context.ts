import type { CallbackInput, ExecutionState, RunDefinitionInput, RunDefinitionResult, StepState } from '../../contracts/run-definition';
import type { TemplateContext } from '../../domain/workflow-definitions/templates';

/** One execution of a definition: what every part of the interpreter reads, and its state. */
export interface DefinitionRun {
  readonly executionId: string;
  readonly inputData: Record<string, unknown>;
  /** Sub-workflow nesting: 0 for a top-level execution. */
  readonly depth: number;
  /** What `executionStateQuery` answers; the scheduler fills in steps and outputs as they run. */
  readonly state: ExecutionState;
  /** Callbacks accepted by `submitCallbackUpdate`, by step id. */
  readonly callbacks: Map<string, CallbackInput>;
  /** `runDefinition` itself, which a sub_workflow step starts as a child (handed in: importing it here would be a cycle). */
  readonly workflow: (input: RunDefinitionInput) => Promise<RunDefinitionResult>;
}

/** What a step produced and how many attempts it took. */
export interface StepResult {
  output: unknown;
  attempts: number;
}

/** What a step's executor gets besides the step itself. */
export interface StepContext {
  readonly run: DefinitionRun;
  /** The step's own entry in `run.state.steps`. */
  readonly st: StepState;
  /** Outputs of the steps it depends on, by step id (null for one that failed and continued). */
  readonly upstream: Record<string, unknown>;
}

/** Workflow time (deterministic: the SDK replaces `Date` in workflow code). */
export function now(): string {
  return new Date().toISOString();
}

/** What templates see: the execution's input and the outputs of the steps done so far. */
export function templateContext(run: DefinitionRun): TemplateContext {
  return { input: run.inputData, steps: run.state.outputs };
}

/** A run from its input, tolerant of a malformed one (validation reports it, not a TypeError). */
export function startRun(input: RunDefinitionInput, workflow: DefinitionRun['workflow']): DefinitionRun {
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
  return { executionId, inputData, depth, state, callbacks: new Map(), workflow };
}
