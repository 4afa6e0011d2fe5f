import type { AgentName } from './agent-registry';
import type { Intent } from './intents';

/**
 * A conversation's open question, and the reading of the customer's next message as an
 * answer to it. An agent that asks something declares what it waits for (`AgentQuestion`
 * in its outcome); the conversation keeps it (`PendingQuestion`); the next turn reads the
 * customer's words against it (`readTurn`) before anything else, so "the second one",
 * "a las 10", "sí, perfecto" or "45821" reach the agent that asked instead of being triaged
 * alone (`readTurn` in `answers.ts`). Pure, and small enough for the workflow bundle.
 */

/** What kind of answer a question waits for. */
export const QUESTION_KINDS = ['choice', 'confirm', 'order_number', 'products', 'contact', 'when', 'details', 'attachment'] as const;
export type QuestionKind = (typeof QUESTION_KINDS)[number];

/** One offered choice: a free slot, a product. */
export interface QuestionOption {
  /** What the asking agent acts on when this option is chosen (a slot's ISO start, a SKU). */
  value: string;
  /** The option as the customer read it ("Monday 30 November, 09:00"). */
  label: string;
  /** A slot's local date (YYYY-MM-DD) and time (HH:MM), in the business's zone. */
  date?: string;
  time?: string;
  /** Words that name the option on their own ("foam", "roller"), normalized. */
  keywords?: string[];
}

/** Facts an agent needs back to finish what it asked about. Small values only: histories carry it. */
export type QuestionContext = Record<string, string | number | boolean | null>;

/** What an agent declares it waits for, in its outcome. */
export interface AgentQuestion {
  kind: QuestionKind;
  /** The choices offered, in the order the customer saw them (`choice`, or `confirm` of one). */
  options?: QuestionOption[];
  /** The original request, a quote id, the profile field asked for, ... */
  context?: QuestionContext;
}

/** A question the conversation holds open until it is answered, replaced or lapses. */
export interface PendingQuestion extends AgentQuestion {
  agent: AgentName;
  intent: Intent;
  /** The message workflow whose turn asked it. */
  askedBy: string;
  askedAt: string;
  /** After this (ISO-8601) the next message is triaged as if nothing had been asked. */
  expiresAt: string;
  /** Consecutive turns whose answer could not be used; the question lapses at `MAX_ANSWER_ATTEMPTS`. */
  attempts: number;
}

/** How one message reads as an answer to the pending question. */
export type AnswerReading =
  | { kind: 'option'; index: number; option: QuestionOption }
  | { kind: 'yes' }
  | { kind: 'no' }
  /** An order number, and the like: a value pulled out of the text. */
  | { kind: 'value'; value: string }
  /** Words the asking agent reads itself (products, details, a new day for a booking). */
  | { kind: 'text' }
  /** An answer that names nothing the question offered; the agent asks again. */
  | { kind: 'unclear' };

/** The answer an agent receives with the question it asked. */
export interface ResolvedAnswer {
  question: PendingQuestion;
  reading: AnswerReading;
}

/** The question lapses after this many unusable answers in a row, and the message is triaged. */
export const MAX_ANSWER_ATTEMPTS = 3;

/**
 * The pending question an agent's question becomes. A question asked again after an answer
 * that could not be used counts the attempt, so a dialogue that goes nowhere lapses.
 */
export function pendingFrom(
  question: AgentQuestion,
  asked: { agent: AgentName; intent: Intent; askedBy: string; askedAt: string; ttlSeconds: number; answered?: ResolvedAnswer },
): PendingQuestion {
  const previous = asked.answered;
  const again =
    previous !== undefined &&
    previous.question.agent === asked.agent &&
    previous.question.kind === question.kind &&
    (previous.reading.kind === 'unclear' || previous.reading.kind === 'text');
  return {
    ...question,
    agent: asked.agent,
    intent: asked.intent,
    askedBy: asked.askedBy,
    askedAt: asked.askedAt,
    expiresAt: new Date(new Date(asked.askedAt).getTime() + asked.ttlSeconds * 1000).toISOString(),
    attempts: again ? previous.question.attempts + 1 : 0,
  };
}
