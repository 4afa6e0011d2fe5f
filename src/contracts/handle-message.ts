import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { AgentName } from '../domain/agent-registry';
import type { Channel } from '../domain/channels';
import type { Intent } from '../domain/intents';
import type { TriageResult } from '../domain/keyword-triage';
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
  /** How long a handoff waits for a person; 24 hours when absent. */
  handoffTimeoutSeconds?: number;
  /** How long a clarifying question counts as already asked for the chat; 24 hours when absent. */
  clarificationWindowSeconds?: number;
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
}

export interface HandoffState {
  status: 'waiting' | 'answered' | 'timed_out' | 'cancelled';
  dueAt: string;
  operator?: string;
  reply?: ReplyRecord;
}

/** A person's answer to a conversation waiting in handoff. */
export interface HandoffReplyInput {
  text: string;
  operator: string;
}

export type HandleMessageResult = MessageStatus;

/** Read-only view of a message's progress; a query because it changes nothing. */
export const getStatusQuery = defineQuery<MessageStatus>('getStatus');

/**
 * A person answers a waiting conversation. An update, not a signal: the caller needs to
 * know whether it was accepted (409 when the conversation is not waiting) and sent.
 */
export const handoffReplyUpdate = defineUpdate<ReplyRecord, [HandoffReplyInput]>('handoffReply');

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
}

export type InboundProvider = 'whatsapp_cloud' | 'twilio' | 'api';
