import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import type { DataSource } from 'typeorm';
import type { AgentInput, AgentOutcome } from '../../contracts';
import { atTime, formatSlot, isBookableSlot, resolveDate } from '../../domain/business-calendar';
import type { QuestionOption, ResolvedAnswer } from '../../domain/questions';
import { normalizeText } from '../../domain/text';
import { Appointment } from '../../persistence/entities/appointment.entity';
import type { BusinessSettings } from '../deps';
import { DEFAULT_SERVICE, SEARCH_DAYS, bookedText, cancelBooking, cancelledText, freeSlots as freeSlotsIn, insertBooking as insertBookingRow, moveBooking as moveBookingRow, nextBooking } from '../operations/appointments';
import { inLanguage } from './language';
import { readClockTime } from '../../domain/answers';
import { answerFor, askWhichText, contextString, slotOption } from './questions';

const OFFERED_SLOTS = 3;

type Lang = string;
type Texts = { en: string; es: string };

/** What an offer of slots is for: a new booking, or moving an existing appointment. */
type Mode = { mode: 'book' } | { mode: 'reschedule'; appointmentId: string };

const BOOK: Mode = { mode: 'book' };

/**
 * Books, reschedules and cancels against the appointments table. The slot is held by a
 * unique index, so a slot taken by another conversation a moment earlier is refused and
 * alternatives are offered. Each write carries the workflow id, so a retried activity
 * finds its own earlier write instead of acting twice.
 *
 * Offered slots are a question (`choice`): the customer's answer ("the second one", "a las
 * 10", "no, Thursday afternoon?") comes back with `input.answer` and is booked, moved or
 * answered with other slots here.
 */
type DayPart = 'morning' | 'afternoon';

/** "Friday afternoon", "el jueves por la tarde", "in the morning": the part of the day asked for ("mañana" alone is tomorrow). */
export function dayPart(body: string): DayPart | undefined {
  const text = normalizeText(body);
  if (/\b(afternoon|evening|after lunch|(?<!mas )tarde)\b/.test(text)) return 'afternoon';
  if (/\b(morning|before lunch|(?:por|en|de) la manana)\b/.test(text)) return 'morning';
  return undefined;
}

export function createAppointmentAgent(db: DataSource, business: BusinessSettings) {
  const repo = db.getRepository(Appointment);

  /** Free slots from `from` on, up to `count`, searching day by day; only in the part of the day asked for, when one was. */
  function freeSlots(from: DateTime, now: DateTime, count = OFFERED_SLOTS, sameDayOnly = false, part?: DayPart): Promise<DateTime[]> {
    return freeSlotsIn(db, business.openingHours, { from, now, count, part, days: sameDayOnly ? 1 : SEARCH_DAYS });
  }

  /**
   * The day and time the message asks for. In answer to a question (`lenient`) a bare hour
   * counts too: "Tuesday at 11" after "Which day and time would suit you?".
   */
  function requested(input: AgentInput, now: DateTime, lenient = false): { day?: DateTime; time?: string } {
    const day = input.triage.entities.dates.map((d) => resolveDate(d, now)).find((d) => d !== undefined);
    const time = input.triage.entities.times[0] ?? (lenient ? readClockTime(input.body) : undefined);
    return { day, time };
  }

  function listSlots(slots: DateTime[], lang: Lang): string {
    return slots.map((s) => formatSlot(s, lang)).join('; ');
  }

  function slotAt(iso: string): DateTime {
    return DateTime.fromISO(iso, { zone: business.timezone });
  }

  function contextOf(mode: Mode): Record<string, string> {
    return mode.mode === 'reschedule' ? { mode: 'reschedule', appointmentId: mode.appointmentId } : { mode: 'book' };
  }

  async function offer(input: AgentInput, now: DateTime, from: DateTime, intro: Texts, action: string, mode: Mode = BOOK): Promise<AgentOutcome> {
    const lang = input.triage.language;
    const part = dayPart(input.body);
    let slots = await freeSlots(from, now, OFFERED_SLOTS, false, part);
    if (slots.length === 0 && part) slots = await freeSlots(from, now);
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
      awaiting: slots.length ? { kind: 'choice', options: slots.map((s) => slotOption(s, lang)), context: contextOf(mode) } : undefined,
    };
  }

  function confirmation(input: AgentInput, appointment: Appointment, verb: 'booked' | 'moved'): AgentOutcome {
    return {
      agent: 'appointment',
      intent: input.intent,
      text: bookedText(input.triage.language, appointment, verb, business.timezone),
      facts: { action: verb, appointmentId: appointment.id, startsAt: new Date(appointment.startsAt).toISOString() },
    };
  }

  /** Inserts a booking at `start`; a slot another conversation holds is answered with alternatives that day. */
  async function insertBooking(input: AgentInput, now: DateTime, start: DateTime, taken: Texts): Promise<AgentOutcome> {
    const appointment = repo.create({
      id: randomUUID(),
      chatId: input.chatId,
      customerName: input.senderName ?? null,
      service: DEFAULT_SERVICE,
      startsAt: start.toJSDate(),
      durationMinutes: business.openingHours.slotMinutes,
      status: 'booked',
      workflowId: input.workflowId,
    });
    if (!(await insertBookingRow(db, appointment))) return offer(input, now, start.startOf('day'), taken, 'taken');
    return confirmation(input, appointment, 'booked');
  }

  /** Moves `current` to `start`; a slot another conversation holds is answered with alternatives that day. */
  async function moveBooking(input: AgentInput, now: DateTime, current: Appointment, start: DateTime, taken: Texts): Promise<AgentOutcome> {
    if (!(await moveBookingRow(db, current.id, start, input.workflowId))) {
      return offer(input, now, start.startOf('day'), taken, 'taken', { mode: 'reschedule', appointmentId: current.id });
    }
    return confirmation(input, { ...current, startsAt: start.toJSDate() }, 'moved');
  }

  async function book(input: AgentInput, now: DateTime, lenient = false): Promise<AgentOutcome> {
    const mine = await repo.findOneBy({ workflowId: input.workflowId, status: 'booked' });
    if (mine) return confirmation(input, mine, 'booked');

    const { day, time } = requested(input, now, lenient);
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
    return insertBooking(input, now, start, { en: `Sorry, ${formatSlot(start, 'en')} is already taken.`, es: `Lo siento, el ${formatSlot(start, 'es')} ya está ocupado.` });
  }

  function upcomingFor(input: AgentInput, now: DateTime): Promise<Appointment | null> {
    return nextBooking(db, input.chatId, now);
  }

  function offerToBookNew(input: AgentInput): AgentOutcome {
    const lang = input.triage.language;
    return {
      agent: 'appointment',
      intent: input.intent,
      text: inLanguage(lang, { en: "I couldn't find an upcoming appointment for this chat. Would you like to book a new one?", es: 'No encontré ninguna cita próxima para este chat. ¿Quieres reservar una nueva?' }),
      facts: { action: 'not_found' },
      awaiting: { kind: 'confirm', context: { offer: 'book_new' } },
    };
  }

  async function reschedule(input: AgentInput, now: DateTime): Promise<AgentOutcome> {
    const movedByMe = await repo.findOneBy({ workflowId: input.workflowId, status: 'booked' });
    if (movedByMe) return confirmation(input, movedByMe, 'moved');
    const current = await upcomingFor(input, now);
    if (!current) return offerToBookNew(input);
    const mode: Mode = { mode: 'reschedule', appointmentId: current.id };
    const { day, time } = requested(input, now);
    if (!day || !time) {
      return offer(input, now, day ?? now.startOf('day'), { en: 'Sure, I can move your appointment.', es: 'Claro, puedo cambiar tu cita.' }, 'offered', mode);
    }
    const start = atTime(day, time);
    if (start <= now || !isBookableSlot(start, business.openingHours)) {
      return offer(input, now, day, { en: `I can't move it to ${formatSlot(start, 'en')}.`, es: `No puedo pasarla al ${formatSlot(start, 'es')}.` }, 'outside_hours', mode);
    }
    return moveBooking(input, now, current, start, { en: `Sorry, ${formatSlot(start, 'en')} is already taken.`, es: `Lo siento, el ${formatSlot(start, 'es')} ya está ocupado.` });
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
    if (target.status === 'booked') await cancelBooking(db, target.id, input.workflowId);
    return {
      agent: 'appointment',
      intent: input.intent,
      text: cancelledText(lang, target, business.timezone),
      facts: { action: 'cancelled', appointmentId: target.id },
    };
  }

  // ---- Finishing a dialogue: the customer answered a question this agent asked. ----

  function modeOf(answer: ResolvedAnswer): Mode {
    const appointmentId = contextString(answer, 'appointmentId');
    return contextString(answer, 'mode') === 'reschedule' && appointmentId ? { mode: 'reschedule', appointmentId } : BOOK;
  }

  /**
   * Books (or moves) the slot starting at `start`, chosen in answer to an offer. The row this
   * workflow already wrote answers a retry; a slot taken meanwhile is answered with others.
   */
  async function commit(input: AgentInput, now: DateTime, start: DateTime, mode: Mode): Promise<AgentOutcome> {
    const mine = await repo.findOneBy({ workflowId: input.workflowId, status: 'booked' });
    if (mine) return confirmation(input, mine, mode.mode === 'book' ? 'booked' : 'moved');
    if (start <= now) {
      return offer(input, now, now.startOf('day'), { en: 'That time has already passed.', es: 'Esa hora ya pasó.' }, 'in_the_past', mode);
    }
    if (!isBookableSlot(start, business.openingHours)) {
      return offer(input, now, start.startOf('day'), { en: `We are not taking appointments at ${formatSlot(start, 'en')}.`, es: `No atendemos citas el ${formatSlot(start, 'es')}.` }, 'outside_hours', mode);
    }
    const taken = { en: `Sorry, ${formatSlot(start, 'en')} was just taken.`, es: `Lo siento, el ${formatSlot(start, 'es')} se acaba de ocupar.` };
    if (mode.mode === 'book') return insertBooking(input, now, start, taken);

    const current =
      (await repo.findOneBy({ id: mode.appointmentId, chatId: input.chatId, status: 'booked' })) ?? (await upcomingFor(input, now));
    // Cancelled meanwhile: the chosen slot becomes a new booking.
    if (!current) return insertBooking(input, now, start, taken);
    return moveBooking(input, now, current, start, taken);
  }

  /** The earliest day from today on where `time` is a bookable slot still ahead. */
  function nextDayWith(time: string, now: DateTime): DateTime | undefined {
    for (let i = 0; i < SEARCH_DAYS; i += 1) {
      const start = atTime(now.plus({ days: i }), time);
      if (start > now && isBookableSlot(start, business.openingHours)) return start.startOf('day');
    }
    return undefined;
  }

  /**
   * A day and/or time in the customer's words: both book (or move) it; a day alone offers
   * that day's slots; a time alone means `defaultDay` (the offered day), or the next day it
   * is open at that time. Undefined when the words name neither.
   */
  async function fromWords(input: AgentInput, now: DateTime, mode: Mode, defaultDay: DateTime | undefined): Promise<AgentOutcome | undefined> {
    const { day, time } = requested(input, now, true);
    if (!day && !time) return undefined;
    if (day && !time) {
      return offer(input, now, day, { en: `Here is what we have from ${formatSlot(day, 'en').split(',')[0]}.`, es: `Esto es lo que tenemos a partir del ${formatSlot(day, 'es').split(',')[0]}.` }, 'offered', mode);
    }
    const targetDay = day ?? defaultDay ?? nextDayWith(time!, now) ?? now.startOf('day');
    return commit(input, now, atTime(targetDay, time!), mode);
  }

  function askWhen(input: AgentInput, mode: Mode, texts: Texts, action: string): AgentOutcome {
    return {
      agent: 'appointment',
      intent: input.intent,
      text: inLanguage(input.triage.language, texts),
      facts: { action },
      awaiting: { kind: 'when', context: contextOf(mode) },
    };
  }

  function askAgain(input: AgentInput, mode: Mode, options: QuestionOption[]): AgentOutcome {
    const lang = input.triage.language;
    const label = (o: QuestionOption) => formatSlot(slotAt(o.value), lang);
    return {
      agent: 'appointment',
      intent: input.intent,
      text: `${askWhichText(lang, options, label)}. ${inLanguage(lang, { en: 'Or tell me another day and time.', es: 'O dime otro día y hora.' })}`,
      facts: { action: 'asked_again', offered: options.map((o) => o.value) },
      next: mode.mode === 'book' ? { kind: 'follow_up', purpose: 'booking_unconfirmed', reference: input.workflowId } : undefined,
      awaiting: { kind: 'choice', options: options.map((o) => slotOption(slotAt(o.value), lang)), context: contextOf(mode) },
    };
  }

  function close(input: AgentInput): AgentOutcome {
    return {
      agent: 'appointment',
      intent: input.intent,
      text: inLanguage(input.triage.language, {
        en: 'No problem. Write to us whenever you would like to book.',
        es: 'Sin problema. Escríbenos cuando quieras reservar.',
      }),
      facts: { action: 'declined' },
    };
  }

  async function finish(input: AgentInput, now: DateTime, answer: ResolvedAnswer): Promise<AgentOutcome> {
    const { question, reading } = answer;
    const mode = modeOf(answer);

    if (question.kind === 'confirm') {
      // "I couldn't find an upcoming appointment. Would you like to book a new one?"
      if (reading.kind === 'yes') return book(input, now, true);
      if (reading.kind === 'no') return close(input);
      return {
        ...offerToBookNew(input),
        text: inLanguage(input.triage.language, { en: 'Would you like me to book a new appointment? Please reply yes or no.', es: '¿Quieres que te reserve una cita nueva? Responde sí o no.' }),
        facts: { action: 'asked_again' },
      };
    }

    if (question.kind === 'when') {
      if (reading.kind === 'no') return close(input);
      const done = await fromWords(input, now, mode, undefined);
      if (done) return done;
      return askWhen(input, mode, { en: 'Which day and time would suit you? For example "Thursday at 10:00".', es: '¿Qué día y hora te vendrían bien? Por ejemplo "el jueves a las 10:00".' }, 'asked_again');
    }

    // A choice among offered slots.
    const options = question.options ?? [];
    if (reading.kind === 'option') return commit(input, now, slotAt(reading.option.value), mode);
    if (reading.kind === 'no') {
      return askWhen(input, mode, { en: 'No problem. Which day and time would suit you better?', es: 'Sin problema. ¿Qué día y hora te vendrían mejor?' }, 'asked_when');
    }
    if (reading.kind === 'text') {
      const offeredDay = options[0]?.date ? DateTime.fromISO(options[0].date, { zone: business.timezone }) : undefined;
      const done = await fromWords(input, now, mode, offeredDay);
      if (done) return done;
    }
    if (options.length === 0) return askWhen(input, mode, { en: 'Which day and time would suit you?', es: '¿Qué día y hora te vendrían bien?' }, 'asked_when');
    return askAgain(input, mode, options);
  }

  return async function appointmentAgent(input: AgentInput): Promise<AgentOutcome> {
    const now = DateTime.fromISO(input.receivedAt, { zone: business.timezone });
    const answer = answerFor(input, 'appointment', 'choice', 'when', 'confirm');
    if (answer) return finish(input, now, answer);
    if (input.intent === 'appointment_cancel') return cancel(input, now);
    if (input.intent === 'appointment_reschedule') return reschedule(input, now);
    return book(input, now);
  };
}
