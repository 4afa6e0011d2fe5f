import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { Conversation } from './entities/conversation.entity';
import { InboundEvent } from './entities/inbound-event.entity';
import { OutboundMessage, type OutboundStatus } from './entities/outbound-message.entity';
import { replyStatusEvent, withEvents } from './events';

/** How far along a message is; a late "sent" never overwrites "read". */
const RANK: Record<OutboundStatus, number> = { recorded: 0, sending: 1, sent: 2, delivered: 3, read: 4, failed: 5 };

export interface StatusUpdate {
  provider: string;
  providerMessageId: string;
  status: 'sent' | 'delivered' | 'read' | 'failed';
  error?: string;
  /** Our idempotency key, when the provider echoes it back (WhatsApp's biz_opaque_callback_data). */
  callbackData?: string;
}

/**
 * Applies a provider's delivery status to the outbound ledger: the row is found by our
 * echoed key or by the provider's message id, and only moves forward. A status for a row
 * still `sending` confirms a send whose answer was lost, so its retry sends nothing.
 */
export async function applyDeliveryStatus(db: DataSource, update: StatusUpdate): Promise<{ matched: boolean }> {
  const repo = db.getRepository(OutboundMessage);
  let row = update.callbackData ? await repo.findOneBy({ idempotencyKey: update.callbackData }) : null;
  if (!row) {
    row =
      (await repo.findOneBy({ providerMessageId: update.providerMessageId })) ??
      (await repo
        .createQueryBuilder('m')
        .where('m.provider_message_id LIKE :prefix', { prefix: `${update.providerMessageId},%` })
        .getOne());
  }
  await recordInboundEvent(db, {
    eventKey: `${update.provider}:status:${update.providerMessageId}:${update.status}`,
    provider: update.provider,
    kind: 'status',
    chatId: row?.chatId ?? null,
    messageId: update.providerMessageId,
    payload: { ...update },
  });
  if (!row) return { matched: false };
  const changes: Partial<OutboundMessage> = {};
  if (!row.providerMessageId) changes.providerMessageId = update.providerMessageId;
  const forward = update.status === 'failed' ? !['delivered', 'read'].includes(row.status) : RANK[update.status] > RANK[row.status] || row.status === 'sending';
  if (forward) {
    changes.status = update.status;
    if (update.status === 'failed') changes.error = update.error ?? 'the provider reported the message as failed';
  }
  if (changes.status) {
    // The status and its live-feed event together.
    const status = changes.status as StatusUpdate['status'];
    await withEvents(db, async (manager) => {
      await manager.getRepository(OutboundMessage).update({ id: row.id }, changes);
      return { result: undefined, events: [replyStatusEvent(row, status, changes.error ?? undefined)] };
    });
  } else if (Object.keys(changes).length > 0) {
    await repo.update({ id: row.id }, changes);
  }
  return { matched: true };
}

export async function recordInboundEvent(
  db: DataSource,
  event: Pick<InboundEvent, 'eventKey' | 'provider' | 'kind' | 'chatId' | 'messageId' | 'payload'>,
): Promise<void> {
  await db.createQueryBuilder().insert().into(InboundEvent).values({ id: randomUUID(), ...event }).orIgnore().execute();
}

/**
 * Remembers the customer's last message time: the start of WhatsApp's 24-hour window.
 * Answers whether the chat was known before (a row existed): a first message has no saved
 * conversation state to load.
 */
export async function noteInbound(db: DataSource, chatId: string, at: Date): Promise<{ known: boolean }> {
  const repo = db.getRepository(Conversation);
  const existing = await repo.findOneBy({ chatId });
  if (!existing) {
    await repo
      .createQueryBuilder()
      .insert()
      .into(Conversation)
      .values({ chatId, lastInboundAt: at, lastClarificationAt: null, lastClarificationWorkflowId: null })
      .orIgnore()
      .execute();
  }
  // Also when the conversation's first save inserted the row between the read and the insert
  // (the insert is then ignored): the time moves forward only, whoever wrote the row.
  if (!existing?.lastInboundAt || new Date(existing.lastInboundAt) < at) {
    await repo
      .createQueryBuilder()
      .update(Conversation)
      .set({ lastInboundAt: at })
      .where('chat_id = :chatId', { chatId })
      .andWhere('(last_inbound_at IS NULL OR last_inbound_at < :at)', { at })
      .execute();
  }
  return { known: existing !== null };
}
