import { z } from 'zod';
import { CHANNELS, DEFAULT_CHANNEL } from './channels';
import { textProblem } from './text';

/** Longest message body accepted; WhatsApp's own limit for a text message. */
export const MAX_BODY_LENGTH = 4096;

/**
 * An inbound customer message in the seed's WhatsApp shape (README, "Channels"). Unknown fields are
 * refused so a typo in a field name is reported instead of silently dropped.
 */
/** Control characters (line breaks, escapes) have no place in an identifier. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;
/** How far ahead of this server's clock a message's time may be (clocks drift). */
const TIMESTAMP_SLACK_SECONDS = 24 * 3600;

const identifier = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .superRefine((v, ctx) => {
      if (/\s/.test(v)) ctx.addIssue({ code: 'custom', message: 'must not contain whitespace' });
      else if (CONTROL.test(v)) ctx.addIssue({ code: 'custom', message: 'must not contain control characters' });
    });

/** The fields both intakes share (the REST API and the providers' webhooks), with the same rules. */
export const inboundFields = {
  chatId: z
    .string()
    .trim()
    .min(1)
    .max(128)
    .refine((v) => !CONTROL.test(v), 'must not contain control characters'),
  id: identifier(256),
  body: z.string().max(MAX_BODY_LENGTH),
  timestamp: z
    .number()
    .int()
    .nonnegative()
    .refine((t) => t <= Date.now() / 1000 + TIMESTAMP_SLACK_SECONDS, 'must be a Unix time in seconds, not in the future (milliseconds?)')
    .optional(),
  senderName: z.string().max(256).optional(),
};

export const inboundMessageSchema = z
  .object({
    ...inboundFields,
    fromMe: z.boolean().default(false),
    channel: z.enum(CHANNELS).default(DEFAULT_CHANNEL),
  })
  .strict();

const deliveredSchema = z.object(inboundFields);

/**
 * What is wrong with a message a provider delivered, as "<field>: <problem>", or undefined:
 * the REST intake's rules, and well-formed text. A webhook answers 200 for the batch and
 * starts nothing for such a message (one bad item must not make the provider resend all).
 */
export function deliveredMessageProblem(message: { chatId: string; id: string; body: string; senderName?: string; timestamp?: number }): string | undefined {
  const parsed = deliveredSchema.safeParse(message);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return `${issue.path.join('.') || 'message'}: ${issue.message}`;
  }
  for (const field of ['chatId', 'id', 'body', 'senderName'] as const) {
    const value = message[field];
    const problem = typeof value === 'string' ? textProblem(value) : undefined;
    if (problem) return `${field}: ${problem}`;
  }
  return undefined;
}

export type InboundMessage = z.output<typeof inboundMessageSchema>;
