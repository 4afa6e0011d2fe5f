import type { DataSource, EntityManager } from 'typeorm';
import { ConversationMessage } from './entities/conversation-message.entity';
import { withEvents, type PublishEventInput } from './events';
import { stableUuid } from './stable-id';

export type TranscriptEntry = Omit<ConversationMessage, 'id' | 'agent' | 'operator' | 'outboundId' | 'senderName' | 'media' | 'metadata'> &
  Partial<Pick<ConversationMessage, 'agent' | 'operator' | 'outboundId' | 'senderName' | 'media' | 'metadata'>>;

/**
 * Writes one transcript line once: the row's key is its writer's idempotency key (the
 * message workflow's `:in`, the outbound ledger's key), so a retried activity or a second
 * delivery leaves one line. `events` (the live feed's, keyed the same way) are written in the
 * same transaction, so the line and its events exist together or not at all.
 */
export async function recordTranscript(db: DataSource, entry: TranscriptEntry, events: PublishEventInput[] = []): Promise<void> {
  if (events.length === 0) return insertLine(db.manager, entry);
  await withEvents(db, async (manager) => ({ result: await insertLine(manager, entry), events }));
}

async function insertLine(manager: EntityManager, entry: TranscriptEntry): Promise<void> {
  await manager
    .createQueryBuilder()
    .insert()
    .into(ConversationMessage)
    .values({
      id: stableUuid('transcript', entry.messageKey),
      agent: null,
      operator: null,
      outboundId: null,
      senderName: null,
      media: null,
      metadata: null,
      ...entry,
      text: entry.text.slice(0, 8000),
    })
    .orIgnore()
    .execute();
}

/** The key of a message workflow's inbound line. */
export function inboundKey(workflowId: string): string {
  return `${workflowId}:in`;
}
