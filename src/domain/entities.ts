import { normalizeText } from './text';

/** Facts pulled out of a message by pattern, in the shape the agents and the LLM share. */
export interface Entities {
  /** Relative or named days as written ("tomorrow", "next monday", "lunes", "25/12"). */
  dates: string[];
  /** Times of day normalized to HH:MM (24 h). */
  times: string[];
  orderNumbers: string[];
  emails: string[];
  phones: string[];
  amounts: Array<{ value: number; currency: string }>;
}

export function emptyEntities(): Entities {
  return { dates: [], times: [], orderNumbers: [], emails: [], phones: [], amounts: [] };
}

const WEEKDAYS =
  'monday|tuesday|wednesday|thursday|friday|saturday|sunday|lunes|martes|miercoles|jueves|viernes|sabado|domingo';
const DATE_PATTERNS: RegExp[] = [
  new RegExp(`\\b(?:next|this|el proximo|el|este|proximo)?\\s?(?:${WEEKDAYS})\\b`, 'g'),
  /\b(?:today|tomorrow|tonight|day after tomorrow|hoy|manana|pasado manana|next week|la proxima semana|la semana que viene)\b/g,
  /\b\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?\b/g,
  /\b\d{4}-\d{2}-\d{2}\b/g,
  /\b\d{1,2}(?:st|nd|rd|th)? (?:of )?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b/g,
  /\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* \d{1,2}(?:st|nd|rd|th)?\b/g,
  /\b\d{1,2} de (?:enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre)\b/g,
  // A day of the month on its own ("on the 14th", "el dia 5") and relative spans.
  /\bthe \d{1,2}(?:st|nd|rd|th)\b(?! (?:of )?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec))/g,
  /\bel dia \d{1,2}\b(?! de (?:enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre))/g,
  /\b(?:this|next) (?:weekend|month)\b|\bin \d+ (?:days?|weeks?|months?)\b/g,
  /\b(?:el|este) fin de semana\b|\b(?:el|este) (?:mes|ano) que viene\b|\bel proximo mes\b|\ben \d+ (?:dias|semanas|meses)\b|\bla otra semana\b/g,
];

const TIME_12H = /\b(\d{1,2})(?::(\d{2}))?\s?(am|pm|a\.m\.|p\.m\.)/g;
const TIME_24H = /\b([01]?\d|2[0-3]):([0-5]\d)\b/g;
const TIME_ES = /\ba las (\d{1,2})(?::(\d{2}))?(?: de la (manana|tarde|noche))?/g;

const ORDER_PATTERNS: RegExp[] = [
  /(?:order|pedido|orden|compra)\s*(?:number|numero|no\.?|nro\.?|#)?\s*:?\s*#?\s*([a-z]{0,4}-?\d{3,})/g,
  /#\s?([a-z]{0,4}-?\d{3,})/g,
  /\b(ord-?\d{3,})\b/g,
];
const EMAIL = /[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}/gi;
const PHONE = /(?:\+|\b)\d[\d\s().-]{7,}\d\b/g;
const AMOUNT_PREFIX = /(usd|eur|gbp|mxn|\$|€|£)\s?(\d+(?:[.,]\d{1,2})?)(k)?/gi;
const AMOUNT_SUFFIX = /\b(\d+(?:[.,]\d{1,2})?)(k)?\s?(usd|eur|euros?|dollars?|d[oó]lares|pesos|gbp|pounds|€|\$)/gi;

const CURRENCY: Record<string, string> = {
  $: 'USD',
  usd: 'USD',
  dollar: 'USD',
  dollars: 'USD',
  dolares: 'USD',
  '€': 'EUR',
  eur: 'EUR',
  euro: 'EUR',
  euros: 'EUR',
  '£': 'GBP',
  gbp: 'GBP',
  pounds: 'GBP',
  mxn: 'MXN',
  pesos: 'MXN',
};

function pad(n: number): string {
  return n.toString().padStart(2, '0');
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}

function parseAmount(raw: string, thousands: string | undefined): number {
  const value = Number(raw.replace(',', '.'));
  return thousands ? value * 1000 : value;
}

/** Extracts dates, times, order numbers, emails, phones and amounts from free text. */
export function extractEntities(text: string): Entities {
  const entities = emptyEntities();
  const normalized = normalizeText(text);

  for (const pattern of DATE_PATTERNS) {
    for (const m of normalized.matchAll(pattern)) entities.dates.push(m[0].trim());
  }

  for (const m of normalized.matchAll(TIME_12H)) {
    let hour = Number(m[1]);
    if (hour < 1 || hour > 12) continue;
    const pm = m[3].startsWith('p');
    if (pm && hour < 12) hour += 12;
    if (!pm && hour === 12) hour = 0;
    entities.times.push(`${pad(hour)}:${m[2] ?? '00'}`);
  }
  for (const m of normalized.matchAll(TIME_24H)) entities.times.push(`${pad(Number(m[1]))}:${m[2]}`);
  for (const m of normalized.matchAll(TIME_ES)) {
    let hour = Number(m[1]);
    if (hour > 23) continue;
    if ((m[3] === 'tarde' || m[3] === 'noche') && hour < 12) hour += 12;
    entities.times.push(`${pad(hour)}:${m[2] ?? '00'}`);
  }

  for (const pattern of ORDER_PATTERNS) {
    for (const m of normalized.matchAll(pattern)) entities.orderNumbers.push(m[1].toUpperCase());
  }
  for (const m of text.matchAll(EMAIL)) entities.emails.push(m[0].toLowerCase());

  const withoutEmails = text.replace(EMAIL, ' ');
  for (const m of withoutEmails.matchAll(PHONE)) {
    const digits = m[0].replace(/\D/g, '');
    // Dates and order numbers are digit runs too; a phone number has 8 to 15 digits.
    if (digits.length >= 8 && digits.length <= 15 && !/^\d{1,2}[/.-]\d{1,2}/.test(m[0].trim())) {
      entities.phones.push(m[0].trim().startsWith('+') ? `+${digits}` : digits);
    }
  }

  for (const m of text.matchAll(AMOUNT_PREFIX)) {
    entities.amounts.push({ value: parseAmount(m[2], m[3]), currency: CURRENCY[m[1].toLowerCase()] ?? 'USD' });
  }
  for (const m of text.matchAll(AMOUNT_SUFFIX)) {
    const currency = CURRENCY[m[3].toLowerCase().replace('ó', 'o')] ?? 'USD';
    const value = parseAmount(m[1], m[2]);
    if (!entities.amounts.some((a) => a.value === value && a.currency === currency)) {
      entities.amounts.push({ value, currency });
    }
  }

  // Order numbers look like phone numbers to the phone pattern; an order wins.
  entities.phones = entities.phones.filter((p) => !entities.orderNumbers.some((o) => o.replace(/\D/g, '') === p));
  entities.dates = unique(entities.dates);
  entities.times = unique(entities.times);
  entities.orderNumbers = unique(entities.orderNumbers);
  entities.emails = unique(entities.emails);
  entities.phones = unique(entities.phones);
  return entities;
}
