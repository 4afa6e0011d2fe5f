import { z } from 'zod';
import { zodResponseFormat } from 'openai/helpers/zod';
import { INTENTS } from '../domain/intents';

/**
 * What the model must answer when asked to triage a message. Every field is required, as
 * OpenAI's strict structured outputs demand (the generated JSON schema also forbids extra
 * fields; validation merely drops them, for OpenAI-compatible servers that add some). The
 * intent is an enum so the model can never invent a task type the router does not know.
 */
export const llmTriageSchema = z
  .object({
    intent: z.enum(INTENTS).describe('The primary intent of the message.'),
    intents: z
      .array(z.enum(INTENTS))
      .min(1)
      .describe('Every intent the message expresses, primary first, no duplicates.'),
    confidence: z.number().min(0).max(1).describe('How sure you are of the primary intent, 0 to 1.'),
    language: z
      .string()
      .regex(/^[A-Za-z]{2}$/)
      .describe('ISO 639-1 code of the language the customer wrote in, e.g. "en", "es".'),
    urgency: z.enum(['low', 'normal', 'high', 'urgent']),
    entities: z
      .object({
        dates: z.array(z.string()).describe('Dates or named days as written in the message.'),
        times: z.array(z.string()).describe('Times of day as HH:MM, 24-hour clock.'),
        orderNumbers: z.array(z.string()),
        emails: z.array(z.string()),
        phones: z.array(z.string()),
        amounts: z
          .array(
            z.object({
              value: z.number(),
              currency: z.string().describe('ISO 4217 code, e.g. "USD", "EUR".'),
            }),
          )
          .describe('Money amounts mentioned in the message.'),
      })
      .describe('Only values that literally appear in the message; empty arrays when there are none.'),
  });

export type LlmTriageOutput = z.infer<typeof llmTriageSchema>;

/** `response_format` for Chat Completions: a strict JSON schema generated from the zod schema. */
export const triageResponseFormat = zodResponseFormat(llmTriageSchema, 'message_triage');
