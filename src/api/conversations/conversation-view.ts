import type { Conversation } from '../../persistence/entities/conversation.entity';
import type { ConversationMessage } from '../../persistence/entities/conversation-message.entity';
import { isHeldByPerson, isPendingOpen, type TranscriptLine } from '../../persistence/transcript-queries';

/**
 * The API's shapes of a chat and its transcript (`GET /api/conversations`; README, "Send a
 * message, read its result"). Optional fields are left out rather than sent as null; the
 * chat-level fields that can be unknown (`channel`, `language`, `pending`, `handoff`) are null.
 */

const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);

/** Adds `key` only when the value is there. */
const optional = <K extends string, V>(key: K, value: V | null | undefined) => (value === null || value === undefined ? {} : ({ [key]: value } as Record<K, V>));

/** The question waiting for the customer, or null when there is none or it has lapsed at `now`. */
export function pendingView(c: Conversation | null, now: Date) {
  if (!c?.pending || !isPendingOpen(c, now)) return null;
  const p = c.pending;
  return {
    kind: p.kind,
    agent: p.agent,
    intent: p.intent,
    askedAt: p.askedAt,
    expiresAt: p.expiresAt,
    ...optional('options', p.options?.map((o) => ({ label: o.label }))),
  };
}

/** The handoff holding the chat, or null when no person holds it. */
export function handoffView(c: Conversation | null) {
  return c && isHeldByPerson(c) ? { workflowId: c.handoffWorkflowId as string, status: c.handoffStatus as 'waiting' | 'answered' } : null;
}

export function lastMessageView(m: ConversationMessage) {
  return {
    direction: m.direction,
    text: m.text,
    at: iso(m.at) as string,
    workflowId: m.workflowId,
    ...optional('agent', m.agent),
    ...optional('operator', m.operator),
  };
}

/** A transcript line; `status` is the outbound ledger's, for outbound lines only. */
export function transcriptLineView(m: TranscriptLine) {
  return {
    direction: m.direction,
    text: m.text,
    at: iso(m.at) as string,
    workflowId: m.workflowId,
    kind: m.kind,
    ...optional('agent', m.agent),
    ...optional('operator', m.operator),
    ...optional('status', m.direction === 'out' ? m.status : null),
  };
}

/** A chat in the recent-chats list. */
export function conversationSummaryView(c: Conversation, lastMessage: ConversationMessage | null, now: Date) {
  return {
    chatId: c.chatId,
    channel: c.channel ?? lastMessage?.channel ?? null,
    language: c.language ?? null,
    lastMessage: lastMessage ? lastMessageView(lastMessage) : null,
    pending: pendingView(c, now),
    handoff: handoffView(c),
    turns: c.turns ?? 0,
    updatedAt: iso(c.updatedAt ?? c.lastMessageAt ?? c.lastInboundAt),
  };
}
