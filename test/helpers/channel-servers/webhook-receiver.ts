import type { ServerResponse } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { ScriptedHttpServer, sendJson, type RecordedHttpRequest, type ScriptedError } from './scripted-http-server';

export interface ReceivedWebhook {
  id: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
  raw: string;
  verified: boolean;
  /** Why verification failed, as the standardwebhooks library put it. */
  error?: string;
  /** The verified payload. */
  payload?: any;
}

/**
 * A customer's webhook endpoint: verifies each POST with the `standardwebhooks` package
 * (signature over `id.timestamp.body`, five-minute timestamp tolerance), records the
 * outcome, and answers 200 when it verifies and 401 when not, unless a scripted failure
 * says otherwise.
 */
export class WebhookReceiver extends ScriptedHttpServer {
  readonly deliveries: ReceivedWebhook[] = [];
  private readonly verifier: Webhook;
  private readonly outcome = new WeakMap<RecordedHttpRequest, ReceivedWebhook>();

  constructor(readonly secret: string) {
    super();
    this.verifier = new Webhook(secret);
  }

  get verified(): ReceivedWebhook[] {
    return this.deliveries.filter((d) => d.verified);
  }

  override reset(): void {
    super.reset();
    this.deliveries.length = 0;
  }

  protected answer(request: RecordedHttpRequest, res: ServerResponse): void {
    const delivery = this.outcome.get(request);
    if (delivery?.verified) {
      sendJson(res, 200, { received: true });
    } else {
      sendJson(res, 401, { error: delivery?.error ?? 'invalid signature' });
    }
  }

  protected answerError(res: ServerResponse, status: number, error: ScriptedError, headers: Record<string, string>): void {
    sendJson(res, status, { error: error.message ?? `scripted ${status}` }, headers);
  }

  /** Verification happens for every request, scripted or not, so the log is complete. */
  protected override onRequest(request: RecordedHttpRequest): void {
    const header = (name: string): string | undefined => {
      const value = request.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const raw = request.raw.toString('utf8');
    const delivery: ReceivedWebhook = {
      id: header('webhook-id'),
      timestamp: header('webhook-timestamp'),
      signature: header('webhook-signature'),
      raw,
      verified: false,
    };
    try {
      delivery.payload = this.verifier.verify(raw, {
        'webhook-id': delivery.id ?? '',
        'webhook-timestamp': delivery.timestamp ?? '',
        'webhook-signature': delivery.signature ?? '',
      });
      delivery.verified = true;
    } catch (err) {
      delivery.error = err instanceof Error ? err.message : String(err);
    }
    this.deliveries.push(delivery);
    this.outcome.set(request, delivery);
  }
}
