import { ActivityFailure, CancellationScope, isCancellation, proxyActivities, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { TaskEvent } from '../contracts';
import type { RunTaskInput, RunTaskResult } from '../contracts';
import { agentForIntent } from '../domain/agent-registry';
import { callAgent } from './agent-call';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});

const { triageByRules } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '5 seconds',
  retry: { initialInterval: '100 ms', backoffCoefficient: 2, maximumInterval: '2 seconds', maximumAttempts: 5 },
});

/**
 * Runs one task by the agent of its type: a task created through `POST /api/tasks`, or a
 * new attempt of a failed task. The task row already exists (the API wrote it pending);
 * this workflow moves it through in_progress to completed, failed or cancelled.
 */
export async function runTask(input: RunTaskInput): Promise<RunTaskResult> {
  const { workflowId, runId, startTime } = workflowInfo();
  const agent = agentForIntent(input.taskType);
  const project = (event: Omit<TaskEvent, 'workflowId' | 'runId' | 'at' | 'step'>) =>
    acts.recordTaskEvent({ ...event, step: 'message', workflowId, runId, at: new Date().toISOString() });

  await project({ kind: 'started', assignedAgent: agent.name, logs: [{ key: 'started', agent: agent.name, action: 'processed', details: { taskType: input.taskType } }] });
  try {
    // The type is given; the rules still read the body for entities (order numbers, dates) and language.
    const read = await triageByRules({ text: input.body });
    const { outcome, done } = await callAgent(
      acts,
      agent.name,
      {
        workflowId,
        chatId: input.chatId ?? `task:${input.taskId}`,
        channel: input.channel,
        body: input.body,
        senderName: input.senderName,
        intent: input.taskType,
        routeReason: 'matched',
        receivedAt: startTime.toISOString(),
        triage: { entities: read.entities, language: read.language, urgency: read.urgency, confidence: 1 },
      },
      'completed',
    );
    let replied = false;
    if (input.reply && input.chatId) {
      await acts.sendReply({ workflowId, chatId: input.chatId, channel: input.channel, text: outcome.text, idempotencyKey: `${workflowId}:reply` });
      replied = true;
    }
    await project({
      kind: 'completed',
      output: { text: outcome.text, facts: outcome.facts, replied },
      logs: [done],
    });
    return { taskId: input.taskId, agent: agent.name, text: outcome.text, facts: outcome.facts, replied };
  } catch (err) {
    const cancelled = isCancellation(err);
    const message = err instanceof ActivityFailure && err.cause ? err.cause.message : err instanceof Error ? err.message : String(err);
    await CancellationScope.nonCancellable(() =>
      project({
        kind: cancelled ? 'cancelled' : 'failed',
        error: message,
        logs: [{ key: cancelled ? 'cancelled' : 'failed', agent: agent.name, action: cancelled ? 'cancelled' : 'failed', details: { error: message } }],
      }),
    );
    throw err;
  }
}
