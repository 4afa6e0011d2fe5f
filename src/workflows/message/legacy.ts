import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  ParentClosePolicy,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../../activities';
import {
  AGENT,
  CHANNEL,
  CHAT_ID,
  getStatusQuery,
  handoffReplyUpdate,
  INTENT,
  reminderWorkflowId,
  type AgentInput,
  type AgentOutcome,
  type HandleMessageInput,
  type HandleMessageResult,
  type HandoffReplyInput,
  type MessageStatus,
  type ReplyRecord,
} from '../../contracts';
import { getAgent } from '../../domain/agent-registry';
import type { TriageResult } from '../../domain/keyword-triage';
import { clarificationRoute, DEFAULT_CONFIDENCE_THRESHOLD, needsClarification, routeMessage, type RouteDecision } from '../../domain/routing';
import { priorityForUrgency } from '../../domain/task-lifecycle';
import { LLM_NON_RETRYABLE_FAILURE_TYPES } from '../../contracts/llm-failure-types';
import type { TaskEvent } from '../../contracts';
import { sendReminder } from '../send-reminder.workflow';

/** Keyword rules: local, pure and fast; a short timeout and a few quick retries are enough. */
const { triageByRules } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '5 seconds',
  retry: { initialInterval: '100 ms', backoffCoefficient: 2, maximumInterval: '2 seconds', maximumAttempts: 5 },
});

/** Specialists, projections and the reply touch databases and providers: retry with backoff, for minutes. */
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

/**
 * The LLM is an improvement, never a dependency: a few quick attempts, then the rules'
 * triage and the template reply stand. Rejections, bad output and an open breaker are
 * not retried at all.
 */
const llm = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '10 seconds',
    maximumAttempts: 4,
    nonRetryableErrorTypes: [...LLM_NON_RETRYABLE_FAILURE_TYPES],
  },
});

type AgentActivity = (input: AgentInput) => Promise<AgentOutcome>;

const DEFAULT_HANDOFF_TIMEOUT_SECONDS = 24 * 60 * 60;
const DEFAULT_CLARIFICATION_WINDOW_SECONDS = 24 * 60 * 60;

function describeFailure(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause) return `${err.cause.name}: ${err.cause.message}`;
  return err instanceof Error ? err.message : String(err);
}

/**
 * One inbound message handled alone, start to finish: triage → route → delegate → reply,
 * and when the message goes to a person, a durable wait for their answer. This is the shape
 * every message had before conversations (handle-message v1–v5 histories); it stays, exactly
 * as it was, for the runs started then, which replay through it (`patched` in
 * `handleMessage`). New messages take their chat's turns (`conversational.ts`).
 */
export async function legacyHandleMessage(input: HandleMessageInput): Promise<HandleMessageResult> {
  const { workflowId, runId, startTime } = workflowInfo();
  const receivedAt = startTime.toISOString();
  const status: MessageStatus = { step: 'received', chatId: input.chatId, channel: input.channel };
  let operatorReply: HandoffReplyInput | undefined;

  setHandler(getStatusQuery, () => status);
  setHandler(
    handoffReplyUpdate,
    async (reply) => {
      operatorReply = reply;
      await condition(() => status.handoff?.reply !== undefined);
      return status.handoff!.reply!;
    },
    {
      validator: (reply) => {
        if (status.handoff?.status !== 'waiting' || operatorReply !== undefined) {
          throw ApplicationFailure.nonRetryable('this conversation is not waiting for a person', 'NotWaitingForHuman');
        }
        if (typeof reply?.text !== 'string' || reply.text.trim() === '') {
          throw ApplicationFailure.nonRetryable('text: must be a non-empty string', 'ValidationError');
        }
      },
    },
  );
  upsertSearchAttributes([
    // Same value the starter indexed (a keyed hash when histories are encrypted); older runs have none.
    { key: CHAT_ID, value: input.chatRef ?? input.chatId },
    { key: CHANNEL, value: input.channel },
  ]);

  // Task rows and agent logs for the API: the read side of this history.
  const projecting = patched('task-projections-v1');
  const project = async (event: Omit<TaskEvent, 'workflowId' | 'runId' | 'at'>): Promise<void> => {
    if (!projecting) return;
    await remote.recordTaskEvent({ ...event, workflowId, runId, at: new Date().toISOString() });
  };

  try {
    // Any message from the customer is a reply to their follow-up campaigns: call them off.
    const followUps = patched('follow-ups-v1');
    if (followUps) await remote.notifyCampaigns({ chatId: input.chatId, at: receivedAt });

    status.step = 'triaging';
    const triageStarted = Date.now();
    let triage: TriageResult = await triageByRules({ text: input.body });
    const threshold = input.confidenceThreshold ?? DEFAULT_CONFIDENCE_THRESHOLD;
    if (input.llm && triage.flags.length === 0 && triage.confidence < threshold && patched('llm-triage-v1')) {
      try {
        triage = await llm.triageByLlm({ text: input.body, rules: triage });
      } catch (err) {
        log.warn('LLM triage failed; the rules stand', { error: describeFailure(err) });
      }
    }
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
    let route: RouteDecision = routeMessage(triage, { confidenceThreshold: threshold });
    if (needsClarification(route) && patched('clarify-once-v1')) {
      const { ask } = await remote.claimClarification({
        chatId: input.chatId,
        workflowId,
        at: receivedAt,
        windowSeconds: input.clarificationWindowSeconds ?? DEFAULT_CLARIFICATION_WINDOW_SECONDS,
      });
      if (ask) route = clarificationRoute();
    }
    status.route = { agent: route.agent, agents: route.agents, reason: route.reason };
    upsertSearchAttributes([{ key: AGENT, value: route.agent }]);
    log.info('routed', { intent: triage.intent, confidence: triage.confidence, agent: route.agent, reason: route.reason });
    await project({
      step: 'message',
      kind: 'started',
      taskType: triage.intent,
      priority: priorityForUrgency(triage.urgency),
      chatId: input.chatId,
      messageId: input.messageId,
      channel: input.channel,
      assignedAgent: route.agent,
      input: { body: input.body, senderName: input.senderName ?? null },
      logs: [
        { key: 'created', agent: 'orchestrator', action: 'created', details: { channel: input.channel } },
        {
          key: 'triaged',
          agent: 'orchestrator',
          action: 'processed',
          durationMs: Date.now() - triageStarted,
          details: { intent: triage.intent, intents: triage.intents, confidence: triage.confidence, method: triage.method, route: route.reason, agents: route.agents },
        },
      ],
    });

    status.step = 'delegating';
    // A message with several intents is a supervisor's task: one subtask per agent.
    const supervised = route.agents.length > 1;
    const outcomes = await Promise.all(
      route.agents.map(async (agentName, i) => {
        const activity = remote[getAgent(agentName).activity as keyof Activities] as unknown as AgentActivity;
        const agentStarted = Date.now();
        const delegation = { agent: agentName, action: 'delegated' as const, details: { intent: route.intents[i] } };
        if (supervised) {
          await project({ step: `agent:${agentName}`, parentStep: 'message', kind: 'delegated', taskType: route.intents[i], assignedAgent: agentName, chatId: input.chatId, channel: input.channel, logs: [{ key: `delegated:${agentName}`, ...delegation }] });
        } else {
          await project({ step: 'message', kind: 'delegated', logs: [{ key: `delegated:${agentName}`, ...delegation }] });
        }
        const outcome = await activity({
          workflowId,
          chatId: input.chatId,
          channel: input.channel,
          body: input.body,
          senderName: input.senderName,
          intent: route.intents[i],
          routeReason: route.reason,
          receivedAt,
          media: input.media,
          triage: {
            entities: triage.entities,
            language: triage.language,
            urgency: triage.urgency,
            confidence: triage.confidence,
          },
        });
        const done = { key: `completed:${agentName}`, agent: agentName, action: 'completed' as const, durationMs: Date.now() - agentStarted, details: outcome.facts };
        await project(
          supervised
            ? { step: `agent:${agentName}`, kind: 'completed', output: { text: outcome.text, facts: outcome.facts }, logs: [done] }
            : { step: 'message', kind: 'delegated', logs: [done] },
        );
        return outcome;
      }),
    );
    status.outcomes = outcomes;

    status.step = 'replying';
    // The supervisor's synthesis: one reply for every agent that acted, in routing order.
    let text = outcomes.map((o) => o.text).join('\n\n');
    if (input.llm && patched('llm-replies-v1')) {
      try {
        const facts = Object.fromEntries(outcomes.map((o) => [o.agent, o.facts]));
        text = (await llm.writeReply({ language: triage.language, draft: text, facts, customerText: input.body })).text;
      } catch (err) {
        log.warn('LLM reply failed; sending the template reply', { error: describeFailure(err) });
      }
    }
    status.reply = await remote.sendReply({
      workflowId,
      chatId: input.chatId,
      channel: input.channel,
      text,
      idempotencyKey: `${workflowId}:reply`,
      provider: input.provider,
      replyToReceivedAt: receivedAt,
    });

    for (const outcome of outcomes) {
      if (outcome.next?.kind === 'follow_up' && followUps) {
        // Signal-with-start: a campaign already running for this chat and purpose takes the new reference.
        await remote.startFollowUp({ chatId: input.chatId, purpose: outcome.next.purpose, channel: input.channel, provider: input.provider, reference: outcome.next.reference });
      }
      if (outcome.next?.kind === 'reminder' && patched('reminder-timer-v1')) {
        // The timer outlives this conversation's workflow: abandoned, not cancelled, on close.
        await startChild(sendReminder, {
          workflowId: reminderWorkflowId(outcome.next.reminderId),
          parentClosePolicy: ParentClosePolicy.ABANDON,
          args: [{ reminderId: outcome.next.reminderId, chatId: input.chatId, channel: input.channel, remindAt: outcome.next.remindAt, language: triage.language }],
        });
      }
    }

    if (route.agent === 'human_handoff' && patched('handoff-wait-v1')) {
      await waitForPerson(route.reason, triage.intent, triage.language);
    }
    await project({
      step: 'message',
      kind: 'completed',
      output: { reply: status.reply.text, agents: route.agents, handoff: status.handoff ?? null },
      logs: [{ key: 'replied', agent: route.agent, action: 'completed', durationMs: Date.now() - startTime.getTime(), details: { outboundId: status.reply.outboundId } }],
    });

  } catch (err) {
    status.step = 'failed';
    const cancelled = isCancellation(err);
    // Recorded even while the workflow is being cancelled, so the row never stays in_progress.
    await CancellationScope.nonCancellable(() =>
      project({
        step: 'message',
        kind: cancelled ? 'cancelled' : 'failed',
        error: describeFailure(err),
        logs: [{ key: cancelled ? 'cancelled' : 'failed', agent: status.route?.agent ?? 'orchestrator', action: cancelled ? 'cancelled' : 'failed', details: { error: describeFailure(err) } }],
      }),
    );
    throw err;
  }

  status.step = 'completed';
  await condition(allHandlersFinished);
  return status;

  async function waitForPerson(reason: string, intent: string, language: string): Promise<void> {
    const timeoutSeconds = input.handoffTimeoutSeconds ?? DEFAULT_HANDOFF_TIMEOUT_SECONDS;
    const dueAt = new Date(startTime.getTime() + timeoutSeconds * 1000).toISOString();
    // Waiting starts before the projection is written: a person who answers as soon as the
    // handoff shows up in the API (even before this workflow has seen the write complete)
    // must be accepted, not told the conversation is not waiting.
    status.handoff = { status: 'waiting', dueAt };
    status.step = 'waiting_for_human';
    await remote.openHandoff({ workflowId, chatId: input.chatId, channel: input.channel, reason, intent, dueAt });

    let answered: boolean;
    try {
      answered = await condition(() => operatorReply !== undefined, timeoutSeconds * 1000);
    } catch (err) {
      // Cancelled while waiting (an operator stopped the conversation): the handoff must not
      // stay open in the queue people work from.
      if (isCancellation(err) && patched('handoff-cancel-close-v1')) {
        status.handoff = { status: 'cancelled', dueAt };
        await CancellationScope.nonCancellable(() => remote.closeHandoff({ workflowId, status: 'cancelled', at: new Date().toISOString() }));
      }
      throw err;
    }
    if (answered && operatorReply) {
      const reply: ReplyRecord = await remote.sendReply({
        workflowId,
        chatId: input.chatId,
        channel: input.channel,
        text: operatorReply.text,
        idempotencyKey: `${workflowId}:operator-reply`,
        provider: input.provider,
      });
      await remote.closeHandoff({ workflowId, status: 'answered', operator: operatorReply.operator, answer: operatorReply.text, at: new Date().toISOString() });
      status.handoff = { status: 'answered', dueAt, operator: operatorReply.operator, reply };
      return;
    }
    const apology =
      language === 'es'
        ? 'Sentimos la espera: nuestro equipo no ha podido responderte todavía. Te escribiremos en cuanto podamos.'
        : "Sorry for the wait: our team hasn't been able to reply yet. We will write to you as soon as we can.";
    await remote.sendReply({ workflowId, chatId: input.chatId, channel: input.channel, text: apology, idempotencyKey: `${workflowId}:handoff-timeout`, provider: input.provider });
    await remote.closeHandoff({ workflowId, status: 'timed_out', at: new Date().toISOString() });
    status.handoff = { status: 'timed_out', dueAt };
  }
}
