import type { CalendarSpecDescription, Range, ScheduleSpec, ScheduleSpecDescription } from '@temporalio/client';

/**
 * Pure helpers between the API's three ways of saying "when" (`once`, `every`, `cron`) and
 * Temporal's schedule specs, in both directions.
 */

export type SpecKind = 'once' | 'every' | 'cron';
export const SPEC_KINDS: readonly SpecKind[] = ['once', 'every', 'cron'];

/** The shortest interval a schedule may have. */
export const MIN_EVERY_MS = 60_000;
/** The longest interval a schedule may have (ten years: beyond that, use `once`). */
export const MAX_EVERY_MS = 3650 * 86_400_000;

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000 } as const;
const EVERY_PATTERN = /^(?:(\d{1,7})d)?(?:(\d{1,8})h)?(?:(\d{1,9})m)?(?:(\d{1,10})s)?$/;

/** "15m", "1h", "1d", "1h30m", "90s" in milliseconds; undefined when it is not such a duration. */
export function parseEvery(text: string): number | undefined {
  const m = EVERY_PATTERN.exec(text);
  if (!m || text.length === 0) return undefined;
  const [, d, h, min, s] = m;
  return Number(d ?? 0) * UNIT_MS.d + Number(h ?? 0) * UNIT_MS.h + Number(min ?? 0) * UNIT_MS.m + Number(s ?? 0) * UNIT_MS.s;
}

/** The compact form of a duration: 900000 → "15m", 5400000 → "1h30m". */
export function formatEvery(ms: number): string {
  let rest = Math.round(ms / 1000);
  if (rest <= 0) return '0s';
  let out = '';
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out;
}

const CRON_FIELD = /^[0-9A-Za-z*?/,-]+$/;

/** A 5-field cron expression's shape (minute hour day-of-month month day-of-week); the server checks the ranges. */
export function isFiveFieldCron(text: string): boolean {
  const fields = text.trim().split(/\s+/);
  return fields.length === 5 && fields.every((f) => CRON_FIELD.test(f));
}

/** Whether the runtime knows this IANA time zone (the server checks again with its own database). */
export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The instant a `once` schedule fires: calendar specs match whole seconds, so a time with
 * milliseconds is rounded up to the next second (rounding down would put it before
 * `startAt`, and the schedule would never fire).
 */
export function onceInstant(at: Date): Date {
  return new Date(Math.ceil(at.getTime() / 1000) * 1000);
}

const MONTH_NAMES = ['JANUARY', 'FEBRUARY', 'MARCH', 'APRIL', 'MAY', 'JUNE', 'JULY', 'AUGUST', 'SEPTEMBER', 'OCTOBER', 'NOVEMBER', 'DECEMBER'] as const;
const DAY_NAMES = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'] as const;

/**
 * A spec that matches exactly one second: a UTC calendar naming its year, month, day, hour,
 * minute and second, bounded by `startAt` = `endAt` = that instant. UTC makes the match
 * independent of the server's time-zone data and of DST (the caller's time zone is kept in
 * the memo, for the view). The schedule is also created with `remainingActions: 1`.
 */
export function onceSpec(at: Date): ScheduleSpec {
  return {
    calendars: [
      {
        year: at.getUTCFullYear(),
        month: MONTH_NAMES[at.getUTCMonth()],
        dayOfMonth: at.getUTCDate(),
        hour: at.getUTCHours(),
        minute: at.getUTCMinutes(),
        second: at.getUTCSeconds(),
        comment: 'once',
      },
    ],
    startAt: at,
    endAt: at,
    timezone: 'UTC',
  };
}

/** What the API shows as a schedule's spec. Schedules made elsewhere that fit none of the three kinds show Temporal's own terms. */
export interface SpecView {
  once?: string;
  every?: string;
  cron?: string;
  calendars?: CalendarSpecDescription[];
  intervals?: { every: string; offset: string }[];
  timezone: string;
}

/** What this API keeps in a schedule's memo: the spec as the caller gave it. */
export interface SavedSpec {
  kind: SpecKind;
  value: string;
  timezone: string;
}

export const MEMO_KEY = 'switchboardSpec';

export function readSavedSpec(memo: Record<string, unknown> | undefined): SavedSpec | undefined {
  const raw = memo?.[MEMO_KEY] as Partial<SavedSpec> | undefined;
  if (!raw || typeof raw !== 'object') return undefined;
  if (!SPEC_KINDS.includes(raw.kind as SpecKind) || typeof raw.value !== 'string' || typeof raw.timezone !== 'string') return undefined;
  return raw as SavedSpec;
}

function rangeText<T extends string | number>(ranges: Range<T>[], toNumber: (v: T) => number, min: number, max: number): string {
  if (ranges.length === 0) return '*';
  return ranges
    .map((r) => {
      const start = toNumber(r.start);
      const end = toNumber(r.end);
      const step = r.step > 1 ? r.step : 1;
      if (start === min && end === max) return step > 1 ? `*/${step}` : '*';
      if (start === end) return String(start);
      return step > 1 ? `${start}-${end}/${step}` : `${start}-${end}`;
    })
    .join(',');
}

/** A structured calendar as a 5-field cron, when it is one (second 0, any year); undefined otherwise. */
export function calendarToCron(c: CalendarSpecDescription): string | undefined {
  const zeroSecond = c.second.length === 1 && c.second[0].start === 0 && c.second[0].end === 0;
  if (!zeroSecond || c.year.length > 0) return undefined;
  const n = (v: number) => v;
  return [
    rangeText(c.minute, n, 0, 59),
    rangeText(c.hour, n, 0, 23),
    rangeText(c.dayOfMonth, n, 1, 31),
    rangeText(c.month, (m) => MONTH_NAMES.indexOf(m) + 1, 1, 12),
    rangeText(c.dayOfWeek, (d) => DAY_NAMES.indexOf(d), 0, 6),
  ].join(' ');
}

/**
 * The view of a Temporal spec: the caller's own words (from the memo) when the spec still
 * has the shape they produced, otherwise derived from the spec itself (a schedule created
 * by the CLI, the Web UI or `ensureCleanupSchedule`, or edited there since).
 */
export function specView(spec: ScheduleSpecDescription | undefined, memo: Record<string, unknown> | undefined): SpecView {
  const saved = readSavedSpec(memo);
  const timezone = spec?.timezone || saved?.timezone || 'UTC';
  const calendars = spec?.calendars ?? [];
  const intervals = spec?.intervals ?? [];
  if (spec?.startAt && spec.endAt && spec.startAt.getTime() === spec.endAt.getTime() && intervals.length === 0) {
    return { once: spec.startAt.toISOString(), timezone: saved?.kind === 'once' ? saved.timezone : timezone };
  }
  if (intervals.length === 1 && calendars.length === 0 && !intervals[0].offset) {
    const ms = intervals[0].every;
    const every = saved?.kind === 'every' && parseEvery(saved.value) === ms ? saved.value : formatEvery(ms);
    return { every, timezone };
  }
  if (calendars.length === 1 && intervals.length === 0) {
    const derived = calendarToCron(calendars[0]);
    if (derived) return { cron: saved?.kind === 'cron' ? saved.value : derived, timezone };
  }
  return {
    calendars,
    intervals: intervals.map((i) => ({ every: formatEvery(i.every), offset: formatEvery(i.offset ?? 0) })),
    timezone,
  };
}
