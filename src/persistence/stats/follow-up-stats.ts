import type { DataSource } from 'typeorm';
import { OutboundMessage } from '../entities/outbound-message.entity';
import { isPostgres, ratio, rawNumber } from './sql-time';

const DAY_MS = 24 * 3600 * 1000;

/**
 * A follow-up step's ledger key: `followup:<chat reference>:<purpose>:step-<n>`, or
 * `…:<purpose>:run-<start ms>:step-<n>` for a later campaign of the same chat and purpose (activities/follow-ups.ts).
 */
const STEP_KEY = /^followup:.*:([a-z_]+)(?::run-\d+)?:step-(\d+)$/;

export interface StepEffect {
  step: number;
  sent: number;
  answered: number;
  /** `answered / sent`, 0..1; 0 when none was sent. */
  reply_rate: number;
}

export interface PurposeEffect extends Omit<StepEffect, 'step'> {
  purpose: string;
  steps: StepEffect[];
}

export interface FollowUpStats {
  from: string;
  to: string;
  purposes: PurposeEffect[];
}

/**
 * Follow-up effectiveness (seed 001), per purpose and step. A step was sent when its ledger
 * row exists and the provider did not refuse it. It was answered when the customer wrote in
 * the chat after it and before the campaign's next step went out, and within
 * `replyWindowHours` of it (a campaign's last step has no next one; a reply weeks later is
 * not its doing). One reply counts for one step at most per campaign, since the next step
 * closes the window of the one before.
 */
export async function followUpEffectiveness(db: DataSource, options: { days: number; now: Date; replyWindowHours: number }): Promise<FollowUpStats> {
  const to = options.now;
  const from = new Date(to.getTime() - options.days * DAY_MS);
  const next = db
    .createQueryBuilder()
    .subQuery()
    .select('MIN(n.created_at)')
    .from(OutboundMessage, 'n')
    .where('n.workflow_id = s.workflow_id')
    .andWhere("n.idempotency_key LIKE 'followup:%'")
    .andWhere("n.status <> 'failed'")
    .andWhere('n.created_at > s.created_at')
    .getQuery();
  // The window closes at the next step or after the reply window, whichever comes first.
  const windowEnd = isPostgres(db)
    ? `LEAST(${next}, s.created_at + make_interval(hours => CAST(:replyHours AS integer)))`
    : `MIN(COALESCE(${next}, strftime('%Y-%m-%d %H:%M:%f', s.created_at, :replyModifier)), strftime('%Y-%m-%d %H:%M:%f', s.created_at, :replyModifier))`;
  const answered = `CASE WHEN EXISTS (SELECT 1 FROM conversation_messages cm WHERE cm.chat_id = s.chat_id AND cm.direction = 'in' AND cm.at > s.created_at AND cm.at < ${windowEnd}) THEN 1 ELSE 0 END`;
  const rows = await db
    .createQueryBuilder()
    .from(OutboundMessage, 's')
    .select('s.idempotency_key', 'key')
    .addSelect(answered, 'answered')
    .where("s.idempotency_key LIKE 'followup:%'")
    .andWhere("s.status <> 'failed'")
    .andWhere('s.created_at >= :from AND s.created_at <= :to', { from, to })
    .setParameters({ replyHours: options.replyWindowHours, replyModifier: `+${options.replyWindowHours} hours` })
    .getRawMany<{ key: string; answered: unknown }>();

  const purposes = new Map<string, Map<number, { sent: number; answered: number }>>();
  for (const row of rows) {
    const match = STEP_KEY.exec(row.key);
    if (!match) continue;
    const [, purpose, step] = match;
    const steps = purposes.get(purpose) ?? new Map<number, { sent: number; answered: number }>();
    purposes.set(purpose, steps);
    const counts = steps.get(Number(step)) ?? { sent: 0, answered: 0 };
    steps.set(Number(step), counts);
    counts.sent += 1;
    counts.answered += rawNumber(row.answered) > 0 ? 1 : 0;
  }
  const out: PurposeEffect[] = [...purposes].map(([purpose, steps]) => {
    const list = [...steps]
      .sort(([a], [b]) => a - b)
      .map(([step, c]): StepEffect => ({ step, sent: c.sent, answered: c.answered, reply_rate: ratio(c.answered, c.sent) }));
    const sent = list.reduce((a, s) => a + s.sent, 0);
    const answeredCount = list.reduce((a, s) => a + s.answered, 0);
    return { purpose, sent, answered: answeredCount, reply_rate: ratio(answeredCount, sent), steps: list };
  });
  out.sort((a, b) => b.sent - a.sent || a.purpose.localeCompare(b.purpose));
  return { from: from.toISOString(), to: to.toISOString(), purposes: out };
}
