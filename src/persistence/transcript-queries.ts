import { In, type DataSource, type SelectQueryBuilder } from 'typeorm';
import { Conversation } from './entities/conversation.entity';
import { ConversationMessage } from './entities/conversation-message.entity';
import { OutboundMessage, type OutboundStatus } from './entities/outbound-message.entity';

/**
 * The read side of the transcript (`conversation_messages`) and of the per-chat rows
 * (`conversations`): what the API lists and the worker gives the LLM as context. Written
 * with the query builder over entity properties, so column quoting and date parameters are
 * the driver's (SQLite stores dates as UTC text, PostgreSQL as timestamptz); the two
 * places that read inside the `pending` JSON say which dialect they speak.
 * Pagination is keyset (a row's sort key and id), so a page never repeats or skips a row
 * when new ones arrive between requests.
 */

/** A transcript line with the delivery status of its outbound ledger row (outbound lines only). */
export type TranscriptLine = ConversationMessage & { status: OutboundStatus | null };

/** Where a transcript page starts: after this line. */
export interface TranscriptKey {
  at: Date;
  id: string;
}

/** Where a conversations page starts: after this chat. */
export interface ConversationKey {
  activityAt: Date;
  chatId: string;
}

export interface Page<T, K> {
  items: T[];
  /** The key of the last item when more follow; null on the last page. */
  next: K | null;
}

/** Rows deleted per statement, so a large backlog never holds a long lock or passes SQLite's parameter limit. */
const DELETE_BATCH = 500;

/** Stands in for a chat with no recorded time at all, so it sorts last and its key is never null. */
const EPOCH = new Date(0);

const isPostgres = (db: DataSource) => db.options.type === 'postgres';

/**
 * Joins each line's outbound ledger row, selected as `status`. The join is on the primary
 * key, so it adds at most one row per line and `limit` counts lines.
 */
function withStatus(qb: SelectQueryBuilder<ConversationMessage>): SelectQueryBuilder<ConversationMessage> {
  return qb.leftJoin(OutboundMessage, 'o', 'o.id = m.outboundId').addSelect('o.status', 'line_status');
}

async function linesOf(qb: SelectQueryBuilder<ConversationMessage>): Promise<TranscriptLine[]> {
  const { raw, entities } = await qb.getRawAndEntities<{ m_id: string; line_status: OutboundStatus | null }>();
  const statuses = new Map(raw.map((r) => [r.m_id, r.line_status ?? null]));
  return entities.map((m) => Object.assign(m, { status: m.direction === 'out' ? (statuses.get(m.id) ?? null) : null }));
}

/** One page of a chat's transcript, oldest first, after `after` when given. */
export async function transcriptPage(db: DataSource, chatId: string, options: { limit: number; after?: TranscriptKey }): Promise<Page<TranscriptLine, TranscriptKey>> {
  const qb = withStatus(db.getRepository(ConversationMessage).createQueryBuilder('m')).where('m.chatId = :chatId', { chatId });
  if (options.after) {
    qb.andWhere('(m.at > :afterAt OR (m.at = :afterAt AND m.id > :afterId))', { afterAt: options.after.at, afterId: options.after.id });
  }
  qb.orderBy('m.at', 'ASC').addOrderBy('m.id', 'ASC').limit(options.limit + 1);
  const lines = await linesOf(qb);
  const more = lines.length > options.limit;
  const items = more ? lines.slice(0, options.limit) : lines;
  const last = items[items.length - 1];
  return { items, next: more && last ? { at: new Date(last.at), id: last.id } : null };
}

/** Whether the chat has any transcript line at all. */
export async function hasTranscript(db: DataSource, chatId: string): Promise<boolean> {
  return (await db.getRepository(ConversationMessage).findOne({ where: { chatId }, select: { id: true } })) !== null;
}

/**
 * The last `limit` lines of a chat, oldest first: the context an LLM reads a new message in.
 * `excludeWorkflowIds` leaves out lines of messages the caller passes on its own (the
 * turn's batch), so they are not read twice.
 */
export async function recentTranscript(db: DataSource, chatId: string, options: { limit: number; excludeWorkflowIds?: string[] }): Promise<ConversationMessage[]> {
  if (options.limit <= 0) return [];
  const qb = db.getRepository(ConversationMessage).createQueryBuilder('m').where('m.chatId = :chatId', { chatId });
  const excluded = options.excludeWorkflowIds ?? [];
  if (excluded.length > 0) qb.andWhere('m.workflowId NOT IN (:...excluded)', { excluded });
  const newestFirst = await qb.orderBy('m.at', 'DESC').addOrderBy('m.id', 'DESC').limit(options.limit).getMany();
  return newestFirst.reverse();
}

/** The customer's messages of a chat from `since` on (inclusive), oldest first. */
export async function inboundSince(db: DataSource, chatId: string, since: Date, limit: number): Promise<ConversationMessage[]> {
  return db
    .getRepository(ConversationMessage)
    .createQueryBuilder('m')
    .where('m.chatId = :chatId', { chatId })
    .andWhere('m.direction = :direction', { direction: 'in' })
    .andWhere('m.at >= :since', { since })
    .orderBy('m.at', 'ASC')
    .addOrderBy('m.id', 'ASC')
    .limit(limit)
    .getMany();
}

/**
 * Deletes every transcript line older than `cutoff` (the nightly clean-up, by
 * `CONVERSATION_RETENTION_DAYS`), in batches; answers how many were deleted. The outbound
 * ledger and the conversations rows are left alone.
 */
export async function deleteTranscriptsBefore(db: DataSource, cutoff: Date): Promise<number> {
  const repo = db.getRepository(ConversationMessage);
  let deleted = 0;
  for (;;) {
    const batch = await repo.createQueryBuilder('m').select('m.id').where('m.at < :cutoff', { cutoff }).orderBy('m.at', 'ASC').limit(DELETE_BATCH).getMany();
    if (batch.length === 0) return deleted;
    const result = await repo.delete({ id: In(batch.map((m) => m.id)) });
    deleted += result.affected ?? batch.length;
  }
}

/** What a conversations list is narrowed to. */
export interface ConversationFilters {
  channel?: string;
  /** `pending`: an unexpired question is open; `handoff`: a person holds the chat; `idle`: neither. */
  state?: 'pending' | 'handoff' | 'idle';
  /** A part of the chat id, matched case-insensitively. */
  chatId?: string;
}

/** A chat with its last transcript line (null when it has none). */
export interface ConversationSummary {
  conversation: Conversation;
  /** The time the list sorts by: the chat's last message, else its last update. */
  activityAt: Date;
  lastMessage: ConversationMessage | null;
}

/** A chat's latest activity, as the SQL sort key computes it. */
export function activityOf(c: Conversation): Date {
  const at = c.lastMessageAt ?? c.updatedAt ?? c.lastInboundAt ?? c.lastClarificationAt;
  return at ? new Date(at) : EPOCH;
}

/** True when the pending question is there and has not lapsed at `now`. */
export function isPendingOpen(c: Pick<Conversation, 'pending'>, now: Date): boolean {
  const expires = c.pending?.expiresAt ? Date.parse(c.pending.expiresAt) : NaN;
  return Number.isFinite(expires) && expires > now.getTime();
}

/** True when the row says a person holds the chat. */
export function isHeldByPerson(c: Pick<Conversation, 'handoffWorkflowId' | 'handoffStatus'>): boolean {
  return c.handoffWorkflowId !== null && c.handoffWorkflowId !== undefined && (c.handoffStatus === 'waiting' || c.handoffStatus === 'answered');
}

/**
 * SQL that is true exactly when the row's pending question expires after `:nowIso`, and
 * false (never NULL, so `NOT` of it holds) when there is none. `expiresAt` is ISO-8601 from
 * `toISOString`, so it compares as text; the `C` collation keeps PostgreSQL's bytewise.
 */
function pendingOpenSql(db: DataSource): string {
  const expires = isPostgres(db) ? `((c.pending::json) ->> 'expiresAt')` : `json_extract(c.pending, '$.expiresAt')`;
  const collate = isPostgres(db) ? ' COLLATE "C"' : '';
  return `(c.pending IS NOT NULL AND COALESCE(${expires}, '')${collate} > :nowIso)`;
}

/**
 * One page of chats, newest activity first (ties by chat id), after `after` when given,
 * each with its last transcript line.
 */
export async function conversationsPage(
  db: DataSource,
  options: { limit: number; after?: ConversationKey; filters?: ConversationFilters; now?: Date },
): Promise<Page<ConversationSummary, ConversationKey>> {
  const now = options.now ?? new Date();
  const filters = options.filters ?? {};
  const activity = 'COALESCE(c.lastMessageAt, c.updatedAt, c.lastInboundAt, c.lastClarificationAt, :epoch)';
  const qb = db.getRepository(Conversation).createQueryBuilder('c').setParameter('epoch', EPOCH);
  if (filters.channel) qb.andWhere('c.channel = :channel', { channel: filters.channel });
  if (filters.chatId) {
    const pattern = `%${filters.chatId.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    qb.andWhere(`LOWER(c.chatId) LIKE :chatIdPattern ESCAPE '\\'`, { chatIdPattern: pattern });
  }
  const pendingOpen = pendingOpenSql(db);
  const held = `(c.handoffWorkflowId IS NOT NULL AND c.handoffStatus IS NOT NULL AND c.handoffStatus IN ('waiting', 'answered'))`;
  if (filters.state === 'pending') qb.andWhere(pendingOpen, { nowIso: now.toISOString() });
  else if (filters.state === 'handoff') qb.andWhere(held);
  else if (filters.state === 'idle') qb.andWhere(`NOT ${pendingOpen} AND NOT ${held}`, { nowIso: now.toISOString() });
  if (options.after) {
    qb.andWhere(`(${activity} < :afterAt OR (${activity} = :afterAt AND c.chatId > :afterChat))`, {
      afterAt: options.after.activityAt,
      afterChat: options.after.chatId,
    });
  }
  const rows = await qb.orderBy(activity, 'DESC').addOrderBy('c.chatId', 'ASC').limit(options.limit + 1).getMany();
  const more = rows.length > options.limit;
  const page = more ? rows.slice(0, options.limit) : rows;
  const last = await lastLines(db, page.map((c) => c.chatId));
  const items = page.map((conversation) => ({ conversation, activityAt: activityOf(conversation), lastMessage: last.get(conversation.chatId) ?? null }));
  const tail = items[items.length - 1];
  return { items, next: more && tail ? { activityAt: tail.activityAt, chatId: tail.conversation.chatId } : null };
}

/** Each chat's newest transcript line, in one query. */
async function lastLines(db: DataSource, chatIds: string[]): Promise<Map<string, ConversationMessage>> {
  if (chatIds.length === 0) return new Map();
  const repo = db.getRepository(ConversationMessage);
  const newest = repo
    .createQueryBuilder('n')
    .select('n.id')
    .where('n.chatId = m.chatId')
    .orderBy('n.at', 'DESC')
    .addOrderBy('n.id', 'DESC')
    .limit(1);
  const lines = await repo
    .createQueryBuilder('m')
    .where('m.chatId IN (:...chatIds)', { chatIds })
    .andWhere(`m.id = (${newest.getQuery()})`)
    .getMany();
  return new Map(lines.map((m) => [m.chatId, m]));
}

/** The chat's row in `conversations`, or null. */
export function findConversation(db: DataSource, chatId: string): Promise<Conversation | null> {
  return db.getRepository(Conversation).findOneBy({ chatId });
}
