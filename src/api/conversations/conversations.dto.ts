import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { CHANNELS } from '../../domain/channels';
import { limitQuery } from '../common/pagination';
import { safeText } from '../common/safe-text';
import { cursorQuery, decodeConversationCursor, decodeTranscriptCursor } from './conversation-cursors';

/** Largest transcript page: a long chat is read in a few requests, never in one unbounded one. */
export const MAX_TRANSCRIPT_PAGE = 200;

export const CONVERSATION_STATES = ['pending', 'handoff', 'idle'] as const;

export const conversationListQuerySchema = z
  .object({
    channel: z.enum(CHANNELS).optional(),
    /** `pending`: an unexpired question waits for the customer; `handoff`: a person holds the chat; `idle`: neither. */
    state: z.enum(CONVERSATION_STATES).optional(),
    /** A part of the chat id (case-insensitive). */
    chatId: z.string().trim().min(1).max(128).optional(),
    limit: limitQuery(20),
    cursor: cursorQuery(decodeConversationCursor).optional(),
  })
  .strict();
export class ConversationListQueryDto extends createZodDto(conversationListQuerySchema) {}

export const conversationParamSchema = z.object({ chatId: safeText(128).trim().min(1) });
export class ConversationParamDto extends createZodDto(conversationParamSchema) {}

export const transcriptQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(MAX_TRANSCRIPT_PAGE).default(50),
    cursor: cursorQuery(decodeTranscriptCursor).optional(),
  })
  .strict();
export class TranscriptQueryDto extends createZodDto(transcriptQuerySchema) {}
