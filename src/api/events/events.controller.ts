import { BadRequestException, Controller, ForbiddenException, Get, Inject, Query, Req, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiForbiddenResponse, ApiHeader, ApiOkResponse, ApiProduces, ApiServiceUnavailableResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { AppConfig } from '../../config';
import { findApiKey, type ApiRole } from '../../config/api-keys';
import { EVENT_TYPES, INGEST_EVENT_TYPES, type EventType } from '../../contracts/events';
import { presentedKey } from '../auth/api-key.guard';
import { Roles } from '../auth/roles.decorator';
import { APP_CONFIG } from '../common/tokens';
import { EventFeed } from './event-feed.service';
import type { EventFilter } from './event-stream';
import { EVENT_ID_PATTERN, EVENT_ID_PROBLEM, EventsQueryDto } from './events.dto';

@ApiTags('events')
@Roles('operator', 'ingest')
@Controller('api/events')
export class EventsController {
  constructor(
    private readonly feed: EventFeed,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Server-Sent Events: what happens to customers' messages, live. Each event is
   * `id: <id>`, `event: <type>`, `data: {id, type, at, chatId, channel, workflowId, data}`;
   * a `: ping` comment every 15 s. Resume with the `Last-Event-ID` header (or `lastEventId`):
   * every kept event after it comes first, then live ones, none twice; `event: reset` says
   * some may have been missed (reload). `admin` and `operator` keys see every chat; an
   * `ingest` key (a web-chat widget's backend) one chat's message.accepted,
   * message.received, reply.sent and turn.finished, and must give `chatId`.
   */
  @Get()
  @ApiProduces('text/event-stream')
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'the id of the last event received: resume after it' })
  @ApiOkResponse({ description: 'a text/event-stream that stays open: retry: 2000, then events (id, event, data as JSON), pings, and event: reset when events may have been missed' })
  @ApiBadRequestResponse({ description: 'an unknown event type in types, a Last-Event-ID (or lastEventId) that is not a non-negative integer, or an unknown query field' })
  @ApiUnauthorizedResponse({ description: 'no key, or not a valid key' })
  @ApiForbiddenResponse({ description: 'an ingest key without chatId, or asking for types it may not follow' })
  @ApiServiceUnavailableResponse({ description: 'the event log cannot be read right now, or the API is shutting down' })
  async stream(@Query() query: EventsQueryDto, @Req() req: Request, @Res() res: Response): Promise<void> {
    const lastEventId = resumePoint(req.headers['last-event-id'], query.lastEventId);
    const filter = this.filterFor(this.roleOf(req), query);
    await this.feed.open(res, filter, lastEventId);
  }

  /** The caller's role (admin when the API is open: no keys configured). */
  private roleOf(req: Request): ApiRole {
    if (this.config.apiKeys.length === 0) return 'admin';
    const presented = presentedKey(req);
    return (presented ? findApiKey(this.config.apiKeys, presented)?.role : undefined) ?? 'ingest';
  }

  private filterFor(role: ApiRole, query: EventsQueryDto): EventFilter {
    const asked = query.types as EventType[] | undefined;
    if (role !== 'ingest') return { chatId: query.chatId, types: new Set(asked ?? EVENT_TYPES) };
    if (!query.chatId) throw new ForbiddenException('chatId: an ingest key may follow one chat only; give chatId');
    const refused = (asked ?? []).filter((t) => !INGEST_EVENT_TYPES.includes(t));
    if (refused.length > 0) throw new ForbiddenException(`types: an ingest key may follow only ${INGEST_EVENT_TYPES.join(', ')}; not ${refused.join(', ')}`);
    return { chatId: query.chatId, types: new Set(asked ?? INGEST_EVENT_TYPES) };
  }
}

/** The Last-Event-ID header (what EventSource sends on reconnect), else the query's; undefined: start from now. */
function resumePoint(header: string | string[] | undefined, fromQuery: number | undefined): number | undefined {
  if (Array.isArray(header)) throw new BadRequestException(`Last-Event-ID: send it once; ${EVENT_ID_PROBLEM}`);
  if (header === undefined || header.trim() === '') return fromQuery;
  if (!EVENT_ID_PATTERN.test(header.trim())) throw new BadRequestException(`Last-Event-ID: ${EVENT_ID_PROBLEM}`);
  return Number(header.trim());
}
