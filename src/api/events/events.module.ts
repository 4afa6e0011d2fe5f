import { Module } from '@nestjs/common';
import { EventFeed } from './event-feed.service';
import { EventsController } from './events.controller';

/** `GET /api/events`: the live feed (Server-Sent Events) over the `events` table, and its retention. */
@Module({ controllers: [EventsController], providers: [EventFeed], exports: [EventFeed] })
export class EventsModule {}
