import type { WorkflowDefinitionBody } from './model';

/** What validating a definition is given and what it answers. */

/** One problem with a definition; `field` is a path into the submitted body. */
export interface DefinitionError {
  step_id?: string;
  field: string;
  message: string;
}

export interface ValidationContext {
  /** Tasks the agent type offers; undefined for an unknown agent type. */
  agentTasks: (agentType: string) => readonly string[] | undefined;
  /** The definition's own id, when known (an update): a sub_workflow naming it is refused. */
  workflowId?: string;
  /**
   * Structure only: the interpreter re-validates without the registry, so a registry change
   * never changes how a recorded execution replays; `runAgentTask` refuses an unknown task.
   */
  skipAgentChecks?: boolean;
}

export type ValidationResult = { ok: true; definition: WorkflowDefinitionBody } | { ok: false; errors: DefinitionError[] };
