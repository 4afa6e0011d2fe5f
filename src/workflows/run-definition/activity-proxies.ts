import { proxyActivities } from '@temporalio/workflow';
import type { DefinitionActivities, InnerStep } from '../../contracts/run-definition';

/**
 * The activities the interpreter calls, with their options. Activity types, options and
 * summaries are part of every recorded history: change them and running executions stop
 * replaying.
 */

const DEFAULT_STEP_TIMEOUT_S = 60;
const NON_RETRYABLE = ['InvalidParameters', 'HostNotAllowed', 'AgentTaskNotFound'];

/** Bookkeeping activities: short, retried patiently, never part of a step's own policy. */
export const bookkeeping = proxyActivities<Pick<DefinitionActivities, 'recordExecution' | 'loadDefinition'>>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 10, initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', nonRetryableErrorTypes: ['DefinitionNotFound'] },
});

export type StepActivities = Pick<DefinitionActivities, 'runAgentTask' | 'httpRequest'>;

/** What the Web UI shows beside the activity: the step and what it calls (never templated values). */
function stepSummary(step: InnerStep, stepId: string): string {
  return step.step_type === 'agent_task' ? `${stepId}: ${step.agent_type}.${step.task}` : `${stepId}: http ${step.method}`;
}

/** The activities of one `agent_task` or `http` step, under the step's own timeout and retry policy. */
export function activitiesFor(step: InnerStep, stepId: string): { activities: StepActivities; maximumAttempts: number } {
  const retry = step.retry;
  const initial = retry?.initial_interval ?? 1;
  const maximumAttempts = retry?.max_attempts ?? 3;
  const activities = proxyActivities<StepActivities>({
    startToCloseTimeout: (step.timeout ?? DEFAULT_STEP_TIMEOUT_S) * 1000,
    summary: stepSummary(step, stepId),
    retry: {
      maximumAttempts,
      initialInterval: initial * 1000,
      backoffCoefficient: retry?.backoff_coefficient ?? 2,
      ...(retry?.max_interval !== undefined ? { maximumInterval: Math.max(retry.max_interval, initial) * 1000 } : {}),
      nonRetryableErrorTypes: NON_RETRYABLE,
    },
  });
  return { activities, maximumAttempts };
}
