import { createHash } from 'node:crypto';
import type { DateTime } from 'luxon';
import type { AgentInput } from '../../contracts';
import type { AgentName } from '../../domain/agent-registry';
import { formatSlot } from '../../domain/business-calendar';
import type { QuestionKind, QuestionOption, ResolvedAnswer } from '../../domain/questions';
import { stripAccents } from '../../domain/text';
import type { Product } from '../../persistence/entities/product.entity';
import { inLanguage } from './language';
import { formatMoney } from './money';

/**
 * Helpers the agents share to ask a question and to finish the dialogue it starts: the
 * answer meant for an agent, offered options (free slots, products), the "ask again with
 * the options numbered" wording, and ids derived from a workflow id.
 */

/** The answer in `input` when it answers a question this agent asked (of one of `kinds`, when given). */
export function answerFor(input: AgentInput, agent: AgentName, ...kinds: QuestionKind[]): ResolvedAnswer | undefined {
  const answer = input.answer;
  if (!answer || answer.question.agent !== agent) return undefined;
  if (kinds.length > 0 && !kinds.includes(answer.question.kind)) return undefined;
  return answer;
}

/** A context value as a string, or undefined when it is absent or not a string. */
export function contextString(answer: ResolvedAnswer, key: string): string | undefined {
  const value = answer.question.context?.[key];
  return typeof value === 'string' ? value : undefined;
}

/** Text cut to `max` characters (question contexts travel in workflow histories). */
export function clip(text: string, max: number): string {
  const trimmed = text.trim();
  return trimmed.length <= max ? trimmed : trimmed.slice(0, max);
}

/** `prefix` + 8 upper-case hex characters of the workflow id's hash: a retry derives the same id. */
export function derivedId(prefix: string, workflowId: string): string {
  return `${prefix}${createHash('sha256').update(workflowId).digest('hex').slice(0, 8).toUpperCase()}`;
}

/**
 * `prefix` + 8 digits derived from the workflow id: a reference customers can quote back and
 * the order-number reading recognises ("RES-04718236"), the same on every retry.
 */
export function derivedNumber(prefix: string, workflowId: string): string {
  const n = parseInt(createHash('sha256').update(workflowId).digest('hex').slice(0, 12), 16) % 100_000_000;
  return `${prefix}${String(n).padStart(8, '0')}`;
}

/** "1) Monday 30 November, 09:00 2) Monday 30 November, 09:30". */
export function numbered(options: QuestionOption[], label: (option: QuestionOption) => string = (o) => o.label): string {
  return options.map((option, i) => `${i + 1}) ${label(option)}`).join(' ');
}

/** An offered slot as the customer read it, with its local date and time for the answer reading. */
export function slotOption(slot: DateTime, language: string): QuestionOption {
  return { value: slot.toISO()!, label: formatSlot(slot, language), date: slot.toISODate()!, time: slot.toFormat('HH:mm') };
}

/** Words that name no product on their own. */
const GENERIC_WORDS = new Set([
  'with', 'and', 'for', 'the', 'set', 'pair', 'high', 'density', 'smart', 'upper', 'non', 'slip', 'wellness', 'body', 'composition',
  'para', 'con', 'del', 'las', 'los', 'alta', 'densidad', 'par', 'soporte', 'support', 'de', 'la', 'el', 'y',
]);

function nameWords(name: string): string[] {
  return stripAccents(name.toLowerCase()).match(/[a-z]+/g) ?? [];
}

/**
 * Offered products as options: the label is the name and price in the customer's language;
 * the keywords are the distinctive words of the English and Spanish names, so "the foam
 * roller" or "el rodillo" picks one. A word two offered products share names neither.
 */
export function productOptions(products: Product[], language: string): QuestionOption[] {
  const wordsOf = products.map((p) => new Set([...nameWords(p.name), ...nameWords(p.nameEs)].filter((w) => w.length >= 3 && !GENERIC_WORDS.has(w))));
  const count = new Map<string, number>();
  for (const set of wordsOf) for (const w of set) count.set(w, (count.get(w) ?? 0) + 1);
  return products.map((p, i) => ({
    value: p.sku,
    label: `${language === 'es' ? p.nameEs : p.name} (${formatMoney(p.priceCents, p.currency, language)})`,
    keywords: [...wordsOf[i]].filter((w) => count.get(w) === 1),
  }));
}

/** "Sorry, I didn't catch which one. Please reply with its number: 1) … 2) …". */
export function askWhichText(language: string, options: QuestionOption[], label?: (option: QuestionOption) => string): string {
  const list = numbered(options, label);
  return inLanguage(language, {
    en: `Sorry, I didn't catch which one. Please reply with its number: ${list}`,
    es: `Perdona, no entendí cuál. Responde con su número: ${list}`,
  });
}
