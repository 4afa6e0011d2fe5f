import { DateTime } from 'luxon';
import { stripAccents } from './text';

/**
 * Grounded answers: what a reply a model wrote may claim. A text the customer receives may
 * state a booking, a reference, a price, a date, a time or an order status only when a tool
 * (or a rule agent's own reply, the draft) returned it. `claimsIn` reads what a text asserts,
 * `checkGrounding` holds those claims against the evidence, `evidenceFromText` and
 * `evidenceFromFacts` turn a trusted reply and an agent's facts into evidence.
 *
 * Pure and deterministic (no clock, no I/O): it runs in activities and in workflows alike.
 * It reads English and Spanish; see the test table (test/unit/grounding.test.ts) for the
 * phrasings it knows and the blind spots it has.
 */

/** What tool calls (or a rule agent's reply) returned, which a reply may therefore claim. */
export interface Evidence {
  /**
   * Bookings made, moved or cancelled by a tool: their reference, local date (YYYY-MM-DD) and
   * time (HH:MM). Read from a trusted text, the date is `--MM-DD` when the text gave no year,
   * and any field the text did not give is `''` (unknown).
   */
  bookings?: Array<{ reference: string; date: string; time: string; status: 'booked' | 'moved' | 'cancelled' }>;
  /** Any identifier a reply may quote: booking references, order numbers, return (RMA) and quote ids, reservations. */
  references?: string[];
  /** Prices and totals, in minor units. `currency` '' when unknown (it then matches any). */
  amounts?: Array<{ cents: number; currency: string }>;
  /** Dates (YYYY-MM-DD, the business's zone) a reply may name: free slots offered, delivery dates. `--MM-DD` when the year is unknown. */
  dates?: string[];
  /** Times (HH:MM, 24-hour, the business's zone) a reply may name. */
  times?: string[];
  /** Order statuses as stored (`processing`, `shipped`, `delivered`, `cancelled`, …). */
  orderStatuses?: string[];
}

export type ClaimedOrderStatus = 'reserved' | 'processing' | 'shipped' | 'delivered' | 'cancelled';

/** Where a claim stands in the text, and its words as written. */
interface Located {
  text: string;
  index: number;
}

/** A calendar date: `YYYY-MM-DD`, or `--MM-DD` when the text gave no year; `weekday` (ISO, 1 = Monday) when it named one. */
export interface DateClaim extends Located {
  date: string;
  weekday?: number;
}

/** A clock time as HH:MM; `alternatives` holds the afternoon reading of an hour that did not say which ("a las 5", "5:30"). */
export interface TimeClaim extends Located {
  time: string;
  alternatives: string[];
}

export interface AmountClaim extends Located {
  cents: number;
  /** ISO 4217 code (`USD`, `EUR`, `GBP`). */
  currency: string;
}

export interface ReferenceClaim extends Located {
  /** Upper case, as written. */
  reference: string;
}

export interface StatusClaim extends Located {
  status: ClaimedOrderStatus;
}

/**
 * A sentence stating that a booking exists ("you're booked", "tu cita queda reservada"): a
 * new one, a moved one, or something reserved (`reserve`: an appointment or a product held
 * at the shop). The date, time and reference nearest to it in its sentence come with it.
 */
export interface BookingClaim extends Located {
  verb: 'book' | 'reserve' | 'move';
  date?: DateClaim;
  time?: TimeClaim;
  reference?: ReferenceClaim;
}

/** What a text asserts. */
export interface Claims {
  bookings: BookingClaim[];
  references: ReferenceClaim[];
  amounts: AmountClaim[];
  dates: DateClaim[];
  times: TimeClaim[];
  orderStatuses: StatusClaim[];
}

export interface GroundingResult {
  ok: boolean;
  /** One short English sentence per claim the evidence does not back. */
  problems: string[];
}

// ---------------------------------------------------------------------------------------
// Text preparation

interface Span {
  start: number;
  end: number;
}

interface Prepared {
  /** The text as given (NFC). */
  original: string;
  /** Lower case, accents kept: same length and indices as `original`. */
  lower: string;
  /** Lower case, no accents, typographic apostrophes straightened: same length and indices. */
  folded: string;
  sentences: Span[];
}

/** Lower-cases and folds character by character, so every index still points at the same character. */
function prepare(input: string): Prepared {
  const original = input.normalize('NFC');
  let lower = '';
  let folded = '';
  for (const ch of original) {
    const l = ch.toLowerCase();
    const low = l.length === ch.length ? l : ch;
    lower += low;
    const f = low === '\u2019' || low === '\u2018' ? "'" : stripAccents(low);
    folded += f.length === low.length ? f : low;
  }
  return { original, lower, folded, sentences: sentenceSpans(original) };
}

/**
 * Sentences: a line break, `!` `?` `…` before a space, or a full stop before a space and a
 * capital (so "10 a.m. tomorrow", "No. 45821" and "Dec. 1" stay whole).
 */
function sentenceSpans(text: string): Span[] {
  const spans: Span[] = [];
  const boundary = /\n+|[!?\u2026]+["'\u201d\u00bb)]*(?=\s|$)|\.+["'\u201d\u00bb)]*(?=\s+[^\p{Ll}\p{N}\s]|\s*$)/gu;
  let start = 0;
  for (const m of text.matchAll(boundary)) {
    const end = m.index! + m[0].length;
    if (end > start) spans.push({ start, end });
    start = end;
  }
  if (start < text.length) spans.push({ start, end: text.length });
  return spans;
}

function sentenceAt(p: Prepared, index: number): Span {
  return p.sentences.find((s) => index >= s.start && index < s.end) ?? { start: 0, end: p.original.length };
}

/** Marks that end a clause inside a sentence: what comes before them does not qualify what comes after. */
const CLAUSE_BOUNDARY = /[,;:()\u2014\u2013]|\s-\s|\b(?:but|however|although|though|pero|aunque|sin embargo|mientras que)\b/g;

function clauseStart(p: Prepared, sentence: Span, index: number): number {
  let start = sentence.start;
  const before = p.folded.slice(sentence.start, index);
  for (const m of before.matchAll(CLAUSE_BOUNDARY)) start = sentence.start + m.index! + m[0].length;
  return start;
}

/** Words that deny what follows them in the clause. */
const NEGATION =
  /(?<![\p{L}])(?:not|no|never|nothing|cannot|unable|nunca|tampoco|sin|ningun[oa]?|nada|aun no|todavia no|isnt|arent|wasnt|werent|hasnt|havent|hadnt|couldnt|cant|wont|didnt|doesnt|dont)(?![\p{L}])|n't(?![\p{L}])/u;
/** Words that make what follows an offer, a possibility, a condition or a plan rather than a fact. */
const MODAL =
  /(?<![\p{L}])(?:can|could|would|will|shall|should|may|might|must|to be|to get|to have|want me to|like me to|if|once|whether|as soon as|until|unless|puedo|podemos|puedes|puede|pueden|podr[ií]a|podr[ií]amos|podr[ií]as|quieres|quiere|quieren|si|cuando|en cuanto|una vez|para que|hasta que|a menos que|gustar[ií]a|deseas|desea|prefieres|prefiere|(?:quedar|estar|ser)(?:á|ía)n?)(?![\p{L}])|'ll(?![\p{L}])|'d(?![\p{L}])/u;
/** A sentence that opens with a condition states nothing in its main clause either ("Si me confirmas, tu cita queda reservada"). */
const CONDITION_OPENING = /^\s*(?:if|once|as soon as|si|en cuanto|una vez que?)\b/;

/** Words a question opens with, when it has no `¿`. */
const QUESTION_OPENING =
  /^\s*(?:shall|should|can|could|would|will|do|does|did|is|are|was|were|may|might|want|how|what|which|when|where|who|why|have|has|any|quieres|quiere|te|le|prefieres|cual|que|cuando|donde|como|hay|puedo|podemos|deseas|desea|necesitas)\b/;

/** True when the words at `index` are asked rather than stated ("Shall I book 10:00?", "¿Te la dejo reservada?"). */
function questioned(p: Prepared, sentence: Span, index: number): boolean {
  const before = p.original.slice(sentence.start, index);
  const opened = before.lastIndexOf('\u00bf');
  if (opened >= 0 && !before.slice(opened).includes('?')) return true;
  const tail = p.original.slice(index, sentence.end).replace(/[\s"'\u201d\u00bb)\p{Extended_Pictographic}\uFE0F]+$/u, '');
  if (!tail.endsWith('?')) return false;
  // "Shall I book you in, then?": a question from its first word; "You're booked, want a reminder?": only its last clause is.
  if (QUESTION_OPENING.test(p.folded.slice(sentence.start, sentence.end))) return true;
  return !/[,;:\u2014\u2013]|\s-\s/.test(p.folded.slice(index, sentence.end));
}

/** The last few words before `index` in its clause. */
function leadIn(p: Prepared, index: number, words = 6): string {
  const sentence = sentenceAt(p, index);
  const start = clauseStart(p, sentence, index);
  return p.lower.slice(start, index).trim().split(/\s+/).slice(-words).join(' ');
}

/** "I can confirm", "puedo confirmarte": a way of stating, not an offer. */
const STATING = /(?<![\p{L}])(?:i|we|yo)?\s*(?:can|could|puedo|podemos)\s+(?:now\s+)?(?:confirm|confirmar(?:te|le)?)(?![\p{L}])/gu;

/** True when the words at `index` state something: not denied, not offered or conditional, not asked. */
function asserted(p: Prepared, index: number): boolean {
  const sentence = sentenceAt(p, index);
  const words = leadIn(p, index).replace(STATING, ' ');
  if (NEGATION.test(stripAccents(words))) return false;
  // "sí" is yes, "si" is if: read with the accents kept.
  if (MODAL.test(words.replace(/(?<![\p{L}])sí(?![\p{L}])/gu, ' '))) return false;
  if (CONDITION_OPENING.test(p.lower.slice(sentence.start, index).replace(/^[^\p{L}]+/u, '').replace(/^sí\b/, ''))) return false;
  return !questioned(p, sentence, index);
}

// ---------------------------------------------------------------------------------------
// Dates

const MONTH_NUMBERS: Record<string, number> = {
  january: 1, february: 2, march: 3, april: 4, may: 5, june: 6, july: 7, august: 8, september: 9, october: 10, november: 11, december: 12,
  jan: 1, feb: 2, mar: 3, apr: 4, jun: 6, jul: 7, aug: 8, sep: 9, sept: 9, oct: 10, nov: 11, dec: 12,
  enero: 1, febrero: 2, marzo: 3, abril: 4, mayo: 5, junio: 6, julio: 7, agosto: 8, septiembre: 9, setiembre: 9, octubre: 10, noviembre: 11, diciembre: 12,
  ene: 1, abr: 4, ago: 8, dic: 12,
};
const MONTH = `(${Object.keys(MONTH_NUMBERS).sort((a, b) => b.length - a.length).join('|')})\\.?`;

const WEEKDAY_NUMBERS: Record<string, number> = {
  monday: 1, tuesday: 2, wednesday: 3, thursday: 4, friday: 5, saturday: 6, sunday: 7,
  mon: 1, tue: 2, tues: 2, wed: 3, thu: 4, thur: 4, thurs: 4, fri: 5, sat: 6, sun: 7,
  lunes: 1, martes: 2, miercoles: 3, jueves: 4, viernes: 5, sabado: 6, domingo: 7,
};
const WEEKDAY = `(${Object.keys(WEEKDAY_NUMBERS).sort((a, b) => b.length - a.length).join('|')})`;
const WEEKDAY_BEFORE = new RegExp(`\\b${WEEKDAY}\\.?,?\\s+(?:the\\s+|el\\s+|dia\\s+)?$`);

const WEEKDAY_NAMES = ['', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const MONTH_NAMES = ['', 'January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** ISO weekday (1 = Monday … 7 = Sunday) of a proleptic Gregorian date, without the clock or `Date`. */
export function isoWeekday(year: number, month: number, day: number): number {
  const offsets = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
  const y = month < 3 ? year - 1 : year;
  const w = (y + Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400) + offsets[month - 1] + day) % 7;
  return w === 0 ? 7 : w;
}

function daysIn(month: number, year?: number): number {
  if (month === 2) return year === undefined || (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

const pad = (n: number): string => String(n).padStart(2, '0');

function dateKey(month: number, day: number, year?: number): string | undefined {
  if (month < 1 || month > 12 || day < 1 || day > daysIn(month, year)) return undefined;
  return `${year === undefined ? '-' : String(year).padStart(4, '0')}-${pad(month)}-${pad(day)}`;
}

/** `YYYY-MM-DD` / `--MM-DD` → its parts; undefined for anything else. */
function parseDateKey(key: string): { year?: number; month: number; day: number } | undefined {
  const m = /^(\d{4}|-)-(\d{2})-(\d{2})/.exec(key.trim());
  if (!m) return undefined;
  return { year: m[1] === '-' ? undefined : Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
}

/** "Tuesday 1 December 2026" / "1 December" for a problem sentence. */
function describeDate(key: string, weekday?: number): string {
  const d = parseDateKey(key);
  if (!d) return key;
  const day = `${d.day} ${MONTH_NAMES[d.month]}${d.year === undefined ? '' : ` ${d.year}`}`;
  return weekday ? `${WEEKDAY_NAMES[weekday]} ${day}` : day;
}

function findDates(p: Prepared, taken: Span[]): DateClaim[] {
  const found: DateClaim[] = [];
  const f = p.folded;
  const add = (start: number, end: number, month: number, day: number, year?: number) => {
    if (overlaps(taken, start, end)) return;
    const key = dateKey(month, day, year);
    if (!key) return;
    const before = f.slice(Math.max(0, start - 30), start);
    const wd = WEEKDAY_BEFORE.exec(before);
    const from = wd ? start - (before.length - wd.index) : start;
    taken.push({ start: from, end });
    found.push({ text: p.original.slice(from, end), index: from, date: key, ...(wd ? { weekday: WEEKDAY_NUMBERS[wd[1]] } : {}) });
  };
  const yearOf = (y: string | undefined) => (y === undefined ? undefined : y.length === 2 ? 2000 + Number(y) : Number(y));
  /** "may" is a month only as "May" (or in Spanish, "de mayo"). */
  const monthAt = (word: string, at: number): number | undefined => {
    const month = MONTH_NUMBERS[word];
    if (word === 'may' && p.original[at] !== 'M') return undefined;
    return month;
  };

  for (const m of f.matchAll(/(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?!\d)/g)) {
    add(m.index!, m.index! + m[0].length, Number(m[2]), Number(m[3]), Number(m[1]));
  }
  for (const m of f.matchAll(/(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?![\d/.-])/g)) {
    add(m.index!, m.index! + m[0].length, Number(m[3]), Number(m[1]), yearOf(m[4]));
  }
  // A day/month without a year only after words that introduce a date: "on 1/12", "el 1/12".
  for (const m of f.matchAll(new RegExp(`(?<=\\b(?:on|el|for|del|the|until|till|hasta el|${WEEKDAY}),?\\s)(\\d{1,2})/(\\d{1,2})(?![\\d/])`, 'g'))) {
    const dayText = m[m.length - 2];
    const monthText = m[m.length - 1];
    add(m.index!, m.index! + m[0].length, Number(monthText), Number(dayText));
  }
  for (const m of f.matchAll(new RegExp(`(?<![\\d.,:])(\\d{1,2})(?:st|nd|rd|th|\\.?º|\\.?°)?\\s+(?:of\\s+|de\\s+)?${MONTH}(?![a-z])(?:,?\\s+(?:de(?:l)?\\s+)?(\\d{4})(?!\\d))?`, 'g'))) {
    const monthStart = m.index! + m[0].indexOf(m[2], m[1].length);
    const month = monthAt(m[2], monthStart);
    if (month) add(m.index!, m.index! + m[0].length, month, Number(m[1]), yearOf(m[3]));
  }
  for (const m of f.matchAll(new RegExp(`(?<![a-z])${MONTH}\\s+(?:the\\s+)?(\\d{1,2})(?:st|nd|rd|th)?(?![\\d:.]|\\s*(?:am|pm|a\\.m|p\\.m|h\\b|%|de\\b))(?:,?\\s+(\\d{4})(?!\\d))?`, 'g'))) {
    const month = monthAt(m[1], m.index!);
    if (month) add(m.index!, m.index! + m[0].length, month, Number(m[2]), yearOf(m[3]));
  }
  return found;
}

// ---------------------------------------------------------------------------------------
// Times

function timeClaim(p: Prepared, start: number, end: number, hour: number, minute: number, ambiguous: boolean): TimeClaim | undefined {
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59) return undefined;
  const time = `${pad(hour)}:${pad(minute)}`;
  const alternatives = ambiguous && hour >= 1 && hour <= 11 ? [`${pad(hour + 12)}:${pad(minute)}`] : [];
  return { text: p.original.slice(start, end), index: start, time, alternatives };
}

/** 12-hour clock → 24-hour. */
function meridiem(hour: number, ap: string): number {
  if (ap === 'a') return hour === 12 ? 0 : hour;
  return hour === 12 ? 12 : hour + 12;
}

/** "de la mañana / tarde / noche / madrugada" → 24-hour. */
function dayPartHour(hour: number, part: string): number {
  if (part === 'manana' || part === 'madrugada') return hour === 12 ? 0 : hour;
  if (part === 'tarde') return hour < 12 ? hour + 12 : hour;
  // noche: "10 de la noche" is 22:00, "12 de la noche" midnight.
  if (hour === 12) return 0;
  return hour >= 6 && hour < 12 ? hour + 12 : hour;
}

function findTimes(p: Prepared, taken: Span[]): TimeClaim[] {
  const found: TimeClaim[] = [];
  const f = p.folded;
  const add = (claim: TimeClaim | undefined, end: number) => {
    if (!claim || overlaps(taken, claim.index, end)) return;
    taken.push({ start: claim.index, end });
    found.push(claim);
  };

  // "a las 10", "a la 1:30", "a las 5 de la tarde", "a las 10h".
  for (const m of f.matchAll(/\ba\s+las?\s+(\d{1,2})(?:[:h.](\d{2}))?(?!\d)(?:\s*(?:h|hs|horas?)\b)?(?:\s+(?:de la|por la|en la)\s+(manana|tarde|noche|madrugada))?/g)) {
    const hour = Number(m[1]);
    const minute = m[2] ? Number(m[2]) : 0;
    const end = m.index! + m[0].length;
    const numberAt = m.index! + m[0].search(/\d/);
    if (m[3]) add(timeClaim(p, numberAt, end, dayPartHour(hour, m[3]), minute, false), end);
    else add(timeClaim(p, numberAt, end, hour, minute, !(m[2] && m[1].length === 2 && m[1].startsWith('0')) && hour <= 12), end);
  }
  // "10 de la mañana", "5:30 de la tarde".
  for (const m of f.matchAll(/(?<![\d:.,])(\d{1,2})(?:[:.](\d{2}))?\s+de\s+la\s+(manana|tarde|noche|madrugada)\b/g)) {
    const end = m.index! + m[0].length;
    add(timeClaim(p, m.index!, end, dayPartHour(Number(m[1]), m[3]), m[2] ? Number(m[2]) : 0, false), end);
  }
  // "10:30", "10:30 pm", "10.30am", "10h30", "T10:00".
  for (const m of f.matchAll(/(?<![\d:.,$€£])(\d{1,2})([:h.])([0-5]\d)(?!\d)(?:\s?([ap])\.?\s?m\b\.?)?(?:\s?(?:h|hs|hrs)\b)?/g)) {
    const [, h, sep, mm, ap] = m;
    if (sep === '.' && !ap) continue;
    const end = m.index! + m[0].length;
    const hour = Number(h);
    if (ap) {
      if (hour < 1 || hour > 12) continue;
      add(timeClaim(p, m.index!, end, meridiem(hour, ap), Number(mm), false), end);
    } else {
      add(timeClaim(p, m.index!, end, hour, Number(mm), !h.startsWith('0') || h.length === 1), end);
    }
  }
  // "10am", "10 a.m.", "6 pm".
  for (const m of f.matchAll(/(?<![\d:.,$€£])(1[0-2]|0?[1-9])\s?([ap])\.?\s?m\b\.?/g)) {
    const end = m.index! + m[0].length;
    add(timeClaim(p, m.index!, end, meridiem(Number(m[1]), m[2]), 0, false), end);
  }
  // "10h", "18 h": only where a time is expected ("a las 10h", "from 9h", "10h-14h").
  for (const m of f.matchAll(/(?<![\d:.,])([01]?\d|2[0-3])\s?h\b(?!\d)/g)) {
    const before = f.slice(Math.max(0, m.index! - 14), m.index!);
    const after = f.slice(m.index! + m[0].length, m.index! + m[0].length + 4);
    if (!/(?:\ba\s+las?|\bat|\bfrom|\buntil|\btill|\bdesde(?:\s+las?)?|\bhasta(?:\s+las?)?|\bde|\bentre(?:\s+las?)?|\bbetween|\by|\band|\bto|\ba|[-\u2013])\s*$/.test(before) && !/^\s*[-\u2013]/.test(after)) continue;
    const end = m.index! + m[0].length;
    add(timeClaim(p, m.index!, end, Number(m[1]), 0, false), end);
  }
  // "at 10 o'clock", "at 3 tomorrow", "at 10 in the morning".
  for (const m of f.matchAll(/\bat\s+(1[0-2]|[1-9])(?=\s*(?:o'?clock|sharp|$|[.,;!?)]|\s(?:tomorrow|today|tonight|on|this|next|in the (?:morning|afternoon|evening))\b))(\s*o'?clock)?(?:\s+in the (morning|afternoon|evening))?/g)) {
    const numberAt = m.index! + m[0].search(/\d/);
    const end = m.index! + m[0].length;
    const hour = Number(m[1]);
    if (m[3]) add(timeClaim(p, numberAt, end, m[3] === 'morning' ? hour % 12 : (hour % 12) + 12, 0, false), end);
    else add(timeClaim(p, numberAt, end, hour, 0, true), end);
  }
  for (const m of f.matchAll(/\b(?:noon|midday)\b/g)) {
    const end = m.index! + m[0].length;
    add(timeClaim(p, m.index!, end, 12, 0, false), end);
  }
  return found;
}

// ---------------------------------------------------------------------------------------
// Amounts

const CURRENCY_WORDS: Record<string, string> = {
  '€': 'EUR', eur: 'EUR', euro: 'EUR', euros: 'EUR',
  '$': 'USD', 'us$': 'USD', usd: 'USD', dollar: 'USD', dollars: 'USD', dolar: 'USD', dolares: 'USD',
  '£': 'GBP', gbp: 'GBP', pound: 'GBP', pounds: 'GBP', libra: 'GBP', libras: 'GBP',
};
const CURRENCY_SYMBOLS: Record<string, string> = { EUR: '€', USD: '$', GBP: '£' };
const NUMBER = '(\\d{1,3}(?:[.,\\u00a0\\u202f]\\d{3})+(?:[.,]\\d{1,2})?|\\d+(?:[.,]\\d{1,2})?)';

/** "1.234,56", "1,234.56", "12,50", "12.50", "129" → cents. */
function parseCents(number: string): number {
  const digits = number.replace(/[\u00a0\u202f]/g, ',');
  const last = Math.max(digits.lastIndexOf('.'), digits.lastIndexOf(','));
  if (last >= 0 && digits.length - last - 1 <= 2) {
    const whole = digits.slice(0, last).replace(/[.,]/g, '');
    const fraction = digits.slice(last + 1).padEnd(2, '0');
    return Number(whole || '0') * 100 + Number(fraction);
  }
  return Number(digits.replace(/[.,]/g, '')) * 100;
}

/** "€45.00", "$129.00", "45.00" (currency unknown). */
export function describeAmount(cents: number, currency: string): string {
  const value = (cents / 100).toFixed(2);
  const symbol = CURRENCY_SYMBOLS[currency];
  if (symbol) return `${symbol}${value}`;
  return currency ? `${currency} ${value}` : value;
}

function findAmounts(p: Prepared, taken: Span[]): AmountClaim[] {
  const found: AmountClaim[] = [];
  const f = p.folded;
  const add = (start: number, end: number, number: string, currencyWord: string) => {
    if (overlaps(taken, start, end)) return;
    taken.push({ start, end });
    found.push({ text: p.original.slice(start, end), index: start, cents: parseCents(number), currency: CURRENCY_WORDS[currencyWord] });
  };
  for (const m of f.matchAll(new RegExp(`(?<![a-z0-9$€£])(us\\$|usd|eur|gbp|€|\\$|£)\\s?${NUMBER}(?![\\d])`, 'g'))) {
    add(m.index!, m.index! + m[0].length, m[2], m[1]);
  }
  for (const m of f.matchAll(new RegExp(`(?<![\\d.,])${NUMBER}\\s?(us\\$|usd|eur|euros?|gbp|€|\\$|£|dollars?|dolares|dolar|pounds?|libras?)(?![a-z])`, 'g'))) {
    add(m.index!, m.index! + m[0].length, m[1], m[2]);
  }
  return found;
}

// ---------------------------------------------------------------------------------------
// References

/** Words after which a number is an identifier: "order 45821", "pedido n.º 45821", "reference abc12345". */
const REFERENCE_NOUN =
  /\b(?:orders?|pedidos?|references?|ref|referencias?|bookings?|reservations?|reservas?|confirmation|confirmacion|numbers?|numeros?|no|n|nº|n\.º|tracking|seguimiento|rma|returns?|devolucion(?:es)?|quotes?|presupuestos?|claims?|reclamacion|garantia|warranty|codes?|codigos?|localizador|tickets?|cases?|casos?|id|parcel|paquete|invoice|factura|example|ejemplo|e\.g)(?![a-z0-9])[\s.:#º°-]*(?:(?:is|es|de|del|el|la|pedido|order|number|numero)\s+){0,2}$/;

/** "10AM", "1ST", "24H": a time or an ordinal, not an identifier. */
const NOT_A_REFERENCE = /^(?:\d{1,2}(?:AM|PM|H|HS|HRS)|\d+(?:ST|ND|RD|TH)|(?:EUR|USD|GBP)\d.*)$/;

function findReferences(p: Prepared, taken: Span[], lenient: boolean): ReferenceClaim[] {
  const found: ReferenceClaim[] = [];
  for (const m of p.original.matchAll(/(?<![\p{L}\p{N}_#-])#?[\p{L}\p{N}]+(?:-[\p{L}\p{N}]+)*(?![\p{L}\p{N}_])/gu)) {
    const start = m.index!;
    const end = start + m[0].length;
    if (overlaps(taken, start, end)) continue;
    const token = m[0];
    const hash = token.startsWith('#');
    const core = hash ? token.slice(1) : token;
    if (!/\d/.test(core)) continue;
    const hasLetter = /\p{L}/u.test(core);
    const digitCount = core.replace(/\D/g, '').length;
    const afterNoun = () => hash || REFERENCE_NOUN.test(p.folded.slice(Math.max(0, start - 40), start));
    let isReference = false;
    if (lenient) isReference = core.length >= 4 || (hash && digitCount >= 3);
    else if (hash && /^\d{3,}$/.test(core)) isReference = true;
    else if (hasLetter && core.length >= 5 && /^[\p{Lu}\p{N}]+(?:-[\p{Lu}\p{N}]+)*$/u.test(core) && !NOT_A_REFERENCE.test(core)) isReference = true;
    else if (!hasLetter && digitCount >= 5 && /^\d+(?:-\d+)*$/.test(core)) isReference = afterNoun();
    else if (hasLetter && core.length >= 5 && !NOT_A_REFERENCE.test(core.toUpperCase()) && !/^\d+[\p{Ll}]{1,3}$/u.test(core)) isReference = afterNoun();
    if (!isReference) continue;
    taken.push({ start, end });
    found.push({ text: token, index: start, reference: core.toUpperCase() });
  }
  return found;
}

/** How references compare: upper case, letters and digits only ("rma-3f2a9c1b" = "RMA3F2A9C1B"). */
function referenceKey(reference: string): string {
  return reference.toUpperCase().replace(/[^\p{L}\p{N}]/gu, '');
}

/** The keys an evidence reference may be quoted by: itself, its body without a letter prefix ("Q-3F2A9C1B" → "3F2A9C1B"), a UUID's first 8 characters. */
function referenceAliases(reference: string): string[] {
  const trimmed = reference.trim();
  const keys = [referenceKey(trimmed)];
  const prefixed = /^[\p{L}]{1,6}-(.+)$/u.exec(trimmed);
  if (prefixed) keys.push(referenceKey(prefixed[1]));
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(trimmed)) keys.push(trimmed.slice(0, 8).toUpperCase());
  return keys.filter((k) => k.length > 0);
}

// ---------------------------------------------------------------------------------------
// Order statuses

/** Words that state a status wherever they stand. */
const STATUS_WORDS: Array<[RegExp, ClaimedOrderStatus]> = [
  [/\b(?:shipped|dispatched|despachad[oa]s?|in transit|en transito|out for delivery|en reparto|on its way|en camino)\b/g, 'shipped'],
  [/\b(?:delivered|entregad[oa]s?|se entrego)\b/g, 'delivered'],
  [/\b(?:being (?:prepared|packed)|in preparation|se esta preparando|en preparacion|lo estamos preparando|estamos preparandolo)\b/g, 'processing'],
  [/\b(?:cancell?ed|cancelad[oa]s?|anulad[oa]s?)\b/g, 'cancelled'],
];
/** Words that state a status only in a sentence about an order ("your order was sent", "el pedido salió el 28"). */
const ORDER_STATUS_WORDS: Array<[RegExp, ClaimedOrderStatus]> = [
  [/\b(?:sent out|has been sent|have been sent|was sent|were sent|on the way|enviad[oa]s?|salio|ha salido)\b/g, 'shipped'],
  [/\b(?:arrived|has arrived|llego|ha llegado)\b/g, 'delivered'],
  [/\b(?:being processed|processing|preparing|en proceso|se esta procesando|preparando)\b/g, 'processing'],
];
const ORDER_NOUN = /\b(?:orders?|pedidos?|packages?|parcels?|paquetes?|shipments?|envios?|items?|articulos?|purchases?|compras?|deliver(?:y|ies)|entregas?)\b/;
/** Money on its way back is no claim about an order: "your refund is on its way", "el reembolso está en camino". */
const MONEY_SUBJECT = /\b(?:refunds?|reembolsos?|money|dinero|payments?|pagos?|credit|credito|abono)\b[^,;:.!?]*$/;

function findStatuses(p: Prepared): StatusClaim[] {
  const found: StatusClaim[] = [];
  const taken: Span[] = [];
  const add = (m: RegExpMatchArray, status: ClaimedOrderStatus) => {
    const end = m.index! + m[0].length;
    if (overlaps(taken, m.index!, end)) return;
    taken.push({ start: m.index!, end });
    if (!asserted(p, m.index!)) return;
    if (status === 'shipped' && MONEY_SUBJECT.test(p.folded.slice(sentenceAt(p, m.index!).start, m.index!))) return;
    found.push({ text: p.original.slice(m.index!, m.index! + m[0].length), index: m.index!, status });
  };
  for (const [pattern, status] of STATUS_WORDS) for (const m of p.folded.matchAll(pattern)) add(m, status);
  for (const [pattern, status] of ORDER_STATUS_WORDS) {
    for (const m of p.folded.matchAll(pattern)) {
      const s = sentenceAt(p, m.index!);
      if (ORDER_NOUN.test(p.folded.slice(s.start, s.end))) add(m, status);
    }
  }
  return found.sort((a, b) => a.index - b.index);
}

// ---------------------------------------------------------------------------------------
// Bookings

const BOOKING_NOUN =
  /\b(?:appointments?|bookings?|reservations?|slots?|spots?|tables?|seats?|huecos?|plazas?|sessions?|consultations?|visits?|massages?|treatments?|physio(?:therapy)?|check-?ups?|citas?|reservas?|consultas?|sesion(?:es)?|visitas?|masajes?|tratamientos?|turnos?|fisioterapia|hora)\b/;
/** Things that are confirmed or scheduled without being a booking. */
const OTHER_NOUN =
  /\b(?:remind(?:er)?s?|recordatorios?|recordar\w*|recuerdo|follow-?ups?|seguimiento|calls?|llamadas?|e-?mails?|correos?|deliver(?:y|ies)|entregas?|envios?|shipping|shipments?|refunds?|reembolsos?|returns?|devolucion(?:es)?|orders?|pedidos?|quotes?|presupuestos?|payments?|pagos?|address|direccion|details|datos)\b/;
/** "you / your / tu": the customer's own booking, as opposed to a slot someone else holds. */
const CUSTOMER_WORD = /\b(?:you|your|you're|yours|tu|tus|te|ti|su|sus|le|usted)\b/;
/** Words around a slot that is taken, not booked for this customer. */
const TAKEN_WORD = /\b(?:sorry|unfortunately|taken|someone else|not available|lo siento|lamentablemente|desafortunadamente|ocupad[oa]s?|otra persona|no disponible)\b/;
/** "already booked" / "ya está reservado": taken, unless the sentence speaks to the customer. */
const ALREADY = /\b(?:already|ya)\s+(?:\w+\s+)?$/;
/** What may follow "your appointment is on / at / for": a day, a date or a time. */
const WHEN_FOLLOWS = new RegExp(`^\\s*(?:(?:on|at|for|para|el|a las|a la|the)\\s+){0,2}(?:${WEEKDAY}|today|tomorrow|tonight|hoy|manana|pasado|next|this|el proximo|la proxima|${MONTH})`);

interface BookingPattern {
  pattern: RegExp;
  verb: BookingClaim['verb'];
  /** The sentence must name a booking (and not only something else confirmed), or address the customer as booked. */
  needsBookingNoun?: boolean;
  /** With `needsBookingNoun`: only a booking noun will do, not a when ("te confirmo que abrimos a las 9"). */
  strictNoun?: boolean;
  /** The words after the match must say when ("your appointment is on Tuesday"). */
  needsWhen?: boolean;
  /** One clock time must follow in the sentence, not as a bound ("see you tomorrow at 10:00", not "te esperamos de 9:00 a 18:00"). */
  needsOneTime?: boolean;
}

const BOOKING_PATTERNS: BookingPattern[] = [
  // Participles that only ever mean a booking: "you're booked", "I've booked", "is booked", "queda reservada".
  { pattern: /\b(?:pre-?)?booked\b/g, verb: 'book' },
  { pattern: /\breserved\b|\breservad[oa]s?\b/g, verb: 'reserve' },
  { pattern: /\bagendad[oa]s?\b/g, verb: 'book' },
  { pattern: /\bre-?scheduled\b|\breprogramad[oa]s?\b/g, verb: 'move' },
  // "I confirm your appointment", "te confirmo la cita": stating a booking in the present.
  { pattern: /\b(?:i|we)\s+(?:hereby\s+)?confirm\b|\b(?:te|le|os|les)\s+confirm(?:o|amos)\b/g, verb: 'book', needsBookingNoun: true, strictNoun: true },
  // Participles that need the sentence to be about a booking: "your appointment is confirmed", "cita confirmada".
  { pattern: /\b(?:confirmed|confirmad[oa]s?|scheduled|programad[oa]s?|secured|locked in|set for|fijad[oa]s?)\b/g, verb: 'book', needsBookingNoun: true },
  { pattern: /\b(?:moved|movid[oa]s?|cambiad[oa]s?|trasladad[oa]s?)\b/g, verb: 'move', needsBookingNoun: true },
  { pattern: /\b(?:you're|you are|you have been|you've been)\s+(?:now\s+|all\s+)*(?:confirmed|set for|set on|down for)\b/g, verb: 'book' },
  { pattern: /\bwe have you down for\b|\b(?:te|le|os|les)\s+(?:he|hemos|tenemos)\s+apuntad[oa]s?\b|\bquedas?\s+apuntad[oa]s?\b/g, verb: 'book' },
  // "Your appointment is now on Tuesday", "tu cita queda para el martes", "tu cita es el lunes".
  {
    pattern: /\b(?:your|the|tu|su|la)\s+(?:appointment|booking|consultation|session|massage|visit|reservation|treatment|cita|reserva|consulta|sesion|masaje|visita|hora)\s+(?:(?:now|ya|ahora)\s+)?(?:is|'s|will be|es|esta|queda|quedo|sera|ha quedado)(?:\s+(?:now|ahora|set))?\b/g,
    verb: 'book',
    needsWhen: true,
  },
  { pattern: /\b(?:you have|ya tienes)\s+(?:an?\s+|your\s+|tu\s+|una\s+)?(?:appointment|booking|cita|reserva|hora)\b/g, verb: 'book', needsWhen: true },
  { pattern: /\b(?:i've|i have|we've|we have|i|we)\s+(?:put you down|pencill?ed you in|got you (?:booked|down|in)|signed you up|fitted you in|fit you in)\b/g, verb: 'book' },
  // "See you tomorrow at 10:00!", "te esperamos el martes a las 10": a visit at a set time.
  { pattern: /\b(?:see you|seeing you|te esperamos|le esperamos|os esperamos|les esperamos|nos vemos)\b/g, verb: 'book', needsOneTime: true },
  // A reference named as a booking's: "booking reference 3F2A9C1B", "localizador".
  { pattern: /\b(?:booking|reservation|confirmation)\s+(?:reference|number|code)\b|\bnumero de (?:reserva|cita)\b|\bcodigo de reserva\b|\blocalizador\b|\breferencia de (?:tu |la |su )?(?:reserva|cita)\b/g, verb: 'book' },
  { pattern: /\b(?:booking|reservation|reserva)\s+(?:(?:is|has been|was|esta|ha sido|quedo)\s+)?(?:done|complete|completed|made|finali[sz]ed|hecha|realizada|completada|lista|finalizada)\b/g, verb: 'reserve' },
];

/** Spanish preterites the folded text cannot tell from English ("reservé" vs "reserve"): read with accents. */
const ACCENTED_BOOKING = /(?<![\p{L}])(?:reservé|agendé|apunté)(?![\p{L}])/gu;

function findBookings(p: Prepared, dates: DateClaim[], times: TimeClaim[], references: ReferenceClaim[]): BookingClaim[] {
  const found: BookingClaim[] = [];
  const seen = new Set<number>();
  const consider = (index: number, length: number, spec: Omit<BookingPattern, 'pattern'>) => {
    const sentence = sentenceAt(p, index);
    if (seen.has(sentence.start)) return;
    const words = p.folded.slice(sentence.start, sentence.end);
    const after = p.folded.slice(index + length);
    const end = index + length;
    const soon = (c: Located) => c.index >= end && c.index <= end + 24 && !/[,;.]/.test(p.folded.slice(end, c.index));
    const whenFollows = WHEN_FOLLOWS.test(after) || dates.some(soon) || times.some(soon);
    if (spec.needsBookingNoun) {
      const prefix = p.folded.slice(sentence.start, index);
      const addressed = /\b(?:you're|you are|you've been|you have been|estas|quedas|esta todo|all)\s+(?:\w+\s+)?$/.test(prefix);
      // "Confirmed: Tuesday at 10:00", "Confirmado ✅ martes 1 de diciembre".
      const opens = /^[^\p{L}\p{N}]*(?:all\s+)?$/u.test(prefix) && /^\s*(?:[^\p{L}\p{N}\s]|$)/u.test(after);
      const named = BOOKING_NOUN.test(words);
      if (!named && OTHER_NOUN.test(words)) return;
      // "Queda confirmado para el martes a las 10": a when stands for the booking.
      if (!named && !addressed && !opens && (spec.strictNoun || !whenFollows)) return;
    }
    if (spec.needsWhen && !whenFollows) return;
    if (spec.needsOneTime) {
      const later = times.filter((t) => t.index > index && t.index < sentence.end);
      const bound = /\b(?:before|until|till|after|from|between|by|antes de(?: las?)?|hasta(?: las?)?|despues de(?: las?)?|desde(?: las?)?|entre(?: las?)?|a partir de(?: las?)?)\s*$/;
      if (later.length !== 1 || bound.test(p.folded.slice(Math.max(0, later[0].index - 20), later[0].index))) return;
    }
    const before = p.folded.slice(Math.max(sentence.start, index - 12), index);
    // "fully booked", "booked up": no room, not a booking; "derechos reservados".
    if (/\b(?:fully|completely|totally|derechos|rights)\s+$/.test(before) || /^\s+(?:up|out|solid)\b/.test(after)) return;
    // "Sorry, 11:00 is already booked": a slot someone else holds.
    const clause = p.folded.slice(clauseStart(p, sentence, index), index);
    if (!CUSTOMER_WORD.test(clause) && (TAKEN_WORD.test(words) || (ALREADY.test(clause) && !CUSTOMER_WORD.test(words)))) return;
    if (!asserted(p, index)) return;
    seen.add(sentence.start);
    const nearest = <T extends Located>(claims: T[]): T | undefined =>
      claims
        .filter((c) => c.index >= sentence.start && c.index < sentence.end)
        .sort((a, b) => Math.abs(a.index - index) - Math.abs(b.index - index))[0];
    // The reference may follow in the next sentence of the paragraph ("You're booked. Reference 3F2A9C1B.").
    const paragraphEnd = p.original.indexOf('\n', sentence.end);
    const reference =
      nearest(references) ?? references.find((r) => r.index >= sentence.end && (paragraphEnd < 0 || r.index < paragraphEnd));
    found.push({
      text: p.original.slice(index, index + length),
      index,
      verb: spec.verb,
      ...optional('date', nearest(dates)),
      ...optional('time', nearest(times)),
      ...optional('reference', reference),
    });
  };
  const matches: Array<{ index: number; length: number; spec: Omit<BookingPattern, 'pattern'> }> = [];
  for (const { pattern, ...spec } of BOOKING_PATTERNS) {
    for (const m of p.folded.matchAll(pattern)) {
      // "Your appointment is now on Wednesday", "tu cita ahora es el miércoles": moved.
      const moved = spec.needsWhen && /\b(?:now|ahora)\b/.test(m[0]);
      matches.push({ index: m.index!, length: m[0].length, spec: moved ? { ...spec, verb: 'move' } : spec });
    }
  }
  for (const m of p.lower.matchAll(ACCENTED_BOOKING)) matches.push({ index: m.index!, length: m[0].length, spec: { verb: m[0].startsWith('reserv') ? 'reserve' : 'book' } });
  matches.sort((a, b) => a.index - b.index);
  for (const m of matches) consider(m.index, m.length, m.spec);
  return found.sort((a, b) => a.index - b.index);
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function overlaps(spans: Span[], start: number, end: number): boolean {
  return spans.some((s) => start < s.end && end > s.start);
}

function extract(text: string, lenientReferences: boolean): Claims {
  const p = prepare(text);
  const taken: Span[] = [];
  const dates = findDates(p, taken);
  const amounts = findAmounts(p, taken);
  const times = findTimes(p, taken);
  const references = findReferences(p, taken, lenientReferences);
  const byIndex = <T extends Located>(list: T[]) => list.sort((a, b) => a.index - b.index);
  byIndex(dates);
  byIndex(times);
  byIndex(amounts);
  byIndex(references);
  return {
    bookings: findBookings(p, dates, times, references),
    references,
    amounts,
    dates,
    times,
    orderStatuses: findStatuses(p),
  };
}

/** What `text` asserts: bookings, references, money amounts, dates, times and order statuses (English and Spanish). */
export function claimsIn(text: string): Claims {
  return extract(text, false);
}

// ---------------------------------------------------------------------------------------
// Evidence

/** The claims of a trusted text (a rule agent's reply) as evidence: what a rewording of it may say again. */
export function evidenceFromText(text: string): Evidence {
  // Identifiers are read generously here: a number the draft gave may be quoted as "order 45821".
  const claims = extract(text, true);
  const statuses = new Set<string>(claims.orderStatuses.map((s) => s.status));
  const bookings = claims.bookings.map((b) => ({
    reference: b.reference?.reference ?? '',
    date: b.date?.date ?? '',
    time: b.time?.time ?? '',
    status: b.verb === 'move' ? ('moved' as const) : ('booked' as const),
  }));
  // "You're booked for Tuesday, 10:00. Booking reference 3F2A9C1B.": one booking, said twice.
  const said = bookings.filter((b, i) => !(b.date === '' && b.time === '' && bookings.some((o, j) => j !== i && o.reference === b.reference && (o.date !== '' || o.time !== ''))));
  return {
    bookings: said,
    references: [...new Set(claims.references.map((r) => r.reference))],
    amounts: claims.amounts.map((a) => ({ cents: a.cents, currency: a.currency })),
    dates: [...new Set(claims.dates.map((d) => d.date))],
    times: [...new Set(claims.times.flatMap((t) => [t.time]))],
    orderStatuses: [...statuses],
  };
}

const ORDER_STATUSES = new Set<string>(['reserved', 'processing', 'shipped', 'delivered', 'cancelled']);
const ISO_DATE_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The local date and time of an ISO timestamp: as written when it carries an offset other
 * than `Z` (luxon's `toISO()` in the business's zone) or none; a UTC (`Z`) one only with a `timezone`.
 */
function localDateTime(value: string, timezone?: string): { date: string; time: string } | undefined {
  const m = ISO_DATE_TIME.exec(value);
  if (!m) return undefined;
  const utc = m[4] === 'Z' || m[4] === '+00:00' || m[4] === '+0000' || m[4] === '+00';
  if (!utc) return { date: m[1], time: `${m[2]}:${m[3]}` };
  if (!timezone) return undefined;
  const local = DateTime.fromISO(value.replace(' ', 'T'), { zone: timezone });
  return local.isValid ? { date: local.toISODate()!, time: local.toFormat('HH:mm') } : undefined;
}

/**
 * What an agent's facts (`AgentOutcome.facts`, any nesting) give as evidence: identifiers
 * (order, return, quote and reservation ids, tracking numbers, a booking's UUID and its
 * 8-character reference), amounts in cents (`priceCents`, `totalCents`, with the `currency`
 * beside them), stored order statuses, offered slots and bookings. Timestamps in UTC (`Z`)
 * are read only with the business's `timezone`: their local date may differ.
 */
export function evidenceFromFacts(facts: unknown, options: { timezone?: string } = {}): Evidence {
  const evidence: Required<Evidence> = { bookings: [], references: [], amounts: [], dates: [], times: [], orderStatuses: [] };
  const visit = (value: unknown, key: string, currency: string, depth: number): void => {
    if (depth > 8 || value === null || value === undefined) return;
    if (typeof value === 'string') {
      const s = value.trim();
      const local = localDateTime(s, options.timezone);
      if (local) {
        evidence.dates.push(local.date);
        evidence.times.push(local.time);
      } else if (/^\d{4}-\d{2}-\d{2}$/.test(s)) evidence.dates.push(s);
      else if (/^\d{1,2}:\d{2}$/.test(s)) evidence.times.push(s.padStart(5, '0'));
      else if (UUID.test(s)) evidence.references.push(s.toUpperCase(), s.slice(0, 8).toUpperCase());
      else if (/^#?[\p{L}\p{N}]+(?:[-_][\p{L}\p{N}]+)*$/u.test(s) && /\d/.test(s) && s.length >= 4 && s.length <= 64) evidence.references.push(s.replace(/^#/, '').toUpperCase());
      if (/^(?:status|orderStatus)$/i.test(key) && ORDER_STATUSES.has(s)) evidence.orderStatuses.push(s);
      return;
    }
    if (typeof value === 'number') {
      if (/cents$/i.test(key) && Number.isFinite(value)) evidence.amounts.push({ cents: Math.round(value), currency });
      return;
    }
    if (Array.isArray(value)) {
      for (const item of value) visit(item, key, currency, depth + 1);
      return;
    }
    if (typeof value !== 'object') return;
    const obj = value as Record<string, unknown>;
    const here = typeof obj.currency === 'string' ? obj.currency.toUpperCase() : currency;
    const action = typeof obj.action === 'string' ? obj.action : undefined;
    const id = [obj.appointmentId, obj.bookingId, obj.reference].find((v): v is string => typeof v === 'string');
    if (action === 'booked' || action === 'moved' || action === 'cancelled') {
      const at = typeof obj.startsAt === 'string' ? localDateTime(obj.startsAt, options.timezone) : undefined;
      if (id && (at || action === 'cancelled')) {
        evidence.bookings.push({ reference: UUID.test(id) ? id.slice(0, 8).toUpperCase() : id.toUpperCase(), date: at?.date ?? '', time: at?.time ?? '', status: action });
      }
    }
    if (action === 'cancelled' && typeof obj.orderId === 'string') evidence.orderStatuses.push('cancelled');
    if (action === 'reserved') evidence.orderStatuses.push('reserved');
    for (const [k, v] of Object.entries(obj)) visit(v, k, here, depth + 1);
  };
  visit(facts, '', '', 0);
  return mergeEvidence(evidence);
}

/** One evidence holding everything the given ones do, without repeats. */
export function mergeEvidence(...all: Evidence[]): Evidence {
  const bookings = new Map<string, NonNullable<Evidence['bookings']>[number]>();
  const amounts = new Map<string, { cents: number; currency: string }>();
  const references = new Set<string>();
  const dates = new Set<string>();
  const times = new Set<string>();
  const orderStatuses = new Set<string>();
  for (const e of all) {
    for (const b of e.bookings ?? []) bookings.set(`${b.reference}|${b.date}|${b.time}|${b.status}`, b);
    for (const a of e.amounts ?? []) amounts.set(`${a.cents}|${a.currency}`, a);
    for (const r of e.references ?? []) references.add(r);
    for (const d of e.dates ?? []) dates.add(d);
    for (const t of e.times ?? []) times.add(t);
    for (const s of e.orderStatuses ?? []) orderStatuses.add(s);
  }
  return {
    bookings: [...bookings.values()],
    references: [...references],
    amounts: [...amounts.values()],
    dates: [...dates],
    times: [...times],
    orderStatuses: [...orderStatuses],
  };
}

// ---------------------------------------------------------------------------------------
// The check

/** "9:00" → "09:00"; anything else as given. */
function normalizeTime(time: string): string {
  const m = /^(\d{1,2}):(\d{2})/.exec(time.trim());
  return m ? `${pad(Number(m[1]))}:${m[2]}` : time.trim();
}

function sameDay(claim: string, evidence: string): boolean {
  const c = parseDateKey(claim);
  const e = parseDateKey(evidence);
  if (!c || !e) return false;
  return c.month === e.month && c.day === e.day && (c.year === undefined || e.year === undefined || c.year === e.year);
}

/** A claimed date against the evidence dates: the same day, and the weekday it named when the evidence knows the year. */
function dateBacked(claim: DateClaim, dates: string[]): boolean {
  const candidates = dates.filter((d) => sameDay(claim.date, d));
  if (candidates.length === 0) return false;
  if (!claim.weekday) return true;
  return candidates.some((d) => {
    const e = parseDateKey(d)!;
    return e.year === undefined || isoWeekday(e.year, e.month, e.day) === claim.weekday;
  });
}

function timeBacked(claim: TimeClaim, times: Set<string>): boolean {
  return [claim.time, ...claim.alternatives].some((t) => times.has(t));
}

/**
 * Holds every claim of `text` against the evidence. References, amounts, dates, times and
 * order statuses must each be in it (amounts compared in cents and currency, dates by day —
 * a date without a year matches any year —, times as HH:MM); a booking stated must be a
 * booking the evidence made or moved, on the date and at the time the sentence gives.
 */
export function checkGrounding(text: string, evidence: Evidence): GroundingResult {
  const claims = claimsIn(text);
  const problems: string[] = [];
  const bookings = (evidence.bookings ?? []).map((b) => ({ ...b, time: b.time ? normalizeTime(b.time) : '' }));
  const made = bookings.filter((b) => b.status === 'booked' || b.status === 'moved');
  const statuses = new Set(evidence.orderStatuses ?? []);
  const referenceKeys = new Set([...(evidence.references ?? []), ...bookings.map((b) => b.reference)].flatMap(referenceAliases));
  const dates = [...(evidence.dates ?? []), ...bookings.map((b) => b.date)].filter((d) => d !== '');
  const times = new Set([...(evidence.times ?? []), ...bookings.map((b) => b.time)].filter((t) => t !== '').map(normalizeTime));
  const amounts = evidence.amounts ?? [];

  for (const booking of claims.bookings) {
    if (made.length === 0) {
      if (!(booking.verb === 'reserve' && statuses.has('reserved'))) problems.push('claims a booking but no booking was made');
      continue;
    }
    const withDate = made.filter((b) => b.date !== '');
    const withTime = made.filter((b) => b.time !== '');
    const dateOk = (b: (typeof made)[number]) => !booking.date || withDate.length === 0 || (b.date !== '' && dateBacked(booking.date, [b.date]));
    const timeOk = (b: (typeof made)[number]) => !booking.time || withTime.length === 0 || (b.time !== '' && timeBacked(booking.time, new Set([b.time])));
    if (made.some((b) => dateOk(b) && timeOk(b))) continue;
    // Name what does not match: the day, the time, or both.
    const dayMatches = made.filter(dateOk);
    const timeMatches = made.filter(timeOk);
    const wrongDay = dayMatches.length === 0;
    const wrongTime = !wrongDay || timeMatches.length === 0;
    const actual = wrongDay ? (timeMatches[0] ?? made[0]) : dayMatches[0];
    const claimed = [wrongDay && booking.date ? `on ${describeDate(booking.date.date, booking.date.weekday)}` : '', wrongTime && booking.time ? `at ${booking.time.time}` : ''];
    const real = [wrongDay && actual.date ? `on ${describeDate(actual.date)}` : '', wrongTime && booking.time && actual.time ? `at ${actual.time}` : ''];
    problems.push(`claims a booking ${claimed.filter(Boolean).join(' ')} but the booking made is ${real.filter(Boolean).join(' ')}`);
  }
  for (const reference of claims.references) {
    if (!referenceKeys.has(referenceKey(reference.reference))) problems.push(`names reference ${reference.reference} that no tool returned`);
  }
  for (const amount of claims.amounts) {
    const backed = amounts.some((a) => a.cents === amount.cents && (!a.currency || a.currency.toUpperCase() === amount.currency));
    if (!backed) problems.push(`names price ${describeAmount(amount.cents, amount.currency)} that no tool returned`);
  }
  for (const date of claims.dates) {
    const d = parseDateKey(date.date)!;
    if (date.weekday && d.year !== undefined && isoWeekday(d.year, d.month, d.day) !== date.weekday) {
      problems.push(`names ${describeDate(date.date, date.weekday)}, which is a ${WEEKDAY_NAMES[isoWeekday(d.year, d.month, d.day)]}`);
    } else if (!dateBacked(date, dates)) {
      problems.push(`names date ${describeDate(date.date, date.weekday)} that no tool returned`);
    }
  }
  for (const time of claims.times) {
    if (!timeBacked(time, times)) problems.push(`names time ${time.time} that no tool returned`);
  }
  for (const status of claims.orderStatuses) {
    const backed = statuses.has(status.status) || (status.status === 'cancelled' && bookings.some((b) => b.status === 'cancelled'));
    if (!backed) problems.push(`says an order is ${status.status} but no tool returned that status`);
  }
  return { ok: problems.length === 0, problems: [...new Set(problems)] };
}
