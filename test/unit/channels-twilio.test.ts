import twilio from 'twilio';
import { ZodError } from 'zod';
import {
  isDeliveryStatusUpdate,
  parseTwilioWebhook,
  TWILIO_BODY_LIMIT,
  TwilioWhatsAppClient,
  verifyTwilioSignature,
} from '../../src/channels';
import { closedPort, TwilioServer, caughtSendError } from '../helpers/channel-servers';

const CHAT = '85260552717@c.us';
const SANDBOX_FROM = 'whatsapp:+14155238886';
const ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;

/** An inbound WhatsApp message webhook as Twilio posts it (form fields, decoded). */
function inboundParams(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    SmsMessageSid: 'SM4c1a1b5e2f3d4c5b6a7988776655aa01',
    NumMedia: '0',
    ProfileName: 'Ana',
    MessageType: 'text',
    SmsSid: 'SM4c1a1b5e2f3d4c5b6a7988776655aa01',
    WaId: '85260552717',
    SmsStatus: 'received',
    Body: 'I want to book an appointment',
    To: SANDBOX_FROM,
    NumSegments: '1',
    ReferralNumMedia: '0',
    MessageSid: 'SM4c1a1b5e2f3d4c5b6a7988776655aa01',
    AccountSid: ACCOUNT_SID,
    From: 'whatsapp:+85260552717',
    ApiVersion: '2010-04-01',
    ...overrides,
  };
}

/** A status callback as Twilio posts it for a message we sent. */
function statusParams(status: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    ChannelPrefix: 'whatsapp',
    ApiVersion: '2010-04-01',
    MessageStatus: status,
    SmsSid: 'SMfeedc0ffee0123456789abcdef012345',
    SmsStatus: status,
    To: 'whatsapp:+85260552717',
    From: SANDBOX_FROM,
    MessageSid: 'SMfeedc0ffee0123456789abcdef012345',
    StructuredMessage: 'false',
    AccountSid: ACCOUNT_SID,
    ...overrides,
  };
}

describe('verifyTwilioSignature', () => {
  const authToken = 'test-auth-token-0123456789abcdef';
  const url = 'https://switchboard.example.com/webhooks/twilio?tenant=acme';
  const params = inboundParams();
  const signature = twilio.getExpectedTwilioSignature(authToken, url, params);

  it('accepts the signature the library computes for the URL and parameters', () => {
    expect(verifyTwilioSignature(url, params, signature, authToken)).toBe(true);
  });

  it('refuses another token, another URL, a changed parameter, or no signature', () => {
    expect(verifyTwilioSignature(url, params, signature, 'another-token')).toBe(false);
    expect(verifyTwilioSignature('https://switchboard.example.com/webhooks/twilio', params, signature, authToken)).toBe(false);
    expect(verifyTwilioSignature(url, { ...params, Body: 'I want to cancel' }, signature, authToken)).toBe(false);
    expect(verifyTwilioSignature(url, { ...params, Extra: 'x' }, signature, authToken)).toBe(false);
    expect(verifyTwilioSignature(url, params, undefined, authToken)).toBe(false);
    expect(verifyTwilioSignature(url, params, '', authToken)).toBe(false);
    expect(verifyTwilioSignature(url, params, 'not base64 at all', authToken)).toBe(false);
    expect(verifyTwilioSignature(url, params, signature, '')).toBe(false);
  });
});

describe('parseTwilioWebhook', () => {
  it('reads an inbound text message', () => {
    const event = parseTwilioWebhook(inboundParams());
    expect(event).toEqual({
      provider: 'twilio',
      channel: 'whatsapp',
      chatId: CHAT,
      messageId: 'SM4c1a1b5e2f3d4c5b6a7988776655aa01',
      body: 'I want to book an appointment',
      senderName: 'Ana',
      type: 'text',
      supported: true,
    });
    expect(isDeliveryStatusUpdate(event!)).toBe(false);
  });

  it('reads media with its caption, URL and MIME type', () => {
    const mediaUrl = `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/MM0123/Media/ME0123`;
    const event = parseTwilioWebhook(
      inboundParams({ MessageSid: 'MM0123', MessageType: 'image', NumMedia: '1', Body: 'Is this in stock?', MediaUrl0: mediaUrl, MediaContentType0: 'image/jpeg' }),
    );
    expect(event).toMatchObject({ type: 'image', body: 'Is this in stock?', supported: true, media: { reference: mediaUrl, mimeType: 'image/jpeg' } });
    const noType = parseTwilioWebhook(
      inboundParams({ MessageType: '', NumMedia: '1', Body: '', MediaUrl0: mediaUrl, MediaContentType0: 'application/pdf' }),
    );
    expect(noType).toMatchObject({ type: 'document', body: '', supported: true });
  });

  it('flags location and other types it cannot act on as unsupported', () => {
    const event = parseTwilioWebhook(inboundParams({ MessageType: 'location', Body: '', Latitude: '22.2793', Longitude: '114.1628' }));
    expect(event).toMatchObject({ type: 'location', supported: false, body: '' });
  });

  it('maps status callbacks: sent, delivered, read, and failures with their code', () => {
    for (const status of ['sent', 'delivered', 'read'] as const) {
      expect(parseTwilioWebhook(statusParams(status))).toEqual({
        provider: 'twilio',
        providerMessageId: 'SMfeedc0ffee0123456789abcdef012345',
        status,
        recipient: CHAT,
      });
    }
    const failed = parseTwilioWebhook(statusParams('failed', { ErrorCode: '63016', ErrorMessage: 'Failed to send freeform message because you are outside the allowed window.' }));
    expect(failed).toMatchObject({ status: 'failed', error: '63016 Failed to send freeform message because you are outside the allowed window.' });
    expect(isDeliveryStatusUpdate(failed!)).toBe(true);
    expect(parseTwilioWebhook(statusParams('undelivered', { ErrorCode: '63024' }))).toMatchObject({ status: 'failed', error: 'undelivered: 63024' });
    expect(parseTwilioWebhook(statusParams('failed'))).toMatchObject({ status: 'failed', error: 'failed' });
  });

  it('returns null for intermediate statuses', () => {
    for (const status of ['queued', 'sending', 'accepted', 'scheduled']) expect(parseTwilioWebhook(statusParams(status))).toBeNull();
  });

  it('throws a validation error naming the field for a malformed webhook', () => {
    const paths = (params: Record<string, string>): string[] => {
      try {
        parseTwilioWebhook(params);
      } catch (err) {
        expect(err).toBeInstanceOf(ZodError);
        return (err as ZodError).issues.map((i) => i.path.join('.'));
      }
      throw new Error('expected a validation error');
    };
    const { MessageSid: _sid, ...noSid } = inboundParams();
    expect(paths(noSid)).toEqual(['MessageSid']);
    const { From: _from, ...noFrom } = inboundParams();
    expect(paths(noFrom)).toEqual(['From']);
    expect(paths(inboundParams({ From: '+85260552717' }))).toEqual(['From']);
  });
});

describe('TwilioWhatsAppClient against the Twilio stand-in', () => {
  const server = new TwilioServer({ accountSid: ACCOUNT_SID });
  let client: TwilioWhatsAppClient;

  beforeAll(async () => {
    await server.start();
    client = new TwilioWhatsAppClient({
      accountSid: server.accountSid,
      authToken: server.authToken,
      from: SANDBOX_FROM,
      baseUrl: server.url,
      timeoutMs: 2_000,
    });
  });
  afterEach(() => server.reset());
  afterAll(() => server.stop());

  it('sends a text through the library: form-encoded, basic auth, whatsapp: addresses', async () => {
    const result = await client.sendText(CHAT, 'Your appointment is confirmed.');
    expect(result.providerMessageIds).toHaveLength(1);
    expect(result.providerMessageIds[0]).toMatch(/^SM[0-9a-f]{32}$/);
    const [request] = server.requests;
    expect(request.method).toBe('POST');
    expect(request.path).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from(`${server.accountSid}:${server.authToken}`).toString('base64')}`);
    expect(request.headers['user-agent']).toMatch(/^twilio-node\//);
    expect(request.body).toEqual({ To: 'whatsapp:+85260552717', From: SANDBOX_FROM, Body: 'Your appointment is confirmed.' });
  });

  it('adds the whatsapp: prefix to the sender and passes a status callback URL', async () => {
    const other = new TwilioWhatsAppClient({
      accountSid: server.accountSid,
      authToken: server.authToken,
      from: '+14155238886',
      baseUrl: server.url,
      statusCallbackUrl: 'https://switchboard.example.com/webhooks/twilio/status',
    });
    await other.sendText(CHAT, 'hi');
    expect(server.requests[0].body).toMatchObject({ From: SANDBOX_FROM, StatusCallback: 'https://switchboard.example.com/webhooks/twilio/status' });
  });

  it('splits a text over 1600 characters, in order', async () => {
    const text = 'Here is everything about the quotation. '.repeat(100).trim();
    const result = await client.sendText(CHAT, text);
    const bodies = server.sentMessages.map((m) => m.Body);
    expect(bodies.length).toBe(Math.ceil(text.length / TWILIO_BODY_LIMIT));
    expect(result.providerMessageIds).toHaveLength(bodies.length);
    expect(bodies.every((b) => b.length <= TWILIO_BODY_LIMIT)).toBe(true);
    expect(bodies.join(' ')).toBe(text);
  });

  it('sends a Content API template with its variables', async () => {
    await client.sendTemplate(CHAT, { contentSid: 'HX0123456789abcdef0123456789abcdef', variables: { 1: 'Ana', 2: 'Q-2026-001' } });
    expect(server.requests[0].body).toEqual({
      To: 'whatsapp:+85260552717',
      From: SANDBOX_FROM,
      ContentSid: 'HX0123456789abcdef0123456789abcdef',
      ContentVariables: '{"1":"Ana","2":"Q-2026-001"}',
    });
  });

  it('throws non-retryable with Twilio code on a 4xx', async () => {
    server.enqueue({ status: 400, error: { code: 21211, message: "Invalid 'To' Phone Number: whatsapp:+85260552717" } });
    const err = await caughtSendError(client.sendText(CHAT, 'hello'));
    expect(err).toMatchObject({ retryable: false, status: 400, providerCode: 21211 });
    expect(err.message).toMatch(/Invalid 'To' Phone Number/);
    expect(err.message).toMatch(/twilio\.com\/docs\/errors\/21211/);
  });

  it('throws non-retryable on bad credentials, as the stand-in answers them', async () => {
    const wrong = new TwilioWhatsAppClient({ accountSid: server.accountSid, authToken: 'wrong', from: SANDBOX_FROM, baseUrl: server.url });
    expect(await caughtSendError(wrong.sendText(CHAT, 'hi'))).toMatchObject({ retryable: false, status: 401, providerCode: 20003 });
  });

  it('throws retryable on a 5xx and on 429, then succeeds on the caller retry', async () => {
    server.enqueue({ status: 500 }, { status: 429, error: { code: 20429, message: 'Too Many Requests' } });
    expect(await caughtSendError(client.sendText(CHAT, 'hello'))).toMatchObject({ retryable: true, status: 500, providerCode: 20500 });
    expect(await caughtSendError(client.sendText(CHAT, 'hello'))).toMatchObject({ retryable: true, status: 429, providerCode: 20429 });
    expect((await client.sendText(CHAT, 'hello')).providerMessageIds).toHaveLength(1);
    expect(server.requests).toHaveLength(3);
  });

  it('throws retryable on a timeout, a dropped connection and a refused one', async () => {
    const impatient = new TwilioWhatsAppClient({ accountSid: server.accountSid, authToken: server.authToken, from: SANDBOX_FROM, baseUrl: server.url, timeoutMs: 150 });
    server.enqueue({ delayMs: 2_000 });
    const timeout = await caughtSendError(impatient.sendText(CHAT, 'hello'));
    expect(timeout.retryable).toBe(true);
    expect(timeout.message).toMatch(/did not answer within 150 ms/);

    server.enqueue({ destroy: true });
    expect(await caughtSendError(client.sendText(CHAT, 'hello'))).toMatchObject({ retryable: true });

    const nowhere = new TwilioWhatsAppClient({
      accountSid: server.accountSid,
      authToken: server.authToken,
      from: SANDBOX_FROM,
      baseUrl: `http://127.0.0.1:${await closedPort()}`,
    });
    const refused = await caughtSendError(nowhere.sendText(CHAT, 'hello'));
    expect(refused.retryable).toBe(true);
    expect(refused.message).toMatch(/ECONNREFUSED/);
  });

  it('refuses a group chat id locally', async () => {
    expect(await caughtSendError(client.sendText('120363041234567890@g.us', 'hi'))).toMatchObject({ retryable: false });
    expect(server.requests).toHaveLength(0);
  });
});
