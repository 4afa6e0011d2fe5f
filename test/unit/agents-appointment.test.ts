import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { createAppointmentAgent } from '../../src/activities/agents/appointment-agent';
import type { BusinessSettings } from '../../src/activities/deps';
import type { Intent } from '../../src/domain/intents';
import { Appointment } from '../../src/persistence';
import { BUSINESS, Dialogue, NOW, newChatId } from '../helpers/agent-dialogue';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../helpers/database';

/**
 * The appointment agent's less travelled paths: times that cannot be booked, a calendar
 * that is full, slots taken or gone by the time the customer answers, moving and cancelling
 * what is not there, retried turns, and answers that name nothing. "Now" is Monday 30
 * November 2026, 08:00 UTC; the shop opens Monday to Friday 09:00–18:00 and Saturday 10:00–14:00.
 */
describe.each(databaseKinds())('appointment agent on %s', (kind) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.close();
  });
  // The calendar is shared by every chat: each test starts from an empty one.
  beforeEach(async () => {
    await database.db.getRepository(Appointment).clear();
  });

  function chat(intent: Intent = 'appointment_booking', chatId?: string, business: BusinessSettings = BUSINESS) {
    return new Dialogue('appointment', createAppointmentAgent(database.db, business), intent, chatId);
  }

  async function rows(chatId: string): Promise<Array<{ status: string; startsAt: string; id: string; workflowId: string }>> {
    const found = await database.db.getRepository(Appointment).find({ where: { chatId }, order: { startsAt: 'ASC' } });
    return found.map((r) => ({ id: r.id, status: r.status, startsAt: new Date(r.startsAt).toISOString(), workflowId: r.workflowId }));
  }

  /** Books every slot of `business` from `from` for `days` days, for other customers. */
  async function fillCalendar(business: BusinessSettings, from: string, days: number): Promise<void> {
    const start = DateTime.fromISO(from, { zone: 'UTC' });
    const repo = database.db.getRepository(Appointment);
    const taken: Appointment[] = [];
    for (let i = 0; i < days; i += 1) {
      const day = start.plus({ days: i });
      const span = business.openingHours.days[day.weekday as 1 | 2 | 3 | 4 | 5 | 6 | 7];
      if (!span) continue;
      for (let t = day.set({ hour: Number(span[0].slice(0, 2)), minute: 0 }); t.toFormat('HH:mm') < span[1]; t = t.plus({ minutes: business.openingHours.slotMinutes })) {
        taken.push(repo.create({ id: randomUUID(), chatId: 'someone-else@c.us', customerName: null, service: 'consultation', startsAt: t.toJSDate(), durationMinutes: 30, status: 'booked', workflowId: `msg:whatsapp:${randomUUID()}` }));
      }
    }
    await repo.insert(taken);
  }

  describe('booking a time that cannot be booked', () => {
    it('offers today\'s free slots when the time asked for has already passed (English and Spanish)', async () => {
      const en = chat();
      const past = await en.say('Book me today at 7am');
      expect(past.outcome.text).toBe('That time has already passed. Available times: Monday 30 November, 09:00; Monday 30 November, 09:30; Monday 30 November, 10:00. Which one suits you?');
      expect(past.outcome.facts).toMatchObject({ action: 'in_the_past' });
      expect(past.outcome.awaiting).toMatchObject({ kind: 'choice', context: { mode: 'book' } });
      expect(await rows(en.chatId)).toEqual([]);

      const es = await chat().say('Quiero una cita hoy a las 7');
      expect(es.outcome.text).toMatch(/^Esa hora ya pasó\. Horarios disponibles: lunes 30 de noviembre, 09:00;/);
    });

    it('refuses a closed day and offers the next open one instead (English and Spanish)', async () => {
      const en = chat();
      const sunday = await en.say('Book me Sunday at 11am');
      expect(sunday.outcome.text).toBe(
        'We are not taking appointments at Sunday 6 December, 11:00. Available times: Monday 7 December, 09:00; Monday 7 December, 09:30; Monday 7 December, 10:00. Which one suits you?',
      );
      expect(sunday.outcome.facts).toMatchObject({ action: 'outside_hours' });
      expect(await rows(en.chatId)).toEqual([]);
      // The customer picks one of the alternatives: it is booked.
      const pick = await en.say('the second one');
      expect(pick.outcome.facts).toMatchObject({ action: 'booked', startsAt: '2026-12-07T09:30:00.000Z' });

      const es = await chat().say('quiero una cita el domingo a las 11');
      expect(es.outcome.text).toMatch(/^No atendemos citas el domingo 6 de diciembre, 11:00\. Horarios disponibles: lunes 7 de diciembre, 09:00;/);
    });

    it('books a time given without a day for today', async () => {
      const en = chat();
      const four = await en.say('Book me at 4pm');
      expect(four.outcome.text).toMatch(/^You're booked for a consultation on Monday 30 November, 16:00\. Booking reference [0-9A-F]{8}\./);
      expect((await rows(en.chatId)).map((r) => r.startsAt)).toEqual(['2026-11-30T16:00:00.000Z']);
    });

    it('books once when the booking turn is retried, and answers the retry with the same booking', async () => {
      const agent = createAppointmentAgent(database.db, BUSINESS);
      const en = new Dialogue('appointment', agent, 'appointment_booking');
      const first = await en.say('Book me Tuesday at 11am');
      const retry = await agent(first.input);
      expect(retry.text).toBe(first.outcome.text);
      expect(retry.facts).toEqual(first.outcome.facts);
      expect(await rows(en.chatId)).toEqual([{ id: first.outcome.facts.appointmentId, status: 'booked', startsAt: '2026-12-01T11:00:00.000Z', workflowId: first.workflowId }]);
    });
  });

  describe('a full calendar', () => {
    // Open one hour on weekdays: two slots a day, easy to fill.
    const SMALL: BusinessSettings = { ...BUSINESS, openingHours: { days: { 1: ['09:00', '10:00'], 2: ['09:00', '10:00'], 3: ['09:00', '10:00'], 4: ['09:00', '10:00'], 5: ['09:00', '10:00'] }, slotMinutes: 30 } };

    it('says there is nothing free for two weeks and asks nothing (English and Spanish)', async () => {
      await fillCalendar(SMALL, '2026-11-30', 14);
      const en = await chat('appointment_booking', undefined, SMALL).say('I want to book an appointment');
      expect(en.outcome.text).toBe("I'd be happy to book an appointment for you. We have no free slots in the next two weeks; a member of our team will contact you.");
      expect(en.outcome.facts).toEqual({ action: 'offered', offered: [] });
      expect(en.outcome.awaiting).toBeUndefined();
      expect(en.outcome.next).toBeUndefined();

      const es = await chat('appointment_booking', undefined, SMALL).say('Quiero reservar una cita');
      expect(es.outcome.text).toBe('Con gusto te reservo una cita. No tenemos horarios libres en las próximas dos semanas; una persona del equipo te contactará.');
    });

    it('offers what is left before the day asked for when everything from that day on is taken', async () => {
      await fillCalendar(SMALL, '2026-12-01', 14);
      const en = await chat('appointment_booking', undefined, SMALL).say('I need an appointment on Tuesday');
      expect(en.outcome.text).toBe('Here is what we have from Tuesday 1 December. Available times: Monday 30 November, 09:00; Monday 30 November, 09:30. Which one suits you?');
      expect(en.outcome.awaiting?.options?.map((o) => o.value)).toEqual(['2026-11-30T09:00:00.000Z', '2026-11-30T09:30:00.000Z']);
    });

    it('offers the hours there are when the part of the day asked for has none', async () => {
      const MORNINGS: BusinessSettings = { ...BUSINESS, openingHours: { days: { 1: ['09:00', '12:00'], 2: ['09:00', '12:00'], 3: ['09:00', '12:00'], 4: ['09:00', '12:00'], 5: ['09:00', '12:00'] }, slotMinutes: 30 } };
      const en = await chat('appointment_booking', undefined, MORNINGS).say('Can I come in on Friday afternoon?');
      expect(en.outcome.text).toBe('Here is what we have from Friday 4 December. Available times: Friday 4 December, 09:00; Friday 4 December, 09:30; Friday 4 December, 10:00. Which one suits you?');
    });
  });

  describe('answers to an offer of slots', () => {
    it('offers the slots still ahead when the one picked has passed by the time of the answer', async () => {
      const en = chat();
      await en.say('I want to book an appointment');
      const late = await en.say('the first one', { receivedAt: '2026-11-30T09:10:00Z' });
      expect(late.reading).toMatchObject({ kind: 'option', index: 0 });
      expect(late.outcome.text).toBe('That time has already passed. Available times: Monday 30 November, 09:30; Monday 30 November, 10:00; Monday 30 November, 10:30. Which one suits you?');
      expect(late.outcome.facts).toMatchObject({ action: 'in_the_past' });
      expect(await rows(en.chatId)).toEqual([]);
    });

    it('asks again with the same options when the words name no day, time or slot', async () => {
      const en = chat();
      const offer = await en.say('I want to book an appointment');
      const later = await en.say('do you have anything later?');
      expect(later.reading).toEqual({ kind: 'text' });
      expect(later.outcome.text).toBe(
        "Sorry, I didn't catch which one. Please reply with its number: 1) Monday 30 November, 09:00 2) Monday 30 November, 09:30 3) Monday 30 November, 10:00. Or tell me another day and time.",
      );
      expect(later.outcome.awaiting?.options).toEqual(offer.outcome.awaiting?.options);
      expect(later.outcome.next).toMatchObject({ kind: 'follow_up', purpose: 'booking_unconfirmed' });
    });
  });

  describe('answers to "which day and time would suit you?"', () => {
    async function askedWhen(d: Dialogue, first = 'I want to book an appointment', no = 'no, none of those', receivedAt = NOW) {
      await d.say(first, { receivedAt });
      const when = await d.say(no, { receivedAt });
      expect(when.outcome.awaiting).toMatchObject({ kind: 'when' });
    }

    it('closes on a no, without booking', async () => {
      const en = chat();
      await askedWhen(en);
      const no = await en.say('no thanks');
      expect(no.outcome).toMatchObject({ text: 'No problem. Write to us whenever you would like to book.', facts: { action: 'declined' } });
      expect(no.outcome.awaiting).toBeUndefined();
      expect(await rows(en.chatId)).toEqual([]);
    });

    it('asks again, with an example, when the answer names no day or time (English and Spanish)', async () => {
      const en = chat();
      await askedWhen(en);
      const vague = await en.say('whenever works');
      expect(vague.outcome.text).toBe('Which day and time would suit you? For example "Thursday at 10:00".');
      expect(vague.outcome.awaiting).toEqual({ kind: 'when', context: { mode: 'book' } });
      const thursday = await en.say('Thursday at 10am then');
      expect(thursday.outcome.facts).toMatchObject({ action: 'booked', startsAt: '2026-12-03T10:00:00.000Z' });

      const es = chat();
      await askedWhen(es, 'Quiero una cita por favor', 'no');
      const cuando = await es.say('cuando sea');
      expect(cuando.outcome.text).toBe('¿Qué día y hora te vendrían bien? Por ejemplo "el jueves a las 10:00".');
    });

    it('books a bare time on the next day the shop is open at that time', async () => {
      // Saturday 5 December, 09:00: the shop closes at 14:00 today and is closed on Sunday.
      const saturday = '2026-12-05T09:00:00Z';
      const en = chat();
      await askedWhen(en, 'I want to book an appointment', 'no, none of those', saturday);
      const four = await en.say('4pm works', { receivedAt: saturday });
      expect(four.outcome.text).toMatch(/^You're booked for a consultation on Monday 7 December, 16:00\./);
      expect((await rows(en.chatId)).map((r) => r.startsAt)).toEqual(['2026-12-07T16:00:00.000Z']);
    });

    it('refuses a time the shop never opens at and offers today\'s slots', async () => {
      const en = chat();
      await askedWhen(en);
      const late = await en.say('at 11pm');
      expect(late.outcome.text).toBe(
        'We are not taking appointments at Monday 30 November, 23:00. Available times: Monday 30 November, 09:00; Monday 30 November, 09:30; Monday 30 November, 10:00. Which one suits you?',
      );
      expect(late.outcome.facts).toMatchObject({ action: 'outside_hours' });
      expect(await rows(en.chatId)).toEqual([]);
    });
  });

  describe('rescheduling', () => {
    async function bookedFor(chatId: string, text = 'Book me Tuesday at 11am'): Promise<string> {
      const booked = await chat('appointment_booking', chatId).say(text);
      expect(booked.outcome.facts).toMatchObject({ action: 'booked' });
      return booked.outcome.facts.appointmentId as string;
    }

    it('refuses to move it to a closed day and moves it to the alternative picked (English and Spanish)', async () => {
      const chatId = newChatId();
      const id = await bookedFor(chatId);
      const en = chat('appointment_reschedule', chatId);
      const sunday = await en.say('Can I move my appointment to Sunday at 11am?');
      expect(sunday.outcome.text).toMatch(/^I can't move it to Sunday 6 December, 11:00\. Available times: Monday 7 December, 09:00;/);
      expect(sunday.outcome.awaiting).toMatchObject({ kind: 'choice', context: { mode: 'reschedule', appointmentId: id } });
      expect((await rows(chatId)).map((r) => r.startsAt)).toEqual(['2026-12-01T11:00:00.000Z']);

      const esChat = newChatId();
      const esId = await bookedFor(esChat, 'Quiero una cita el martes a las 12');
      const es = chat('appointment_reschedule', esChat);
      const domingo = await es.say('¿puedo pasar mi cita al domingo a las 11?');
      expect(domingo.outcome.text).toMatch(/^No puedo pasarla al domingo 6 de diciembre, 11:00\. Horarios disponibles: lunes 7 de diciembre, 09:00;/);
      const primera = await es.say('la primera');
      expect(primera.outcome.text).toMatch(/^Listo: tu cita ahora es el lunes 7 de diciembre, 09:00\. Referencia [0-9A-F]{8}\./);
      expect(await rows(esChat)).toEqual([expect.objectContaining({ id: esId, status: 'booked', startsAt: '2026-12-07T09:00:00.000Z' })]);
    });

    it('keeps the appointment where it was when the new time is someone else\'s, and offers that day\'s free slots', async () => {
      const chatId = newChatId();
      const id = await bookedFor(chatId);
      await bookedFor(newChatId(), 'Book me Tuesday at 10am');

      const moved = await chat('appointment_reschedule', chatId).say('move my appointment to Tuesday at 10am');
      expect(moved.outcome.text).toBe(
        'Sorry, Tuesday 1 December, 10:00 is already taken. Available times: Tuesday 1 December, 09:00; Tuesday 1 December, 09:30; Tuesday 1 December, 10:30. Which one suits you?',
      );
      expect(moved.outcome.facts).toMatchObject({ action: 'taken' });
      expect(moved.outcome.awaiting).toMatchObject({ kind: 'choice', context: { mode: 'reschedule', appointmentId: id } });
      expect(await rows(chatId)).toEqual([expect.objectContaining({ id, status: 'booked', startsAt: '2026-12-01T11:00:00.000Z' })]);
    });

    it('moves once when the moving turn is retried', async () => {
      const chatId = newChatId();
      const id = await bookedFor(chatId);
      const agent = createAppointmentAgent(database.db, BUSINESS);
      const first = await new Dialogue('appointment', agent, 'appointment_reschedule', chatId).say('move my appointment to Thursday at 3pm');
      expect(first.outcome.text).toMatch(/^Done: your appointment is now on Thursday 3 December, 15:00\./);
      const retry = await agent(first.input);
      expect(retry.text).toBe(first.outcome.text);
      expect(await rows(chatId)).toEqual([{ id, status: 'booked', startsAt: '2026-12-03T15:00:00.000Z', workflowId: first.workflowId }]);

      // The same for a slot picked from an offer.
      const offer = chat('appointment_reschedule', chatId);
      await offer.say('I need to reschedule my appointment');
      const picked = await offer.say('the third one');
      const again = await agent(picked.input);
      expect(picked.outcome.facts).toMatchObject({ action: 'moved', appointmentId: id, startsAt: '2026-11-30T10:00:00.000Z' });
      expect(again.facts).toEqual(picked.outcome.facts);
      expect(await rows(chatId)).toEqual([{ id, status: 'booked', startsAt: '2026-11-30T10:00:00.000Z', workflowId: picked.workflowId }]);
    });

    it('asks again without a booking follow-up when the answer picks nothing', async () => {
      const chatId = newChatId();
      const id = await bookedFor(chatId);
      const en = chat('appointment_reschedule', chatId);
      await en.say('I need to reschedule my appointment');
      const unsure = await en.say('hmm, not sure');
      expect(unsure.outcome.text).toMatch(/^Sorry, I didn't catch which one\. Please reply with its number: 1\) Monday 30 November, 09:00 .* Or tell me another day and time\.$/);
      expect(unsure.outcome.awaiting).toMatchObject({ kind: 'choice', context: { mode: 'reschedule', appointmentId: id } });
      // Moving an existing appointment is not an unconfirmed booking: no follow-up campaign.
      expect(unsure.outcome.next).toBeUndefined();
    });

    it('books the slot picked as a new appointment when the one being moved was cancelled meanwhile', async () => {
      const chatId = newChatId();
      const id = await bookedFor(chatId);
      const en = chat('appointment_reschedule', chatId);
      await en.say('I need to reschedule my appointment');
      const cancelled = await chat('appointment_cancel', chatId).say('actually just cancel my appointment');
      expect(cancelled.outcome.facts).toMatchObject({ action: 'cancelled', appointmentId: id });

      const first = await en.say('the first one');
      expect(first.outcome.text).toMatch(/^You're booked for a consultation on Monday 30 November, 09:00\./);
      expect(first.outcome.facts.appointmentId).not.toBe(id);
      expect((await rows(chatId)).map((r) => [r.status, r.startsAt])).toEqual([
        ['booked', '2026-11-30T09:00:00.000Z'],
        ['cancelled', '2026-12-01T11:00:00.000Z'],
      ]);
    });

    it('asks for a plain yes or no when the answer to "book a new one?" is neither (English and Spanish)', async () => {
      const en = chat('appointment_reschedule');
      await en.say('I need to reschedule my appointment');
      const hmm = await en.say('hmm');
      expect(hmm.reading).toEqual({ kind: 'unclear' });
      expect(hmm.outcome.text).toBe('Would you like me to book a new appointment? Please reply yes or no.');
      expect(hmm.outcome.awaiting).toEqual({ kind: 'confirm', context: { offer: 'book_new' } });
      const yes = await en.say('yes');
      expect(yes.outcome.text).toMatch(/^I'd be happy to book an appointment for you\. Available times: Monday 30 November, 09:00/);

      const es = chat('appointment_reschedule');
      await es.say('quiero cambiar mi cita');
      const mmm = await es.say('mmm');
      expect(mmm.outcome.text).toBe('¿Quieres que te reserve una cita nueva? Responde sí o no.');
    });
  });

  describe('cancelling', () => {
    it('says so when the chat has no upcoming appointment (English and Spanish)', async () => {
      const en = await chat('appointment_cancel').say('I need to cancel my appointment');
      expect(en.outcome).toMatchObject({ text: "I couldn't find an upcoming appointment to cancel for this chat.", facts: { action: 'not_found' } });
      expect(en.outcome.awaiting).toBeUndefined();
      const es = await chat('appointment_cancel').say('quiero cancelar mi cita');
      expect(es.outcome.text).toBe('No encontré ninguna cita próxima que cancelar para este chat.');
    });

    it('cancels the next appointment once: a retried turn does not cancel the one after it', async () => {
      const chatId = newChatId();
      const tuesday = await chat('appointment_booking', chatId).say('Book me Tuesday at 11am');
      const thursday = await chat('appointment_booking', chatId).say('Book me Thursday at 3pm');
      const agent = createAppointmentAgent(database.db, BUSINESS);
      const cancel = await new Dialogue('appointment', agent, 'appointment_cancel', chatId).say('I need to cancel my appointment');
      expect(cancel.outcome.text).toBe('Your appointment on Tuesday 1 December, 11:00 is cancelled. Write to us whenever you want to book again.');
      const retry = await agent(cancel.input);
      expect(retry.text).toBe(cancel.outcome.text);
      expect(retry.facts).toEqual({ action: 'cancelled', appointmentId: tuesday.outcome.facts.appointmentId });
      expect(await rows(chatId)).toEqual([
        { id: tuesday.outcome.facts.appointmentId, status: 'cancelled', startsAt: '2026-12-01T11:00:00.000Z', workflowId: cancel.workflowId },
        { id: thursday.outcome.facts.appointmentId, status: 'booked', startsAt: '2026-12-03T15:00:00.000Z', workflowId: thursday.workflowId },
      ]);

      const es = await chat('appointment_cancel', chatId).say('quiero cancelar mi cita');
      expect(es.outcome.text).toBe('Tu cita del jueves 3 de diciembre, 15:00 queda cancelada. Escríbenos cuando quieras reservar de nuevo.');
      expect((await rows(chatId)).map((r) => r.status)).toEqual(['cancelled', 'cancelled']);
    });
  });
});
