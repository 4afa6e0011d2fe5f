import { createHash } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { brief, isRetryableStatus, networkError, readBody } from './http-support';
import { ChannelSendError, type SendResult } from './types';

export interface OutboundWebhookOptions {
  url: string;
  /** A Standard Webhooks secret: `whsec_` followed by base64 of the key bytes. */
  secret: string;
  /** Per request; defaults to 10 s. */
  timeoutMs?: number;
}

export interface OutboundWebhookEvent {
  /** Dotted event name, e.g. `message.replied`. */
  type: string;
  data: unknown;
  /** Every retry of the same event carries the same key, hence the same `webhook-id`. */
  idempotencyKey: string;
  /** When the event happened; defaults to now. */
  occurredAt?: Date;
}

/**
 * `msg_<32 hex>`: the `webhook-id` Standard Webhooks receivers deduplicate on, derived
 * from the idempotency key alone so every retry of one event shares it.
 */
export function webhookIdFor(idempotencyKey: string): string {
  return `msg_${createHash('sha256').update(idempotencyKey, 'utf8').digest('hex').slice(0, 32)}`;
}

/**
 * Delivers events to a customer's endpoint, signed per Standard Webhooks
 * (https://www.standardwebhooks.com): the body is `{type, timestamp, data}`, and the
 * signature covers `webhook-id.webhook-timestamp.body`. Redirects are not followed: a POST
 * must not silently become a GET somewhere else.
 */
export class OutboundWebhook {
  private readonly url: string;
  private readonly signer: Webhook;
  private readonly timeoutMs: number;

  constructor(options: OutboundWebhookOptions) {
    if (!options.url) throw new Error('OutboundWebhook: url is required');
    if (!options.secret.startsWith('whsec_')) throw new Error('OutboundWebhook: secret must be a Standard Webhooks secret (whsec_…)');
    this.url = options.url;
    this.signer = new Webhook(options.secret);
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async send(event: OutboundWebhookEvent): Promise<SendResult> {
    const webhookId = webhookIdFor(event.idempotencyKey);
    // The signed timestamp is the sending time, fresh on each attempt: receivers reject
    // signatures older than a few minutes to stop replays.
    const sentAt = new Date();
    const body = JSON.stringify({ type: event.type, timestamp: (event.occurredAt ?? sentAt).toISOString(), data: event.data ?? null });
    const signature = this.signer.sign(webhookId, sentAt, body);
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Switchboard-Webhooks/1',
          'webhook-id': webhookId,
          'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
          'webhook-signature': signature,
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw networkError('webhook endpoint', err, this.timeoutMs);
    }
    const text = await readBody(response);
    if (response.status >= 200 && response.status < 300) return { providerMessageIds: [webhookId] };
    throw new ChannelSendError(`webhook endpoint answered ${response.status}${text ? `: ${brief(text)}` : ''}`, {
      retryable: isRetryableStatus(response.status),
      status: response.status,
    });
  }
}
