import { readTurn, type TurnReading } from '../domain/answers';
import { triageByKeywords, type TriageResult } from '../domain/keyword-triage';
import type { PendingQuestion } from '../domain/questions';
import { detectLanguageIn } from '../domain/text';
import { triageTotal } from '../observability/metrics';

/**
 * Keyword triage as a local activity: no network and no I/O, but run as an activity so the
 * rules can change without breaking replay of conversations already in flight.
 */
export async function triageByRules(input: { text: string }): Promise<TriageResult> {
  const result = triageByKeywords(input.text);
  triageTotal.inc({ method: result.method, intent: result.intent });
  return result;
}

export interface TriageTurnInput {
  /** The turn's text: the customer's messages since the last turn, in order. */
  text: string;
  /** The question the conversation has open, if any. */
  pending?: PendingQuestion;
  /** The conversation's language so far: a neutral answer ("45821", "ok") keeps it. */
  language?: string;
  /** The workflow's time (ISO-8601), so a retry reads "tomorrow" the same way. */
  now: string;
  hasMedia?: boolean;
}

export interface TriageTurnResult {
  triage: TriageResult;
  reading: TurnReading;
}

/**
 * A conversation's turn: the keyword triage, and the reading of the text against the
 * question the conversation has open (an answer for the agent that asked, or a new topic).
 * Local and pure like `triageByRules`; an activity so the rules can change under running
 * conversations.
 */
export function createTurnTriage(timezone: string) {
  return async function triageTurn(input: TriageTurnInput): Promise<TriageTurnResult> {
    const keywords = triageByKeywords(input.text);
    const triage = { ...keywords, language: detectLanguageIn(input.text, input.language) };
    const reading = readTurn({ text: input.text, pending: input.pending, triage, now: input.now, timezone, hasMedia: input.hasMedia });
    triageTotal.inc({ method: triage.method, intent: reading.as === 'answer' && input.pending ? input.pending.intent : triage.intent });
    return { triage, reading };
  };
}
