/**
 * Text normalization shared by the keyword rules and entity extraction: lower case, no
 * accents, chat short forms expanded, so one rule covers "cita", "Cíta" and "CITA".
 */

const SHORT_FORMS: ReadonlyArray<[RegExp, string]> = [
  [/\bu\b/g, 'you'],
  [/\bur\b/g, 'your'],
  [/\br\b/g, 'are'],
  [/\bpl[sz]\b/g, 'please'],
  [/\bplz\b/g, 'please'],
  [/\bthx\b|\bthnx\b|\btks\b|\bty\b/g, 'thanks'],
  [/\bappt\b|\bapt\b/g, 'appointment'],
  [/\binfo\b/g, 'information'],
  [/\bhrs\b/g, 'hours'],
  [/\bwanna\b/g, 'want to'],
  [/\bgonna\b/g, 'going to'],
  [/\bpq\b|\bxq\b/g, 'porque'],
  [/\bq\b/g, 'que'],
  [/\bxfa\b|\bporfa\b|\bpls\b/g, 'por favor'],
  [/\bmsg\b/g, 'message'],
  [/\btmrw\b|\btmr\b|\btomorow\b|\btommorow\b|\btommorrow\b/g, 'tomorrow'],
];

export function stripAccents(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
}

export function normalizeText(text: string): string {
  let out = stripAccents(text.toLowerCase())
    .replace(/[¿¡]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  for (const [pattern, replacement] of SHORT_FORMS) {
    out = out.replace(pattern, replacement);
  }
  return out;
}

const SPANISH_MARKERS =
  /\b(hola|buenos|buenas|gracias|quiero|quisiera|necesito|cita|por favor|donde|cuando|cuanto|precio|pedido|horario|usted|tengo|para|una|el|la|los|las|que|mi|mis|con|por|esta|estoy|puedo|hacer)\b/g;
const ENGLISH_MARKERS =
  /\b(hello|hi|thanks|want|need|would|appointment|please|where|when|how|much|price|order|hours|you|have|for|the|my|with|is|am|can|do|what|i)\b/g;

/** A cheap language guess for the languages the rules cover; the LLM refines it when configured. */
export function detectLanguage(text: string): 'en' | 'es' {
  const normalized = normalizeText(text);
  const es = (normalized.match(SPANISH_MARKERS) ?? []).length + (/[ñ¿¡áéíóú]/i.test(text) ? 2 : 0);
  const en = (normalized.match(ENGLISH_MARKERS) ?? []).length;
  return es > en ? 'es' : 'en';
}

/**
 * True for text that carries no words a person would write: keyboard mashing, random
 * letters, long runs without vowels. Such text must never land on a confident specialist.
 */
export function looksLikeGibberish(text: string): boolean {
  const letters = stripAccents(text.toLowerCase()).replace(/[^a-z]/g, '');
  if (letters.length < 4) return false;
  const words = stripAccents(text.toLowerCase()).match(/[a-z]+/g) ?? [];
  const vowelless = words.filter((w) => w.length >= 4 && !/[aeiouy]/.test(w));
  const vowelRatio = (letters.match(/[aeiouy]/g) ?? []).length / letters.length;
  const longRuns = /[bcdfghjklmnpqrstvwxz]{5,}/.test(letters);
  return vowelRatio < 0.18 || vowelless.length * 2 >= Math.max(words.length, 1) || (longRuns && words.length <= 3);
}
