import { DateTime } from 'luxon';
import { Between, MoreThanOrEqual } from 'typeorm';
import { formatSlot, slotsForDay, type OpeningHours } from '../../domain/business-calendar';
import { Appointment } from '../../persistence/entities/appointment.entity';
import { withSavepoint, type Db } from '../../persistence/transactions';
import { isUniqueViolation } from '../../persistence/unique-violation';
import { inLanguage } from '../agents/language';

/**
 * The calendar as both the rule agent and the tools see it: free slots, the chat's
 * bookings, and booking, moving and cancelling one. A slot is held by the unique index over
 * booked rows, so a slot another conversation took a moment earlier comes back as taken.
 */

/** How far ahead free slots are looked for. */
export const SEARCH_DAYS = 14;

export const SERVICES = ['consultation', 'follow_up', 'physiotherapy', 'massage'] as const;
export type Service = (typeof SERVICES)[number];
export const DEFAULT_SERVICE: Service = 'consultation';

const SERVICE_NAMES: Record<string, { en: string; es: string }> = {
  consultation: { en: 'consultation', es: 'consulta' },
  follow_up: { en: 'follow-up visit', es: 'visita de seguimiento' },
  physiotherapy: { en: 'physiotherapy session', es: 'sesión de fisioterapia' },
  massage: { en: 'massage', es: 'masaje' },
};

/** Morning is before 12:00, afternoon from 12:00, evening from 17:00 (an afternoon's last slots). */
export type DayPart = 'morning' | 'afternoon' | 'evening';

export function inDayPart(slot: DateTime, part: DayPart): boolean {
  if (part === 'morning') return slot.hour < 12;
  if (part === 'afternoon') return slot.hour >= 12;
  return slot.hour >= 17;
}

/** The short reference a customer is given: the first 8 characters of the id, upper case. */
export function bookingReference(appointment: Pick<Appointment, 'id'>): string {
  return appointment.id.slice(0, 8).toUpperCase();
}

/** When the appointment starts, in the business's zone. */
export function localStart(appointment: Pick<Appointment, 'startsAt'>, timezone: string): DateTime {
  return DateTime.fromJSDate(new Date(appointment.startsAt), { zone: timezone });
}

async function bookedStartsOn(db: Db, day: DateTime): Promise<Set<number>> {
  const rows = await db.getRepository(Appointment).find({
    where: { status: 'booked', startsAt: Between(day.startOf('day').toJSDate(), day.endOf('day').toJSDate()) },
    select: { startsAt: true },
  });
  return new Set(rows.map((r) => new Date(r.startsAt).getTime()));
}

/**
 * Free slots from `from`'s day on, after `now`, up to `count`, searching day by day for
 * `days` days; only in the part of the day asked for, when one was.
 */
export async function freeSlots(
  db: Db,
  hours: OpeningHours,
  options: { from: DateTime; now: DateTime; count: number; part?: DayPart; days?: number },
): Promise<DateTime[]> {
  const { from, now, count, part, days = SEARCH_DAYS } = options;
  const found: DateTime[] = [];
  for (let i = 0; i < days && found.length < count; i += 1) {
    const day = from.plus({ days: i });
    const taken = await bookedStartsOn(db, day);
    for (const slot of slotsForDay(day, hours)) {
      if (part && !inDayPart(slot, part)) continue;
      if (slot > now && !taken.has(slot.toMillis())) found.push(slot);
      if (found.length >= count) break;
    }
  }
  return found;
}

/** The chat's booked appointments from `now` on, earliest first. */
export function upcomingBookings(db: Db, chatId: string, now: DateTime, limit: number): Promise<Appointment[]> {
  return db.getRepository(Appointment).find({
    where: { chatId, status: 'booked', startsAt: MoreThanOrEqual(now.toJSDate()) },
    order: { startsAt: 'ASC' },
    take: limit,
  });
}

/** The chat's next booked appointment, if any. */
export function nextBooking(db: Db, chatId: string, now: DateTime): Promise<Appointment | null> {
  return db.getRepository(Appointment).findOne({
    where: { chatId, status: 'booked', startsAt: MoreThanOrEqual(now.toJSDate()) },
    order: { startsAt: 'ASC' },
  });
}

/** Inserts a booking; false when its slot is taken (another booked row holds it). */
export async function insertBooking(db: Db, appointment: Appointment): Promise<boolean> {
  try {
    await withSavepoint(db, (d) => d.getRepository(Appointment).insert(appointment));
    return true;
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    return false;
  }
}

/** Moves a booking to `start`, recording the workflow that moved it; false when that slot is taken. */
export async function moveBooking(db: Db, id: string, start: DateTime, workflowId: string): Promise<boolean> {
  try {
    await withSavepoint(db, (d) => d.getRepository(Appointment).update({ id }, { startsAt: start.toJSDate(), workflowId }));
    return true;
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    return false;
  }
}

/** Cancels a booking, recording the workflow that cancelled it; the slot is free again. */
export async function cancelBooking(db: Db, id: string, workflowId: string): Promise<void> {
  await db.getRepository(Appointment).update({ id }, { status: 'cancelled', workflowId });
}

/** "You're booked for a consultation on …" / "Done: your appointment is now on …", with the reference. */
export function bookedText(language: string, appointment: Pick<Appointment, 'id' | 'service' | 'startsAt'>, verb: 'booked' | 'moved', timezone: string): string {
  const when = formatSlot(localStart(appointment, timezone), language);
  const reference = bookingReference(appointment);
  if (verb === 'moved') {
    return inLanguage(language, {
      en: `Done: your appointment is now on ${when}. Booking reference ${reference}.`,
      es: `Listo: tu cita ahora es el ${when}. Referencia ${reference}.`,
    });
  }
  const service = SERVICE_NAMES[appointment.service];
  return inLanguage(language, {
    en: `You're booked for a ${service?.en ?? appointment.service} on ${when}. Booking reference ${reference}. Reply here if you need to change it.`,
    es: `Tu cita de ${service?.es ?? 'consulta'} queda reservada para el ${when}. Referencia ${reference}. Responde aquí si necesitas cambiarla.`,
  });
}

/** "Your appointment on … is cancelled. Write to us whenever you want to book again." */
export function cancelledText(language: string, appointment: Pick<Appointment, 'startsAt'>, timezone: string): string {
  const when = formatSlot(localStart(appointment, timezone), language);
  return inLanguage(language, {
    en: `Your appointment on ${when} is cancelled. Write to us whenever you want to book again.`,
    es: `Tu cita del ${when} queda cancelada. Escríbenos cuando quieras reservar de nuevo.`,
  });
}
