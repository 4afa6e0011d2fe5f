import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { Between, MoreThanOrEqual, type DataSource } from 'typeorm';
import type { AgentInput, AgentOutcome } from '../../contracts';
import { atTime, formatSlot, isBookableSlot, resolveDate, slotsForDay } from '../../domain/business-calendar';
import { Appointment } from '../../persistence/entities/appointment.entity';
import { isUniqueViolation, type BusinessSettings } from '../deps';
import { inLanguage } from './language';

const SERVICE = 'consultation';
/** How far ahead free slots are looked for. */
const SEARCH_DAYS = 14;
const OFFERED_SLOTS = 3;

type Lang = string;

/**
 * Books, reschedules and cancels against the appointments table. The slot is held by a
 * unique index, so a slot taken by another conversation a moment earlier is refused and
 * alternatives are offered. Each write carries the workflow id, so a retried activity
 * finds its own earlier write instead of acting twice.
 */
export function createAppointmentAgent(db: DataSource, business: BusinessSettings) {
  const repo = db.getRepository(Appointment);

  async function bookedStartsOn(day: DateTime): Promise<Set<number>> {
    const rows = await repo.find({
      where: { status: 'booked', startsAt: Between(day.startOf('day').toJSDate(), day.endOf('day').toJSDate()) },
      select: { startsAt: true },
    });
    return new Set(rows.map((r) => new Date(r.startsAt).getTime()));
  }

  /** Free slots from `from` on, up to `count`, searching day by day. */
  async function freeSlots(from: DateTime, now: DateTime, count = OFFERED_SLOTS, sameDayOnly = false): Promise<DateTime[]> {
    const found: DateTime[] = [];
    for (let i = 0; i < (sameDayOnly ? 1 : SEARCH_DAYS) && found.length < count; i += 1) {
      const day = from.plus({ days: i });
      const taken = await bookedStartsOn(day);
      for (const slot of slotsForDay(day, business.openingHours)) {
        if (slot > now && !taken.has(slot.toMillis())) found.push(slot);
        if (found.length >= count) break;
      }
    }
    return found;
  }

  function requested(input: AgentInput, now: DateTime): { day?: DateTime; time?: string } {
    const day = input.triage.entities.dates.map((d) => resolveDate(d, now)).find((d) => d !== undefined);
    return { day, time: input.triage.entities.times[0] };
  }

  function listSlots(slots: DateTime[], lang: Lang): string {
    return slots.map((s) => formatSlot(s, lang)).join('; ');
  }

  async function offer(input: AgentInput, now: DateTime, from: DateTime, intro: { en: string; es: string }, action: string): Promise<AgentOutcome> {
    const lang = input.triage.language;
    let slots = await freeSlots(from, now);
    if (slots.length === 0 && from > now) slots = await freeSlots(now.startOf('day'), now);
    const list = listSlots(slots, lang);
    const text = slots.length
      ? `${inLanguage(lang, intro)} ${inLanguage(lang, { en: `Available times: ${list}. Which one suits you?`, es: `Horarios disponibles: ${list}. ¿Cuál te viene bien?` })}`
      : `${inLanguage(lang, intro)} ${inLanguage(lang, { en: 'We have no free slots in the next two weeks; a member of our team will contact you.', es: 'No tenemos horarios libres en las próximas dos semanas; una persona del equipo te contactará.' })}`;
    return {
      agent: 'appointment',
      intent: input.intent,
      text,
      facts: { action, offered: slots.map((s) => s.toISO()) },
      next: slots.length ? { kind: 'follow_up', purpose: 'booking_unconfirmed', reference: input.workflowId } : undefined,
    };
  }

  function confirmation(input: AgentInput, appointment: Appointment, verb: 'booked' | 'moved'): AgentOutcome {
    const lang = input.triage.language;
    const when = formatSlot(DateTime.fromJSDate(new Date(appointment.startsAt), { zone: business.timezone }), lang);
    const text =
      verb === 'booked'
        ? inLanguage(lang, {
            en: `You're booked for a ${appointment.service} on ${when}. Booking reference ${appointment.id.slice(0, 8).toUpperCase()}. Reply here if you need to change it.`,
            es: `Tu cita de consulta queda reservada para el ${when}. Referencia ${appointment.id.slice(0, 8).toUpperCase()}. Responde aquí si necesitas cambiarla.`,
          })
        : inLanguage(lang, {
            en: `Done: your appointment is now on ${when}. Booking reference ${appointment.id.slice(0, 8).toUpperCase()}.`,
            es: `Listo: tu cita ahora es el ${when}. Referencia ${appointment.id.slice(0, 8).toUpperCase()}.`,
          });
    return {
      agent: 'appointment',
      intent: input.intent,
      text,
      facts: { action: verb, appointmentId: appointment.id, startsAt: new Date(appointment.startsAt).toISOString() },
    };
  }

  async function book(input: AgentInput, now: DateTime): Promise<AgentOutcome> {
    const mine = await repo.findOneBy({ workflowId: input.workflowId, status: 'booked' });
    if (mine) return confirmation(input, mine, 'booked');

    const { day, time } = requested(input, now);
    if (!day && !time) {
      return offer(input, now, now.startOf('day'), { en: "I'd be happy to book an appointment for you.", es: 'Con gusto te reservo una cita.' }, 'offered');
    }
    const targetDay = day ?? now.startOf('day');
    if (!time) {
      return offer(input, now, targetDay, { en: `Here is what we have from ${formatSlot(targetDay, 'en').split(',')[0]}.`, es: `Esto es lo que tenemos a partir del ${formatSlot(targetDay, 'es').split(',')[0]}.` }, 'offered');
    }
    const start = atTime(targetDay, time);
    if (start <= now) {
      return offer(input, now, now.startOf('day'), { en: 'That time has already passed.', es: 'Esa hora ya pasó.' }, 'in_the_past');
    }
    if (!isBookableSlot(start, business.openingHours)) {
      return offer(input, now, targetDay, { en: `We are not taking appointments at ${formatSlot(start, 'en')}.`, es: `No atendemos citas el ${formatSlot(start, 'es')}.` }, 'outside_hours');
    }
    const appointment = repo.create({
      id: randomUUID(),
      chatId: input.chatId,
      customerName: input.senderName ?? null,
      service: SERVICE,
      startsAt: start.toJSDate(),
      durationMinutes: business.openingHours.slotMinutes,
      status: 'booked',
      workflowId: input.workflowId,
    });
    try {
      await repo.insert(appointment);
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      return offer(input, now, targetDay, { en: `Sorry, ${formatSlot(start, 'en')} is already taken.`, es: `Lo siento, el ${formatSlot(start, 'es')} ya está ocupado.` }, 'taken');
    }
    return confirmation(input, appointment, 'booked');
  }

  async function upcomingFor(input: AgentInput, now: DateTime): Promise<Appointment | null> {
    return repo.findOne({
      where: { chatId: input.chatId, status: 'booked', startsAt: MoreThanOrEqual(now.toJSDate()) },
      order: { startsAt: 'ASC' },
    });
  }

  async function reschedule(input: AgentInput, now: DateTime): Promise<AgentOutcome> {
    const lang = input.triage.language;
    const movedByMe = await repo.findOneBy({ workflowId: input.workflowId, status: 'booked' });
    if (movedByMe) return confirmation(input, movedByMe, 'moved');
    const current = await upcomingFor(input, now);
    if (!current) {
      return {
        agent: 'appointment',
        intent: input.intent,
        text: inLanguage(lang, { en: "I couldn't find an upcoming appointment for this chat. Would you like to book a new one?", es: 'No encontré ninguna cita próxima para este chat. ¿Quieres reservar una nueva?' }),
        facts: { action: 'not_found' },
      };
    }
    const { day, time } = requested(input, now);
    if (!day || !time) {
      return offer(input, now, day ?? now.startOf('day'), { en: 'Sure, I can move your appointment.', es: 'Claro, puedo cambiar tu cita.' }, 'offered');
    }
    const start = atTime(day, time);
    if (start <= now || !isBookableSlot(start, business.openingHours)) {
      return offer(input, now, day, { en: `I can't move it to ${formatSlot(start, 'en')}.`, es: `No puedo pasarla al ${formatSlot(start, 'es')}.` }, 'outside_hours');
    }
    try {
      await repo.update({ id: current.id }, { startsAt: start.toJSDate(), workflowId: input.workflowId });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      return offer(input, now, day, { en: `Sorry, ${formatSlot(start, 'en')} is already taken.`, es: `Lo siento, el ${formatSlot(start, 'es')} ya está ocupado.` }, 'taken');
    }
    return confirmation(input, { ...current, startsAt: start.toJSDate() }, 'moved');
  }

  async function cancel(input: AgentInput, now: DateTime): Promise<AgentOutcome> {
    const lang = input.triage.language;
    const target = (await repo.findOneBy({ workflowId: input.workflowId, status: 'cancelled' })) ?? (await upcomingFor(input, now));
    if (!target) {
      return {
        agent: 'appointment',
        intent: input.intent,
        text: inLanguage(lang, { en: "I couldn't find an upcoming appointment to cancel for this chat.", es: 'No encontré ninguna cita próxima que cancelar para este chat.' }),
        facts: { action: 'not_found' },
      };
    }
    if (target.status === 'booked') await repo.update({ id: target.id }, { status: 'cancelled', workflowId: input.workflowId });
    const when = formatSlot(DateTime.fromJSDate(new Date(target.startsAt), { zone: business.timezone }), lang);
    return {
      agent: 'appointment',
      intent: input.intent,
      text: inLanguage(lang, { en: `Your appointment on ${when} is cancelled. Write to us whenever you want to book again.`, es: `Tu cita del ${when} queda cancelada. Escríbenos cuando quieras reservar de nuevo.` }),
      facts: { action: 'cancelled', appointmentId: target.id },
    };
  }

  return async function appointmentAgent(input: AgentInput): Promise<AgentOutcome> {
    const now = DateTime.fromISO(input.receivedAt, { zone: business.timezone });
    if (input.intent === 'appointment_cancel') return cancel(input, now);
    if (input.intent === 'appointment_reschedule') return reschedule(input, now);
    return book(input, now);
  };
}
