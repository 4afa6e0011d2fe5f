import type { StoredDefinition } from '../../contracts/run-definition';
import type { ValidationResult } from '../../domain/workflow-definitions/validate';

/**
 * The full validation, zod schema included, loaded when an execution starts rather than
 * with the bundle: every workflow's sandbox evaluates the modules it imports, and zod is the
 * heaviest by far (it cost every message ~15 ms of CPU). Same code, same result, loaded late.
 */
function validation(): typeof import('../../domain/workflow-definitions/validate') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('../../domain/workflow-definitions/validate');
}

/**
 * Re-validates the stored definition, structure only: the registry is not consulted, so a
 * registry change never changes how a recorded execution replays (`runAgentTask` refuses an
 * unknown task instead).
 */
export function checkDefinition(definition: StoredDefinition | undefined, workflowId: string): ValidationResult {
  // The stored copy carries its id and version besides the body the user wrote.
  const body = typeof definition === 'object' && definition !== null ? { name: definition.name, ...(definition.description !== undefined ? { description: definition.description } : {}), steps: definition.steps } : definition;
  return validation().validateDefinition(body, { agentTasks: () => undefined, skipAgentChecks: true, ...(workflowId ? { workflowId } : {}) });
}
