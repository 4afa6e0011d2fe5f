import { randomBytes } from 'node:crypto';
import { OutboundWebhook, webhookIdFor } from '../../src/channels';
import { closedPort, WebhookReceiver, caughtSendError } from '../helpers/channel-servers';

const SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const OTHER_SECRET = `whsec_${randomBytes(24).toString('base64')}`;

describe('OutboundWebhook against a Standard Webhooks receiver', () => {
  const receiver = new WebhookReceiver(SECRET);
  let webhook: OutboundWebhook;
  const event = {
    type: 'message.replied',
    data: { workflowId: 'msg:whatsapp:msg_123', chatId: '85260552717@c.us', reply: { text: 'Booked for Monday 10:00 ✅' } },
    idempotencyKey: 'msg:whatsapp:msg_123:webhook:replied',
  };

  beforeAll(async () => {
    await receiver.start();
    webhook = new OutboundWebhook({ url: `${receiver.url}/hooks/switchboard`, secret: SECRET, timeoutMs: 2_000 });
  });
  afterEach(() => receiver.reset());
  afterAll(() => receiver.stop());

  it('posts {type, timestamp, data} that the receiver verifies with the shared secret', async () => {
    const occurredAt = new Date('2026-01-05T10:00:00.000Z');
    const result = await webhook.send({ ...event, occurredAt });
    const id = webhookIdFor(event.idempotencyKey);
    expect(result).toEqual({ providerMessageIds: [id] });
    expect(receiver.deliveries).toHaveLength(1);
    const [delivery] = receiver.deliveries;
    expect(delivery.verified).toBe(true);
    expect(delivery.id).toBe(id);
    expect(delivery.signature).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(Math.abs(Number(delivery.timestamp) - Date.now() / 1000)).toBeLessThan(60);
    expect(delivery.payload).toEqual({ type: 'message.replied', timestamp: '2026-01-05T10:00:00.000Z', data: event.data });
    expect(receiver.requests[0].path).toBe('/hooks/switchboard');
    expect(receiver.requests[0].headers['content-type']).toBe('application/json');
  });

  it('keeps the webhook-id across retries of one event, so the receiver can deduplicate', async () => {
    receiver.enqueue({ status: 503 });
    await caughtSendError(webhook.send(event));
    await webhook.send(event);
    await webhook.send({ ...event, idempotencyKey: 'another-event' });
    expect(receiver.deliveries.map((d) => d.verified)).toEqual([true, true, true]);
    const ids = receiver.deliveries.map((d) => d.id);
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).not.toBe(ids[0]);
    expect(ids.every((i) => /^msg_[0-9a-f]{32}$/.test(i ?? ''))).toBe(true);
  });

  it('is rejected by a receiver holding another secret, non-retryably', async () => {
    const wrong = new OutboundWebhook({ url: receiver.url, secret: OTHER_SECRET });
    const err = await caughtSendError(wrong.send(event));
    expect(err).toMatchObject({ retryable: false, status: 401 });
    expect(receiver.deliveries).toHaveLength(1);
    expect(receiver.deliveries[0].verified).toBe(false);
    expect(receiver.deliveries[0].error).toMatch(/signature/i);
  });

  it('5xx and 429 are retryable; 400 is not', async () => {
    receiver.enqueue({ status: 500 }, { status: 429 }, { status: 400, error: { message: 'unknown event type' } });
    expect(await caughtSendError(webhook.send(event))).toMatchObject({ retryable: true, status: 500 });
    expect(await caughtSendError(webhook.send(event))).toMatchObject({ retryable: true, status: 429 });
    const bad = await caughtSendError(webhook.send(event));
    expect(bad).toMatchObject({ retryable: false, status: 400 });
    expect(bad.message).toMatch(/unknown event type/);
  });

  it('does not follow a redirect', async () => {
    receiver.enqueue({ status: 307, headers: { location: 'http://127.0.0.1:1/elsewhere' }, body: '' });
    expect(await caughtSendError(webhook.send(event))).toMatchObject({ retryable: false, status: 307 });
    expect(receiver.requests).toHaveLength(1);
  });

  it('a timeout, a dropped connection and a refused one are retryable', async () => {
    const impatient = new OutboundWebhook({ url: receiver.url, secret: SECRET, timeoutMs: 150 });
    receiver.enqueue({ delayMs: 2_000 });
    const timeout = await caughtSendError(impatient.send(event));
    expect(timeout.retryable).toBe(true);
    expect(timeout.message).toMatch(/did not answer within 150 ms/);

    receiver.enqueue({ destroy: true });
    expect(await caughtSendError(webhook.send(event))).toMatchObject({ retryable: true });

    const nowhere = new OutboundWebhook({ url: `http://127.0.0.1:${await closedPort()}/`, secret: SECRET });
    const refused = await caughtSendError(nowhere.send(event));
    expect(refused.retryable).toBe(true);
    expect(refused.message).toMatch(/ECONNREFUSED/);
  });

  it('refuses a secret that is not a Standard Webhooks secret', () => {
    expect(() => new OutboundWebhook({ url: receiver.url, secret: 'plain-text-secret' })).toThrow(/whsec_/);
  });
});
