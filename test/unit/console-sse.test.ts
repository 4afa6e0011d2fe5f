import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventStream, SseParser, type SseMessage, type StreamStatus } from '../../console/src/events';

/** Parses `chunks` fed one by one; returns what was dispatched, comments and retries. */
function parse(chunks: Array<string | Uint8Array>) {
  const events: SseMessage[] = [];
  const comments: string[] = [];
  const retries: number[] = [];
  const parser = new SseParser({ onEvent: (m) => events.push(m), onComment: (c) => comments.push(c), onRetry: (ms) => retries.push(ms) });
  for (const chunk of chunks) parser.feed(chunk);
  return { events, comments, retries, parser };
}

/** Every way of cutting `text` into two chunks, and into single characters. */
function splits(text: string): string[][] {
  const cuts = [...Array(text.length + 1).keys()].map((i) => [text.slice(0, i), text.slice(i)]);
  return [...cuts, [...text]];
}

describe('the console SSE parser (console/src/events.ts)', () => {
  const stream =
    ': connected\n\n' +
    'id: 41\nevent: message.received\ndata: {"type":"message.received","chatId":"a@c.us","data":{"text":"hola"}}\n\n' +
    'id: 42\r\nevent: reply.sent\r\ndata: line one\r\ndata: line two\r\n\r\n' +
    'retry: 2500\rid: 43\rdata:no space after the colon\r\r' +
    'data: ends with a trailing CR-LF split\r\n\r\n';

  const expected: SseMessage[] = [
    { id: '41', event: 'message.received', data: '{"type":"message.received","chatId":"a@c.us","data":{"text":"hola"}}' },
    { id: '42', event: 'reply.sent', data: 'line one\nline two' },
    { id: '43', event: 'message', data: 'no space after the colon' },
    { id: '43', event: 'message', data: 'ends with a trailing CR-LF split' },
  ];

  it('dispatches the same events wherever the stream is cut, one character at a time included', () => {
    for (const chunks of splits(stream)) {
      const { events, comments, retries, parser } = parse(chunks);
      const cut = chunks.map((c) => c.length).join('+');
      expect({ cut, events, comments, retries, lastEventId: parser.lastEventId }).toEqual({ cut, events: expected, comments: ['connected'], retries: [2500], lastEventId: '43' });
    }
  });

  it('decodes a multi-byte character split across two byte chunks', () => {
    const bytes = new TextEncoder().encode('id: 7\ndata: café ☕ ok\n\n');
    const at = bytes.indexOf(0xe2) + 1; // inside the three bytes of ☕
    const { events } = parse([bytes.slice(0, at), bytes.slice(at)]);
    expect(events).toEqual([{ id: '7', event: 'message', data: 'café ☕ ok' }]);
  });

  it('follows the standard on edge cases: empty data, unknown fields, a BOM, ids with NUL, a field with no colon', () => {
    const { events, parser } = parse([
      '\uFEFFdata\n\n', // a "data" line with no colon: one empty data line
      'foo: bar\ndata: x\n\n', // unknown field ignored
      'id: bad\u0000id\ndata: y\n\n', // an id with NUL is ignored
      'event: only-type\n\n', // no data: nothing dispatched, the type does not leak
      'data: z\n\n',
      'retry: soon\ndata: w\n\n', // a retry that is not digits is ignored
    ]);
    expect(events).toEqual([
      { event: 'message', data: '' },
      { event: 'message', data: 'x' },
      { event: 'message', data: 'y' },
      { event: 'message', data: 'z' },
      { event: 'message', data: 'w' },
    ]);
    expect(parser.lastEventId).toBeUndefined();
  });

  it('resumes from the last complete event: an id without its blank line does not count, an id-only block does', () => {
    const half = parse(['id: 1\ndata: a\n\n', 'id: 2\ndata: b\n']);
    expect(half.events.map((e) => e.id)).toEqual(['1']);
    expect(half.parser.lastEventId).toBe('1');
    half.parser.end();
    expect(half.events).toHaveLength(1);

    const idOnly = parse(['id: 1\ndata: a\n\n', 'id: 5\n\n']);
    expect(idOnly.events).toHaveLength(1);
    expect(idOnly.parser.lastEventId).toBe('5');

    const reset = parse(['id: 1\ndata: a\n\n', 'id\ndata: b\n\n']);
    expect(reset.events[1]).toEqual({ event: 'message', data: 'b' });
  });

  it('starts from a known last event id', () => {
    const parser = new SseParser({ onEvent: () => undefined }, '99');
    expect(parser.lastEventId).toBe('99');
  });
});

describe('the console event stream: reconnects with Last-Event-ID after a drop', () => {
  let server: Server;
  let url: string;
  const requests: Array<{ lastEventId?: string; key?: string }> = [];
  let connection = 0;
  let respond: (res: ServerResponse, n: number) => void;

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push({ lastEventId: req.headers['last-event-id'] as string | undefined, key: req.headers['x-api-key'] as string | undefined });
      respond(res, ++connection);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/events`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends the key, reports live, and after the server drops it resumes from the last event it saw', async () => {
    respond = (res, n) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (n === 1) {
        // Two events, half of a third, then the connection drops.
        res.write('retry: 10\n\n: hi\n\nid: 1\nevent: a\ndata: one\n\nid: 2\nevent: a\nda');
        res.end('ta: two\n\nid: 3\ndata: never fini');
      } else {
        res.write('id: 4\nevent: a\ndata: four\n\n');
      }
    };
    const events: SseMessage[] = [];
    const statuses: StreamStatus[] = [];
    const stream = new EventStream({ url, headers: () => ({ 'x-api-key': 'k-123' }), onEvent: (m) => events.push(m), onStatus: (s) => statuses.push(s), initialDelayMs: 10, maxDelayMs: 50 });
    stream.start();
    await waitFor(() => events.length >= 3);
    stream.stop();
    expect(events.map((e) => [e.id, e.data])).toEqual([
      ['1', 'one'],
      ['2', 'two'],
      ['4', 'four'],
    ]);
    expect(requests[0]).toEqual({ key: 'k-123', lastEventId: undefined });
    expect(requests[1]).toEqual({ key: 'k-123', lastEventId: '2' });
    expect(statuses.slice(0, 3)).toEqual(['live', 'reconnecting', 'live']);
  });

  it('keeps retrying with backoff while the API refuses, and stops at once on a 401', async () => {
    requests.length = 0;
    connection = 0;
    respond = (res, n) => {
      if (n < 3) {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ statusCode: 503, error: 'Service Unavailable', message: 'Temporal is unreachable' }));
      } else {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ statusCode: 401, error: 'Unauthorized', message: 'X-API-Key: not a valid key' }));
      }
    };
    const errors: string[] = [];
    const refused: string[] = [];
    const stream = new EventStream({
      url,
      headers: () => ({ 'x-api-key': 'old' }),
      onEvent: () => undefined,
      onStatus: () => undefined,
      onError: (m) => errors.push(m),
      onUnauthorized: (m) => refused.push(m),
      initialDelayMs: 10,
      maxDelayMs: 20,
    });
    stream.start();
    await waitFor(() => refused.length > 0);
    await new Promise((r) => setTimeout(r, 100));
    stream.stop();
    expect(errors).toEqual(['503: Temporal is unreachable', '503: Temporal is unreachable']);
    expect(refused).toEqual(['401: X-API-Key: not a valid key']);
    expect(requests).toHaveLength(3);
  });
});

async function waitFor(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}
