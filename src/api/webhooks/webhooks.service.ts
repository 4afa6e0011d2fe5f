import { BadRequestException, ConflictException, Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ZodError } from 'zod';
import { isDeliveryStatusUpdate, parseTwilioWebhook, parseWhatsAppWebhook, type DeliveryStatusUpdate, type NormalizedInbound } from '../../channels';
import { applyDeliveryStatus, recordInboundEvent } from '../../persistence/delivery-ledger';
import type { AppConfig } from '../../config';
import { deliveredMessageProblem } from '../../domain/inbound-message';
import { describeZodIssues } from '../common/http-exception.filter';
import { APP_CONFIG } from '../common/tokens';
import { MessagesService } from '../messages/messages.service';
import { verifiedTwilioForm, verifyWhatsAppDelivery, whatsappChallenge } from './webhook-signatures';

export interface DeliverySummary {
  messages: number;
  started: number;
  duplicates: number;
  unsupported: number;
  statuses: number;
}

/** A Cloud API delivery as it arrived: the bytes Meta signed, its signature and the parsed body. */
export interface WhatsAppDelivery {
  rawBody: Buffer | undefined;
  signature: string | undefined;
  payload: unknown;
}

/** A Twilio delivery as it arrived: the form fields, the path Twilio called and its signature. */
export interface TwilioDelivery {
  form: unknown;
  originalUrl: string;
  signature: string | undefined;
}

/**
 * Turns verified provider deliveries into conversations: each supported message starts its
 * `handleMessage` (the provider's message id makes the workflow id, so redeliveries start
 * nothing new), unsupported types and delivery statuses are recorded. Any failure to start
 * answers 5xx, so the provider redelivers the whole batch and nothing is lost. A delivery
 * whose signature does not check out is refused before any of it is read.
 */
@Injectable()
export class WebhooksService {
  private readonly logger = new Logger('WebhooksService');

  constructor(
    private readonly messages: MessagesService,
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Meta's subscription check: the challenge to echo (403 when the verify token does not match). */
  whatsappChallenge(query: Record<string, unknown>): string {
    return whatsappChallenge(this.config.channels, query);
  }

  async whatsappDelivery({ rawBody, signature, payload }: WhatsAppDelivery): Promise<DeliverySummary> {
    verifyWhatsAppDelivery(this.config.channels, rawBody, signature);
    let parsed: { messages: NormalizedInbound[]; statuses: DeliveryStatusUpdate[] };
    try {
      parsed = parseWhatsAppWebhook(payload);
    } catch (err) {
      if (err instanceof ZodError) throw new BadRequestException(describeZodIssues(err.issues));
      throw err;
    }
    return this.process(parsed.messages, parsed.statuses);
  }

  async twilioDelivery({ form, originalUrl, signature }: TwilioDelivery): Promise<DeliverySummary> {
    const params = verifiedTwilioForm(this.config.channels, form, originalUrl, signature);
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

  /**
   * A provider redelivering an id with other content is not retried into a loop: the first
   * content stands, the webhook is acknowledged, and the conflict is logged.
   */
  private async acceptOnce(message: Parameters<MessagesService['accept']>[0]): Promise<{ duplicate: boolean }> {
    try {
      return await this.messages.accept(message);
    } catch (err) {
      if (!(err instanceof ConflictException)) throw err;
      this.logger.warn(`${message.provider ?? 'provider'} message ${message.id}: ${err.message}`);
      return { duplicate: true };
    }
  }

  private async process(messages: NormalizedInbound[], statuses: DeliveryStatusUpdate[]): Promise<DeliverySummary> {
    const summary: DeliverySummary = { messages: messages.length, started: 0, duplicates: 0, unsupported: 0, statuses: statuses.length };
    for (const message of messages) {
      // A message the REST intake would refuse (control characters, over-long fields, bad text) starts nothing either.
      const invalid = message.supported
        ? deliveredMessageProblem({ chatId: message.chatId, id: message.messageId, body: message.body, senderName: message.senderName, timestamp: message.timestamp })
        : undefined;
      if (invalid) {
        // Logged only: its fields may not even fit the event log's columns.
        this.logger.warn(`${message.provider} message ${JSON.stringify(message.messageId.slice(0, 80))} not started: ${invalid}`);
        summary.unsupported += 1;
        continue;
      }
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
      const accepted = await this.acceptOnce({
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
