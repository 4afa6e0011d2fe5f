import type { DefinitionStep } from '../../contracts/run-definition';
import { executeAgentTask } from './agent-task';
import { executeCallback } from './callback';
import { executeCondition } from './condition';
import { executeDelay } from './delay';
import { executeForEach } from './for-each';
import { executeHttp } from './http';
import { executeParallel } from './parallel';
import type { StepContext, StepResult } from './run-context';
import { executeSubWorkflow } from './sub-workflow';

/**
 * Runs one step by its type; a failure rejects (a StepError, or a cancellation).
 *
 * The promise is the executor's own, awaited by the scheduler with nothing in between: how
 * many microtask turns a step takes to settle decides which of two steps finishing in the
 * same workflow activation starts its dependents first, and so the order of the commands a
 * recorded history holds. Every executor settles in as many turns as the interpreter's code
 * before it was split (agent_task, http and sub_workflow return an inner async function's
 * promise; the others are that code itself). Keep it so when changing one.
 */
export function executeStep(step: DefinitionStep, at: StepContext): Promise<StepResult> {
  switch (step.step_type) {
    case 'agent_task':
      return executeAgentTask(step, at);
    case 'http':
      return executeHttp(step, at);
    case 'condition':
      return executeCondition(step, at);
    case 'delay':
      return executeDelay(step);
    case 'callback':
      return executeCallback(step, at);
    case 'parallel':
      return executeParallel(step, at);
    case 'for_each':
      return executeForEach(step, at);
    case 'sub_workflow':
      return executeSubWorkflow(step, at);
  }
}
