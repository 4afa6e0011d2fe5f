/**
 * Server-Sent Events over fetch(): the key travels in a header (EventSource cannot send
 * one), so the stream is read and parsed here. The parser follows the HTML standard's
 * event-stream rules (https://html.spec.whatwg.org/multipage/server-sent-events.html):
 * lines end in CRLF, LF or CR; `:` starts a comment; `data` lines join with newlines; an
 * empty line dispatches; `id` sets the last event id even for an event without data.
 * This file has no DOM dependencies beyond fetch and timers, so Jest tests it under Node.
 */

/** One dispatched event. */
export interface SseMessage {
  /** The last event id when it was dispatched (what a reconnect sends as Last-Event-ID). */
  id?: string;
  /** `event:` field; `message` when absent. */
  event: string;
  data: string;
}

export interface SseHandlers {
  onEvent(message: SseMessage): void;
  /** A comment line (keep-alives), without its leading colon and space. */
  onComment?(text: string): void;
  /** A valid `retry:` field: the reconnection delay the server asks for, in ms. */
  onRetry?(ms: number): void;
}

export class SseParser {
  private readonly decoder = new TextDecoder('utf-8');
  private buffer = '';
  private data: string[] = [];
  private eventType = '';
  private hasData = false;
  /** The id buffer: set by `id:` lines, committed at the next blank line. */
  private idBuffer: string | undefined;
  /** The id as of the last blank line: where a reconnect resumes (never mid-event). */
  private lastId: string | undefined;
  /** The previous chunk ended in CR: a LF opening the next one belongs to that line end. */
  private pendingCr = false;
  private started = false;

  constructor(
    private readonly handlers: SseHandlers,
    lastEventId?: string,
  ) {
    this.lastId = lastEventId;
    this.idBuffer = lastEventId;
  }

  get lastEventId(): string | undefined {
    return this.lastId;
  }

  /** Feeds a chunk as it arrived: bytes (decoded across chunk borders) or text. */
  feed(chunk: Uint8Array | string): void {
    let text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (this.pendingCr && text.startsWith('\n')) text = text.slice(1);
    this.pendingCr = false;
    this.buffer += text;
    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const c = this.buffer.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.line(this.buffer.slice(start, i));
      if (c === 13) {
        if (i + 1 < this.buffer.length) {
          if (this.buffer.charCodeAt(i + 1) === 10) i++;
        } else {
          this.pendingCr = true;
        }
      }
      start = i + 1;
    }
    this.buffer = this.buffer.slice(start);
  }

  /** The stream ended: an event without its closing blank line is dropped, as the standard says. */
  end(): void {
    const rest = this.decoder.decode();
    if (rest) this.feed(rest);
    this.buffer = '';
    this.resetEvent();
    this.pendingCr = false;
  }

  private line(line: string): void {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) {
      this.handlers.onComment?.(line.slice(1).replace(/^ /, ''));
      return;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    switch (field) {
      case 'event':
        this.eventType = value;
        break;
      case 'data':
        this.data.push(value);
        this.hasData = true;
        break;
      case 'id':
        if (!value.includes('\u0000')) this.idBuffer = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.handlers.onRetry?.(Number(value));
        break;
      default:
        // Unknown fields are ignored.
        break;
    }
  }

  private dispatch(): void {
    this.lastId = this.idBuffer;
    if (!this.hasData) {
      this.resetEvent();
      return;
    }
    const message: SseMessage = { event: this.eventType || 'message', data: this.data.join('\n') };
    if (this.lastId !== undefined && this.lastId !== '') message.id = this.lastId;
    this.resetEvent();
    this.handlers.onEvent(message);
  }

  private resetEvent(): void {
    this.data = [];
    this.hasData = false;
    this.eventType = '';
  }
}

export type StreamStatus = 'live' | 'reconnecting';

/** A connection that lasted this long was a good one: the next drop starts the backoff over. */
const STABLE_MS = 10_000;

export interface EventStreamOptions {
  url: string;
  /** Headers of every (re)connection, e.g. the API key. */
  headers: () => Record<string, string>;
  onEvent(message: SseMessage): void;
  onStatus(status: StreamStatus): void;
  /** The key was refused (401): the stream stops, it would be refused again. */
  onUnauthorized?(message: string): void;
  /** Any other refusal or failure, worded for a person; the stream keeps retrying. */
  onError?(message: string): void;
  /** First retry delay and the ceiling of the exponential backoff, in ms. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** No byte (not even a keep-alive comment) for this long: the connection is presumed dead. */
  idleTimeoutMs?: number;
  fetch?: typeof fetch;
}

/**
 * A resumable event stream: reconnects after any drop with exponential backoff (and the
 * server's `retry:` as the floor), sending `Last-Event-ID` so nothing from the server's
 * replay window is missed.
 */
export class EventStream {
  private stopped = true;
  private controller: AbortController | undefined;
  private lastId: string | undefined;
  private retryFloorMs: number;
  private failures = 0;
  private wake: (() => void) | undefined;

  constructor(private readonly options: EventStreamOptions) {
    this.retryFloorMs = options.initialDelayMs ?? 1000;
  }

  get lastEventId(): string | undefined {
    return this.lastId;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.run();
  }

  stop(): void {
    this.stopped = true;
    this.controller?.abort();
    this.wake?.();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.connectOnce();
        if (this.stopped) return;
        this.options.onStatus('reconnecting');
      } catch (err) {
        if (this.stopped) return;
        this.options.onStatus('reconnecting');
        if (err instanceof RefusedError) {
          if (err.status === 401) {
            this.stopped = true;
            this.options.onUnauthorized?.(err.message);
            return;
          }
          this.options.onError?.(err.message);
        }
      }
      this.failures += 1;
      await this.pause(this.delay());
    }
  }

  private delay(): number {
    const max = this.options.maxDelayMs ?? 30_000;
    const base = Math.min(max, this.retryFloorMs * 2 ** Math.min(this.failures - 1, 10));
    // Jitter, so many consoles do not reconnect in lockstep after a restart.
    return Math.round(base * (0.75 + Math.random() * 0.5));
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async connectOnce(): Promise<void> {
    const controller = new AbortController();
    this.controller = controller;
    const headers: Record<string, string> = { accept: 'text/event-stream', ...this.options.headers() };
    if (this.lastId) headers['last-event-id'] = this.lastId;
    const doFetch = this.options.fetch ?? fetch;
    const res = await doFetch(this.options.url, { headers, signal: controller.signal });
    if (!res.ok) throw new RefusedError(res.status, await errorMessage(res));
    if (!res.body) throw new RefusedError(res.status, 'the event stream has no body');
    const parser = new SseParser(
      {
        onEvent: (m) => {
          if (m.id !== undefined) this.lastId = m.id;
          this.options.onEvent(m);
        },
        onRetry: (ms) => {
          this.retryFloorMs = Math.max(100, ms);
        },
      },
      this.lastId,
    );
    this.options.onStatus('live');
    const connectedAt = Date.now();
    const reader = res.body.getReader();
    const idleMs = this.options.idleTimeoutMs ?? 45_000;
    let idle = setTimeout(() => controller.abort(), idleMs);
    try {
      for (;;) {
        const { value, done } = await reader.read();
        clearTimeout(idle);
        if (done) break;
        idle = setTimeout(() => controller.abort(), idleMs);
        parser.feed(value);
        // A block with an id and no data moves the resume point too.
        if (parser.lastEventId !== undefined) this.lastId = parser.lastEventId;
      }
    } finally {
      clearTimeout(idle);
      parser.end();
      // Only a connection that held for a while resets the backoff: one that is accepted and
      // dropped at once (a proxy, a restarting API) must not be retried in a tight loop.
      if (Date.now() - connectedAt >= STABLE_MS) this.failures = 0;
    }
  }
}

class RefusedError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function errorMessage(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { message?: unknown };
    if (typeof body.message === 'string' && body.message) return `${res.status}: ${body.message}`;
  } catch {
    // not JSON
  }
  return `${res.status} ${res.statusText || 'error'}`;
}
