import { DateTime } from 'luxon';
import { getAgent } from './agent-registry';
import { resolveDate } from './business-calendar';
import { extractEntities, type Entities } from './entities';
import type { Intent } from './intents';
import type { TriageResult } from './keyword-triage';
import { MAX_ANSWER_ATTEMPTS, type AgentQuestion, type AnswerReading, type PendingQuestion, type QuestionOption } from './questions';
import { normalizeText } from './text';

/**
 * The reading of a customer's message against the question their conversation has open:
 * an offered option ("the second one", "9am", "a las 10"), yes or no, a value (an order
 * number), words for the asking agent to read, or nothing usable. Pure and deterministic
 * (the current time is passed in); runs in activities, the workflow only passes its result on.
 */

/** Triage confidence at which a message is plainly about something else (a new topic). */
const NEW_TOPIC_CONFIDENCE = 0.85;
/**
 * A message that answers nothing the question asked needs less to be another topic:
 * "how much is a haircut?" after a slot offer is a price question at medium confidence.
 */
const NEW_TOPIC_CONFIDENCE_UNANSWERED = 0.7;
/** A greeting or thanks this sure is small talk, not an answer: the question stays open. */
const SMALL_TALK_CONFIDENCE = 0.9;
/** Triage this sure that the words are about the asking agent's own business: they go to it. */
const SAME_AGENT_CONFIDENCE = 0.6;

export interface AnswerContext {
  /** The current time (ISO-8601) and the business's zone: "tomorrow" is read against them. */
  now: string;
  timezone: string;
  /** A file came with the message. */
  hasMedia?: boolean;
  /** Entities already extracted from the text (the triage's); extracted here when absent. */
  entities?: Entities;
}

/**
 * A reading, and whether it rests on a clear structural answer (a slot by its time or place,
 * a yes, an order number) or on words that may belong to another request (a product named in
 * a return, a "no" followed by a new question): `readTurn` lets a plain other request win
 * over the second kind only.
 */
interface Reading {
  reading: AnswerReading;
  firm: boolean;
}

const firm = (reading: AnswerReading): Reading => ({ reading, firm: true });
const soft = (reading: AnswerReading): Reading => ({ reading, firm: false });
const firmIf = (isFirm: boolean) => (reading: AnswerReading): Reading => ({ reading, firm: isFirm });
const TEXT: AnswerReading = { kind: 'text' };
const UNCLEAR: AnswerReading = { kind: 'unclear' };
const NO: AnswerReading = { kind: 'no' };

/** Words an answer may come after and still open the message ("ok so, 9:30", "hola! a las 10"). */
const LEADING_WORDS = 2;

/** True when what stands at `at` opens the message rather than sitting inside another request. */
function leads(clean: string, at: number): boolean {
  return clean.slice(0, at).split(' ').filter(Boolean).length <= LEADING_WORDS;
}

// ---------------------------------------------------------------------------------------
// Text preparation. Every list below is written against normalized text: lower case, no
// accents, chat short forms and contractions expanded ("pls" → "please", "don't" → "do not").

/** Emoji that say yes or no on their own ("👍" to "shall I book it?"); skin tones fall away later. */
const EMOJI_YES = /\u{1F44D}|\u{1F44C}|\u2705|\u2611|\u{1F197}/gu;
const EMOJI_NO = /\u{1F44E}|\u274C|\u{1F6AB}/gu;
/** Short forms the shared normalization leaves alone but answers use ("nvm", "mon 9:30"). */
const ANSWER_SHORT_FORMS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bnvm\b/g, 'never mind'],
  [/\bmon\b/g, 'monday'],
  [/\b([ap])\.\s?m\b\.?/g, '$1m'],
];

interface Prepared {
  /** Normalized, keeping the marks times, dates and numbers need ("9:30", "9.30", "30/11", "#2"). */
  clean: string;
  /** Letters, digits and single spaces only: what the word lists read. */
  plain: string;
  /** The message carries a question mark. */
  asks: boolean;
}

function prepare(text: string): Prepared {
  let clean = normalizeText(text.replace(EMOJI_YES, ' ok ').replace(EMOJI_NO, ' no '));
  for (const [pattern, replacement] of ANSWER_SHORT_FORMS) clean = clean.replace(pattern, replacement);
  clean = clean
    .replace(/[^\p{L}\p{N}\s:#@+'/.-]/gu, ' ')
    // A full stop ends a sentence; a dot between digits is a time or a date ("9.30", "1.12").
    .replace(/(?<!\d)\.|\.(?!\d)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const plain = clean.replace(/[^\p{L}\p{N}\s]/gu, ' ').replace(/\s+/g, ' ').trim();
  return { clean, plain, asks: /[?\uFF1F]/.test(text) };
}

// ---------------------------------------------------------------------------------------
// Yes, no, and neither.

/** Words that say yes outright, at the start of the message ("yes, cancel it", "sí, perfecto", "acepto"). */
const AFFIRMATIVE =
  /^(?:(?:oh|um+|hm+|well|ah|and|so|pues|bueno|y),?\s+)?(?:yes+|yeah+|yea|yep+|yup|sure|of course|absolutely|definitely|certainly|please do|yes please|go ahead|do it|go for it|let us do it|let us go|book it|reserve it|deal|accept(?:ed)?|i accept|we accept|confirm(?:ed)?|i confirm|no problem|no worries|why not|i think so|i guess so|si+|(?:si)+|sip|simon|claro|dale|andale|de acuerdo|por supuesto|adelante|hazlo|hagalo|hagamoslo|(?:lo |la )?acepto|aceptad[oa]|aceptamos|(?:lo |la )?confirmo|confirmad[oa]|sin problema|no hay problema|por que no|creo que si|supongo que si|obvio)\b/;
/**
 * Yeses only when they are the whole message: at the start of a longer one they are slang or
 * filler ("k hora abren?", "bueno, ¿y el precio?").
 */
const SHORT_YES = /^(?:ya|va|sale|orale|simon|k|kk|bueno|please|por favor)$/;
/** A yes with a condition ("yes but on Friday", "sí, pero que sea el viernes"): for the agent to read. */
const CONDITION = /\b(?:but|only if|as long as|provided|if you can|pero|solo si|siempre que|siempre y cuando|con tal de que)\b/;
/**
 * Acknowledgements that agree ("ok", "vale", "perfect"). Alone or with more words they are a
 * yes; with nothing but thanks after them they close the exchange, and with a question after
 * them ("ok, where are you?") they acknowledge it: neither commits to anything.
 */
const ACKNOWLEDGEMENT =
  /^(?:(?:oh|um+|hm+|well|ah|and|so|pues|bueno|y),?\s+)?(?:ok+|okay|okey|oki|okis|alright|all right|fine|perfect|great(?! (?:day|morning))|good(?! (?:morning|afternoon|evening|night|day))|cool|sounds (?:good|great|perfect)|that works|works for me|that is (?:fine|perfect|great)|vale|perfecto|perfecta|genial|excelente|listo|esta bien|me parece bien|me sirve|buenisimo)\b/;
const ONLY_THANKS = /^(?:\s*(?:thanks|thank you|many thanks|cheers|gracias|muchas gracias|mil gracias|a lot|so much|very much))+\s*$/;
/**
 * Refusals that win wherever they stand, even after an "ok": "ok no thanks", "sí... mejor no",
 * "maybe later" to an offer, "don't cancel it".
 */
const REFUSAL =
  /\b(?:no thanks|no thank you|no gracias|no muchas gracias|not interested|no (?:me |nos )?interesa|no estoy interesad[oa]|mejor no|prefiero que no|creo que no|i do not think so|i guess not|probably not|rather not|not now|not yet|not today|maybe later|perhaps later|another time|some other time|never ?mind|forget it|(?:quizas|tal vez|a lo mejor) (?:mas tarde|luego|despues|otro dia|en otro momento)|en otro momento|por ahora no|de momento no|ahora no|do not (?:want|need|bother)|please do not|keep it|leave it)\b/;
/**
 * The offered action, negated ("don't cancel it", "no lo canceles"): an answer about that
 * action, never a request for it, whatever triage makes of the verb.
 */
const NEGATED_ACTION =
  /\b(?:do not|never) (?:cancel|book|reserve|accept|send|ship|order|charge|go ahead|do it|remind)\b|\bno (?:lo |la |los |las |me )?(?:canceles|cancelen|cancele|reserves|reserven|reserve|mandes|manden|envies|envien|cobres|cobren|hagas|hagan|recuerdes|recuerden)\b/;
/**
 * The offered action, asked for ("cancel it please", "book it", "cancélalo"): a yes to a
 * question that offered it ("we can cancel it before it ships — just say so").
 */
const ECHOED_ACTION =
  /^(?:please )?(?:cancel|book|reserve|send|order|ship|accept) (?:it|that|them|this|the order|the quote)\b|^(?:cancel|reserv|mand|envi|acept|confirm)(?:a|e|en)(?:lo|la|los|las)\b/;
/** Refusals that open a message ("no", "nope", "ninguna", "olvídalo"); "no problem" is a yes. */
const NEGATIVE =
  /^(?:(?:oh|um+|hm+|m+|well|ah|pues|bueno),?\s+)?(?:no+(?! problem| worries| hay problema)|nope|nop|nah|not really|none|neither|nothing|nada|ninguno|ninguna|ningun|nel|never|tampoco|todavia no|aun no|olvidalo|olvidate|dejalo|no quiero|no hace falta|no es necesario|para nada|i do not want)\b/;
/** Neither yes nor no: "not sure", "no sé", "let me think about it". "no sé" must not read as a no. */
const HESITATION =
  /^(?:(?:hm+|um+|m+|eh+|ah+|er+|well|pues|bueno|oh),?\s+)?(?:not sure|i am not sure|i do not know|dunno|no se|no lo se|no estoy segur[oa]|let me think|i will think|i need to think|i have to think|dejame pensar|dejeme pensar|lo pienso|lo voy a pensar|tengo que pensarlo|maybe|perhaps|quizas|quiza|tal vez|a lo mejor)\b/;

type Polarity = 'yes' | 'no' | 'hesitant' | undefined;

function polarity(plain: string, asks = false): Polarity {
  if (REFUSAL.test(plain) || NEGATED_ACTION.test(plain)) return 'no';
  if (HESITATION.test(plain)) return 'hesitant';
  if (NEGATIVE.test(plain)) return 'no';
  if (AFFIRMATIVE.test(plain) || SHORT_YES.test(plain)) return 'yes';
  const ack = plain.match(ACKNOWLEDGEMENT);
  if (ack) return asks || ONLY_THANKS.test(plain.slice(ack[0].length)) ? 'hesitant' : 'yes';
  return undefined;
}

/** A refusal alone ("no", "no me interesa, gracias") is an answer whatever triage reads into its words. */
const SHORT_REFUSAL_WORDS = 4;

function refusal(plain: string): Reading {
  return { reading: NO, firm: plain.split(' ').length <= SHORT_REFUSAL_WORDS };
}

// ---------------------------------------------------------------------------------------
// Days, times of day and clock times, for slots.

const WEEKDAYS: Record<string, number> = {
  monday: 1, tuesday: 2, wednesday: 3, thursday: 4, friday: 5, saturday: 6, sunday: 7,
  lunes: 1, martes: 2, miercoles: 3, jueves: 4, viernes: 5, sabado: 6, domingo: 7,
};
/** "de la mañana" is the morning, not tomorrow: taken out before the days are read. */
const IN_THE_MORNING_ES = /\b(?:de|por|en) la manana\b/g;
/** "this afternoon", "esta tarde": today, at that time of day. */
const THIS_PART_OF_DAY = /\b(?:this|esta) (?:morning|afternoon|evening|manana|tarde|noche)\b/g;

interface Days {
  /** ISO dates named ("tomorrow", "30/11", "el martes" resolved against now). */
  dates: Set<string>;
  /** ISO weekdays named ("monday", "lunes"), whichever week the slot is in. */
  weekdays: Set<number>;
  /** The words that named them, so that "December 1st" is not also read as "the first". */
  words: string[];
  /** Where in the text the first of them stands. */
  at: number;
}

function readDays(clean: string, ctx: AnswerContext): Days | undefined {
  const text = clean.replace(IN_THE_MORNING_ES, ' ').replace(THIS_PART_OF_DAY, ' today ');
  const now = DateTime.fromISO(ctx.now, { zone: ctx.timezone });
  const days: Days = { dates: new Set(), weekdays: new Set(), words: [], at: clean.length };
  for (const expression of extractEntities(text).dates) {
    const weekday = expression.match(/[a-z]+$/)?.[0];
    if (weekday && WEEKDAYS[weekday] !== undefined) days.weekdays.add(WEEKDAYS[weekday]);
    // Expressions that name no real day ("9.30" is a time) are left out.
    const resolved = resolveDate(expression, now);
    if (resolved?.isValid) days.dates.add(resolved.toISODate()!);
    if (resolved?.isValid || (weekday && WEEKDAYS[weekday] !== undefined)) {
      days.words.push(expression);
      days.at = Math.min(days.at, Math.max(0, clean.indexOf(expression)));
    }
  }
  return days.dates.size + days.weekdays.size > 0 ? days : undefined;
}

function onDays(option: QuestionOption, days: Days): boolean {
  if (!option.date) return false;
  return days.dates.has(option.date) || days.weekdays.has(DateTime.fromISO(option.date).weekday);
}

type PartOfDay = 'morning' | 'afternoon' | 'evening';
/** Parts of the day; greetings ("good morning", "buenas tardes") and "más tarde" (later) are not. */
const PARTS_OF_DAY: ReadonlyArray<{ part: PartOfDay; pattern: RegExp }> = [
  { part: 'morning', pattern: /(?<!good |buenos |buen )\b(?:mornings?|(?:de|por|en) la manana|a la manana)\b/ },
  { part: 'afternoon', pattern: /(?<!good |buenas |mas |muy )\b(?:afternoons?|tardes?)\b/ },
  { part: 'evening', pattern: /(?<!good |buenas )\b(?:evenings?|tonight|noches?)\b/ },
];

function readPartOfDay(clean: string): { part: PartOfDay; at: number } | undefined {
  for (const { part, pattern } of PARTS_OF_DAY) {
    const m = clean.match(pattern);
    if (m) return { part, at: m.index! };
  }
  return undefined;
}

function inPartOfDay(time: string, part: PartOfDay): boolean {
  const hour = Number(time.slice(0, 2));
  if (part === 'morning') return hour < 12;
  // "la tarde" runs until the evening in Spanish; an evening starts around five.
  if (part === 'afternoon') return hour >= 12 && hour < 20;
  return hour >= 17;
}

interface Clock {
  hour: number;
  /** Absent for a bare hour ("at 10"): it means :00. */
  minute?: number;
  meridiem?: 'am' | 'pm';
  /** Where in the text it was written. */
  at?: number;
}

const EN_HOURS: Record<string, number> = {
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12,
};
const ES_HOURS: Record<string, number> = {
  una: 1, dos: 2, tres: 3, cuatro: 4, cinco: 5, seis: 6, siete: 7, ocho: 8, nueve: 9, diez: 10, once: 11, doce: 12,
};
const EN_HOUR = `(\\d{1,2}|${Object.keys(EN_HOURS).join('|')})`;
const ES_HOUR = `(\\d{1,2}|${Object.keys(ES_HOURS).join('|')})`;
const DIGIT_HOUR = '(\\d{1,2})';
const MINUTE_WORDS: Record<string, number> = { quarter: 15, half: 30, five: 5, ten: 10, fifteen: 15, twenty: 20, 'twenty five': 25, thirty: 30, 'forty five': 45 };
const PAST_MINUTES = '(quarter|five|ten|twenty[- ]five|twenty|\\d{1,2})';

function minutesValue(word: string): number {
  return /^\d+$/.test(word) ? Number(word) : MINUTE_WORDS[word.replace(/[- ]+/g, ' ')];
}

function hourValue(word: string): number {
  return /^\d+$/.test(word) ? Number(word) : (EN_HOURS[word] ?? ES_HOURS[word]);
}

const meridiemOf = (word: string | undefined): Clock['meridiem'] =>
  word === undefined ? undefined : /^(am|manana|morning)$/.test(word) ? 'am' : 'pm';

/**
 * Ways customers write a clock time, most specific first; a match takes its words so a
 * shorter reading inside it ("a las 9" in "a las 9 y media") is not read again.
 */
const CLOCK_PATTERNS: ReadonlyArray<{ pattern: RegExp; read: (m: RegExpMatchArray) => Clock | undefined }> = [
  // "9:30", "09h00", "9.30", "9:30am"; a dot with 01..12 after it is a date ("1.12").
  {
    pattern: /\b(\d{1,2}) ?([:h.]) ?([0-5]\d)(?: ?(am|pm))?(?: ?(?:h|hs|hours))?\b/g,
    read: (m) => (m[2] === '.' && Number(m[3]) >= 1 && Number(m[3]) <= 12 ? undefined : { hour: Number(m[1]), minute: Number(m[3]), meridiem: meridiemOf(m[4]) }),
  },
  // "0930", "the 930 one", "1130": written without a separator, on the quarter hours only.
  { pattern: /\b([01]?\d|2[0-3])(00|15|30|45)\b/g, read: (m) => ({ hour: Number(m[1]), minute: Number(m[2]) }) },
  // "half past nine", "half 11" (British), "quarter past 10", "twenty past 9", "quarter to 10".
  { pattern: new RegExp(`\\bhalf (?:past )?${EN_HOUR}\\b`, 'g'), read: (m) => ({ hour: hourValue(m[1]), minute: 30 }) },
  { pattern: new RegExp(`\\b${PAST_MINUTES} past ${EN_HOUR}\\b`, 'g'), read: (m) => ({ hour: hourValue(m[2]), minute: minutesValue(m[1]) }) },
  { pattern: new RegExp(`\\b${PAST_MINUTES} to ${EN_HOUR}\\b`, 'g'), read: (m) => ({ hour: hourValue(m[2]) - 1, minute: 60 - minutesValue(m[1]) }) },
  // "nine thirty", "at 9 30", "a las 9 30".
  { pattern: new RegExp(`\\b${EN_HOUR} (fifteen|thirty|forty[- ]five)\\b`, 'g'), read: (m) => ({ hour: hourValue(m[1]), minute: minutesValue(m[2]) }) },
  { pattern: /\b(?:at|around|a las|de las|sobre las) (\d{1,2}) ([0-5]\d)\b/g, read: (m) => ({ hour: Number(m[1]), minute: Number(m[2]) }) },
  // "9 y media", "las diez y cuarto", "las 10 menos cuarto".
  { pattern: new RegExp(`\\b${ES_HOUR} y (media|cuarto)\\b`, 'g'), read: (m) => ({ hour: hourValue(m[1]), minute: m[2] === 'media' ? 30 : 15 }) },
  { pattern: new RegExp(`\\b${ES_HOUR} menos cuarto\\b`, 'g'), read: (m) => ({ hour: hourValue(m[1]) - 1, minute: 45 }) },
  // "9am", "3 pm".
  { pattern: /\b(\d{1,2}) ?(am|pm)\b/g, read: (m) => ({ hour: Number(m[1]), meridiem: meridiemOf(m[2]) }) },
  // "9 de la mañana", "3 de la tarde", "9 in the morning".
  { pattern: new RegExp(`\\b${ES_HOUR} de la (manana|tarde|noche)\\b`, 'g'), read: (m) => ({ hour: hourValue(m[1]), meridiem: meridiemOf(m[2]) }) },
  { pattern: new RegExp(`\\b${EN_HOUR} in the (morning|afternoon|evening)\\b`, 'g'), read: (m) => ({ hour: hourValue(m[1]), meridiem: meridiemOf(m[2]) }) },
  // "10 o'clock", "10 en punto", "10h", "15 hs", "10 hrs" (not "in 2 hours", a duration).
  { pattern: new RegExp(`\\b${EN_HOUR} ?(?:o'?clock)\\b`, 'g'), read: (m) => ({ hour: hourValue(m[1]) }) },
  { pattern: new RegExp(`\\b${ES_HOUR} en punto\\b`, 'g'), read: (m) => ({ hour: hourValue(m[1]) }) },
  { pattern: new RegExp(`(?<!\\b(?:in|en|for|por|de) )\\b${DIGIT_HOUR} ?(?:h|hs|hours)\\b`, 'g'), read: (m) => ({ hour: Number(m[1]) }) },
  // A number after "at" / "a las": "at 10", "around 9", "a las nueve", "la de las 10", "a la una".
  { pattern: new RegExp(`\\b(?:at|around) ${EN_HOUR}(?:ish)?\\b`, 'g'), read: (m) => ({ hour: hourValue(m[1]) }) },
  { pattern: new RegExp(`\\b(?:a las|de las|sobre las|hacia las|tipo|a la) ${ES_HOUR}\\b`, 'g'), read: (m) => ({ hour: hourValue(m[1]) }) },
  // "las 10": only with digits, as "las dos" is also "both of them".
  { pattern: /\blas (\d{1,2})\b/g, read: (m) => ({ hour: Number(m[1]) }) },
  { pattern: /\b(?:noon|midday|mediodia)\b/g, read: () => ({ hour: 12, meridiem: 'pm' }) },
];

function readClocks(clean: string): Clock[] {
  const taken: Array<[number, number]> = [];
  const clocks: Clock[] = [];
  for (const { pattern, read } of CLOCK_PATTERNS) {
    for (const m of clean.matchAll(pattern)) {
      const start = m.index!;
      const end = start + m[0].length;
      if (taken.some(([s, e]) => start < e && end > s)) continue;
      const clock = read(m);
      if (!clock || clock.hour < 0 || clock.hour > 23) continue;
      taken.push([start, end]);
      clocks.push({ ...clock, at: start });
    }
  }
  return clocks;
}

/** The 24-hour readings of a clock: "at 3" in a shop's day is 15:00; "at 9" is 09:00 (or 21:00). */
function hoursOf(clock: Clock, part: PartOfDay | undefined): number[] {
  const meridiem = clock.meridiem ?? (part === 'morning' ? 'am' : part ? 'pm' : undefined);
  if (clock.hour > 12) return meridiem === 'am' ? [] : [clock.hour];
  if (meridiem === 'am') return [clock.hour % 12];
  if (meridiem === 'pm') return [(clock.hour % 12) + 12];
  return clock.hour === 12 ? [12] : [clock.hour, clock.hour + 12];
}

/**
 * The clock time a message names, as HH:MM on a 24-hour clock ("la de las 11", "half past
 * nine", "3pm", "9 y media"), for an agent that needs one time rather than a pick among
 * options. A bare hour from 1 to 7 with no morning or evening named is read in a shop's day:
 * the afternoon ("at 3" is 15:00).
 */
export function readClockTime(text: string): string | undefined {
  const { clean } = prepare(text);
  const [clock] = readClocks(clean).sort((a, b) => (a.at ?? 0) - (b.at ?? 0));
  if (!clock) return undefined;
  const part = readPartOfDay(clean)?.part;
  const hours = hoursOf(clock, part);
  const hour = hours.length === 2 ? (clock.hour >= 1 && clock.hour <= 7 ? hours[1] : hours[0]) : hours[0];
  if (hour === undefined) return undefined;
  return `${String(hour).padStart(2, '0')}:${String(clock.minute ?? 0).padStart(2, '0')}`;
}

function atClock(time: string, clock: Clock, part: PartOfDay | undefined): boolean {
  const [hour, minute] = time.split(':').map(Number);
  return minute === (clock.minute ?? 0) && hoursOf(clock, part).includes(hour);
}

// ---------------------------------------------------------------------------------------
// Picking among offered options.

interface Indexed {
  option: QuestionOption;
  index: number;
}

/**
 * Words that point at an option by its place in the list. "last week" and "first time" are
 * not places; "the later one" of two is the last.
 */
const ORDINALS: ReadonlyArray<{ pattern: RegExp; index: number | 'last' | 'middle' }> = [
  {
    pattern: /\b(?:first(?! time)|1st|earliest|soonest|as soon as possible|asap|primer|primero|primera(?! vez)|1a|1o|1ro|1ra|lo antes posible|cuanto antes|lo mas pronto)\b|\b(?:the|la|el) (?:earlier|mas temprana|mas temprano)\b/,
    index: 0,
  },
  { pattern: /\b(?:second|2nd|segundo|segunda|2a|2o|2do|2da)\b/, index: 1 },
  { pattern: /\b(?:third|3rd|tercer|tercero|tercera|3a|3o|3ro|3ra)\b/, index: 2 },
  { pattern: /\b(?:fourth|4th|cuarto|cuarta|4to|4ta)\b/, index: 3 },
  { pattern: /\b(?:fifth|5th|quinto|quinta|5to|5ta)\b/, index: 4 },
  {
    pattern: /\b(?:last(?! (?:week|month|year|time|night|order|visit|one i (?:bought|ordered|got)))|latest|ultimo|ultima)\b|\b(?:the|la|el) (?:later|mas tarde)\b/,
    index: 'last',
  },
  { pattern: /\b(?:middle|del medio|de en medio|de enmedio)\b/, index: 'middle' },
];
/** A number marked as a place in the list: "option 2", "#2", "número 3". */
const MARKED_NUMBER = /(?:\b(?:option|opcion|number|numero|num|nr)\s?|#\s?)(\d|one|two|three|four|five|uno|dos|tres|cuatro|cinco)\b/;
const NUMBER_WORDS: Record<string, number> = { one: 1, two: 2, three: 3, four: 4, five: 5, uno: 1, dos: 2, tres: 3, cuatro: 4, cinco: 5 };
/** A number word alone ("two", "la dos"): a place in the list. */
const LONE_NUMBER_WORD = /^(?:the |la |el |option |opcion )?(one|two|three|four|five|uno|dos|tres|cuatro|cinco)(?: please| por favor)?$/;
/**
 * Words that may follow a lone number that picks a slot ("2 please", "10 works", "is 10 still
 * free", "9 on monday"); any other word makes it a quantity ("2 people", "in 2 hours").
 */
const AFTER_A_LONE_NUMBER =
  /^(?:please|por|favor|thanks|thank|gracias|works|work|would|will|is|es|esta|estan|then|entonces|sharp|ish|still|on|el|the|for|para|me|mejor|if|si|ok|okay|sounds|seems|suits|one|slot|option|instead|or|o|tho|fine|good|perfect|perfecto|vale|dale|y)$/;
/** Anything will do: a receptionist books the earliest ("any of them", "cualquiera", "me da igual"). */
const ANY_WILL_DO =
  /\b(?:any (?:one|of (?:them|those|these|the \w+))|any\b.{0,25}\b(?:is fine|is ok|is good|works|will do)|anyone|either|whichever|whatever (?:is|works)|cualquiera|cualquier (?:hora|dia|horario)|(?:la|el|lo) que sea|(?:me )?da igual|me es igual)\b/;
/** Words that ask for something other than what was offered: the agent re-plans. */
const SOMETHING_ELSE =
  /\b(?:other|another|different|later|earlier|else|instead|cheaper|less expensive|more expensive|bigger|smaller|next week|otro|otra|otros|otras|mas tarde|mas temprano|mas barato|mas barata|mas economico|mas economica|mas caro|mas cara|distinto|distinta|en cambio|algo mas)\b/;
/** "None of them", "ninguna me sirve": nothing offered suits. */
const NONE_OF_THEM = /\b(?:none|neither|ninguno|ninguna|ningun)\b/;
/** Several at once ("both", "the mat and the roller", "las dos"): the agent reads which. */
const SEVERAL = /\b(?:both|all of them|all three|the two|ambos|ambas|los dos|las dos|todos|todas|los tres|las tres)\b/;
/** A question about an offered product names it without choosing it ("how much is the foam roller?"). */
const ASKS_ABOUT = /^(?:how|what|which|why|is|are|does|do|can it|will it|cuanto|cuanta|que|cual|como|por que|es|son|tiene|viene|trae)\b/;
/** Words that choose ("I'll take the mat", "can you reserve the roller?", "me llevo el rodillo"). */
const CHOOSES =
  /\b(?:take|want|reserve|book|get|buy|order|hold|keep|go with|quiero|quisiera|me llevo|me quedo|reserva\w*|aparta\w*|dame|compro|elijo|prefiero)\b/;

function ordinalPick(text: string, count: number): number | undefined {
  for (const { pattern, index } of ORDINALS) {
    if (!pattern.test(text)) continue;
    if (index === 'last') return count - 1;
    if (index === 'middle') return count >= 3 && count % 2 === 1 ? (count - 1) / 2 : undefined;
    return index < count ? index : undefined;
  }
  return undefined;
}

/** The number a short message picks by ("2", "ok 10 then", "is 10 still free?", "Monday 9"), if it has exactly one. */
function loneNumber(text: string): number | undefined {
  const word = text.match(LONE_NUMBER_WORD);
  if (word) return NUMBER_WORDS[word[1]];
  const numbers = [...text.matchAll(/(?<![\d:/.#-])\b\d+\b(?![:/.-]?\d)/g)];
  if (numbers.length !== 1 || numbers[0][0].length > 2) return undefined;
  // "for 2", "para 2": a number of people, not a slot.
  if (/\b(?:for|para|x|of|de)\s$/.test(text.slice(0, numbers[0].index))) return undefined;
  const next = text.slice(numbers[0].index! + numbers[0][0].length).trim().split(' ')[0];
  return next === '' || AFTER_A_LONE_NUMBER.test(next) ? Number(numbers[0][0]) : undefined;
}

/** The option whose keywords the text names most; none on a tie. Plurals count ("bands" names "band"). */
function keywordHits(plain: string, options: QuestionOption[]): number[] {
  const scores = options.map((option) => (option.keywords ?? []).filter((k) => new RegExp(`\\b${k.replace(/s$/, '')}s?\\b`).test(plain)).length);
  const best = Math.max(0, ...scores);
  return best === 0 ? [] : scores.flatMap((score, index) => (score === best ? [index] : []));
}


function readChoice({ clean, plain, asks }: Prepared, question: AgentQuestion, ctx: AnswerContext): Reading {
  const options = question.options ?? [];
  const pick = (index: number): AnswerReading => ({ kind: 'option', index, option: options[index] });

  // The day and the part of the day narrow the offer; naming one that has none is a request for it.
  let pool: Indexed[] = options.map((option, index) => ({ option, index }));
  const days = readDays(clean, ctx);
  if (days) pool = pool.filter(({ option }) => onDays(option, days));
  const partOfDay = readPartOfDay(clean);
  const part = partOfDay?.part;
  if (part) pool = pool.filter(({ option }) => option.time !== undefined && inPartOfDay(option.time, part));
  const narrowed = days !== undefined || part !== undefined;
  const clocks = readClocks(clean);
  // A day or a time that opens the message answers; one inside another request belongs to it
  // ("remind me tomorrow at 9 to call mom", "are you open Monday afternoon?").
  const saidAt = clocks.length > 0 ? Math.min(...clocks.map((c) => c.at ?? 0)) : Math.min(days?.at ?? Infinity, partOfDay?.at ?? Infinity);
  const when = firmIf(leads(clean, saidAt));
  if (narrowed && pool.length === 0) return when(TEXT);

  if (clocks.length > 0) {
    const matching = pool.filter(({ option }) => option.time && clocks.some((clock) => atClock(option.time!, clock, part)));
    if (matching.length === 1) return when(pick(matching[0].index));
    // The same time on several days: the agent asks which. A time not offered: the agent re-plans.
    return when(matching.length > 1 ? UNCLEAR : TEXT);
  }

  const marked = clean.match(MARKED_NUMBER);
  if (marked) {
    const numbered = NUMBER_WORDS[marked[1]] ?? Number(marked[1]);
    return firm(numbered >= 1 && numbered <= pool.length ? pick(pool[numbered - 1].index) : UNCLEAR);
  }

  // Day words are out of the way of places and numbers: "December 1st" is not "the first".
  const rest = (days?.words ?? []).reduce((text, words) => text.replace(words, ' '), clean).replace(/\s+/g, ' ').trim();
  const n = loneNumber(rest);
  if (n !== undefined) {
    const asPlace = n >= 1 && n <= pool.length ? pool[n - 1] : undefined;
    const asTime = pool.filter(({ option }) => option.time && atClock(option.time, { hour: n }, part));
    // "3" with a third option and a 15:00 slot: a careful agent asks rather than guess.
    if (asPlace && asTime.some((slot) => slot !== asPlace)) return firm(UNCLEAR);
    if (asPlace) return firm(pick(asPlace.index));
    if (asTime.length > 0) return firm(asTime.length === 1 ? pick(asTime[0].index) : UNCLEAR);
    return firm(n <= 23 && options.some((o) => o.time) ? TEXT : UNCLEAR);
  }

  const place = ordinalPick(rest, pool.length);
  if (place !== undefined) return firm(pick(pool[place].index));
  if (ANY_WILL_DO.test(plain)) return firm(pick(pool[0].index));
  if (narrowed) return when(pool.length === 1 ? pick(pool[0].index) : UNCLEAR);

  const named = keywordHits(plain, options);
  if (named.length > 1 || SEVERAL.test(plain)) return soft(TEXT);
  if (named.length === 1) return soft((asks || ASKS_ABOUT.test(plain)) && !CHOOSES.test(plain) ? TEXT : pick(named[0]));
  const said = polarity(plain, asks);
  if (said === 'no' && REFUSAL.test(plain)) return refusal(plain);
  if (SOMETHING_ELSE.test(plain)) return soft(TEXT);
  if (said === 'no' || NONE_OF_THEM.test(plain)) return refusal(plain);
  if (said === 'yes') return firm(options.length === 1 ? pick(0) : UNCLEAR);
  return soft(UNCLEAR);
}

function readConfirm({ plain, asks }: Prepared): Reading {
  if (NEGATED_ACTION.test(plain)) return firm(NO);
  const said = polarity(plain, asks);
  if (said === 'yes' || (said === undefined && ECHOED_ACTION.test(plain))) {
    return CONDITION.test(plain) ? soft(TEXT) : firm({ kind: 'yes' });
  }
  // A no may come with another request ("no, I want to return it"): that request can win.
  if (said === 'no') return refusal(plain);
  return soft(UNCLEAR);
}

// ---------------------------------------------------------------------------------------
// Values and free-text answers.

/** A bare order number: four or more digits, with an optional short prefix ("45821", "ORD-45821"). */
const ORDER_TOKEN = /(?:^|[\s#:])((?:[a-z]{2,4}-?)?\d{4,12})(?=$|[\s,!?])/;
/** A phone number is a long run of digits with spaces or dashes; it is never an order number. */
const PHONE_LIKE = /\+?\d[\d\s().-]{7,}\d/g;
/** "I don't have it", "no lo tengo", "no sé cuál es", "can't find it". */
const DO_NOT_HAVE_IT =
  /\b(?:do not (?:have|know|remember)|can not (?:find|remember)|lost (?:it|the)|never (?:got|received) (?:one|it|an?)|no idea|ni idea|no (?:lo |la )?(?:tengo|encuentro|recuerdo|se)|no me acuerdo|no se (?:cual|el)|ya no (?:lo |la )?tengo|perdi|deleted it|(?:lo|la) borre)\b/;
/** A file named in the text ("invoice.pdf") when the file itself did not come through. */
const FILE_NAME = /[\w.-]+\.(?:pdf|docx?|xlsx?|csv|png|jpe?g|heic)\b/;
/** "in 2 hours", "en media hora", "dentro de una hora", "in 30 mins". */
const IN_A_WHILE =
  /\b(?:in|en|dentro de|within)\s+(?:\d{1,3}|an?|one|two|three|half an?|una|un|media|dos|tres)\s*(?:minutes?|mins?|hours?|hrs?|h|days?|weeks?|minutos?|horas?|dias?|semanas?)\b/;
/** Relative to what the reminder is about: "the day before", "1 hour before", "la noche anterior". */
const BEFORE_IT = /\b(?:before|beforehand|in advance|ahead of time|antes|anterior|la vispera)\b/;

function readOrderNumber({ clean, plain }: Prepared, entities: Entities): Reading {
  const named = entities.orderNumbers[0];
  if (named) return firm({ kind: 'value', value: named.toUpperCase() });
  // A number alone is the answer ("123"); inside a sentence it takes four digits to be one.
  const bare = (/^#?\d{3,12}$/.test(plain) ? plain : undefined) ?? clean.replace(PHONE_LIKE, ' ').match(ORDER_TOKEN)?.[1];
  if (bare) return firm({ kind: 'value', value: bare.toUpperCase() });
  if (DO_NOT_HAVE_IT.test(plain) || polarity(plain) === 'no') return soft(NO);
  return soft(UNCLEAR);
}

function readWhen({ clean, plain }: Prepared, ctx: AnswerContext): Reading {
  if (polarity(plain) === 'no') return refusal(plain);
  const named =
    readDays(clean, ctx) !== undefined ||
    readPartOfDay(clean) !== undefined ||
    readClocks(clean).length > 0 ||
    IN_A_WHILE.test(plain) ||
    BEFORE_IT.test(plain) ||
    /^\d{1,2}$/.test(plain);
  return soft(named ? TEXT : UNCLEAR);
}

/** Sounds and one-word acknowledgements that answer no free-text question ("hmm", "ok", "what?"). */
const NO_CONTENT = /^(?:h+m+|u+m+|e+h+|a+h+|m+|huh|what|que|como|ok+|okay|vale|yes|si|k)$/;

function readFreeText({ plain }: Prepared): Reading {
  // A short refusal ("no", "nothing, thanks") ends the dialogue; longer words are an answer.
  if (polarity(plain) === 'no' && plain.split(' ').length <= SHORT_REFUSAL_WORDS) return refusal(plain);
  return soft(/[\p{L}\p{N}]/u.test(plain) && !NO_CONTENT.test(plain) ? TEXT : UNCLEAR);
}

function readAnswer(text: string, question: AgentQuestion, ctx: AnswerContext): Reading {
  const prepared = prepare(text);
  if (prepared.plain === '' && !ctx.hasMedia) return soft(UNCLEAR);
  switch (question.kind) {
    case 'choice':
      return readChoice(prepared, question, ctx);
    case 'confirm':
      return readConfirm(prepared);
    case 'order_number':
      return readOrderNumber(prepared, ctx.entities ?? extractEntities(text));
    case 'attachment':
      if (ctx.hasMedia || FILE_NAME.test(normalizeText(text))) return firm(TEXT);
      return soft(DO_NOT_HAVE_IT.test(prepared.plain) || polarity(prepared.plain) === 'no' ? NO : UNCLEAR);
    case 'when':
      return readWhen(prepared, ctx);
    case 'contact':
    case 'products':
    case 'details':
      return readFreeText(prepared);
  }
}

/**
 * Reads one message as an answer to `question`. Structural answers (an offered option, yes,
 * no, a value) are recognised here; free-text kinds come back as `text` for the agent to
 * read; anything that names nothing the question offered is `unclear`.
 */
export function interpretAnswer(text: string, question: AgentQuestion, ctx: AnswerContext): AnswerReading {
  return readAnswer(text, question, ctx).reading;
}

/** What a turn does with its message: answer the open question, or start a new topic. */
export type TurnReading =
  | { as: 'answer'; reading: AnswerReading }
  | {
      as: 'new_topic';
      /** Small talk leaves the question open for the next message; anything else lapses it. */
      keepPending: boolean;
      reason: 'nothing_pending' | 'expired' | 'other_topic' | 'small_talk' | 'flagged' | 'gave_up';
    };

/** True when triage is this sure the message asks for something the asking agent does not do. */
function asksElsewhere(triage: TriageResult, family: readonly Intent[], confidence: number): boolean {
  const named = triage.intents.filter((intent) => intent !== 'unknown' && intent !== 'greeting');
  return triage.confidence >= confidence && named.length > 0 && !named.some((intent) => family.includes(intent));
}

/**
 * Another task of the same agent, asked for plainly ("cancel my appointment" while a
 * reschedule waits for a time): routing gives it its own intent and what it names.
 */
function switchesTask(triage: TriageResult, pending: PendingQuestion): boolean {
  return triage.confidence >= NEW_TOPIC_CONFIDENCE && triage.intent !== pending.intent && getAgent(pending.agent).intents.includes(triage.intent);
}

/**
 * Decides whether a message answers the conversation's open question. A clear structural
 * answer (a slot by a time or place that opens the message, a yes, an order number, a short
 * refusal) always answers, whatever triage reads into its words ("yes, cancel it please").
 * Otherwise the message is a new topic when it plainly asks for something the asking agent
 * does not do ("what are your hours?" after a slot offer, "I want to return my yoga mat"
 * after a product offer, "no, ..." followed by another request), when it is small talk (the
 * question stays open), or when too many answers in a row could not be used. Whatever agent
 * asked gets the answer.
 */
export function readTurn(input: { text: string; pending?: PendingQuestion; triage: TriageResult } & AnswerContext): TurnReading {
  const { pending, triage } = input;
  if (!pending) return { as: 'new_topic', keepPending: false, reason: 'nothing_pending' };
  if (new Date(input.now).getTime() >= new Date(pending.expiresAt).getTime()) return { as: 'new_topic', keepPending: false, reason: 'expired' };
  if (triage.flags.includes('prompt_injection')) return { as: 'new_topic', keepPending: false, reason: 'flagged' };

  const { reading, firm: isFirm } = readAnswer(input.text, pending, { ...input, entities: input.entities ?? triage.entities });
  if (isFirm && reading.kind !== 'unclear') return { as: 'answer', reading };

  const family: readonly Intent[] = getAgent(pending.agent).intents;
  if (triage.intent === 'greeting' && triage.confidence >= SMALL_TALK_CONFIDENCE && reading.kind !== 'no') {
    return { as: 'new_topic', keepPending: true, reason: 'small_talk' };
  }
  const threshold = reading.kind === 'unclear' ? NEW_TOPIC_CONFIDENCE_UNANSWERED : NEW_TOPIC_CONFIDENCE;
  if (asksElsewhere(triage, family, threshold)) return { as: 'new_topic', keepPending: false, reason: 'other_topic' };
  if (switchesTask(triage, pending)) return { as: 'new_topic', keepPending: false, reason: 'other_topic' };
  if (reading.kind !== 'unclear') return { as: 'answer', reading };
  // Words about the asking agent's own business ("actually, can we move it?") go to it.
  if (family.includes(triage.intent) && triage.confidence >= SAME_AGENT_CONFIDENCE) return { as: 'answer', reading: TEXT };
  if (pending.attempts + 1 >= MAX_ANSWER_ATTEMPTS) return { as: 'new_topic', keepPending: false, reason: 'gave_up' };
  return { as: 'answer', reading };
}
