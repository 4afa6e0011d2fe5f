import { BadRequestException, Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ZodError } from 'zod';
import { isDeliveryStatusUpdate, parseTwilioWebhook, parseWhatsAppWebhook, type DeliveryStatusUpdate, type NormalizedInbound } from '../../channels';
import { applyDeliveryStatus, recordInboundEvent } from '../../persistence/delivery-ledger';
import { describeZodIssues } from '../common/http-exception.filter';
import { MessagesService } from '../messages/messages.service';

export interface DeliverySummary {
  messages: number;
  started: number;
  duplicates: number;
  unsupported: number;
  statuses: number;
}

/**
 * Turns verified provider deliveries into conversations: each supported message starts its
 * `handleMessage` (the provider's message id makes the workflow id, so redeliveries start
 * nothing new), unsupported types and delivery statuses are recorded. Any failure to start
 * answers 5xx, so the provider redelivers the whole batch and nothing is lost.
 */
@Injectable()
export class WebhooksService {
  private readonly logger = new Logger('WebhooksService');

  constructor(
    private readonly messages: MessagesService,
    @Inject(DataSource) private readonly db: DataSource,
  ) {}

  async whatsappDelivery(payload: unknown): Promise<DeliverySummary> {
    let parsed: { messages: NormalizedInbound[]; statuses: DeliveryStatusUpdate[] };
    try {
      parsed = parseWhatsAppWebhook(payload);
    } catch (err) {
      if (err instanceof ZodError) throw new BadRequestException(describeZodIssues(err.issues));
      throw err;
    }
    return this.process(parsed.messages, parsed.statuses);
  }

  async twilioDelivery(params: Record<string, string>): Promise<DeliverySummary> {
    let event: ReturnType<typeof parseTwilioWebhook>;
    try {
      event = parseTwilioWebhook(params);
    } catch (err) {
      if (err instanceof ZodError) throw new BadRequestException(describeZodIssues(err.issues));
      throw err;
    }
    if (!event) return { messages: 0, started: 0, duplicates: 0, unsupported: 0, statuses: 0 };
    return isDeliveryStatusUpdate(event) ? this.process([], [event]) : this.process([event], []);
  }

  private async process(messages: NormalizedInbound[], statuses: DeliveryStatusUpdate[]): Promise<DeliverySummary> {
    const summary: DeliverySummary = { messages: messages.length, started: 0, duplicates: 0, unsupported: 0, statuses: statuses.length };
    for (const message of messages) {
      if (!message.supported) {
        summary.unsupported += 1;
        await recordInboundEvent(this.db, {
          eventKey: `${message.provider}:unsupported:${message.messageId}`,
          provider: message.provider,
          kind: 'unsupported',
          chatId: message.chatId,
          messageId: message.messageId,
          payload: { type: message.type, timestamp: message.timestamp ?? null },
        });
        continue;
      }
      const accepted = await this.messages.accept({
        chatId: message.chatId,
        id: message.messageId,
        body: message.body,
        channel: 'whatsapp',
        senderName: message.senderName,
        timestamp: message.timestamp,
        media: message.media,
        provider: message.provider,
      });
      if (accepted.duplicate) summary.duplicates += 1;
      else summary.started += 1;
    }
    for (const status of statuses) {
      const { matched } = await applyDeliveryStatus(this.db, status);
      if (!matched) this.logger.log(`status ${status.status} for ${status.providerMessageId}: no outbound message of ours`);
    }
    return summary;
  }
}
