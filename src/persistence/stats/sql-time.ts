import type { DataSource } from 'typeorm';

export const HOUR_MS = 3600 * 1000;

export function isPostgres(db: DataSource): boolean {
  return db.options.type === 'postgres';
}

/**
 * The hour a timestamp column falls in, as whole hours since the Unix epoch (UTC), in the
 * connected dialect: `Math.floor(ms / HOUR_MS)` in TypeScript gives the same number, so a
 * bucket computed in SQL and one computed here agree. No time zone enters: PostgreSQL's
 * epoch of a `timestamptz` is UTC, and SQLite stores UTC text.
 */
export function hourIndexSql(db: DataSource, column: string): string {
  return isPostgres(db) ? `FLOOR(EXTRACT(EPOCH FROM ${column}) / 3600)` : `(CAST(strftime('%s', ${column}) AS INTEGER) / 3600)`;
}

/**
 * A timestamp as a raw query returns it: a `Date` from PostgreSQL, UTC text
 * (`YYYY-MM-DD HH:MM:SS[.SSS]`, no zone) from SQLite.
 */
export function rawDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  const text = String(value);
  const zoned = /(?:[zZ]|[+-]\d\d:?\d\d)$/.test(text);
  return new Date(zoned ? text : `${text.replace(' ', 'T')}Z`);
}

/** A count or average as a raw query returns it (PostgreSQL's bigint and numeric come as text). */
export function rawNumber(value: unknown): number {
  if (value === null || value === undefined) return 0;
  return Number(value);
}

/** Rounded to `digits` decimals, for numbers people read. */
export function rounded(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** `part / whole` in 0..1 (3 decimals), 0 when there is nothing to divide. */
export function ratio(part: number, whole: number): number {
  return whole > 0 ? rounded(part / whole, 3) : 0;
}

/** Items of `values` in slices of at most `size` (bounded `IN (…)` lists). */
export function chunks<T>(values: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}
