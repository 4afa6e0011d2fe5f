import { DateTime } from 'luxon';
import { z } from 'zod';

/**
 * Argument pieces several tools share. Every object schema is strict (an unknown field is
 * refused, and the JSON schema says `additionalProperties: false`); no schema names a chat
 * or a customer: whose data a tool touches comes from the workflow.
 */

/** A calendar day in the business's zone. */
export const localDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'expected YYYY-MM-DD', abort: true })
  .refine((v) => DateTime.fromISO(v).isValid, 'expected a real date (YYYY-MM-DD)');

/** A local date and time in the business's zone, to the minute. */
export const localDateTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, { message: 'expected YYYY-MM-DDTHH:MM', abort: true })
  .refine((v) => DateTime.fromISO(v).isValid, 'expected a real date and time (YYYY-MM-DDTHH:MM)');

/** An order number as the customer gives it ("45821", "#45821", "ord-1234"). */
export const orderNumber = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .describe('The order number, as on the confirmation email (e.g. 45821 or ORD-1234)');

/** "#ord-1234 " → "ORD-1234": how order numbers are stored. */
export function normalizeOrderNumber(value: string): string {
  return value.trim().replace(/^#/, '').toUpperCase();
}

/** The 8-character booking reference a confirmation gave. */
export const bookingReference = z
  .string()
  .trim()
  .regex(/^[0-9a-fA-F]{8}$/, 'expected the 8-character booking reference (e.g. 1A2B3C4D)')
  .describe('The booking reference (8 characters) when the chat has more than one upcoming booking');

/** No arguments. */
export const noArguments = z.strictObject({});
