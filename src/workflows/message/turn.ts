import { ActivityFailure, log, ParentClosePolicy, patched, startChild, upsertSearchAttributes } from '@temporalio/workflow';
import type { TaskEvent, TaskLogEntry } from '../../contracts';
import {
  AGENT,
  INTENT,
  reminderWorkflowId,
  type AgentInput,
  type AgentOutcome,
  type HandleMessageInput,
  type MessageMedia,
  type MessageStatus,
  type TurnGrant,
} from '../../contracts';
import { getAgent, type AgentName } from '../../domain/agent-registry';
import type { TriageResult } from '../../domain/keyword-triage';
import { pendingFrom, type PendingQuestion, type ResolvedAnswer } from '../../domain/questions';
import { answerRoute, clarificationRoute, DEFAULT_CONFIDENCE_THRESHOLD, needsClarification, routeMessage, type RouteDecision } from '../../domain/routing';
import { priorityForUrgency } from '../../domain/task-lifecycle';
import { callAgent } from '../agent-call';
import { AgentLoops, type SpecialistResult } from './agent-loop';
import type { ApprovalDesk } from './approval-desk';
import { sendReminder } from '../send-reminder.workflow';
import { llm, local, localFirst } from './proxies';

const DEFAULT_CLARIFICATION_WINDOW_SECONDS = 24 * 60 * 60;
const DEFAULT_QUESTION_TTL_SECONDS = 24 * 60 * 60;
const DEFAULT_CONTEXT_TURNS = 8;

/** What one turn needs from the message workflow that runs it. */
export interface TurnContext {
  input: HandleMessageInput;
  workflowId: string;
  /** When this message arrived (ISO-8601): "tomorrow" means the same day on every retry. */
  receivedAt: string;
  status: MessageStatus;
  /** Writes the turn's task rows and agent log (the read side of this history), once per phase. */
  project(events: ProjectedEvent[]): Promise<void>;
  /** Where an agent's tool call waits for a person's approval (LLM mode). */
  approvals: ApprovalDesk;
}

export type ProjectedEvent = Omit<TaskEvent, 'workflowId' | 'runId' | 'at'>;

/** What the turn leaves behind for the conversation. */
export interface TurnResult {
  route: RouteDecision;
  triage: TriageResult;
  /** The question the turn's agent asked; absent when it asked none. */
  pending?: PendingQuestion;
  /** Small talk in the middle of a question: the question stays open. */
  keepPending: boolean;
  /** What the agents did, for the turn's last projection: subtask rows, and log entries of the message's task. */
  projection: { events: ProjectedEvent[]; logs: TaskLogEntry[] };
}

/** The turn's text and file: the customer's messages since the last turn, oldest first. */
function turnMessages(input: HandleMessageInput, grant: TurnGrant): { text: string; media?: MessageMedia } {
  if (grant.batch.length === 0) return { text: input.body, media: input.media };
  return { text: grant.batch.map((a) => a.body).join('\n'), media: grant.batch.find((a) => a.media)?.media };
}

export function describeFailure(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause) return `${err.cause.name}: ${err.cause.message}`;
  return err instanceof Error ? err.message : String(err);
}

/**
 * One turn of a conversation: read the customer's messages (as an answer to the question
 * the chat has open, or as a new request), route them, let the agents act, and reply once.
 * Runs only while the conversation has granted this message the turn.
 */
export async function runTurn(ctx: TurnContext, grant: TurnGrant): Promise<TurnResult> {
  const { input, status } = ctx;
  const { text, media } = turnMessages(input, grant);

  // Any message from the customer is a reply to their follow-up campaigns: call off the ones the chat has.
  if (grant.campaigns?.length) await localFirst('notifyCampaigns')({ chatId: input.chatId, at: ctx.receivedAt, purposes: grant.campaigns });

  const { triage, answer, keepPending, triagedIn } = await read(ctx, grant, text, media !== undefined);
  const route = await decideRoute(ctx, triage, answer, triagedIn);
  // LLM mode acts through the agents' tools; runs started before that keep the rule agents.
  const loops = input.llm === true && patched('llm-agent-tools-v1') ? new AgentLoops(ctx, ctx.approvals, triage.language) : undefined;
  const { outcomes, projection, written } = loops
    ? await delegateToModels(ctx, loops, route, triage, { text, media, answer })
    : { ...(await delegate(ctx, route, triage, { text, media, answer })), written: undefined };
  await reply(ctx, route, triage, outcomes, text, written);
  await startAfterwards(ctx, outcomes, triage.language);

  const asked = outcomes.find((o) => o.awaiting);
  const pending = asked?.awaiting
    ? pendingFrom(asked.awaiting, {
        agent: asked.agent,
        intent: asked.intent,
        askedBy: ctx.workflowId,
        askedAt: new Date().toISOString(),
        ttlSeconds: input.questionTtlSeconds ?? DEFAULT_QUESTION_TTL_SECONDS,
        answered: answer,
      })
    : undefined;
  status.pending = pending;
  return { route, triage, pending, keepPending: keepPending && pending === undefined, projection };
}

/** Triage, first as an answer to the open question; the LLM only for a new request the rules are unsure of. */
async function read(ctx: TurnContext, grant: TurnGrant, text: string, hasMedia: boolean) {
  const { input, status } = ctx;
  status.step = 'triaging';
  const started = Date.now();
  const turn = await local.triageTurn({ text, pending: grant.pending, language: grant.language, now: ctx.receivedAt, hasMedia });
  let triage = turn.triage;
  let answer: ResolvedAnswer | undefined = turn.reading.as === 'answer' && grant.pending ? { question: grant.pending, reading: turn.reading.reading } : undefined;
  const threshold = input.confidenceThreshold ?? DEFAULT_CONFIDENCE_THRESHOLD;
  // The model reads what the rules could not: a new request they are unsure of, or words that
  // answer the open question with nothing the rules recognise (it may be another request).
  const unsure = answer ? answer.reading.kind === 'unclear' : triage.confidence < threshold;
  if (input.llm && triage.flags.length === 0 && unsure) {
    try {
      const read = await llm.triageByLlm({
        text,
        rules: triage,
        context: { chatId: input.chatId, turns: input.contextTurns ?? DEFAULT_CONTEXT_TURNS, excludeWorkflowIds: grant.batch.map((a) => a.workflowId), question: grant.pending },
      });
      if (!answer) triage = read;
      else if (read.confidence >= threshold && read.intent !== 'unknown' && !getAgent(answer.question.agent).intents.includes(read.intent)) {
        // Not an answer after all: the customer asked for something else.
        triage = read;
        answer = undefined;
      }
    } catch (err) {
      log.warn('LLM triage failed; the rules stand', { error: describeFailure(err) });
    }
  }
  if (answer) {
    // The message is an answer: the turn carries on the asking agent's intent.
    triage = { ...triage, intent: answer.question.intent, intents: [answer.question.intent] };
    status.answer = { question: answer.question.kind, agent: answer.question.agent, reading: answer.reading.kind };
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
  const keepPending = turn.reading.as === 'new_topic' && turn.reading.keepPending;
  return { triage, answer, keepPending, triagedIn: Date.now() - started };
}

async function decideRoute(ctx: TurnContext, triage: TriageResult, answer: ResolvedAnswer | undefined, triagedIn: number): Promise<RouteDecision> {
  const { input, status } = ctx;
  status.step = 'routing';
  let route = answer ? answerRoute(answer.question) : routeMessage(triage, { confidenceThreshold: input.confidenceThreshold ?? DEFAULT_CONFIDENCE_THRESHOLD });
  if (needsClarification(route)) {
    const { ask } = await localFirst('claimClarification')({
      chatId: input.chatId,
      workflowId: ctx.workflowId,
      at: ctx.receivedAt,
      windowSeconds: input.clarificationWindowSeconds ?? DEFAULT_CLARIFICATION_WINDOW_SECONDS,
    });
    if (ask) route = clarificationRoute();
  }
  status.route = { agent: route.agent, agents: route.agents, reason: route.reason };
  upsertSearchAttributes([
    { key: INTENT, value: triage.intent },
    { key: AGENT, value: route.agent },
  ]);
  log.info('routed', { intent: triage.intent, confidence: triage.confidence, agent: route.agent, reason: route.reason });
  // The turn's first projection, in one write: the task started, triaged, and handed to its agents.
  const supervised = route.agents.length > 1;
  const delegated = (agent: string, i: number): TaskLogEntry => ({ key: `delegated:${agent}`, agent, action: 'delegated', details: { intent: route.intents[i] } });
  await ctx.project([
    {
      step: 'message',
      kind: 'started',
      taskType: triage.intent,
      priority: priorityForUrgency(triage.urgency),
      chatId: input.chatId,
      messageId: input.messageId,
      channel: input.channel,
      assignedAgent: route.agent,
      input: { body: input.body, senderName: input.senderName ?? null, ...(status.turn && status.turn.messages.length > 1 ? { messages: status.turn.messages } : {}) },
      logs: [
        { key: 'created', agent: 'orchestrator', action: 'created', details: { channel: input.channel } },
        {
          key: 'triaged',
          agent: 'orchestrator',
          action: 'processed',
          durationMs: triagedIn,
          details: { intent: triage.intent, intents: triage.intents, confidence: triage.confidence, method: triage.method, route: route.reason, agents: route.agents, ...(status.answer ? { answer: status.answer } : {}) },
        },
        ...(supervised ? [] : [delegated(route.agent, 0)]),
      ],
    },
    // A message with several intents is a supervisor's task: one subtask per agent.
    ...(supervised
      ? route.agents.map((agent, i): ProjectedEvent => ({ step: `agent:${agent}`, parentStep: 'message', kind: 'delegated', taskType: route.intents[i], assignedAgent: agent, chatId: input.chatId, channel: input.channel, logs: [delegated(agent, i)] }))
      : []),
  ]);
  return route;
}

/** What a routed agent receives: the turn's words, the triage, and the answer to its own question. */
function agentInput(ctx: TurnContext, route: RouteDecision, triage: TriageResult, turn: TurnWords, agentName: AgentName, i: number): AgentInput {
  const { input } = ctx;
  return {
    workflowId: ctx.workflowId,
    chatId: input.chatId,
    channel: input.channel,
    body: turn.text,
    senderName: input.senderName,
    intent: route.intents[i],
    routeReason: route.reason,
    receivedAt: ctx.receivedAt,
    media: turn.media,
    triage: { entities: triage.entities, language: triage.language, urgency: triage.urgency, confidence: triage.confidence },
    ...(turn.answer && turn.answer.question.agent === agentName ? { answer: turn.answer } : {}),
  };
}

type TurnWords = { text: string; media?: MessageMedia; answer?: ResolvedAnswer };
type Delegation = { outcomes: AgentOutcome[]; projection: TurnResult['projection'] };

/**
 * Every routed agent acts (in parallel for a message with several intents); the asking agent
 * gets its answer. What they did is projected with the turn's last write.
 */
async function delegate(ctx: TurnContext, route: RouteDecision, triage: TriageResult, turn: TurnWords): Promise<Delegation> {
  const { status } = ctx;
  status.step = 'delegating';
  const supervised = route.agents.length > 1;
  const projection: TurnResult['projection'] = { events: [], logs: [] };
  const outcomes = await Promise.all(
    route.agents.map(async (agentName, i) => {
      const { outcome, done } = await callAgent(localFirst, agentName, agentInput(ctx, route, triage, turn, agentName, i));
      if (supervised) projection.events.push({ step: `agent:${agentName}`, kind: 'completed', output: { text: outcome.text, facts: outcome.facts }, logs: [done] });
      else projection.logs.push(done);
      return outcome;
    }),
  );
  status.outcomes = outcomes;
  return { outcomes, projection };
}

/**
 * LLM mode: each routed agent's model acts through its tools (`AgentLoops`); several agents
 * are asked by a supervisor, which writes the one answer. `written` is the text to send as
 * it is: the models' own, checked against what the tools returned.
 */
async function delegateToModels(ctx: TurnContext, loops: AgentLoops, route: RouteDecision, triage: TriageResult, turn: TurnWords): Promise<Delegation & { written?: string }> {
  const { status } = ctx;
  status.step = 'delegating';
  const ruleInputs = route.agents.map((agentName, i) => agentInput(ctx, route, triage, turn, agentName, i));
  const projection: TurnResult['projection'] = { events: [], logs: [] };
  let results: SpecialistResult[];
  let written: string | undefined;
  if (route.agents.length > 1) {
    const supervised = await loops.supervise(route, turn.text, ruleInputs);
    results = supervised.results;
    written = supervised.modelWritten ? supervised.text : undefined;
    for (const agent of route.agents) {
      const result = results.find((r) => r.outcome.agent === agent);
      projection.events.push({
        step: `agent:${agent}`,
        kind: 'completed',
        output: result ? { text: result.outcome.text, facts: result.outcome.facts } : { text: null, note: 'the supervisor answered without this agent' },
      });
    }
  } else {
    results = await Promise.all(route.agents.map((agent, i) => loops.specialist(agent, route.intents[i], turn.text, ruleInputs[i])));
    written = results.every((r) => r.modelWritten) ? results.map((r) => r.outcome.text).join('\n\n') : undefined;
  }
  projection.logs.push(...loops.logs);
  const outcomes = results.map((r) => r.outcome);
  status.outcomes = outcomes;
  status.llm = loops.usage();
  return { outcomes, projection, written };
}

/** The supervisor's synthesis: one reply for every agent that acted, in routing order. */
async function reply(ctx: TurnContext, route: RouteDecision, triage: TriageResult, outcomes: AgentOutcome[], customerText: string, written?: string): Promise<void> {
  const { input, status } = ctx;
  status.step = 'replying';
  let text = written ?? outcomes.map((o) => o.text).join('\n\n');
  // A text the agents' models wrote (and the check passed) goes as it is; templates are reworded.
  if (input.llm && written === undefined) {
    try {
      const facts = Object.fromEntries(outcomes.map((o) => [o.agent, o.facts]));
      text = (
        await llm.writeReply({
          language: triage.language,
          draft: text,
          facts,
          customerText,
          context: { chatId: input.chatId, turns: input.contextTurns ?? DEFAULT_CONTEXT_TURNS, excludeWorkflowIds: status.turn?.messages ?? [ctx.workflowId] },
        })
      ).text;
    } catch (err) {
      log.warn('LLM reply failed; sending the template reply', { error: describeFailure(err) });
    }
  }
  status.reply = await localFirst('sendReply')({
    workflowId: ctx.workflowId,
    chatId: input.chatId,
    channel: input.channel,
    text,
    idempotencyKey: `${ctx.workflowId}:reply`,
    provider: input.provider,
    replyToReceivedAt: ctx.receivedAt,
    agent: route.agent,
    ...(status.toolCalls?.length || status.llm ? { metadata: { ...(status.toolCalls?.length ? { toolCalls: status.toolCalls } : {}), ...(status.llm ? { llm: status.llm } : {}) } } : {}),
  });
}

/** What the agents asked to happen after the reply: a follow-up campaign, a reminder's timer. */
async function startAfterwards(ctx: TurnContext, outcomes: AgentOutcome[], language: string): Promise<void> {
  const { input } = ctx;
  for (const outcome of outcomes) {
    if (outcome.next?.kind === 'follow_up') {
      // Signal-with-start: a campaign already running for this chat and purpose takes the new reference.
      await localFirst('startFollowUp')({ chatId: input.chatId, purpose: outcome.next.purpose, channel: input.channel, provider: input.provider, reference: outcome.next.reference });
    }
    if (outcome.next?.kind === 'reminder') {
      // The timer outlives this message's workflow: abandoned, not cancelled, on close.
      await startChild(sendReminder, {
        workflowId: reminderWorkflowId(outcome.next.reminderId),
        parentClosePolicy: ParentClosePolicy.ABANDON,
        args: [{ reminderId: outcome.next.reminderId, chatId: input.chatId, channel: input.channel, remindAt: outcome.next.remindAt, language }],
      });
    }
  }
}
