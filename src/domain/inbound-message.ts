import { z } from 'zod';
import { CHANNELS, DEFAULT_CHANNEL } from './channels';

/** Longest message body accepted; WhatsApp's own limit for a text message. */
export const MAX_BODY_LENGTH = 4096;

/**
 * An inbound customer message in the seed's WhatsApp shape (README, "Channels"). Unknown fields are
 * refused so a typo in a field name is reported instead of silently dropped.
 */
export const inboundMessageSchema = z
  .object({
    chatId: z.string().trim().min(1).max(128),
    id: z
      .string()
      .trim()
      .min(1)
      .max(256)
      .regex(/^[^\s]+$/, 'must not contain whitespace'),
    body: z.string().max(MAX_BODY_LENGTH),
    fromMe: z.boolean().default(false),
    channel: z.enum(CHANNELS).default(DEFAULT_CHANNEL),
    timestamp: z.number().int().nonnegative().optional(),
    senderName: z.string().max(256).optional(),
  })
  .strict();

export type InboundMessage = z.output<typeof inboundMessageSchema>;
