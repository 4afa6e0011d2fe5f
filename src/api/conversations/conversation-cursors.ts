import { z } from 'zod';
import type { ConversationKey, TranscriptKey } from '../../persistence/transcript-queries';

/**
 * Opaque page cursors: the keyset of the last item a page returned, as base64url JSON with a
 * tag, so a cursor of one list is refused by the other instead of paging it wrongly.
 */

const isoInstant = z.iso.datetime({ offset: true }).transform((v) => new Date(v));

const conversationCursor = z.object({ k: z.literal('c'), a: isoInstant, c: z.string().min(1).max(128) }).strict();
const transcriptCursor = z.object({ k: z.literal('m'), a: isoInstant, i: z.string().min(1).max(36) }).strict();

const encode = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

function decode<T>(text: string, schema: z.ZodType<T>): T | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function encodeConversationCursor(key: ConversationKey): string {
  return encode({ k: 'c', a: key.activityAt.toISOString(), c: key.chatId });
}

export function decodeConversationCursor(text: string): ConversationKey | undefined {
  const value = decode(text, conversationCursor);
  return value && { activityAt: value.a, chatId: value.c };
}

export function encodeTranscriptCursor(key: TranscriptKey): string {
  return encode({ k: 'm', a: key.at.toISOString(), i: key.id });
}

export function decodeTranscriptCursor(text: string): TranscriptKey | undefined {
  const value = decode(text, transcriptCursor);
  return value && { at: value.a, id: value.i };
}

/** A `cursor` query parameter read by `decodeCursor`: a 400 naming the field when it is not one we issued. */
export function cursorQuery<T>(decodeCursor: (text: string) => T | undefined) {
  return z
    .string()
    .max(1024)
    .transform((text, ctx) => {
      const key = decodeCursor(text);
      if (key === undefined) {
        ctx.addIssue({ code: 'custom', message: 'not a cursor this list returned (pass nextCursor back unchanged)' });
        return z.NEVER;
      }
      return key;
    });
}
