import type { DataSource } from 'typeorm';
import { OutboundMessage, type OutboundStatus } from '../entities/outbound-message.entity';
import { HOUR_MS, rawNumber } from './sql-time';

export interface ChannelReplies {
  channel: string;
  /** Handed to the provider successfully: `sent`, `delivered` and `read`. */
  sent: number;
  /** Confirmed delivered by the provider (`delivered` and `read`). */
  delivered: number;
  read: number;
  /** Refused by the provider for good. */
  failed: number;
  /** Recorded but not (yet) handed to a provider, or handed over with no answer yet (`recorded`, `sending`). */
  pending: number;
}

export interface ReplyStats {
  from: string;
  to: string;
  channels: ChannelReplies[];
}

/** Everything sent to customers (agents' replies, people's, follow-ups, reminders) by channel, from the outbound ledger. */
export async function repliesByChannel(db: DataSource, options: { hours: number; now: Date }): Promise<ReplyStats> {
  const to = options.now;
  const from = new Date(to.getTime() - options.hours * HOUR_MS);
  const rows = await db
    .createQueryBuilder()
    .from(OutboundMessage, 'om')
    .select('om.channel', 'channel')
    .addSelect('om.status', 'status')
    .addSelect('COUNT(*)', 'n')
    .where('om.created_at >= :from AND om.created_at <= :to', { from, to })
    .groupBy('om.channel')
    .addGroupBy('om.status')
    .getRawMany<{ channel: string; status: OutboundStatus; n: unknown }>();
  const byChannel = new Map<string, ChannelReplies>();
  for (const row of rows) {
    let c = byChannel.get(row.channel);
    if (!c) byChannel.set(row.channel, (c = { channel: row.channel, sent: 0, delivered: 0, read: 0, failed: 0, pending: 0 }));
    const n = rawNumber(row.n);
    if (row.status === 'sent' || row.status === 'delivered' || row.status === 'read') c.sent += n;
    if (row.status === 'delivered' || row.status === 'read') c.delivered += n;
    if (row.status === 'read') c.read += n;
    if (row.status === 'failed') c.failed += n;
    if (row.status === 'recorded' || row.status === 'sending') c.pending += n;
  }
  const total = (c: ChannelReplies) => c.sent + c.failed + c.pending;
  return { from: from.toISOString(), to: to.toISOString(), channels: [...byChannel.values()].sort((a, b) => total(b) - total(a) || a.channel.localeCompare(b.channel)) };
}
