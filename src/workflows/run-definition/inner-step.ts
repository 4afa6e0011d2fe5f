import type { InnerStep } from '../../contracts/run-definition';
import type { TemplateContext } from '../../domain/workflow-definitions/templates';
import { callAgentTask } from './agent-task';
import { runActivityStep } from './activity-step';
import { callHttp } from './http';
import type { DefinitionRun, StepResult } from './run-context';

/** One branch of a `parallel` step or one item of a `for_each`: an agent task or an http call under `stepId`. */
export function runInnerStep(run: DefinitionRun, step: InnerStep, stepId: string, ctx: TemplateContext, upstream: Record<string, unknown>): Promise<StepResult> {
  const call = step.step_type === 'agent_task' ? callAgentTask(run, step, stepId, ctx, upstream) : callHttp(run, step, stepId, ctx);
  return runActivityStep(step, stepId, call);
}
