/**
 * A Server-Sent Events client for tests, over fetch() streaming like the console's (the key
 * travels in a header, which EventSource cannot send): `openEvents(url, {headers,
 * lastEventId})` connects and parses the stream as the WHATWG rules do; events queue up
 * until a test takes them with `next()` or `until()`.
 */

export interface SseEvent {
  /** The `id:` field, when the event had one. */
  id?: string;
  /** The `event:` field (`message` when absent). */
  event: string;
  data: string;
  /** `data` parsed as JSON (undefined when it is not JSON). */
  json: any;
}

export interface EventsConnection {
  status: number;
  headers: Headers;
  /** The error body when the server refused the stream (status is not 200). */
  body?: any;
  /** The stream's `retry:` value, once received. */
  retry?: number;
  /** The last `id:` received, from an event or an id-only line (what a reconnect sends as Last-Event-ID). */
  lastEventId?: string;
  /** Comment lines received (`: ping`), without the colon. */
  comments: string[];
  /** Every event received so far, in order. */
  received: SseEvent[];
  /** The next event not yet taken; rejects when none comes within `timeoutMs` or the stream ends. */
  next(timeoutMs?: number): Promise<SseEvent>;
  /** Takes events until one matches; resolves with every event taken, the match last. */
  until(match: (event: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent[]>;
  /** Resolves when the server ends the stream (or it is closed here). */
  ended: Promise<void>;
  close(): void;
}

const DEFAULT_TIMEOUT_MS = 20_000;

export async function openEvents(url: string, options: { headers?: Record<string, string>; lastEventId?: string | number } = {}): Promise<EventsConnection> {
  const controller = new AbortController();
  const headers: Record<string, string> = { accept: 'text/event-stream', ...options.headers };
  if (options.lastEventId !== undefined) headers['last-event-id'] = String(options.lastEventId);
  const res = await fetch(url, { headers, signal: controller.signal });

  const queue: SseEvent[] = [];
  const waiters: Array<() => void> = [];
  let done = false;
  let endedResolve!: () => void;
  const ended = new Promise<void>((resolve) => (endedResolve = resolve));
  const notify = () => waiters.splice(0).forEach((w) => w());
  const finish = () => {
    done = true;
    endedResolve();
    notify();
  };

  const conn: EventsConnection = {
    status: res.status,
    headers: res.headers,
    comments: [],
    received: [],
    ended,
    async next(timeoutMs = DEFAULT_TIMEOUT_MS) {
      const deadline = Date.now() + timeoutMs;
      while (queue.length === 0) {
        if (done) throw new Error(`the event stream ended; received so far: ${describe(conn.received)}`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no event within ${timeoutMs} ms; received so far: ${describe(conn.received)}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return queue.shift()!;
    },
    async until(match, timeoutMs = DEFAULT_TIMEOUT_MS) {
      const deadline = Date.now() + timeoutMs;
      const taken: SseEvent[] = [];
      for (;;) {
        const event = await conn.next(Math.max(1, deadline - Date.now()));
        taken.push(event);
        if (match(event)) return taken;
      }
    },
    close() {
      controller.abort();
      finish();
    },
  };

  if (res.status !== 200 || !res.body) {
    const text = await res.text();
    try {
      conn.body = JSON.parse(text);
    } catch {
      conn.body = text;
    }
    finish();
    return conn;
  }

  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    let block: { id?: string; event?: string; data: string[] } = { data: [] };
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let nl: number;
        while ((nl = buffer.search(/\r\n|\r|\n/)) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + (buffer.startsWith('\r\n', nl) ? 2 : 1));
          if (line === '') {
            if (block.id !== undefined) conn.lastEventId = block.id;
            if (block.data.length > 0) {
              const data = block.data.join('\n');
              let json: unknown;
              try {
                json = JSON.parse(data);
              } catch {
                json = undefined;
              }
              const event: SseEvent = { ...(block.id !== undefined ? { id: block.id } : {}), event: block.event ?? 'message', data, json };
              conn.received.push(event);
              queue.push(event);
              notify();
            }
            block = { data: [] };
            continue;
          }
          if (line.startsWith(':')) {
            conn.comments.push(line.slice(1).trim());
            continue;
          }
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'data') block.data.push(value);
          else if (field === 'event') block.event = value;
          else if (field === 'id') block.id = value;
          else if (field === 'retry' && /^\d+$/.test(value)) conn.retry = Number(value);
        }
      }
    } catch {
      // aborted by close(), or the connection dropped: the stream has ended either way
    }
    finish();
  })();
  return conn;
}

function describe(events: SseEvent[]): string {
  return events.length === 0 ? 'nothing' : events.map((e) => `${e.id ?? '-'} ${e.event}`).join(', ');
}
