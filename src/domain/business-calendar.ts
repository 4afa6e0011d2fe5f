import { DateTime } from 'luxon';

/**
 * Opening hours, appointment slots and the reading of "next Monday at 3pm" into a date in
 * the business's time zone. Pure: the current time is always passed in.
 */

export interface OpeningHours {
  /** ISO weekday (1 = Monday … 7 = Sunday) → [open, close) as "HH:MM"; absent = closed. */
  days: Partial<Record<1 | 2 | 3 | 4 | 5 | 6 | 7, [string, string]>>;
  slotMinutes: number;
}

export const DEFAULT_OPENING_HOURS: OpeningHours = {
  days: { 1: ['09:00', '18:00'], 2: ['09:00', '18:00'], 3: ['09:00', '18:00'], 4: ['09:00', '18:00'], 5: ['09:00', '18:00'], 6: ['10:00', '14:00'] },
  slotMinutes: 30,
};

const WEEKDAY_NUMBERS: Record<string, number> = {
  monday: 1, tuesday: 2, wednesday: 3, thursday: 4, friday: 5, saturday: 6, sunday: 7,
  lunes: 1, martes: 2, miercoles: 3, jueves: 4, viernes: 5, sabado: 6, domingo: 7,
};

const MONTHS: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
  enero: 1, febrero: 2, marzo: 3, abril: 4, mayo: 5, junio: 6, julio: 7, agosto: 8, septiembre: 9, octubre: 10, noviembre: 11, diciembre: 12,
};

function atMidnight(dt: DateTime): DateTime {
  return dt.startOf('day');
}

/** The next date (strictly after `from`'s day) falling on an ISO weekday. */
function nextWeekday(from: DateTime, weekday: number): DateTime {
  const diff = (weekday - from.weekday + 7) % 7 || 7;
  return atMidnight(from.plus({ days: diff }));
}

/** A calendar date whose year is implied: this year, or next year when it already passed. */
function upcoming(now: DateTime, month: number, day: number): DateTime | undefined {
  let dt = DateTime.fromObject({ year: now.year, month, day }, { zone: now.zone });
  if (!dt.isValid) return undefined;
  if (dt < atMidnight(now)) dt = dt.plus({ years: 1 });
  return dt;
}

/**
 * Reads one date expression as extracted by `extractEntities` (normalized: lower case, no
 * accents). Day/month order is day first, as customers in the seed markets write it.
 */
export function resolveDate(expression: string, now: DateTime): DateTime | undefined {
  const e = expression.trim();
  if (/^(today|tonight|hoy)$/.test(e)) return atMidnight(now);
  if (/^(tomorrow|manana)$/.test(e)) return atMidnight(now.plus({ days: 1 }));
  if (/^(day after tomorrow|pasado manana)$/.test(e)) return atMidnight(now.plus({ days: 2 }));
  if (/^(next week|la proxima semana|la semana que viene)$/.test(e)) return nextWeekday(now, 1);

  const weekday = e.match(/(monday|tuesday|wednesday|thursday|friday|saturday|sunday|lunes|martes|miercoles|jueves|viernes|sabado|domingo)$/);
  if (weekday) return nextWeekday(now, WEEKDAY_NUMBERS[weekday[1]]);

  let m = e.match(/^(\d{4})-(\d{2})-(\d{2})$/);
  if (m) {
    const dt = DateTime.fromObject({ year: +m[1], month: +m[2], day: +m[3] }, { zone: now.zone });
    return dt.isValid ? dt : undefined;
  }
  m = e.match(/^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?$/);
  if (m) {
    if (m[3]) {
      const year = m[3].length === 2 ? 2000 + Number(m[3]) : Number(m[3]);
      const dt = DateTime.fromObject({ year, month: +m[2], day: +m[1] }, { zone: now.zone });
      return dt.isValid ? dt : undefined;
    }
    return upcoming(now, +m[2], +m[1]);
  }
  m = e.match(/^(\d{1,2})(?:st|nd|rd|th)? (?:of |de )?([a-z]+)$/);
  if (m) {
    const month = MONTHS[m[2]] ?? MONTHS[m[2].slice(0, 3)];
    return month ? upcoming(now, month, +m[1]) : undefined;
  }
  m = e.match(/^([a-z]+) (\d{1,2})(?:st|nd|rd|th)?$/);
  if (m) {
    const month = MONTHS[m[1]] ?? MONTHS[m[1].slice(0, 3)];
    return month ? upcoming(now, month, +m[2]) : undefined;
  }
  return undefined;
}

function parseClock(hhmm: string): { hour: number; minute: number } {
  const [hour, minute] = hhmm.split(':').map(Number);
  return { hour, minute };
}

/** Every slot start of a day, in the business's zone; none on a closed day. */
export function slotsForDay(day: DateTime, hours: OpeningHours = DEFAULT_OPENING_HOURS): DateTime[] {
  const span = hours.days[day.weekday as 1 | 2 | 3 | 4 | 5 | 6 | 7];
  if (!span) return [];
  const open = atMidnight(day).set(parseClock(span[0]));
  const close = atMidnight(day).set(parseClock(span[1]));
  const slots: DateTime[] = [];
  for (let t = open; t.plus({ minutes: hours.slotMinutes }) <= close; t = t.plus({ minutes: hours.slotMinutes })) slots.push(t);
  return slots;
}

/** True when `start` is the start of a slot inside opening hours. */
export function isBookableSlot(start: DateTime, hours: OpeningHours = DEFAULT_OPENING_HOURS): boolean {
  return slotsForDay(start, hours).some((s) => s.toMillis() === start.toMillis());
}

/** Combines a resolved day with an "HH:MM" time. */
export function atTime(day: DateTime, hhmm: string): DateTime {
  return atMidnight(day).set(parseClock(hhmm));
}

/** "Monday 23 November, 15:00" / "lunes 23 de noviembre, 15:00". */
export function formatSlot(dt: DateTime, language: string): string {
  if (language === 'es') return dt.setLocale('es').toFormat("cccc d 'de' LLLL, HH:mm");
  return dt.setLocale('en').toFormat('cccc d LLLL, HH:mm');
}
