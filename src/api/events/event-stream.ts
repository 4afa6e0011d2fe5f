import type { Response } from 'express';
import { RESET_EVENT, type EventType, type FeedEvent } from '../../contracts/events';

/** What one client follows: one chat or all, and which types. */
export interface EventFilter {
  chatId?: string;
  types: ReadonlySet<EventType>;
}

/** A client that falls this far behind (bytes its connection has not taken) is ended; it resumes from its Last-Event-ID. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

/**
 * One client's Server-Sent Events stream. Events are offered in id order (the replay from
 * the table, then the shared poller's); `cursor` is the highest id passed (sent, or filtered
 * out), so nothing is sent twice and nothing sent is older than what came before. Until it
 * goes live (the replay done) the poller's events wait in `pending`.
 */
export class EventStream {
  /** The highest event id this client has been given or skipped. */
  cursor = 0;
  private live = false;
  private pending: FeedEvent[] = [];
  /** The id the client last received (an event's, or an id-only line): its Last-Event-ID. */
  private lastIdSent = 0;
  private ended = false;
  private opened = false;

  constructor(
    private readonly res: Response,
    private readonly filter: EventFilter,
    private readonly onEnd: () => void,
  ) {
    res.on('close', () => this.end());
    res.on('error', () => this.end());
  }

  get closed(): boolean {
    return this.ended;
  }

  /** Headers, then how long a browser's EventSource waits before it reconnects. */
  open(): void {
    this.opened = true;
    this.res.status(200);
    this.res.setHeader('Content-Type', 'text/event-stream');
    this.res.setHeader('Cache-Control', 'no-cache, no-transform');
    this.res.setHeader('X-Accel-Buffering', 'no');
    this.res.setHeader('Connection', 'keep-alive');
    this.res.flushHeaders();
    this.res.socket?.setNoDelay(true);
    this.write('retry: 2000\n\n');
  }

  /** From the shared poller: sent now when live, else kept for after the replay. */
  offer(event: FeedEvent): void {
    if (this.ended) return;
    if (this.live) this.send(event);
    else this.pending.push(event);
  }

  /** Sends the event if it is new to this client and passes its filter. */
  send(event: FeedEvent): void {
    if (this.ended || event.id <= this.cursor) return;
    this.cursor = event.id;
    if (!this.matches(event)) return;
    this.lastIdSent = event.id;
    this.write(`id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
  }

  /** The replay is done: what the poller delivered meanwhile follows, newer ids only. */
  goLive(): void {
    const pending = this.pending;
    this.pending = [];
    this.live = true;
    for (const event of pending) this.send(event);
  }

  /** Events the client asked to resume from may be gone: it should reload what it shows. */
  reset(reason: string): void {
    this.write(`event: ${RESET_EVENT}\ndata: ${JSON.stringify({ type: RESET_EVENT, message: reason })}\n\n`);
  }

  /**
   * A comment that keeps proxies from closing an idle connection; when filtered-out events
   * moved the cursor on, an id-only line moves the client's Last-Event-ID with it, so a
   * reconnect does not replay (or miss) what it skipped.
   */
  ping(): void {
    if (this.ended) return;
    if (this.live && this.cursor > this.lastIdSent) {
      this.lastIdSent = this.cursor;
      this.write(`: ping\nid: ${this.cursor}\n\n`);
    } else {
      this.write(': ping\n\n');
    }
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.pending = [];
    // Before it opened, the response is left to the error handler (or to a client already gone).
    if (this.opened && !this.res.writableEnded) this.res.end();
    this.onEnd();
  }

  private matches(event: FeedEvent): boolean {
    if (!this.filter.types.has(event.type)) return false;
    return this.filter.chatId === undefined || event.chatId === this.filter.chatId;
  }

  private write(text: string): void {
    if (this.ended) return;
    this.res.write(text);
    if (this.res.writableLength > MAX_BUFFERED_BYTES) this.end();
  }
}
