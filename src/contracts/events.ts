/**
 * The live feed (`GET /api/events`, docs/events.md): what happened to customers' messages, as
 * rows of the `events` table, each published once by the writer of what it reports (the API,
 * an activity) and streamed to the console and web-chat widgets as Server-Sent Events.
 * Pure names and shapes, shared by the writers, the API and the console.
 */

export const EVENT_TYPES = [
  'message.accepted',
  'message.received',
  'reply.sent',
  'reply.status',
  'campaign.step_sent',
  'turn.finished',
  'handoff.opened',
  'handoff.answered',
  'handoff.closed',
  'alert.opened',
  'alert.changed',
  'alert.resolved',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** The type names as constants, so writers and readers never spell them twice. */
export const EventTypes = {
  messageAccepted: 'message.accepted',
  messageReceived: 'message.received',
  replySent: 'reply.sent',
  replyStatus: 'reply.status',
  campaignStepSent: 'campaign.step_sent',
  turnFinished: 'turn.finished',
  handoffOpened: 'handoff.opened',
  handoffAnswered: 'handoff.answered',
  handoffClosed: 'handoff.closed',
  alertOpened: 'alert.opened',
  alertChanged: 'alert.changed',
  alertResolved: 'alert.resolved',
} as const satisfies Record<string, EventType>;

/** What an `ingest` key (a web-chat widget's backend) may follow, and only for one chat. */
export const INGEST_EVENT_TYPES: readonly EventType[] = ['message.accepted', 'message.received', 'reply.sent', 'turn.finished'];

/** The stream's own event, never stored: events the client asked to resume from may have been missed; reload. */
export const RESET_EVENT = 'reset';

/** The outbound ledger's delivery status, as events report it. */
export type EventDeliveryStatus = 'recorded' | 'sending' | 'sent' | 'delivered' | 'read' | 'failed';

/** Who wrote an outbound line (the transcript's kind). */
export type EventTranscriptKind = 'message' | 'reply' | 'operator' | 'follow_up' | 'reminder' | 'notice';

export type AlertLevel = 'info' | 'warning' | 'critical';

/** The `data` of each event type. */
export interface EventDataMap {
  /** The API accepted a new message (a redelivery publishes nothing); its text follows with `message.received`. */
  'message.accepted': { messageId: string; senderName?: string };
  /** The customer's message, written to the transcript. */
  'message.received': { text: string; senderName?: string; kind: EventTranscriptKind };
  /** A line sent to the customer (an agent's reply, a person's, a follow-up step, a reminder, a notice). */
  'reply.sent': { text: string; kind: EventTranscriptKind; agent?: string; operator?: string; outboundId: string; status: EventDeliveryStatus };
  /** The outbound ledger's delivery status moved on. */
  'reply.status': { outboundId: string; status: 'sent' | 'delivered' | 'read' | 'failed'; error?: string };
  /** A follow-up campaign's step went out. */
  'campaign.step_sent': { purpose: string; step: number; outboundId?: string };
  /** A message's turn ended: its task completed, failed or was cancelled. */
  'turn.finished': { intent?: string; agent?: string; status: string };
  'handoff.opened': { reason: string; intent: string; dueAt: string; request?: string };
  'handoff.answered': { operator?: string };
  /** `status`: closed (handed back), timed_out, cancelled, or answered (a decision or an older run's single answer that ended it). */
  'handoff.closed': { status: string };
  /** Published by the alerts' evaluator: an alert opened, changed level, or resolved itself. */
  'alert.opened': AlertEventData;
  'alert.changed': AlertEventData;
  'alert.resolved': AlertEventData;
}

/** An alert's event; the alerts define the rest of its fields. */
export interface AlertEventData {
  level?: AlertLevel;
  [field: string]: unknown;
}

/** One event as the feed serves it (the SSE `data:` line) and as readers of the table see it. */
export interface FeedEvent<T extends EventType = EventType> {
  /** The row's id: increasing in the order events became visible; the SSE `id:`. */
  id: number;
  type: T;
  /** ISO-8601. */
  at: string;
  chatId: string | null;
  channel: string | null;
  workflowId: string | null;
  data: EventDataMap[T] | null;
}

/**
 * `message.accepted`'s key, shared by its two writers: the API once the message's workflow
 * started, and the workflow's first activity (in case it runs before the API wrote it), so
 * the event is written once and always before the message's `message.received`.
 */
export function acceptedEventKey(messageWorkflowId: string): string {
  return `message.accepted:${messageWorkflowId}`;
}

export function isEventType(value: string): value is EventType {
  return (EVENT_TYPES as readonly string[]).includes(value);
}
