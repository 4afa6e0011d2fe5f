import type { AgentTaskStep, InnerStep } from '../../contracts/run-definition';
import { renderTemplates, type TemplateContext } from '../../domain/workflow-definitions/templates';
import { runActivityStep, type ActivityCall } from './activity-step';
import { templateContext, type DefinitionRun, type StepContext, type StepResult } from './run-context';

type AgentTask = Extract<InnerStep, { step_type: 'agent_task' }>;

/** The `runAgentTask` call of an agent task: its parameters templated, its dependencies' outputs passed along. */
export function callAgentTask(run: DefinitionRun, step: AgentTask, stepId: string, ctx: TemplateContext, upstream: Record<string, unknown>): ActivityCall {
  return (activities) => {
    const parameters = renderTemplates(step.parameters ?? {}, ctx) as Record<string, unknown>;
    return activities.runAgentTask({ executionId: run.executionId, stepId, agent_type: step.agent_type, task: step.task, parameters, input_data: run.inputData, upstream });
  };
}

/** An `agent_task` step: one registry agent's task, run by an activity. */
export async function executeAgentTask(step: AgentTaskStep, { run, st, upstream }: StepContext): Promise<StepResult> {
  return runActivityStep(step, step.step_id, callAgentTask(run, step, step.step_id, templateContext(run), upstream), st);
}
