import { randomUUID } from 'node:crypto';
import { log } from '@temporalio/activity';
import type { DataSource } from 'typeorm';
import type { ReplyRecord, SendReplyInput } from '../contracts';
import { OutboundMessage } from '../persistence/entities/outbound-message.entity';

/**
 * Records the reply in the outbound ledger under its idempotency key. A retry after the
 * row was written finds the row and returns it instead of writing (or later, sending) again.
 */
export function createReplyActivities(db: DataSource) {
  return {
    async sendReply(input: SendReplyInput): Promise<ReplyRecord> {
      const repo = db.getRepository(OutboundMessage);
      await repo
        .createQueryBuilder()
        .insert()
        .into(OutboundMessage)
        .values({
          id: randomUUID(),
          idempotencyKey: input.idempotencyKey,
          workflowId: input.workflowId,
          chatId: input.chatId,
          channel: input.channel,
          body: input.text,
          status: 'recorded',
          providerMessageId: null,
          error: null,
        })
        .orIgnore()
        .execute();
      const row = await repo.findOneByOrFail({ idempotencyKey: input.idempotencyKey });
      log.info('reply recorded', { outboundId: row.id, channel: row.channel });
      return { text: row.body, outboundId: row.id, status: row.status };
    },
  };
}
