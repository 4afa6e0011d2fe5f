import { CancellationScope, executeChild, isCancellation } from '@temporalio/workflow';
import { childExecutionId, type RunDefinitionResult, type SubWorkflowStep } from '../../contracts/run-definition';
import { DEFINITION_LIMITS } from '../../domain/workflow-definitions/limits';
import { renderTemplates } from '../../domain/workflow-definitions/templates';
import { bookkeeping } from './activity-proxies';
import { describeFailure, StepError } from './failures';
import { templateContext, type DefinitionRun, type StepContext, type StepResult } from './run-context';

/**
 * A `sub_workflow` step: loads the stored definition it names and runs it as a child
 * `runDefinition`, whose id is the parent's plus the step's; its output is the child's outputs.
 */
export async function executeSubWorkflow(step: SubWorkflowStep, { run }: StepContext): Promise<StepResult> {
  // Returned, not awaited: the step settles a fixed number of microtask turns after the child
  // (see executeStep), and that number orders the commands of steps finishing together.
  return runChild(run, step);
}

async function runChild(run: DefinitionRun, step: SubWorkflowStep): Promise<StepResult> {
  if (run.depth + 1 > DEFINITION_LIMITS.maxSubWorkflowDepth) {
    throw new StepError(`sub_workflow nesting is limited to ${DEFINITION_LIMITS.maxSubWorkflowDepth} levels`, 'SubWorkflowTooDeep', 1);
  }
  let child: RunDefinitionResult;
  try {
    const loaded = await bookkeeping.loadDefinition({ workflow_id: step.workflow_id, ...(step.version !== undefined ? { version: step.version } : {}) });
    const childId = childExecutionId(run.executionId, step.step_id);
    child = await executeChild(run.workflow, {
      workflowId: childId,
      args: [{ executionId: childId, definition: loaded, input_data: renderTemplates(step.input_data ?? {}, templateContext(run)) as Record<string, unknown>, parentExecutionId: run.executionId, depth: run.depth + 1 }],
      ...(step.timeout !== undefined ? { workflowExecutionTimeout: step.timeout * 1000 } : {}),
    });
  } catch (err) {
    if (isCancellation(err) && CancellationScope.current().consideredCancelled) throw err;
    const { message, type } = describeFailure(err);
    throw new StepError(message, type, 1);
  }
  return { output: child.outputs, attempts: 1 };
}
