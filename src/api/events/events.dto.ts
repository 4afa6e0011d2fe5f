import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { EVENT_TYPES, isEventType, type EventType } from '../../contracts/events';
import { safeText } from '../common/safe-text';

/** A resume point: the id of the last event received (Last-Event-ID). */
export const EVENT_ID_PATTERN = /^\d{1,15}$/;
export const EVENT_ID_PROBLEM = 'must be a non-negative integer (the id of the last event received)';

/** `types=reply.sent,handoff.opened`: each a known type, at least one. */
const typesQuery = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t.length > 0),
  )
  .superRefine((types, ctx) => {
    if (types.length === 0) ctx.addIssue({ code: 'custom', message: `name at least one event type (${EVENT_TYPES.join(', ')})` });
    const unknown = types.filter((t) => !isEventType(t));
    if (unknown.length > 0) ctx.addIssue({ code: 'custom', message: `unknown event type ${unknown.map((t) => JSON.stringify(t.slice(0, 40))).join(', ')}; known types: ${EVENT_TYPES.join(', ')}` });
  })
  .transform((types) => [...new Set(types)] as EventType[]);

export const eventsQuerySchema = z
  .object({
    /** Only this chat's events. */
    chatId: safeText(128).trim().min(1).optional(),
    /** Comma-separated event types; all when absent. */
    types: typesQuery.optional(),
    /** The resume point for clients that cannot send the Last-Event-ID header. */
    lastEventId: z.string().trim().regex(EVENT_ID_PATTERN, EVENT_ID_PROBLEM).transform(Number).optional(),
  })
  .strict();
export class EventsQueryDto extends createZodDto(eventsQuerySchema) {}
