import { splitText, WhatsAppCloudClient } from '../../src/channels';
import { closedPort, GraphApiServer, caughtSendError } from '../helpers/channel-servers';

const CHAT = '85260552717@c.us';

/** Asserts that the chunks are the text, in order, with only whitespace dropped between them. */
function expectReassembles(text: string, chunks: string[]): void {
  let position = 0;
  for (const [i, chunk] of chunks.entries()) {
    expect(chunk.length).toBeGreaterThan(0);
    expect(text.startsWith(chunk, position)).toBe(true);
    position += chunk.length;
    if (i < chunks.length - 1) {
      const gap = /^\s*/.exec(text.slice(position))![0];
      position += gap.length;
    }
  }
  expect(text.slice(position).trim()).toBe('');
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function expectNoBrokenSurrogates(chunks: string[]): void {
  for (const chunk of chunks) expect(LONE_SURROGATE.test(chunk)).toBe(false);
}

describe('splitText', () => {
  it('leaves a text within the limit alone', () => {
    expect(splitText('hello')).toEqual(['hello']);
    expect(splitText('x'.repeat(4096))).toEqual(['x'.repeat(4096)]);
  });

  it('prefers paragraph breaks, then sentence ends, then spaces', () => {
    const para = 'Para one is here. It has two sentences.\n\nPara two follows. And more words here.';
    expect(splitText(para, 60)).toEqual(['Para one is here. It has two sentences.', 'Para two follows. And more words here.']);
    const sentences = 'First sentence ends here. Second sentence is rather longer than that.';
    expect(splitText(sentences, 40)).toEqual(['First sentence ends here.', 'Second sentence is rather longer than', 'that.']);
    expect(splitText('alpha beta gamma delta', 12)).toEqual(['alpha beta', 'gamma delta']);
  });

  it('cuts a run without whitespace on grapheme boundaries, never inside a surrogate pair', () => {
    const emoji = '😀'.repeat(10); // 20 UTF-16 units
    const chunks = splitText(emoji, 5);
    expect(chunks.join('')).toBe(emoji);
    expect(chunks.every((c) => c.length <= 5)).toBe(true);
    expectNoBrokenSurrogates(chunks);
    const family = '👨‍👩‍👧'.repeat(4); // 8 units each, a single grapheme
    const familyChunks = splitText(family, 10);
    expect(familyChunks).toEqual(['👨‍👩‍👧', '👨‍👩‍👧', '👨‍👩‍👧', '👨‍👩‍👧']);
  });

  it('splits a long mixed text into chunks of at most 4096 that reassemble exactly', () => {
    const sentence = 'Our clinic opens at 9:00 and closes at 18:00 — on Saturdays until 13:00 😀. ';
    const text = Array.from({ length: 12 }, (_, i) => `${i}. ${sentence.repeat(20 + i)}`).join('\n\n') + 'x'.repeat(5000);
    const chunks = splitText(text);
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.every((c) => c.length <= 4096)).toBe(true);
    expectReassembles(text, chunks);
    expectNoBrokenSurrogates(chunks);
  });
});

describe('WhatsAppCloudClient against the Graph API stand-in', () => {
  const graph = new GraphApiServer();
  let client: WhatsAppCloudClient;

  beforeAll(async () => {
    await graph.start();
    client = new WhatsAppCloudClient({ baseUrl: graph.url, phoneNumberId: graph.phoneNumberId, accessToken: graph.accessToken, timeoutMs: 2_000 });
  });
  afterEach(() => graph.reset());
  afterAll(() => graph.stop());

  it('sends a text with the exact Cloud API body and bearer auth', async () => {
    const result = await client.sendText(CHAT, 'Your appointment is confirmed for Monday 10:00.');
    expect(result.providerMessageIds).toHaveLength(1);
    expect(result.providerMessageIds[0]).toMatch(/^wamid\./);
    expect(graph.requests).toHaveLength(1);
    const [request] = graph.requests;
    expect(request.method).toBe('POST');
    expect(request.path).toBe(`/v21.0/${graph.phoneNumberId}/messages`);
    expect(request.headers.authorization).toBe(`Bearer ${graph.accessToken}`);
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '85260552717',
      type: 'text',
      text: { preview_url: false, body: 'Your appointment is confirmed for Monday 10:00.' },
    });
  });

  it('honours apiVersion and a trailing slash on baseUrl', async () => {
    const other = new WhatsAppCloudClient({ baseUrl: `${graph.url}/`, apiVersion: 'v23.0', phoneNumberId: graph.phoneNumberId, accessToken: graph.accessToken });
    await other.sendText('+85260552717', 'hi');
    expect(graph.requests[0].path).toBe(`/v23.0/${graph.phoneNumberId}/messages`);
    expect(graph.requests[0].body.to).toBe('85260552717');
  });

  it('splits a text over 4096 characters into ordered requests that reassemble it', async () => {
    const paragraph = (i: number) => `Paragraph ${i}. ` + 'The quotation includes installation, two years of warranty and delivery. '.repeat(14);
    const text = Array.from({ length: 8 }, (_, i) => paragraph(i)).join('\n\n') + ' 😀'.repeat(300);
    expect(text.length).toBeGreaterThan(8192);
    const result = await client.sendText(CHAT, text);
    const bodies = graph.sentMessages.map((b) => b.text.body as string);
    expect(bodies.length).toBeGreaterThanOrEqual(3);
    expect(result.providerMessageIds).toHaveLength(bodies.length);
    expect(new Set(result.providerMessageIds).size).toBe(bodies.length);
    expect(bodies.every((b) => b.length <= 4096)).toBe(true);
    expectReassembles(text, bodies);
    expectNoBrokenSurrogates(bodies);
    // Paragraph boundaries were preferred: every chunk but the last ends a sentence.
    expect(bodies.slice(0, -1).every((b) => b.endsWith('.'))).toBe(true);
  });

  it('reports the parts already sent when a later part fails', async () => {
    // The first part gets the normal answer (a zero delay), the second a 503.
    graph.enqueue({ delayMs: 0 }, { status: 503 });
    const err = await caughtSendError(client.sendText(CHAT, `${'a'.repeat(4000)} ${'b'.repeat(4000)}`));
    expect(err.retryable).toBe(true);
    expect(err.providerMessageIds).toHaveLength(1);
    expect(err.message).toMatch(/after 1 of 2 parts/);
  });

  it('sends a template with its language and body parameters', async () => {
    const result = await client.sendTemplate(CHAT, { name: 'quote_follow_up', languageCode: 'en_US', bodyParams: ['Ana', 'Q-2026-001'] });
    expect(result.providerMessageIds[0]).toMatch(/^wamid\./);
    expect(graph.requests[0].body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '85260552717',
      type: 'template',
      template: {
        name: 'quote_follow_up',
        language: { code: 'en_US' },
        components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }, { type: 'text', text: 'Q-2026-001' }] }],
      },
    });
    await client.sendTemplate(CHAT, { name: 'hello_world', languageCode: 'en_US', bodyParams: [] });
    expect(graph.requests[1].body.template).toEqual({ name: 'hello_world', language: { code: 'en_US' } });
  });

  it('throws retryable on a 500 and succeeds when the caller retries', async () => {
    graph.enqueue({ status: 500, error: { code: 1, message: 'An unknown error has occurred.' } });
    const err = await caughtSendError(client.sendText(CHAT, 'hello'));
    expect(err).toMatchObject({ retryable: true, status: 500, providerCode: 1 });
    const result = await client.sendText(CHAT, 'hello');
    expect(result.providerMessageIds).toHaveLength(1);
    expect(graph.requests).toHaveLength(2);
  });

  it('throws retryable on 429 throttling', async () => {
    graph.enqueue({ status: 429, error: { code: 130429, message: 'Rate limit hit', type: 'OAuthException' } });
    expect(await caughtSendError(client.sendText(CHAT, 'hello'))).toMatchObject({ retryable: true, status: 429, providerCode: 130429 });
  });

  it('treats a throttling code as retryable even on a 400', async () => {
    graph.enqueue({ status: 400, error: { code: 131056, message: '(#131056) (Business Account, Consumer Account) pair rate limit hit' } });
    expect(await caughtSendError(client.sendText(CHAT, 'hello'))).toMatchObject({ retryable: true, status: 400, providerCode: 131056 });
  });

  it('throws non-retryable with the Graph code on a 400 re-engagement error', async () => {
    graph.enqueue({
      status: 400,
      error: {
        code: 131047,
        message: 'Re-engagement message',
        details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
      },
    });
    const err = await caughtSendError(client.sendText(CHAT, 'hello again'));
    expect(err).toMatchObject({ retryable: false, status: 400, providerCode: 131047 });
    expect(err.message).toMatch(/131047.*Re-engagement message.*24 hours/);
  });

  it('throws non-retryable for what the stand-in refuses on its own: bad token, bad phone number id', async () => {
    const badToken = new WhatsAppCloudClient({ baseUrl: graph.url, phoneNumberId: graph.phoneNumberId, accessToken: 'expired' });
    expect(await caughtSendError(badToken.sendText(CHAT, 'hi'))).toMatchObject({ retryable: false, status: 401, providerCode: 190 });
    const badId = new WhatsAppCloudClient({ baseUrl: graph.url, phoneNumberId: '999', accessToken: graph.accessToken });
    expect(await caughtSendError(badId.sendText(CHAT, 'hi'))).toMatchObject({ retryable: false, status: 400, providerCode: 100 });
  });

  it('refuses locally, non-retryable, a chat id that is not a phone number and an empty text', async () => {
    expect(await caughtSendError(client.sendText('120363041234567890@g.us', 'hi'))).toMatchObject({ retryable: false });
    expect(await caughtSendError(client.sendText(CHAT, '   '))).toMatchObject({ retryable: false });
    expect(graph.requests).toHaveLength(0);
  });

  it('throws retryable when the API does not answer in time', async () => {
    const impatient = new WhatsAppCloudClient({ baseUrl: graph.url, phoneNumberId: graph.phoneNumberId, accessToken: graph.accessToken, timeoutMs: 150 });
    graph.enqueue({ delayMs: 2_000 });
    const err = await caughtSendError(impatient.sendText(CHAT, 'hello'));
    expect(err.retryable).toBe(true);
    expect(err.status).toBeUndefined();
    expect(err.message).toMatch(/did not answer within 150 ms/);
  });

  it('throws retryable when the connection is dropped or refused', async () => {
    graph.enqueue({ destroy: true });
    expect(await caughtSendError(client.sendText(CHAT, 'hello'))).toMatchObject({ retryable: true });
    const nowhere = new WhatsAppCloudClient({ baseUrl: `http://127.0.0.1:${await closedPort()}`, phoneNumberId: '1', accessToken: 't' });
    const err = await caughtSendError(nowhere.sendText(CHAT, 'hello'));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/ECONNREFUSED/);
  });

  it('throws retryable on a 502 with an HTML body from a proxy', async () => {
    graph.enqueue({ status: 502, body: '<html><body>Bad Gateway</body></html>' });
    const err = await caughtSendError(client.sendText(CHAT, 'hello'));
    expect(err).toMatchObject({ retryable: true, status: 502 });
    expect(err.message).toMatch(/Bad Gateway/);
  });
});
