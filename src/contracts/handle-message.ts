import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { AgentName } from '../domain/agent-registry';
import type { Channel } from '../domain/channels';
import type { Intent } from '../domain/intents';
import type { TriageResult } from '../domain/keyword-triage';
import type { AgentQuestion, AnswerReading, PendingQuestion, QuestionKind, ResolvedAnswer } from '../domain/questions';
import type { RouteDecision } from '../domain/routing';

/** Input of `handleMessage`: one normalized inbound message. */
export interface HandleMessageInput {
  chatId: string;
  messageId: string;
  channel: Channel;
  body: string;
  senderName?: string;
  /** Unix seconds the provider stamped on the message, when it did. */
  timestamp?: number;
  /** Routing threshold from the starter's config; the routing default when absent. */
  confidenceThreshold?: number;
  /** Ask the LLM when the rules are unsure, and let it word replies (the starter's config). */
  llm?: boolean;
  /**
   * LLM mode: the bounds of an agent's tool-calling loop in one turn (the starter's config);
   * 6 model calls and 12 000 tokens when absent.
   */
  agentLoop?: { maxSteps: number; tokenBudget: number };
  /** How long a handoff waits for a person; 24 hours when absent. */
  handoffTimeoutSeconds?: number;
  /** How long a clarifying question counts as already asked for the chat; 24 hours when absent. */
  clarificationWindowSeconds?: number;
  /** How long a chat a person answered stays with them after the last message either way; 30 minutes when absent. */
  handoffQuietSeconds?: number;
  /** How long an agent's question waits for its answer; 24 hours when absent. */
  questionTtlSeconds?: number;
  /** How many earlier messages of the chat the LLM sees; the config's default when absent. */
  contextTurns?: number;
  /**
   * The starter handed the message to its conversation itself, right after starting it (the
   * API does, so arrivals are ordered as the server took them). Otherwise the message hands
   * itself over as its first step.
   */
  handedOver?: boolean;
  /** A file that came with the message (WhatsApp media, an email attachment). */
  media?: MessageMedia;
  /** Which provider delivered it (WhatsApp Cloud API, Twilio, or our own API). */
  provider?: InboundProvider;
  /**
   * The chat as Temporal may index it (the `ChatId` search attribute): the chat id, or its
   * keyed hash when payloads are encrypted. Absent in runs started before it existed.
   */
  chatRef?: string;
}

export interface MessageMedia {
  /** Provider media id, URL or file name: whatever locates the file. */
  reference: string;
  mimeType?: string;
  filename?: string;
}

export type MessageStep =
  | 'received'
  | 'triaging'
  | 'routing'
  | 'delegating'
  | 'replying'
  | 'waiting_for_human'
  /** An agent's tool call waits for a person's approval (LLM mode). */
  | 'waiting_for_approval'
  /** A person answered and holds the chat until they close it or it goes quiet. */
  | 'with_person'
  /** Waiting for the chat's turn that runs before it. */
  | 'queued'
  | 'completed'
  | 'failed';

/** What one agent contributed to the answer. */
export interface AgentOutcome {
  agent: AgentName;
  intent: Intent;
  text: string;
  /** Facts the agent acted on (slot offered, article used, ...), for the reply and the logs. */
  facts: Record<string, unknown>;
  /** Set when the agent wants something to happen after the reply (a reminder timer, a follow-up). */
  next?: AgentNextStep;
  /**
   * What the agent asked and waits for: the conversation reads the customer's next message
   * as an answer to it first, and gives it back to this agent.
   */
  awaiting?: AgentQuestion;
}

export type AgentNextStep =
  | { kind: 'reminder'; reminderId: string; remindAt: string; text: string }
  | { kind: 'follow_up'; purpose: 'quote' | 'booking_unconfirmed' | 'cart'; reference: string };

export interface ReplyRecord {
  text: string;
  /** Id of the outbound ledger row. */
  outboundId: string;
  status: string;
}

/** `getStatus` answer and, once finished, the workflow's result. */
export interface MessageStatus {
  step: MessageStep;
  chatId: string;
  channel: Channel;
  triage?: Pick<TriageResult, 'intent' | 'intents' | 'confidence' | 'method' | 'language' | 'urgency' | 'flags'>;
  route?: Pick<RouteDecision, 'agent' | 'agents' | 'reason'>;
  outcomes?: AgentOutcome[];
  reply?: ReplyRecord;
  handoff?: HandoffState;
  /** The turn this message was handled in (conversations): which message ran it, which it took, when. */
  turn?: TurnRecord;
  /** How the message read against the question the conversation had open. */
  answer?: { question: QuestionKind; agent: AgentName; reading: AnswerReading['kind'] };
  /** The question this turn left open for the customer's next message. */
  pending?: PendingQuestion;
  /** Set when another message's turn answered this one together with it (a burst). */
  answeredBy?: string;
  /** Set when the chat was with a person: the message joined the handoff held by this workflow. */
  heldBy?: string;
  /** LLM mode: every tool call the agents made in this turn, in the order they were asked for. */
  toolCalls?: ToolCallRecord[];
  /** LLM mode: a tool call waiting for a person's approval, or the decision taken. */
  approval?: ApprovalState;
  /** LLM mode: tokens the turn's model calls used, and why the agents' text was not used when it was not. */
  llm?: { promptTokens: number; completionTokens: number; modelCalls: number; fallback?: LoopFallbackReason };
}

/** Why an agent's loop ended without a text the customer could be sent. */
export type LoopFallbackReason = 'step_limit' | 'token_budget' | 'ungrounded' | 'model_failed';

export interface ToolCallRecord {
  /** The call's id in this workflow (the model's, made unique). */
  id: string;
  /** The agent whose model asked for it; `supervisor` for a call to an agent that does not exist. */
  agent: AgentName | 'supervisor';
  name: string;
  /** One line for people: `book_slot: 2026-12-01 10:00`. */
  summary: string;
  status: 'done' | 'invalid' | 'failed' | 'needs_approval' | 'refused';
}

export interface ApprovalState {
  /** The handoff row people decide through (`POST /api/handoffs/:id/decision`). */
  handoffId: string;
  callId: string;
  agent: AgentName;
  summary: string;
  reason: string;
  status: 'waiting' | 'granted' | 'refused' | 'timed_out';
  dueAt: string;
  operator?: string;
  note?: string;
}

/**
 * An approval's handoff id: the message workflow's id, this mark, the call id
 * (`msg:whatsapp:abc:approval:call_1`); `POST /api/handoffs/:id/decision` takes it.
 */
export const APPROVAL_MARK = ':approval:';

/** A person's decision on a tool call waiting for approval. */
export interface ApprovalDecisionInput {
  approve: boolean;
  /** The call decided on; refused when another call waits (a stale decision). */
  callId?: string;
  operator?: string;
  note?: string;
}

export interface TurnRecord {
  /** The message workflow that ran the turn. */
  owner: string;
  /** Every message the turn answered, in arrival order (the owner first). */
  messages: string[];
  startedAt: string;
  finishedAt?: string;
}

export interface HandoffState {
  /**
   * `waiting` for a person; `answered`: a person replied and holds the chat; `closed`: handed
   * back to the agents (by the person, or after a quiet period); `timed_out`: nobody came.
   */
  status: 'waiting' | 'answered' | 'closed' | 'timed_out' | 'cancelled';
  dueAt: string;
  operator?: string;
  /** The person's first reply (kept for the shape older clients read). */
  reply?: ReplyRecord;
  /** Every reply the person sent, oldest first. */
  replies?: Array<ReplyRecord & { operator: string }>;
  /** Customer messages that joined the handoff while the person held the chat. */
  customerMessages?: number;
  closedBy?: string;
}

/** A person's answer to a conversation waiting in handoff. */
export interface HandoffReplyInput {
  text: string;
  operator: string;
}

/** A person hands the chat back to the agents. */
export interface HandoffCloseInput {
  operator?: string;
}

export type HandleMessageResult = MessageStatus;

/** Read-only view of a message's progress; a query because it changes nothing. */
export const getStatusQuery = defineQuery<MessageStatus>('getStatus');

/**
 * A person answers a waiting conversation. An update, not a signal: the caller needs to
 * know whether it was accepted (409 when the conversation is not waiting) and sent.
 */
export const handoffReplyUpdate = defineUpdate<ReplyRecord, [HandoffReplyInput]>('handoffReply');

/** Hands the chat back to the agents; an update so the caller learns whether it applied (409 if not). */
export const closeHandoffUpdate = defineUpdate<HandoffState, [HandoffCloseInput]>('closeHandoff');

/**
 * A person approves or refuses the tool call an agent's loop paused on (cancel an order, a
 * large refund); an update so the caller learns whether it applied (409 when nothing waits).
 */
export const approvalDecisionUpdate = defineUpdate<ApprovalState, [ApprovalDecisionInput]>('approvalDecision');

/** What a specialist agent activity receives. Ids and facts, never a transcript. */
export interface AgentInput {
  workflowId: string;
  chatId: string;
  channel: Channel;
  body: string;
  intent: Intent;
  senderName?: string;
  triage: Pick<TriageResult, 'entities' | 'language' | 'urgency' | 'confidence'>;
  /** Why routing chose this agent; the handoff agent words its reply by it. */
  routeReason: RouteDecision['reason'];
  /** When the message arrived (ISO-8601): "tomorrow" means the same day on every retry. */
  receivedAt: string;
  media?: MessageMedia;
  /** The customer's answer to the question this agent asked in an earlier turn. */
  answer?: ResolvedAnswer;
}

export interface SendReplyInput {
  workflowId: string;
  chatId: string;
  channel: Channel;
  text: string;
  /** Workflow id + step: the same key never records or sends a second message. */
  idempotencyKey: string;
  /** The provider the customer wrote through; the reply goes back the same way. */
  provider?: InboundProvider;
  /** When the message this answers arrived: inside WhatsApp's 24-hour window, free text is allowed. */
  replyToReceivedAt?: string;
  /** Email subject, for the email channel. */
  subject?: string;
  /** When the send is decided (the workflow's time); the 24-hour window is judged at it. */
  at?: string;
  /** Who wrote it, for the transcript: the agent that answered, or the person. */
  agent?: string;
  operator?: string;
  /** For the transcript: what produced the text (LLM mode's tool calls and token usage). */
  metadata?: Record<string, unknown>;
}

export type InboundProvider = 'whatsapp_cloud' | 'twilio' | 'api';
