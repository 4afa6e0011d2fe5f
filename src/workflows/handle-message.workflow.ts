import {
  log,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  AGENT,
  CHANNEL,
  CHAT_ID,
  getStatusQuery,
  INTENT,
  type AgentInput,
  type AgentOutcome,
  type HandleMessageInput,
  type HandleMessageResult,
  type MessageStatus,
} from '../contracts';
import { getAgent } from '../domain/agent-registry';
import { DEFAULT_CONFIDENCE_THRESHOLD, routeMessage } from '../domain/routing';

/** Keyword rules: local, pure and fast; a short timeout and a few quick retries are enough. */
const { triageByRules } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '5 seconds',
  retry: { initialInterval: '100 ms', backoffCoefficient: 2, maximumInterval: '2 seconds', maximumAttempts: 5 },
});

/** Specialists and the reply touch databases and providers: retry with backoff, for minutes. */
const remote = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 10,
    nonRetryableErrorTypes: ['ValidationError', 'NonRetryableError'],
  },
});

type AgentActivity = (input: AgentInput) => Promise<AgentOutcome>;

/**
 * One inbound message, start to finish: triage → route → delegate → reply. Every step is
 * durable: a worker that dies mid-way resumes at the step it was on, and the reply is
 * keyed by the workflow id so it is recorded once.
 */
export async function handleMessage(input: HandleMessageInput): Promise<HandleMessageResult> {
  const { workflowId } = workflowInfo();
  const status: MessageStatus = { step: 'received', chatId: input.chatId, channel: input.channel };
  setHandler(getStatusQuery, () => status);
  upsertSearchAttributes([
    { key: CHAT_ID, value: input.chatId },
    { key: CHANNEL, value: input.channel },
  ]);

  status.step = 'triaging';
  const triage = await triageByRules({ text: input.body });
  status.triage = {
    intent: triage.intent,
    intents: triage.intents,
    confidence: triage.confidence,
    method: triage.method,
    language: triage.language,
    urgency: triage.urgency,
    flags: triage.flags,
  };
  upsertSearchAttributes([{ key: INTENT, value: triage.intent }]);

  status.step = 'routing';
  const route = routeMessage(triage, { confidenceThreshold: input.confidenceThreshold ?? DEFAULT_CONFIDENCE_THRESHOLD });
  status.route = { agent: route.agent, agents: route.agents, reason: route.reason };
  upsertSearchAttributes([{ key: AGENT, value: route.agent }]);
  log.info('routed', { intent: triage.intent, confidence: triage.confidence, agent: route.agent, reason: route.reason });

  status.step = 'delegating';
  const outcomes = await Promise.all(
    route.agents.map((agentName, i) => {
      const activity = remote[getAgent(agentName).activity as keyof Activities] as unknown as AgentActivity;
      return activity({
        workflowId,
        chatId: input.chatId,
        channel: input.channel,
        body: input.body,
        senderName: input.senderName,
        intent: route.intents[i],
        routeReason: route.reason,
        triage: {
          entities: triage.entities,
          language: triage.language,
          urgency: triage.urgency,
          confidence: triage.confidence,
        },
      });
    }),
  );
  status.outcomes = outcomes;

  status.step = 'replying';
  status.reply = await remote.sendReply({
    workflowId,
    chatId: input.chatId,
    channel: input.channel,
    text: outcomes.map((o) => o.text).join('\n\n'),
    idempotencyKey: `${workflowId}:reply`,
  });

  status.step = 'completed';
  return status;
}
