/**
 * Text normalization shared by the keyword rules and entity extraction: lower case, no
 * accents, chat short forms expanded, English contractions spelled out and common
 * misspellings corrected, so one rule covers "cita", "Cíta", "CITA" and "sita".
 */

type Rewrite = readonly [RegExp, string];

/** Chat short forms, English and Spanish. Applied in order, after lower-casing and accents. */
const SHORT_FORMS: readonly Rewrite[] = [
  [/\bu\b/g, 'you'],
  [/\bur\b/g, 'your'],
  [/\br\b/g, 'are'],
  [/\bpl[sz]\b/g, 'please'],
  [/\bplz\b/g, 'please'],
  [/\bples\b|\bplese\b|\bpleas\b|\bpleez\b/g, 'please'],
  [/\bthx\b|\bthnx\b|\bthanx\b|\bthnks\b|\btks\b|\bty\b|\btysm\b|\btyvm\b|\btq\b/g, 'thanks'],
  [/\bappt\b|\bapt\b/g, 'appointment'],
  [/\binfo\b/g, 'information'],
  [/\bhrs\b/g, 'hours'],
  [/\bwanna\b/g, 'want to'],
  [/\bgonna\b/g, 'going to'],
  [/\bgotta\b/g, 'have to'],
  [/\bw\/o\b/g, 'without'],
  [/\bw\/(?=\s|$)/g, 'with'],
  [/\bb4\b/g, 'before'],
  [/\bbc\b|\bcuz\b|\bcoz\b/g, 'because'],
  [/\babt\b|\bbout\b/g, 'about'],
  [/\bppl\b/g, 'people'],
  [/\btxt\b/g, 'text'],
  [/\bmsgs\b/g, 'messages'],
  [/\bwat\b|\bwut\b|\bwht\b/g, 'what'],
  [/\bgiv\b/g, 'give'],
  [/\bcn\b/g, 'can'],
  // "how much 4 a cut", "want 2 book": digits standing in for words, only where no number fits.
  [/\b(much|thanks|waiting|looking|ready|good|great|here|time) 4\b/g, '$1 for'],
  [/\b(want|need|like|going|have|got|able|how|try|trying) 2\b(?= [a-z])/g, '$1 to'],
  [/\bpq\b|\bxq\b|\bporq\b/g, 'porque'],
  [/\bq\b/g, 'que'],
  [/\bxfa\b|\bporfa\b|\bporfavor\b|\bpls\b/g, 'por favor'],
  [/\bx favor\b/g, 'por favor'],
  [/\bx\b(?= (\d|una?|otr[oa]s?|el|la|los|las)\b)/g, 'por'],
  [/\bmsg\b/g, 'message'],
  [/\btmrw\b|\btmr\b|\btomorow\b|\btommorow\b|\btommorrow\b|\btmw\b/g, 'tomorrow'],
  [/\btb\b|\btmb\b|\btambn\b/g, 'tambien'],
  [/\bpa\b(?= (el|la|los|las|mi|que|manana|hoy)\b)/g, 'para'],
  [/\bmnn\b/g, 'manana'],
  [/\bd\b(?= (la|el|los|las)\b)/g, 'de'],
];

/** English contractions, spelled out so one rule covers "can't", "cant" and "cannot". */
const CONTRACTIONS: readonly Rewrite[] = [
  [/\bcan'?t\b|\bcannot\b/g, 'can not'],
  [/\bwon'?t\b/g, 'will not'],
  [/\b(do|does|did|is|are|was|were|has|have|had|would|could|should|must|need)n'?t\b/g, '$1 not'],
  [/\bi'?m\b/g, 'i am'],
  [/\bi'?ve\b/g, 'i have'],
  [/\bi'd\b/g, 'i would'],
  [/\bi'll\b/g, 'i will'],
  [/\b(you|we|they)'re\b/g, '$1 are'],
  [/\b(you|they)re\b/g, '$1 are'],
  [/\b(you|we|they)'ve\b/g, '$1 have'],
  [/\b(you|we|they)'d\b/g, '$1 would'],
  [/\b(you|we|they)'ll\b/g, '$1 will'],
  [/\b(what|where|when|how|who|that|there|here|it|he|she)'s\b/g, '$1 is'],
  [/\b(what|where|how|who|that|there|here)s\b/g, '$1 is'],
  [/\blet'?s\b/g, 'let us'],
];

/**
 * Misspellings customers write often, mapped onto the spelling the rules use. Stems rather
 * than whole words where a language conjugates ("cansela", "cancelen" → "cancel…").
 */
const MISSPELLINGS: readonly Rewrite[] = [
  // English
  [/\b(?:appoint?ments?|app?oi?nt?me?n?t?s?|appoin?tmen)\b/g, 'appointment'],
  [/\bcancell(?=\b|ed|ing|ation)|\bcancle\b|\bcansel/g, 'cancel'],
  [/\bre-?s[ck]?h?edu?[ae]?l(?:e|ing|ed)?\b|\bre-?sc?hedu?al\b|\breschdule\b/g, 'reschedule'],
  [/\bre+c+om+[ae]nd(s|ed|ing|ation|ations)?\b/g, 'recommend$1'],
  [/\brefnd\b|\brfnd\b|\brefun\b/g, 'refund'],
  [/\bordr\b|\boder\b/g, 'order'],
  [/\bqoute\b|\bquoute\b|\bqote\b|\bquot\b/g, 'quote'],
  [/\breciept\b|\breceit\b|\brecipt\b|\brecept\b/g, 'receipt'],
  [/\bintrested\b|\bintersted\b|\binterrested\b|\bintereste\b/g, 'interested'],
  [/\bavailible\b|\bavalable\b|\bavailabe\b/g, 'available'],
  [/\baddres\b|\badress\b/g, 'address'],
  [/\bdelivary\b/g, 'delivery'],
  [/\bdeliverd\b/g, 'delivered'],
  [/\bpakage\b|\bpackge\b|\bpackag\b/g, 'package'],
  [/\bwarrenty\b|\bwaranty\b/g, 'warranty'],
  [/\bschedual\b|\bshedule\b/g, 'schedule'],
  [/\bpasword\b|\bpassord\b/g, 'password'],
  [/\btues?\b/g, 'tuesday'],
  [/\bweds?\b/g, 'wednesday'],
  [/\bthu(?:rs?)?\b/g, 'thursday'],
  [/\bfri\b/g, 'friday'],
  // Spanish
  [/\bk(?=iero\b|ero\b|isiera\b)/g, 'qu'],
  [/\bquero\b/g, 'quiero'],
  [/\bsita\b|\bcitita\b/g, 'cita'],
  [/\bturnito\b/g, 'turno'],
  [/\bne[cs]e[cs]ito\b/g, 'necesito'],
  [/\bde[bv]ol[bv]er/g, 'devolver'],
  [/\bde[bv]olu[sc]ion\b/g, 'devolucion'],
  [/\bfunsion/g, 'funcion'],
  [/\bcamvi/g, 'cambi'],
  [/\bpresup[ueos]{0,4}t[oa]s?\b|\bpresup[ueos]{0,4}st[oa]s?\b/g, 'presupuesto'],
  [/\bcotis/g, 'cotiz'],
  [/\bpedio\b/g, 'pedido'],
  [/\binterez/g, 'interes'],
  [/\bacuerd[ae]me\b/g, 'recuerdame'],
  [/\bgrasias\b|\bgrax\b|\bgracia\b/g, 'gracias'],
  [/\bola\b/g, 'hola'],
  [/\bbuen dia\b|\bbuenos dia\b/g, 'buenos dias'],
  [/\breembolzo\b|\brembolso\b/g, 'reembolso'],
  [/\benbio\b/g, 'envio'],
  [/\bkontra[sz]ena\b|\bcontrasena\b|\bcontracena\b/g, 'contrasena'],
];

const REWRITES: readonly Rewrite[] = [...SHORT_FORMS, ...CONTRACTIONS, ...MISSPELLINGS];

export function stripAccents(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
}

export function normalizeText(text: string): string {
  let out = stripAccents(text.toLowerCase())
    .replace(/[\u2018\u2019\u02bc`´]/g, "'")
    .replace(/[¿¡]/g, ' ')
    // "hiii", "holaaa", "pleaseee": a letter typed three or more times is typed once.
    .replace(/([a-z])\1{2,}/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
  for (const [pattern, replacement] of REWRITES) {
    out = out.replace(pattern, replacement);
  }
  return out;
}

const SPANISH_MARKERS =
  /\b(hola|buenos|buenas|gracias|quiero|quisiera|necesito|cita|turno|por favor|donde|cuando|cuanto|cuanta|precio|pedido|horario|usted|ustedes|tengo|tiene|tienen|para|una|el|la|los|las|que|mi|mis|con|por|esta|estan|estoy|puedo|pueden|hacer|mas|pero|como|del|al|de|y|es|son|no|si|ya|hay|nos|les|su|sus|te|lo|se|un|muy|todo|manana|hoy|semana|llega|llego)\b/g;
const ENGLISH_MARKERS =
  /\b(hello|hi|hey|thanks|thank|want|need|would|appointment|please|where|when|how|much|price|order|hours|you|your|have|for|the|my|with|is|am|are|can|could|do|does|what|i|it|to|and|of|an|on|in|this|that|be|not|get|like|we|our|just|will|there|any|from|about)\b/g;

function languageScores(text: string): { es: number; en: number } {
  const normalized = normalizeText(text);
  const es = (normalized.match(SPANISH_MARKERS) ?? []).length + (/[ñ¿¡áéíóú]/i.test(text) ? 2 : 0);
  const en = (normalized.match(ENGLISH_MARKERS) ?? []).length;
  return { es, en };
}

/** A cheap language guess for the languages the rules cover; the LLM refines it when configured. */
export function detectLanguage(text: string): 'en' | 'es' {
  const { es, en } = languageScores(text);
  return es > en ? 'es' : 'en';
}

/**
 * The language of a message in a conversation: a reply with no telling words ("45821",
 * "ok", "9:30") keeps the language the conversation was already in.
 */
export function detectLanguageIn(text: string, conversationLanguage: string | undefined): string {
  const { es, en } = languageScores(text);
  // One telling word is not enough to switch: "no" is Spanish and English, "la" a note.
  if (conversationLanguage && (es === en || es + en <= 1)) return conversationLanguage;
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

/** A UTF-16 surrogate without its other half: not a character, and not encodable as UTF-8. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * What is wrong with a piece of caller text, or undefined when nothing is. NUL ends strings
 * in C libraries and PostgreSQL refuses it; a lone surrogate turns into U+FFFD on its way to
 * UTF-8, so what is stored would not be what was sent. Both are refused rather than cleaned.
 */
export function textProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain the NUL character (\\u0000)';
  if (LONE_SURROGATE.test(text)) return 'must not contain a lone UTF-16 surrogate (malformed Unicode)';
  return undefined;
}
