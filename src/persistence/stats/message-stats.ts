import type { DataSource } from 'typeorm';
import { ConversationMessage } from '../entities/conversation-message.entity';
import { Handoff } from '../entities/handoff.entity';
import { Task } from '../entities/task.entity';
import { chunks, HOUR_MS, hourIndexSql, rawDate, rawNumber } from './sql-time';

/** The intent of a customer message no turn has triaged (yet). */
export const PENDING_INTENT = 'pending';
/** The intent of a message held for the person who had the chat (it took no turn of its own). */
export const HELD_INTENT = 'human_handoff';

/** Untriaged lines looked at one by one for the turn or the handoff that took them; any beyond stay `pending`. */
const RESOLVE_LIMIT = 5000;
const IN_LIST = 500;
/** How far a turn's task row can be from the messages it answered: a turn lasts seconds, minutes at most. */
const TURN_SLACK_MS = HOUR_MS;

export interface MessageSeries {
  from: string;
  to: string;
  /** Every hour start in the range, oldest first, empty hours included. */
  hours: string[];
  series: Array<{ intent: string; channel: string; counts: number[] }>;
  total: number;
}

type Key = `${number}|${string}|${string}`;
const keyOf = (hour: number, channel: string, intent: string): Key => `${hour}|${channel}|${intent}`;

/**
 * Customer messages per hour by intent and channel, over the last `hours` whole hours (the
 * current one included). A message is an inbound transcript line; its intent is the task
 * of the turn that read it (`tasks.step = 'message'`, same workflow id). A message that
 * joined an earlier message's turn takes that turn's intent, one held for a person during a
 * handoff counts as `human_handoff`, and one nothing has triaged yet as `pending`.
 */
export async function messagesPerHour(db: DataSource, options: { hours: number; now: Date }): Promise<MessageSeries> {
  const lastHour = Math.floor(options.now.getTime() / HOUR_MS);
  const firstHour = lastHour - options.hours + 1;
  const from = new Date(firstHour * HOUR_MS);
  const to = new Date((lastHour + 1) * HOUR_MS);

  const hour = hourIndexSql(db, 'cm.at');
  const inRange = () =>
    db
      .createQueryBuilder()
      .from(ConversationMessage, 'cm')
      .leftJoin(Task, 't', "t.workflow_id = cm.workflow_id AND t.step = 'message'")
      .where("cm.direction = 'in'")
      .andWhere('cm.at >= :from AND cm.at < :to', { from, to });
  const rows = await inRange()
    .select(hour, 'hour')
    .addSelect('cm.channel', 'channel')
    .addSelect('t.task_type', 'intent')
    .addSelect('COUNT(*)', 'n')
    .groupBy(hour)
    .addGroupBy('cm.channel')
    .addGroupBy('t.task_type')
    .getRawMany<{ hour: unknown; channel: string; intent: string | null; n: unknown }>();

  const counts = new Map<Key, number>();
  const add = (key: Key, n: number) => counts.set(key, (counts.get(key) ?? 0) + n);
  for (const row of rows) add(keyOf(rawNumber(row.hour), row.channel, row.intent ?? PENDING_INTENT), rawNumber(row.n));

  if (rows.some((r) => r.intent === null)) {
    const loose = await inRange()
      .select('cm.workflow_id', 'workflowId')
      .addSelect('cm.chat_id', 'chatId')
      .addSelect('cm.channel', 'channel')
      .addSelect('cm.at', 'at')
      .andWhere('t.id IS NULL')
      .orderBy('cm.at', 'DESC')
      .limit(RESOLVE_LIMIT)
      .getRawMany<{ workflowId: string; chatId: string; channel: string; at: unknown }>();
    const lines = loose.map((l) => ({ ...l, at: rawDate(l.at)! }));
    const resolved = await resolveUntriaged(db, lines, from, to);
    for (const line of lines) {
      const intent = resolved.get(line.workflowId);
      if (!intent) continue;
      const h = Math.floor(line.at.getTime() / HOUR_MS);
      add(keyOf(h, line.channel, PENDING_INTENT), -1);
      add(keyOf(h, line.channel, intent), 1);
    }
  }

  const bySeries = new Map<string, { intent: string; channel: string; counts: number[] }>();
  let total = 0;
  for (const [key, n] of counts) {
    if (n <= 0) continue;
    const [h, channel, intent] = key.split('|');
    const index = Number(h) - firstHour;
    if (index < 0 || index >= options.hours) continue;
    const id = `${intent}|${channel}`;
    let series = bySeries.get(id);
    if (!series) bySeries.set(id, (series = { intent, channel, counts: new Array<number>(options.hours).fill(0) }));
    series.counts[index] += n;
    total += n;
  }
  const sum = (s: { counts: number[] }) => s.counts.reduce((a, b) => a + b, 0);
  const series = [...bySeries.values()].sort((a, b) => sum(b) - sum(a) || a.intent.localeCompare(b.intent) || a.channel.localeCompare(b.channel));
  const hours = Array.from({ length: options.hours }, (_, i) => new Date((firstHour + i) * HOUR_MS).toISOString());
  return { from: from.toISOString(), to: to.toISOString(), hours, series, total };
}

/**
 * The intents of inbound lines without a task of their own: a message that joined another's
 * turn is listed in that turn's task input (`messages`); one that arrived while a person
 * held the chat falls inside a (non-approval) handoff of its chat.
 */
async function resolveUntriaged(db: DataSource, lines: Array<{ workflowId: string; chatId: string; at: Date }>, from: Date, to: Date): Promise<Map<string, string>> {
  const resolved = new Map<string, string>();
  const chats = [...new Set(lines.map((l) => l.chatId))];
  for (const slice of chunks(chats, IN_LIST)) {
    const turns = await db
      .createQueryBuilder()
      .from(Task, 't')
      .select('t.task_type', 'intent')
      .addSelect('t.input_data', 'input')
      .where('t.chat_id IN (:...chats)', { chats: slice })
      .andWhere("t.step = 'message'")
      .andWhere('t.created_at >= :since AND t.created_at <= :until', { since: new Date(from.getTime() - TURN_SLACK_MS), until: new Date(to.getTime() + TURN_SLACK_MS) })
      .getRawMany<{ intent: string; input: string | null }>();
    for (const turn of turns) {
      for (const workflowId of turnMessages(turn.input)) resolved.set(workflowId, turn.intent);
    }
  }
  const left = lines.filter((l) => !resolved.has(l.workflowId));
  const leftChats = [...new Set(left.map((l) => l.chatId))];
  const held = new Map<string, Array<{ opened: Date; closed: Date | null }>>();
  for (const slice of chunks(leftChats, IN_LIST)) {
    const handoffs = await db
      .createQueryBuilder()
      .from(Handoff, 'h')
      .select('h.chat_id', 'chatId')
      .addSelect('h.opened_at', 'openedAt')
      .addSelect('h.closed_at', 'closedAt')
      .where('h.chat_id IN (:...chats)', { chats: slice })
      .andWhere("h.reason <> 'approval'")
      .andWhere('h.opened_at < :to', { to })
      .andWhere('(h.closed_at IS NULL OR h.closed_at >= :from)', { from })
      .getRawMany<{ chatId: string; openedAt: unknown; closedAt: unknown }>();
    for (const h of handoffs) {
      const list = held.get(h.chatId) ?? [];
      list.push({ opened: rawDate(h.openedAt)!, closed: rawDate(h.closedAt) });
      held.set(h.chatId, list);
    }
  }
  for (const line of left) {
    const t = line.at.getTime();
    if (held.get(line.chatId)?.some((h) => h.opened.getTime() <= t && (h.closed === null || t <= h.closed.getTime()))) resolved.set(line.workflowId, HELD_INTENT);
  }
  return resolved;
}

/** The message workflow ids a turn answered together, from its task's input (`messages`, when more than one). */
function turnMessages(input: string | null): string[] {
  if (!input) return [];
  try {
    const parsed = JSON.parse(input) as { messages?: unknown };
    return Array.isArray(parsed.messages) ? parsed.messages.filter((m): m is string => typeof m === 'string') : [];
  } catch {
    return [];
  }
}
