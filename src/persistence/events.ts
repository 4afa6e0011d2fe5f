import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { EntityManager, In, LessThan, MoreThan, type DataSource } from 'typeorm';
import type { EventDataMap, EventType, FeedEvent } from '../contracts/events';
import { EventRecord } from './entities/event.entity';
import type { OutboundMessage } from './entities/outbound-message.entity';
import { inTransaction, type Db } from './transactions';

/**
 * The event log (`events`) behind `GET /api/events`: written once per event by whoever did
 * what it reports, read in id order by the API's feed, and trimmed to a short retention.
 *
 * Ids must become visible in increasing order: a reader that has seen id N must never later
 * find a new row below N, or a client resuming after N would miss it. SQLite has one writer
 * at a time, so a row's id is taken and committed before the next writer starts. PostgreSQL
 * takes ids from a sequence when a row is inserted and shows them when the transaction
 * commits, which can be out of order; every insert therefore first takes one transaction-level
 * advisory lock, held until its transaction has committed, so ids commit in the order they are
 * taken. Inside a larger transaction, publish last: the lock is then held only for the commit.
 */

/** `pg_advisory_xact_lock`'s key for the event log ("SwEv"). */
export const EVENT_LOG_LOCK = 0x53774576;

/** Longest `event_key`; a longer key keeps its start and a hash of the whole. */
const MAX_KEY = 600;
/** Longest text an event carries (the transcript's own limit). */
export const MAX_EVENT_TEXT = 8000;
/** Rows deleted per statement by the retention. */
const DELETE_BATCH = 500;

export interface PublishEventInput<T extends EventType = EventType> {
  /** Derived from the writer's own idempotency key: publishing the same key again writes nothing. */
  key: string;
  type: T;
  chatId?: string | null;
  channel?: string | null;
  workflowId?: string | null;
  data?: EventDataMap[T] | null;
  /** When it happened (default: now). */
  at?: Date | string;
}

const published = new EventEmitter();
published.setMaxListeners(0);

/** Called after events were committed in this process, so a feed here can read them at once. */
export function onEventsPublished(listener: () => void): () => void {
  published.on('published', listener);
  return () => published.off('published', listener);
}

/** Says that events were committed (by a transaction that published them, once it committed). */
export function announceEvents(): void {
  published.emit('published');
}

function eventKey(key: string): string {
  if (key.length <= MAX_KEY) return key;
  return `${key.slice(0, MAX_KEY - 65)}#${createHash('sha256').update(key).digest('hex')}`;
}

function inOpenTransaction(db: Db): boolean {
  return db instanceof EntityManager && db.queryRunner?.isTransactionActive === true;
}

/** Cut to the columns' lengths: an event is never the reason a write fails. */
function clip(value: string | null | undefined, max: number): string | null {
  return value == null ? null : value.slice(0, max);
}

/**
 * Writes one event unless its key was written before (a retried activity, a replayed
 * workflow, a second delivery). Given a transaction's manager, it is written in that
 * transaction (and announced by the caller once it commits); given the data source, it is
 * its own transaction and announced at once.
 */
export async function publishEvent<T extends EventType>(db: Db, event: PublishEventInput<T>): Promise<void> {
  const manager = db instanceof EntityManager ? db : db.manager;
  const at = event.at === undefined ? new Date() : new Date(event.at);
  const values = {
    eventKey: eventKey(event.key),
    type: event.type,
    chatId: clip(event.chatId, 128),
    channel: clip(event.channel, 32),
    workflowId: clip(event.workflowId, 512),
    data: (event.data ?? null) as Record<string, any> | null,
  };
  if (manager.connection.options.type === 'postgres') {
    // One statement: the lock (a CTE with a volatile function is always evaluated, first),
    // then the insert; outside a transaction the statement is its own, committed before the
    // lock is released.
    await manager.query(
      `WITH event_log_lock AS (SELECT pg_advisory_xact_lock(${EVENT_LOG_LOCK}))
       INSERT INTO events (event_key, type, chat_id, channel, workflow_id, data, at)
       SELECT $1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::timestamptz FROM event_log_lock
       ON CONFLICT (event_key) DO NOTHING`,
      [values.eventKey, values.type, values.chatId, values.channel, values.workflowId, values.data === null ? null : JSON.stringify(values.data), at],
    );
  } else {
    await manager.createQueryBuilder().insert().into(EventRecord).values({ ...values, at }).orIgnore().execute();
  }
  if (!inOpenTransaction(db)) announceEvents();
}

/**
 * Runs `work` and publishes what it returns in the same transaction, after it (so the
 * event log's lock is held only for the commit); announces the events once committed.
 * Use it where an event reports another write, so neither exists without the other.
 */
export async function withEvents<R>(db: DataSource, work: (manager: EntityManager) => Promise<{ result: R; events: PublishEventInput[] }>): Promise<R> {
  let count = 0;
  const result = await inTransaction(db, async (manager) => {
    const done = await work(manager);
    for (const event of done.events) await publishEvent(manager, event);
    count = done.events.length;
    return done.result;
  });
  if (count > 0) announceEvents();
  return result;
}

/** `reply.status`: the outbound ledger's row moved to a provider's answer (one event per row and status). */
export function replyStatusEvent(
  row: Pick<OutboundMessage, 'id' | 'chatId' | 'channel' | 'workflowId'>,
  status: EventDataMap['reply.status']['status'],
  error?: string,
): PublishEventInput<'reply.status'> {
  return {
    key: `reply.status:${row.id}:${status}`,
    type: 'reply.status',
    chatId: row.chatId,
    channel: row.channel,
    workflowId: row.workflowId,
    data: { outboundId: row.id, status, ...(error ? { error: error.slice(0, 2000) } : {}) },
  };
}

export function toFeedEvent(row: EventRecord): FeedEvent {
  return {
    // PostgreSQL's bigint arrives as a string.
    id: Number(row.id),
    type: row.type,
    at: new Date(row.at).toISOString(),
    chatId: row.chatId,
    channel: row.channel,
    workflowId: row.workflowId,
    data: (row.data ?? null) as FeedEvent['data'],
  };
}

/** Up to `limit` events after `afterId`, in id order. */
export async function readEventsAfter(db: DataSource, afterId: number, limit: number): Promise<FeedEvent[]> {
  const rows = await db.getRepository(EventRecord).find({ where: { id: MoreThan(afterId) }, order: { id: 'ASC' }, take: limit });
  return rows.map(toFeedEvent);
}

/** The lowest and highest ids still kept (null when the log is empty). */
export async function eventIdRange(db: DataSource): Promise<{ min: number | null; max: number | null }> {
  const raw = await db.getRepository(EventRecord).createQueryBuilder('e').select('MIN(e.id)', 'min').addSelect('MAX(e.id)', 'max').getRawOne<{ min: unknown; max: unknown }>();
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return { min: num(raw?.min), max: num(raw?.max) };
}

/**
 * Deletes the events older than `cutoff`, as a prefix of the ids: everything below the
 * first event at or after the cutoff (all of them when none is). Kept ids are then always
 * one unbroken run to the newest, which is what tells a resuming client whether it missed
 * anything. Cheap and idempotent: any number of API processes may run it at once.
 */
export async function deleteEventsBefore(db: DataSource, cutoff: Date): Promise<number> {
  const repo = db.getRepository(EventRecord);
  const firstKept = await repo.createQueryBuilder('e').select('MIN(e.id)', 'id').where('e.at >= :cutoff', { cutoff }).getRawOne<{ id: unknown }>();
  let below: number;
  if (firstKept?.id !== null && firstKept?.id !== undefined) {
    below = Number(firstKept.id);
  } else {
    const lastOld = await repo.createQueryBuilder('e').select('MAX(e.id)', 'id').where('e.at < :cutoff', { cutoff }).getRawOne<{ id: unknown }>();
    if (lastOld?.id === null || lastOld?.id === undefined) return 0;
    below = Number(lastOld.id) + 1;
  }
  let deleted = 0;
  for (;;) {
    const batch = await repo.find({ select: { id: true }, where: { id: LessThan(below) }, order: { id: 'ASC' }, take: DELETE_BATCH });
    if (batch.length === 0) return deleted;
    const result = await repo.delete({ id: In(batch.map((e) => e.id)) });
    deleted += result.affected ?? batch.length;
  }
}
