import { Inject, Injectable, Logger, ServiceUnavailableException, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../../config';
import { deleteEventsBefore, eventIdRange, onEventsPublished, readEventsAfter } from '../../persistence/events';
import { APP_CONFIG } from '../common/tokens';
import { eventClients } from './event-metrics';
import { EventStream, type EventFilter } from './event-stream';

/** Rows read per query, by the poller and by a replay. */
export const EVENT_BATCH = 500;
/** A comment on every stream this often, so proxies keep idle connections open. */
const PING_MS = 15_000;
/** Warnings about a failing poll, at most this often. */
const WARN_EVERY_MS = 60_000;

/**
 * The live feed of this API process: ONE poller tails the `events` table (ids after the last
 * it saw, in order, a batch at a time) every `EVENTS_POLL_MS` while at least one client is
 * connected, and fans each row out to the connected streams, which filter for themselves.
 * Events committed in this process (the API's own `message.accepted`) wake it at once.
 *
 * A client resuming with a Last-Event-ID is attached first (the poller's rows wait for it),
 * then replayed from the table up to the newest row, then goes live: ids become visible in
 * increasing order (src/persistence/events.ts), so the replay and the poller together miss
 * nothing, and the stream's cursor drops what both delivered.
 *
 * The API also deletes events older than `EVENTS_RETENTION_MINUTES`, every few minutes at
 * most, whether anyone is connected or not.
 */
@Injectable()
export class EventFeed implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('EventFeed');
  private readonly streams = new Set<EventStream>();
  /** The id of the newest event fanned out. */
  private lastSeen = 0;
  private running = false;
  private starting: Promise<void> | undefined;
  /** Bumped when the poller stops: a poll in flight from before then is dropped. */
  private generation = 0;
  private polling = false;
  private pollAgain = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private retentionTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private closing = false;
  private lastWarning = 0;

  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = onEventsPublished(() => this.wake());
    const retentionMs = this.config.events.retentionMinutes * 60_000;
    // A quarter of the retention, between 10 s and 5 min: rows outlive it by a fraction at most.
    const every = Math.min(5 * 60_000, Math.max(10_000, Math.floor(retentionMs / 4)));
    this.retentionTimer = setInterval(() => void this.trim(), every);
    this.retentionTimer.unref();
  }

  /** At shutdown: open streams end (so closing the server is not held up) and the timers stop. */
  onModuleDestroy(): void {
    this.closing = true;
    this.unsubscribe?.();
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    this.stop();
    for (const stream of [...this.streams]) stream.end();
  }

  /** Connected clients (the `switchboard_event_clients` gauge counts every feed of the process). */
  get clients(): number {
    return this.streams.size;
  }

  /** Deletes events past the retention; run on a timer, callable directly. */
  async trim(now = new Date()): Promise<number> {
    if (this.closing || !this.db.isInitialized) return 0;
    try {
      return await deleteEventsBefore(this.db, new Date(now.getTime() - this.config.events.retentionMinutes * 60_000));
    } catch (err) {
      this.logger.warn(`could not delete old events: ${(err as Error).message}`);
      return 0;
    }
  }

  /**
   * Streams events to `res` until the client leaves or the API shuts down: with
   * `lastEventId`, first every kept event after it (after a `reset` when some may be gone).
   * Throws before anything is written when the event log cannot be read.
   */
  async open(res: Response, filter: EventFilter, lastEventId: number | undefined): Promise<void> {
    if (this.closing) throw new ServiceUnavailableException('events: the API is shutting down; retry shortly');
    const stream = new EventStream(res, filter, () => {
      if (this.streams.delete(stream)) eventClients.dec();
    });
    this.streams.add(stream);
    eventClients.inc();
    try {
      await this.ensureRunning();
      const range = lastEventId === undefined ? undefined : await eventIdRange(this.db);
      // Gone while it waited: the client left (nothing to answer), or the API is shutting down.
      if (stream.closed) {
        if (this.closing) throw new Error('the API is shutting down');
        return;
      }
      stream.open();
      if (lastEventId === undefined || !range) {
        stream.cursor = this.lastSeen;
      } else {
        const newest = Math.max(range.max ?? 0, this.lastSeen);
        if (lastEventId > newest) {
          // An id this log never gave (its database was replaced): start from now.
          stream.reset(`Last-Event-ID ${lastEventId} is newer than any event here; events may have been missed, reload`);
          stream.cursor = this.lastSeen;
        } else {
          // Kept ids run unbroken to the newest (the retention deletes a prefix): a gap after the client's id means deleted events.
          const missed = lastEventId > 0 && lastEventId < newest && (range.min === null || range.min > lastEventId + 1);
          if (missed) stream.reset(`events after ${lastEventId} older than ${this.config.events.retentionMinutes} minutes were deleted; some may have been missed, reload`);
          stream.cursor = lastEventId;
          await this.replay(stream);
        }
      }
      stream.goLive();
    } catch (err) {
      const wrote = res.headersSent;
      stream.end();
      this.logger.warn(`event stream ${wrote ? 'ended' : 'not opened'}: ${(err as Error).message}`);
      if (!wrote) throw new ServiceUnavailableException('events: the event log cannot be read right now; retry shortly');
    }
  }

  /** Wakes the poller for events just committed in this process. */
  wake(): void {
    if (!this.running) return;
    if (this.polling) {
      this.pollAgain = true;
      return;
    }
    this.schedule(0, true);
  }

  private async replay(stream: EventStream): Promise<void> {
    for (;;) {
      if (stream.closed) return;
      const rows = await readEventsAfter(this.db, stream.cursor, EVENT_BATCH);
      for (const row of rows) stream.send(row);
      if (rows.length < EVENT_BATCH) return;
    }
  }

  private ensureRunning(): Promise<void> {
    if (this.running) return Promise.resolve();
    this.starting ??= (async () => {
      try {
        const { max } = await eventIdRange(this.db);
        this.lastSeen = max ?? 0;
        this.running = true;
        this.pingTimer = setInterval(() => {
          for (const stream of this.streams) stream.ping();
        }, PING_MS);
        this.pingTimer.unref();
        this.schedule(this.config.events.pollMs);
      } finally {
        this.starting = undefined;
      }
    })();
    return this.starting;
  }

  private stop(): void {
    this.running = false;
    this.generation += 1;
    this.polling = false;
    this.pollAgain = false;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pollTimer = undefined;
    this.pingTimer = undefined;
  }

  private schedule(delayMs: number, sooner = false): void {
    if (!this.running) return;
    if (this.pollTimer) {
      if (!sooner) return;
      clearTimeout(this.pollTimer);
    }
    this.pollTimer = setTimeout(() => {
      this.pollTimer = undefined;
      void this.poll();
    }, delayMs);
  }

  private async poll(): Promise<void> {
    if (!this.running) return;
    if (this.polling) {
      this.pollAgain = true;
      return;
    }
    if (this.streams.size === 0) {
      this.stop();
      return;
    }
    const generation = this.generation;
    this.polling = true;
    let full = false;
    try {
      const rows = await readEventsAfter(this.db, this.lastSeen, EVENT_BATCH);
      if (generation !== this.generation) return;
      for (const row of rows) {
        if (row.id <= this.lastSeen) continue;
        this.lastSeen = row.id;
        for (const stream of this.streams) stream.offer(row);
      }
      full = rows.length === EVENT_BATCH;
    } catch (err) {
      if (generation === this.generation && Date.now() - this.lastWarning > WARN_EVERY_MS) {
        this.lastWarning = Date.now();
        this.logger.warn(`could not read new events (retrying every ${this.config.events.pollMs} ms): ${(err as Error).message}`);
      }
    } finally {
      if (generation === this.generation) this.polling = false;
    }
    if (generation !== this.generation) return;
    const again = this.pollAgain || full;
    this.pollAgain = false;
    this.schedule(again ? 0 : this.config.events.pollMs);
  }
}
