import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  ParentClosePolicy,
  patched,
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
  type AgentOutcome,
  type HandleMessageInput,
  type HandleMessageResult,
  type HandoffReplyInput,
  type MessageStatus,
  type ReplyRecord,
  type TaskEvent,
} from '../../contracts';
import type { TriageResult } from '../../domain/keyword-triage';
import { clarificationRoute, DEFAULT_CONFIDENCE_THRESHOLD, needsClarification, routeMessage, type RouteDecision } from '../../domain/routing';
import { priorityForUrgency } from '../../domain/task-lifecycle';
import { callAgent } from '../agent-call';
import { sendReminder } from '../send-reminder.workflow';
import { llm, remote } from './proxies';
import { describeFailure } from './turn';

/** Keyword rules: local, pure and fast; a short timeout and a few quick retries are enough. */
const { triageByRules } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '5 seconds',
  retry: { initialInterval: '100 ms', backoffCoefficient: 2, maximumInterval: '2 seconds', maximumAttempts: 5 },
});

const DEFAULT_HANDOFF_TIMEOUT_SECONDS = 24 * 60 * 60;
const DEFAULT_CLARIFICATION_WINDOW_SECONDS = 24 * 60 * 60;

/**
 * One inbound message handled alone, start to finish: triage → route → delegate → reply,
 * and when the message goes to a person, a durable wait for their answer. This is the shape
 * every message had before conversations (handle-message v1–v5 histories); it stays, exactly
 * as it was, for the runs started then, which replay through it (`patched` in
 * `handleMessage`). New messages take their chat's turns (`conversational.ts`).
 */
export async function legacyHandleMessage(input: HandleMessageInput): Promise<HandleMessageResult> {
  return new LegacyMessage(input).run();
}

type Projected = Omit<TaskEvent, 'workflowId' | 'runId' | 'at'>;

/**
 * The phases of a message handled alone, in the order their commands stand in the v1–v5
 * histories: triage, route, delegate, reply, start what comes after, wait for a person.
 * Each `patched()` is asked exactly where (and only when) it was asked before.
 */
class LegacyMessage {
  private readonly workflowId: string;
  private readonly runId: string;
  private readonly startTime: Date;
  private readonly receivedAt: string;
  private readonly status: MessageStatus;
  private operatorReply: HandoffReplyInput | undefined;
  private projecting = false;
  private followUps = false;

  constructor(private readonly input: HandleMessageInput) {
    const { workflowId, runId, startTime } = workflowInfo();
    this.workflowId = workflowId;
    this.runId = runId;
    this.startTime = startTime;
    this.receivedAt = startTime.toISOString();
    this.status = { step: 'received', chatId: input.chatId, channel: input.channel };
  }

  async run(): Promise<HandleMessageResult> {
    this.listen();
    upsertSearchAttributes([
      // Same value the starter indexed (a keyed hash when histories are encrypted); older runs have none.
      { key: CHAT_ID, value: this.input.chatRef ?? this.input.chatId },
      { key: CHANNEL, value: this.input.channel },
    ]);
    // Task rows and agent logs for the API: the read side of this history.
    this.projecting = patched('task-projections-v1');
    try {
      await this.handle();
    } catch (err) {
      await this.fail(err);
      throw err;
    }
    this.status.step = 'completed';
    await condition(allHandlersFinished);
    return this.status;
  }

  private async handle(): Promise<void> {
    // Any message from the customer is a reply to their follow-up campaigns: call them off.
    this.followUps = patched('follow-ups-v1');
    if (this.followUps) await remote.notifyCampaigns({ chatId: this.input.chatId, at: this.receivedAt });
    const triageStarted = Date.now();
    const triage = await this.triage();
    const route = await this.route(triage, triageStarted);
    const outcomes = await this.delegate(route, triage);
    await this.reply(outcomes, triage.language);
    await this.startAfterwards(outcomes, triage.language);
    if (route.agent === 'human_handoff' && patched('handoff-wait-v1')) {
      await this.waitForPerson(route.reason, triage.language);
    }
    await this.project({
      step: 'message',
      kind: 'completed',
      output: { reply: this.status.reply!.text, agents: route.agents, handoff: this.status.handoff ?? null },
      logs: [{ key: 'replied', agent: route.agent, action: 'completed', durationMs: Date.now() - this.startTime.getTime(), details: { outboundId: this.status.reply!.outboundId } }],
    });
  }

  private listen(): void {
    const status = this.status;
    setHandler(getStatusQuery, () => status);
    setHandler(
      handoffReplyUpdate,
      async (reply) => {
        this.operatorReply = reply;
        await condition(() => status.handoff?.reply !== undefined);
        return status.handoff!.reply!;
      },
      {
        validator: (reply) => {
          if (status.handoff?.status !== 'waiting' || this.operatorReply !== undefined) {
            throw ApplicationFailure.nonRetryable('this conversation is not waiting for a person', 'NotWaitingForHuman');
          }
          if (typeof reply?.text !== 'string' || reply.text.trim() === '') {
            throw ApplicationFailure.nonRetryable('text: must be a non-empty string', 'ValidationError');
          }
        },
      },
    );
  }

  private async project(event: Projected): Promise<void> {
    if (!this.projecting) return;
    await remote.recordTaskEvent({ ...event, workflowId: this.workflowId, runId: this.runId, at: new Date().toISOString() });
  }

  private get threshold(): number {
    return this.input.confidenceThreshold ?? DEFAULT_CONFIDENCE_THRESHOLD;
  }

  private async triage(): Promise<TriageResult> {
    const { input, status } = this;
    status.step = 'triaging';
    let triage: TriageResult = await triageByRules({ text: input.body });
    if (input.llm && triage.flags.length === 0 && triage.confidence < this.threshold && patched('llm-triage-v1')) {
      try {
        triage = await llm.triageByLlm({ text: input.body, rules: triage });
      } catch (err) {
        log.warn('LLM triage failed; the rules stand', { error: describeFailure(err) });
      }
    }
    const { intent, intents, confidence, method, language, urgency, flags } = triage;
    status.triage = { intent, intents, confidence, method, language, urgency, flags };
    upsertSearchAttributes([{ key: INTENT, value: triage.intent }]);
    return triage;
  }

  private async route(triage: TriageResult, triageStarted: number): Promise<RouteDecision> {
    const { input, status } = this;
    status.step = 'routing';
    let route: RouteDecision = routeMessage(triage, { confidenceThreshold: this.threshold });
    if (needsClarification(route) && patched('clarify-once-v1')) {
      const { ask } = await remote.claimClarification({
        chatId: input.chatId,
        workflowId: this.workflowId,
        at: this.receivedAt,
        windowSeconds: input.clarificationWindowSeconds ?? DEFAULT_CLARIFICATION_WINDOW_SECONDS,
      });
      if (ask) route = clarificationRoute();
    }
    status.route = { agent: route.agent, agents: route.agents, reason: route.reason };
    upsertSearchAttributes([{ key: AGENT, value: route.agent }]);
    log.info('routed', { intent: triage.intent, confidence: triage.confidence, agent: route.agent, reason: route.reason });
    await this.project({
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
    return route;
  }

  /** Every routed agent acts; a message with several intents is a supervisor's task, one subtask per agent. */
  private async delegate(route: RouteDecision, triage: TriageResult): Promise<AgentOutcome[]> {
    const { input, status } = this;
    status.step = 'delegating';
    const supervised = route.agents.length > 1;
    const outcomes = await Promise.all(
      route.agents.map(async (agentName, i) => {
        const delegation = { agent: agentName, action: 'delegated' as const, details: { intent: route.intents[i] } };
        if (supervised) {
          await this.project({ step: `agent:${agentName}`, parentStep: 'message', kind: 'delegated', taskType: route.intents[i], assignedAgent: agentName, chatId: input.chatId, channel: input.channel, logs: [{ key: `delegated:${agentName}`, ...delegation }] });
        } else {
          await this.project({ step: 'message', kind: 'delegated', logs: [{ key: `delegated:${agentName}`, ...delegation }] });
        }
        const { outcome, done } = await callAgent(remote, agentName, {
          workflowId: this.workflowId,
          chatId: input.chatId,
          channel: input.channel,
          body: input.body,
          senderName: input.senderName,
          intent: route.intents[i],
          routeReason: route.reason,
          receivedAt: this.receivedAt,
          media: input.media,
          triage: { entities: triage.entities, language: triage.language, urgency: triage.urgency, confidence: triage.confidence },
        });
        await this.project(
          supervised
            ? { step: `agent:${agentName}`, kind: 'completed', output: { text: outcome.text, facts: outcome.facts }, logs: [done] }
            : { step: 'message', kind: 'delegated', logs: [done] },
        );
        return outcome;
      }),
    );
    status.outcomes = outcomes;
    return outcomes;
  }

  /** The supervisor's synthesis: one reply for every agent that acted, in routing order. */
  private async reply(outcomes: AgentOutcome[], language: string): Promise<void> {
    const { input, status, workflowId } = this;
    status.step = 'replying';
    let text = outcomes.map((o) => o.text).join('\n\n');
    if (input.llm && patched('llm-replies-v1')) {
      try {
        const facts = Object.fromEntries(outcomes.map((o) => [o.agent, o.facts]));
        text = (await llm.writeReply({ language, draft: text, facts, customerText: input.body })).text;
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
      replyToReceivedAt: this.receivedAt,
    });
  }

  private async startAfterwards(outcomes: AgentOutcome[], language: string): Promise<void> {
    const { input } = this;
    for (const outcome of outcomes) {
      if (outcome.next?.kind === 'follow_up' && this.followUps) {
        // Signal-with-start: a campaign already running for this chat and purpose takes the new reference.
        await remote.startFollowUp({ chatId: input.chatId, purpose: outcome.next.purpose, channel: input.channel, provider: input.provider, reference: outcome.next.reference });
      }
      if (outcome.next?.kind === 'reminder' && patched('reminder-timer-v1')) {
        // The timer outlives this conversation's workflow: abandoned, not cancelled, on close.
        await startChild(sendReminder, {
          workflowId: reminderWorkflowId(outcome.next.reminderId),
          parentClosePolicy: ParentClosePolicy.ABANDON,
          args: [{ reminderId: outcome.next.reminderId, chatId: input.chatId, channel: input.channel, remindAt: outcome.next.remindAt, language }],
        });
      }
    }
  }

  private async fail(err: unknown): Promise<void> {
    this.status.step = 'failed';
    const cancelled = isCancellation(err);
    // Recorded even while the workflow is being cancelled, so the row never stays in_progress.
    await CancellationScope.nonCancellable(() =>
      this.project({
        step: 'message',
        kind: cancelled ? 'cancelled' : 'failed',
        error: describeFailure(err),
        logs: [{ key: cancelled ? 'cancelled' : 'failed', agent: this.status.route?.agent ?? 'orchestrator', action: cancelled ? 'cancelled' : 'failed', details: { error: describeFailure(err) } }],
      }),
    );
  }

  private async waitForPerson(reason: string, language: string): Promise<void> {
    const { input, status, workflowId } = this;
    const timeoutSeconds = input.handoffTimeoutSeconds ?? DEFAULT_HANDOFF_TIMEOUT_SECONDS;
    const dueAt = new Date(this.startTime.getTime() + timeoutSeconds * 1000).toISOString();
    // Waiting starts before the projection is written: a person who answers as soon as the
    // handoff shows up in the API (even before this workflow has seen the write complete)
    // must be accepted, not told the conversation is not waiting.
    status.handoff = { status: 'waiting', dueAt };
    status.step = 'waiting_for_human';
    await remote.openHandoff({ workflowId, chatId: input.chatId, channel: input.channel, reason, intent: status.triage!.intent, dueAt });
    const answered = await this.awaitOperator(timeoutSeconds, dueAt);
    if (answered && this.operatorReply) {
      const operatorReply = this.operatorReply;
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

  private async awaitOperator(timeoutSeconds: number, dueAt: string): Promise<boolean> {
    try {
      return await condition(() => this.operatorReply !== undefined, timeoutSeconds * 1000);
    } catch (err) {
      // Cancelled while waiting (an operator stopped the conversation): the handoff must not
      // stay open in the queue people work from.
      if (isCancellation(err) && patched('handoff-cancel-close-v1')) {
        this.status.handoff = { status: 'cancelled', dueAt };
        await CancellationScope.nonCancellable(() => remote.closeHandoff({ workflowId: this.workflowId, status: 'cancelled', at: new Date().toISOString() }));
      }
      throw err;
    }
  }
}
