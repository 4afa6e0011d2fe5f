import { randomUUID } from 'node:crypto';
import { Task } from '../../src/persistence/entities/task.entity';
import { startTestApi, type TestApi } from '../helpers/api';
import { APP_SECRET, changeValue, signWhatsAppBody, statuses, wamid, webhookPayload } from '../helpers/channel-servers/whatsapp-payloads';
import { useApiHarness } from '../helpers/harness';

interface Answer {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

async function send(baseUrl: string, method: string, path: string, options: { json?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const hasBody = options.json !== undefined || options.raw !== undefined;
  const headers = { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...options.headers };
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body: options.raw ?? (options.json !== undefined ? JSON.stringify(options.json) : undefined) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // HTML or an empty answer: keep the text
  }
  return { status: res.status, headers: res.headers, body, text };
}

/** The error shape of README, "Limits", and nothing else: no stack, no extra fields. */
function expectError(res: Answer, status: number, message: RegExp): void {
  expect({ status: res.status, body: res.body }).toEqual({ status, body: { statusCode: status, error: expect.any(String), message: expect.stringMatching(message) } });
  expect(res.text).not.toMatch(/\bstack\b|\n\s+at /);
}

/** `depth` arrays inside one another: `[[[...]]]`. */
const nested = (depth: number): unknown => (depth <= 1 ? [] : [nested(depth - 1)]);

describe('input limits: strict bodies, sizes, text, pagination, headers', () => {
  const h = useApiHarness({ name: 'api-limits', env: () => ({ WHATSAPP_APP_SECRET: APP_SECRET }) });
  /** Tasks whose input carries `marker`: what a refused request would have left behind. */
  const tasksMentioning = async (marker: string) =>
    (await h.database.db.getRepository(Task).find()).filter((t) => JSON.stringify(t.inputData ?? {}).includes(marker) || JSON.stringify(t.metadata ?? {}).includes(marker));
  const api = (method: string, path: string, options?: Parameters<typeof send>[3]) => send(h.api.baseUrl, method, path, options);
  const message = (overrides: Record<string, unknown> = {}) => ({ chatId: `limits-${randomUUID()}@c.us`, id: `lim_${randomUUID()}`, body: 'hello there', ...overrides });

  describe('body size and type', () => {
    it('answers 413 for a JSON body over 256kb, naming the limit', async () => {
      const res = await api('POST', '/api/messages', { json: message({ body: 'x'.repeat(300 * 1024) }) });
      expectError(res, 413, /^body: larger than 256kb$/);
      expect(res.body.error).toBe('Payload Too Large');
    });

    it('still applies the text limit to a body under the size limit', async () => {
      const res = await api('POST', '/api/messages', { json: message({ body: 'x'.repeat(4097) }) });
      expectError(res, 400, /^body: .*4096/);
      expect((await api('POST', '/api/messages', { json: message({ body: 'x'.repeat(4096) }) })).status).toBe(202);
    });

    it('lets signed WhatsApp batches past 256kb through, up to 1mb', async () => {
      const deliver = (padding: number) => {
        const raw = JSON.stringify({ ...webhookPayload([changeValue({ statuses: [statuses.read(wamid(), '85260552717')] })]), padding: 'p'.repeat(padding) });
        return send(h.api.baseUrl, 'POST', '/webhooks/whatsapp', { raw, headers: { 'x-hub-signature-256': signWhatsAppBody(raw) } });
      };
      const big = await deliver(600 * 1024);
      expect(big.status).toBe(200);
      expect(big.body).toMatchObject({ messages: 0, statuses: 1 });
      expectError(await deliver(1100 * 1024), 413, /^body: larger than 1mb$/);
    });

    it('answers 400 for malformed JSON and 415 for a body that is not JSON', async () => {
      expectError(await api('POST', '/api/messages', { raw: '{"chatId": "a", ' }), 400, /^body: malformed JSON/);
      const text = await api('POST', '/api/messages', { raw: 'hello', headers: { 'content-type': 'text/plain' } });
      expectError(text, 415, /^content-type: must be application\/json \(got text\/plain\)$/);
      const form = await api('POST', '/api/messages', { raw: 'chatId=a&id=b&body=c', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expectError(form, 415, /^content-type: must be application\/json \(got application\/x-www-form-urlencoded\)$/);
    });

    it('does not ask for a content type when there is no body', async () => {
      const res = await api('POST', `/api/tasks/${randomUUID()}/retry`);
      expectError(res, 404, /./);
    });
  });

  describe('structure', () => {
    it('refuses nesting deeper than 32 levels, however deep, without falling over', async () => {
      const shallow = await api('POST', '/api/messages', { json: { ...message(), deep: nested(31) } });
      expectError(shallow, 400, /^deep: unknown field$/);
      expectError(await api('POST', '/api/messages', { json: { ...message(), deep: nested(40) } }), 400, /^body: nested deeper than 32 levels$/);
      const hostile = '['.repeat(120_000) + ']'.repeat(120_000);
      expectError(await api('POST', '/api/tasks', { raw: hostile }), 400, /^body: nested deeper than 32 levels$/);
      expect((await api('GET', '/health')).status).toBe(200);
    });

    it('refuses unknown fields in bodies and queries, naming each', async () => {
      expectError(await api('POST', '/api/messages', { json: { ...message(), bodyy: 'typo' } }), 400, /^bodyy: unknown field$/);
      expectError(await api('GET', '/api/tasks?status=pending&colour=blue'), 400, /^colour: unknown field$/);
      expectError(await api('GET', '/api/handoffs?sort=asc'), 400, /^sort: unknown field$/);
      expectError(await api('POST', `/api/follow-ups/${encodeURIComponent('a@c.us')}/pause`, { json: { by: 'ops', force: true } }), 400, /^force: unknown field$/);
    });

    it('refuses mass assignment of server-owned task fields, creating nothing', async () => {
      const marker = `what are your hours? ${randomUUID()}`;
      const res = await api('POST', '/api/tasks', {
        json: { type: 'inquiry', body: marker, id: randomUUID(), status: 'completed', workflow_id: 'task:forged', retry_count: 0, created_at: '2020-01-01T00:00:00Z' },
      });
      expectError(res, 400, /unknown field/);
      for (const field of ['id', 'status', 'workflow_id', 'retry_count', 'created_at']) expect(res.body.message).toContain(`${field}: unknown field`);
      expect(await tasksMentioning(marker)).toEqual([]);

      expectError(await api('PUT', `/api/tasks/${randomUUID()}`, { json: { priority: 'high', workflow_id: 'task:forged' } }), 400, /^workflow_id: unknown field$/);
      const forgedMessage = await api('POST', '/api/messages', { json: { ...message(), workflowId: 'msg:whatsapp:forged', status: 'COMPLETED' } });
      expectError(forgedMessage, 400, /workflowId: unknown field; status: unknown field/);
    });

    it.each([
      ['__proto__ at the top', '{"chatId":"a@c.us","id":"p1","body":"hi","__proto__":{"isAdmin":true}}', /^__proto__: "__proto__" is not an accepted field name$/],
      ['constructor.prototype nested', '{"type":"inquiry","body":"hi","metadata":{"constructor":{"prototype":{"isAdmin":true}}}}', /^metadata\.constructor: "constructor" is not an accepted field name$/],
      ['prototype in an array element', '{"type":"inquiry","body":"hi","metadata":{"list":[{"prototype":1}]}}', /^metadata\.list\.0\.prototype: "prototype" is not an accepted field name$/],
    ])('refuses %s and pollutes nothing', async (_name, template, expected) => {
      // Other tests' messages may still be writing their tasks: look for this request's own.
      const marker = `hi ${randomUUID()}`;
      const raw = template.replace('"hi"', JSON.stringify(marker));
      expectError(await api('POST', raw.includes('"type"') ? '/api/tasks' : '/api/messages', { raw }), 400, expected);
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
      expect(await tasksMentioning(marker)).toEqual([]);
    });

    it('refuses __proto__ in a query string', async () => {
      expectError(await api('GET', '/api/tasks?__proto__=x'), 400, /^__proto__: "__proto__" is not an accepted field name$/);
    });
  });

  describe('text', () => {
    it.each([
      ['a NUL', 'hello\u0000world', /^body: must not contain the NUL character/],
      ['a lone high surrogate', 'broken \ud83d here', /^body: must not contain a lone UTF-16 surrogate/],
      ['a lone low surrogate', '\ude00 at the start', /^body: must not contain a lone UTF-16 surrogate/],
    ])('refuses message text with %s', async (_name, body, expected) => {
      expectError(await api('POST', '/api/messages', { json: message({ body }) }), 400, expected);
    });

    it('refuses a body whose bytes are not UTF-8, on the API and the webhooks, storing nothing', async () => {
      const id = `lim_${randomUUID()}`;
      // "café" in Latin-1: the é is the lone byte 0xE9, which UTF-8 never allows there.
      const latin1 = Buffer.concat([Buffer.from(`{"chatId":"limits-utf8@c.us","id":"${id}","body":"caf`), Buffer.from([0xe9]), Buffer.from('"}')]);
      const res = await fetch(`${h.api.baseUrl}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: latin1 });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message).toBe('body: not valid UTF-8 (JSON must be UTF-8 encoded)');
      const view = await api('GET', `/api/messages/${encodeURIComponent(`msg:whatsapp:${id}`)}`);
      expect(view.status).toBe(404);
      const truncated = Buffer.concat([Buffer.from('{"object":"whatsapp_business_account","entry":[],"x":"'), Buffer.from([0xf0, 0x9f, 0x98]), Buffer.from('"}')]);
      const hook = await fetch(`${h.api.baseUrl}/webhooks/whatsapp`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: truncated });
      expect(hook.status).toBe(400);
    });

    it('accepts well-formed text outside the BMP', async () => {
      const res = await api('POST', '/api/messages', { json: message({ body: 'gracias 😀🎉 你好' }) });
      expect(res.status).toBe(202);
    });

    it('names the field wherever the bad text is: nested fields, field names, queries, paths', async () => {
      expectError(await api('POST', `/api/handoffs/${encodeURIComponent('msg:whatsapp:none')}/reply`, { json: { text: 'ok', operator: 'ana\u0000' } }), 400, /^operator: must not contain the NUL/);
      expectError(await api('POST', '/api/tasks', { json: { type: 'inquiry', body: 'hi', metadata: { note: 'x\ud800' } } }), 400, /^metadata\.note: must not contain a lone UTF-16 surrogate/);
      expectError(await api('POST', '/api/tasks', { json: { type: 'inquiry', body: 'hi', metadata: { 'k\u0000': 1 } } }), 400, /^metadata: a field name must not contain the NUL/);
      expectError(await api('GET', '/api/tasks?chatId=abc%00'), 400, /^chatId: must not contain the NUL/);
      expectError(await api('GET', '/api/follow-ups/abc%00'), 400, /^chatId: must not contain the NUL/);
      expectError(await api('GET', `/api/messages/${encodeURIComponent('msg:whatsapp:a\u0000b')}`), 400, /^workflowId: must not contain the NUL/);
    });
  });

  describe('pagination', () => {
    it.each([
      ['/api/tasks', 'limit=0', /^limit: /],
      ['/api/tasks', 'limit=-1', /^limit: /],
      ['/api/tasks', 'limit=101', /^limit: .*100/],
      ['/api/tasks', 'limit=99999999999999999999', /^limit: /],
      ['/api/tasks', 'limit=1e309', /^limit: /],
      ['/api/tasks', 'limit=2.5', /^limit: /],
      ['/api/tasks', 'limit=ten', /^limit: /],
      ['/api/tasks', 'page=0', /^page: /],
      ['/api/tasks', 'page=-3', /^page: /],
      ['/api/tasks', 'page=100000000', /^page: .*100000/],
      ['/api/agents/logs', 'limit=-5', /^limit: /],
      ['/api/agents/logs', 'limit=1000000', /^limit: /],
      ['/api/agents/logs', 'page=-1', /^page: /],
      ['/api/handoffs', 'limit=101', /^limit: .*100/],
      ['/api/handoffs', 'limit=-1', /^limit: /],
    ])('%s?%s is a 400 naming the parameter', async (path, query, expected) => {
      expectError(await api('GET', `${path}?${query}`), 400, expected);
    });

    it.each(['/api/tasks?limit=100&page=100000', '/api/agents/logs?limit=100', '/api/handoffs?limit=100', '/api/tasks?limit=1'])('%s is accepted', async (path) => {
      expect((await api('GET', path)).status).toBe(200);
    });
  });

  describe('headers', () => {
    it('sends helmet headers and no x-powered-by on API answers', async () => {
      const res = await api('GET', '/api/agents');
      expect(res.status).toBe(200);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
      expect(res.headers.get('x-powered-by')).toBeNull();
    });

    it('keeps /docs working under the content security policy', async () => {
      const page = await api('GET', '/docs');
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      const csp = page.headers.get('content-security-policy') ?? '';
      expect(csp).toMatch(/script-src 'self'/);
      // script-src 'self' blocks inline scripts: every script the page runs must be a file it loads.
      const scripts = [...page.text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
      expect(scripts.length).toBeGreaterThan(0);
      for (const [, attrs, inline] of scripts) {
        expect(attrs).toMatch(/src=/);
        expect(inline.trim()).toBe('');
      }
      for (const [, attrs] of scripts) {
        const src = /src=["']?([^"' >]+)/.exec(attrs)![1];
        const asset = await api('GET', new URL(src, `${h.api.baseUrl}/docs`).pathname);
        expect(asset.status).toBe(200);
      }
      const spec = await api('GET', '/docs/openapi.json');
      expect(spec.status).toBe(200);
      expect(spec.body.paths['/api/messages']).toBeDefined();
    });
  });

  describe('rate limits', () => {
    const KEYS = {
      ingestA: 'ingest-a-key-0123456789abcdef',
      ingestB: 'ingest-b-key-0123456789abcdef',
      flood: 'flood-admin-key-0123456789abcdef',
      calm: 'calm-admin-key-0123456789abcdef',
    };
    let limited: TestApi;
    const call = (method: string, path: string, key: string | undefined, options: Parameters<typeof send>[3] = {}) =>
      send(limited.baseUrl, method, path, { ...options, headers: { ...(key ? { 'x-api-key': key } : {}), ...options.headers } });

    beforeAll(async () => {
      limited = await startTestApi({
        address: h.ctx.address,
        taskQueue: h.taskQueue,
        database: h.database,
        env: {
          WHATSAPP_APP_SECRET: APP_SECRET,
          RATE_LIMIT_PER_MINUTE: '8',
          RATE_LIMIT_CHAT_PER_MINUTE: '3',
          RATE_LIMIT_WEBHOOK_PER_MINUTE: '12',
          API_KEYS: `ingest:${KEYS.ingestA},ingest:${KEYS.ingestB},admin:${KEYS.flood},admin:${KEYS.calm}`,
        },
      });
    });
    afterAll(async () => {
      await limited?.close();
    });

    function expectTooMany(res: Answer, message: RegExp): void {
      expectError(res, 429, message);
      expect(res.body.error).toBe('Too Many Requests');
      const retryAfter = Number(res.headers.get('retry-after'));
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
    }

    it('limits messages per chat across keys, and leaves other chats alone', async () => {
      const chatId = `flood-${randomUUID()}@c.us`;
      for (let i = 0; i < 3; i += 1) {
        expect((await call('POST', '/api/messages', KEYS.ingestA, { json: message({ chatId }) })).status).toBe(202);
      }
      expectTooMany(await call('POST', '/api/messages', KEYS.ingestA, { json: message({ chatId }) }), /^rate limit: more than 3 messages per minute for this chat; retry after \d+s$/);
      expectTooMany(await call('POST', '/api/messages', KEYS.ingestB, { json: message({ chatId }) }), /for this chat/);
      expect((await call('POST', '/api/messages', KEYS.ingestA, { json: message() })).status).toBe(202);
      expect((await call('POST', '/api/messages', KEYS.ingestB, { json: message({ chatId, channel: 'webchat' }) })).status).toBe(202);
    });

    it('limits requests per API key, and leaves other keys and the health probe alone', async () => {
      for (let i = 0; i < 8; i += 1) expect((await call('GET', '/api/agents', KEYS.flood)).status).toBe(200);
      expectTooMany(await call('GET', '/api/tasks', KEYS.flood), /^rate limit: more than 8 requests per minute with this API key; retry after \d+s$/);
      expect((await call('GET', '/api/agents', KEYS.calm)).status).toBe(200);
      for (let i = 0; i < 10; i += 1) expect((await call('GET', '/health', KEYS.flood)).status).toBe(200);
    });

    it('limits guesses at keys per address', async () => {
      for (let i = 0; i < 8; i += 1) expect((await call('GET', '/api/tasks', `wrong-key-${i}-0123456789abcdef`)).status).toBe(401);
      expectTooMany(await call('GET', '/api/tasks', 'yet-another-wrong-key-0123456789'), /^rate limit: more than 8 requests per minute from this address/);
    });

    it('gives provider webhooks their own, higher limit: retries of a busy chat are not dropped', async () => {
      const raw = JSON.stringify(webhookPayload([changeValue({ statuses: [statuses.delivered(wamid(), '85260552717')] })]));
      const deliver = () => send(limited.baseUrl, 'POST', '/webhooks/whatsapp', { raw, headers: { 'x-hub-signature-256': signWhatsAppBody(raw) } });
      // More than both the per-key (8) and the per-chat (3) limits, all from one address.
      for (let i = 0; i < 12; i += 1) expect((await deliver()).status).toBe(200);
      expectTooMany(await deliver(), /^rate limit: more than 12 whatsapp webhook deliveries per minute from this address/);
    });

    it('behind a trusted proxy (TRUST_PROXY), counts each client by its forwarded address', async () => {
      const proxied = await startTestApi({
        address: h.ctx.address,
        taskQueue: h.taskQueue,
        database: h.database,
        env: { RATE_LIMIT_PER_MINUTE: '3', TRUST_PROXY: '1', API_KEYS: `admin:${KEYS.calm}` },
      });
      try {
        const from = (client: string) => send(proxied.baseUrl, 'GET', '/api/tasks', { headers: { 'x-api-key': 'not-a-key-0123456789abcdef', 'x-forwarded-for': client } });
        for (let i = 0; i < 3; i += 1) expect((await from('203.0.113.7')).status).toBe(401);
        expectTooMany(await from('203.0.113.7'), /from this address/);
        // Another customer behind the same proxy still gets through to the key check.
        expect((await from('198.51.100.23')).status).toBe(401);
      } finally {
        await proxied.close();
      }
    });
  });
});
