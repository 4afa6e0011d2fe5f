import { DateTime } from 'luxon';

/**
 * Moves a due time out of the customer's quiet hours ("21:00" to "09:00" in their zone) to
 * the moment they end. Pure: the same inputs give the same time, so workflows can use it.
 */
export function outsideQuietHours(dueMs: number, timezone: string, quiet: { start: string; end: string } | undefined): number {
  if (!quiet) return dueMs;
  const local = DateTime.fromMillis(dueMs, { zone: timezone });
  if (!local.isValid) return dueMs;
  const [sh, sm] = quiet.start.split(':').map(Number);
  const [eh, em] = quiet.end.split(':').map(Number);
  const minutes = local.hour * 60 + local.minute;
  const start = sh * 60 + sm;
  const end = eh * 60 + em;
  const wraps = start > end; // 21:00 → 09:00 spans midnight
  const inside = wraps ? minutes >= start || minutes < end : minutes >= start && minutes < end;
  if (!inside) return dueMs;
  let endAt = local.set({ hour: eh, minute: em, second: 0, millisecond: 0 });
  if (endAt <= local) endAt = endAt.plus({ days: 1 });
  return endAt.toMillis();
}
