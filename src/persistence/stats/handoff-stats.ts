import type { DataSource } from 'typeorm';
import { ConversationMessage } from '../entities/conversation-message.entity';
import { Handoff } from '../entities/handoff.entity';
import { HOUR_MS, rawDate, rawNumber, rounded } from './sql-time';

/** Upper bounds (seconds) of the waiting-time histogram; the last bucket (`le: null`) holds the rest. */
export const WAIT_BUCKETS = [60, 300, 900, 3600, 14400, 86400] as const;

export interface HandoffWaits {
  from: string;
  to: string;
  /** Handoffs waiting for a person now, whenever they opened; the oldest one's wait so far. */
  open: { count: number; oldestWaitSeconds: number | null };
  /** Handoffs opened in the range that a person answered: first answer − opened. */
  answered: { count: number; avgWaitSeconds: number | null; p50WaitSeconds: number | null; p90WaitSeconds: number | null; maxWaitSeconds: number | null };
  /** Handoffs opened in the range that nobody answered before their deadline. */
  timedOut: number;
  /** The answered waits by bucket (not cumulative): `le` is the bucket's upper bound in seconds, `null` for more. */
  buckets: Array<{ le: number | null; count: number }>;
}

/** Nearest-rank percentile of ascending `sorted`. */
function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}

/**
 * How long people made customers wait. A handoff's first answer is the first line a person
 * wrote in its message workflow's transcript (`kind = 'operator'`); an approval is answered
 * when the decision closed it (it writes no line of its own).
 */
export async function handoffWaits(db: DataSource, options: { hours: number; now: Date }): Promise<HandoffWaits> {
  const to = options.now;
  const from = new Date(to.getTime() - options.hours * HOUR_MS);

  const open = await db
    .createQueryBuilder()
    .from(Handoff, 'h')
    .select('COUNT(*)', 'n')
    .addSelect('MIN(h.opened_at)', 'oldest')
    .where("h.status = 'open'")
    .getRawOne<{ n: unknown; oldest: unknown }>();
  const oldest = rawDate(open?.oldest);

  const firstAnswer = db
    .createQueryBuilder()
    .subQuery()
    .select('MIN(cm.at)')
    .from(ConversationMessage, 'cm')
    .where('cm.workflow_id = h.workflow_id')
    .andWhere("cm.kind = 'operator'")
    .getQuery();
  const rows = await db
    .createQueryBuilder()
    .from(Handoff, 'h')
    .select('h.status', 'status')
    .addSelect('h.reason', 'reason')
    .addSelect('h.opened_at', 'openedAt')
    .addSelect('h.closed_at', 'closedAt')
    .addSelect(firstAnswer, 'answeredAt')
    .where('h.opened_at >= :from AND h.opened_at <= :to', { from, to })
    .getRawMany<{ status: string; reason: string; openedAt: unknown; closedAt: unknown; answeredAt: unknown }>();

  const waits: number[] = [];
  let timedOut = 0;
  for (const row of rows) {
    if (row.status === 'timed_out') timedOut += 1;
    const answeredAt = rawDate(row.answeredAt) ?? (row.reason === 'approval' && row.status === 'answered' ? rawDate(row.closedAt) : null);
    if (!answeredAt) continue;
    waits.push(Math.max(0, (answeredAt.getTime() - rawDate(row.openedAt)!.getTime()) / 1000));
  }
  waits.sort((a, b) => a - b);
  const secs = (v: number | null) => (v === null ? null : rounded(v, 1));
  const buckets = [...WAIT_BUCKETS, null].map((le, i) => {
    const above = i === 0 ? -1 : WAIT_BUCKETS[i - 1];
    return { le, count: waits.filter((w) => w > above && (le === null || w <= le)).length };
  });
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    open: { count: rawNumber(open?.n), oldestWaitSeconds: oldest ? secs(Math.max(0, (to.getTime() - oldest.getTime()) / 1000)) : null },
    answered: {
      count: waits.length,
      avgWaitSeconds: waits.length ? secs(waits.reduce((a, b) => a + b, 0) / waits.length) : null,
      p50WaitSeconds: secs(percentile(waits, 0.5)),
      p90WaitSeconds: secs(percentile(waits, 0.9)),
      maxWaitSeconds: secs(waits.length ? waits[waits.length - 1] : null),
    },
    timedOut,
    buckets,
  };
}
