import { defineQuery } from '@temporalio/workflow';
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
}

export type MessageStep = 'received' | 'triaging' | 'routing' | 'delegating' | 'replying' | 'completed' | 'failed';

/** What one agent contributed to the answer. */
export interface AgentOutcome {
  agent: AgentName;
  intent: Intent;
  text: string;
  /** Facts the agent acted on (slot offered, article used, ...), for the reply and the logs. */
  facts: Record<string, unknown>;
}

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
}

export type HandleMessageResult = MessageStatus;

/** Read-only view of a message's progress; a query because it changes nothing. */
export const getStatusQuery = defineQuery<MessageStatus>('getStatus');

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
}

export interface SendReplyInput {
  workflowId: string;
  chatId: string;
  channel: Channel;
  text: string;
  /** Workflow id + step: the same key never records or sends a second message. */
  idempotencyKey: string;
}
