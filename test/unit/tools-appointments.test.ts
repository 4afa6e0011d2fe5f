import { randomUUID } from 'node:crypto';
import type { ToolCallOutcome } from '../../src/contracts';
import { Appointment, Customer } from '../../src/persistence';
import { ToolCallRecord } from '../../src/persistence/entities/tool-call.entity';
import { databaseKinds } from '../helpers/database';
import { toolCallsOf, useToolDatabase } from '../helpers/tool-calls';

/**
 * The appointment agent's tools beyond booking a free slot (see tools.test.ts): the chat's
 * bookings, moving and cancelling one (by reference when it has several; another chat's
 * reference is "not found"), free slots from a day and in a part of it, and times that are
 * no slot at all answered with slots that are. "Now" is Monday 30 November 2026, 08:00 UTC;
 * the business is open Monday–Friday 9:00–18:00 and Saturday 10:00–14:00, in 30-minute slots.
 */
describe.each(databaseKinds())('appointment tools on %s', (kind) => {
  const tools = useToolDatabase(kind);
  const { callTool } = tools;

  beforeEach(async () => {
    await tools.database.db.getRepository(Appointment).clear();
  });

  const newChat = () => `${randomUUID().slice(0, 8)}@c.us`;

  const input = toolCallsOf('appointment');

  const parsed = (outcome: ToolCallOutcome) => JSON.parse(outcome.content);
  function done(outcome: ToolCallOutcome) {
    if (outcome.status !== 'done') throw new Error(`expected done, got ${outcome.status}: ${outcome.summary}`);
    return outcome;
  }
  const appointments = () => tools.database.db.getRepository(Appointment);
  const startsOf = async (chatId: string, status: Appointment['status'] = 'booked') =>
    (await appointments().find({ where: { chatId, status }, order: { startsAt: 'ASC' } })).map((a) => new Date(a.startsAt).toISOString());

  /** Books `start` (local, UTC here) for the chat through the tool; the booking reference. */
  async function book(chatId: string, start: string): Promise<string> {
    const outcome = done(await callTool(input({ name: 'book_slot', arguments: { start } }, { chatId })));
    return parsed(outcome).booked.reference;
  }

  /** A row written directly: a booking in the past, or one already cancelled. */
  async function insert(chatId: string, startsAt: string, status: Appointment['status']): Promise<void> {
    await appointments().insert({ id: randomUUID(), chatId, customerName: null, service: 'consultation', startsAt: new Date(startsAt), durationMinutes: 30, status, workflowId: `seed:${randomUUID()}` });
  }

  describe('get_my_booking', () => {
    it("lists the chat's upcoming bookings earliest first: not past ones, not cancelled ones, not other chats'", async () => {
      const chat = newChat();
      const none = done(await callTool(input({ name: 'get_my_booking', arguments: {} }, { chatId: chat })));
      expect(parsed(none)).toEqual({ bookings: [], note: 'no upcoming appointment for this chat' });
      expect(none.summary).toBe('get_my_booking: upcoming → 0 upcoming');
      expect(none.evidence).toEqual({});

      const later = await book(chat, '2026-12-02T10:00');
      const sooner = await book(chat, '2026-12-01T15:00');
      await book(newChat(), '2026-12-01T09:00');
      await insert(chat, '2026-11-27T10:00:00Z', 'booked');
      await insert(chat, '2026-12-03T11:00:00Z', 'cancelled');

      const outcome = done(await callTool(input({ name: 'get_my_booking', arguments: {} }, { chatId: chat })));
      expect(outcome).toMatchObject({ effect: false, summary: 'get_my_booking: upcoming → 2 upcoming' });
      expect(parsed(outcome)).toEqual({
        bookings: [
          { reference: sooner, service: 'consultation', date: '2026-12-01', time: '15:00', label: 'Tuesday 1 December, 15:00' },
          { reference: later, service: 'consultation', date: '2026-12-02', time: '10:00', label: 'Wednesday 2 December, 10:00' },
        ],
      });
      expect(outcome.evidence).toEqual({
        bookings: [
          { reference: sooner, date: '2026-12-01', time: '15:00', status: 'booked' },
          { reference: later, date: '2026-12-02', time: '10:00', status: 'booked' },
        ],
        references: [sooner, later],
        dates: ['2026-12-01', '2026-12-02'],
        times: ['15:00', '10:00'],
      });
      const es = await callTool(input({ name: 'get_my_booking', arguments: {} }, { chatId: chat, language: 'es' }));
      expect(parsed(es).bookings[0].label).toBe('martes 1 de diciembre, 15:00');
    });
  });

  describe('move_booking', () => {
    it("moves the chat's only booking once, however often the call runs, and frees the old slot", async () => {
      const chat = newChat();
      const reference = await book(chat, '2026-12-01T10:00');
      const call = input({ name: 'move_booking', arguments: { start: '2026-12-01T11:30' } }, { chatId: chat });
      const first = await callTool(call);
      const again = await Promise.all([callTool(call), callTool(call)]);
      for (const o of again) expect(o).toEqual(first);

      expect(first).toMatchObject({
        status: 'done',
        effect: true,
        summary: `move_booking: 2026-12-01 11:30 → ${reference}`,
        confirmation: `Done: your appointment is now on Tuesday 1 December, 11:30. Booking reference ${reference}.`,
        facts: { action: 'moved', startsAt: '2026-12-01T11:30:00.000Z', previousStartsAt: '2026-12-01T10:00:00.000Z' },
        evidence: {
          bookings: [{ reference, date: '2026-12-01', time: '11:30', status: 'moved' }],
          references: [reference],
          dates: ['2026-12-01'],
          times: ['11:30', '10:00'],
        },
      });
      expect(parsed(first)).toEqual({
        moved: { reference, service: 'consultation', from: { date: '2026-12-01', time: '10:00' }, to: { date: '2026-12-01', time: '11:30', label: 'Tuesday 1 December, 11:30' }, status: 'moved' },
      });
      expect(await startsOf(chat)).toEqual(['2026-12-01T11:30:00.000Z']);
      expect(await appointments().countBy({ chatId: chat })).toBe(1);
      expect(await tools.database.db.getRepository(ToolCallRecord).countBy({ key: `${call.workflowId}:${call.call.id}` })).toBe(1);

      // The old slot is free again: another customer can have it.
      const other = newChat();
      await book(other, '2026-12-01T10:00');
      expect(await startsOf(other)).toEqual(['2026-12-01T10:00:00.000Z']);
      // ...and the retried move still answers what it did, without moving anything back.
      expect(await callTool(call)).toEqual(first);
      expect(await startsOf(chat)).toEqual(['2026-12-01T11:30:00.000Z']);
    });

    it('asks which booking is meant when the chat has several, and moves the one named', async () => {
      const chat = newChat();
      const a = await book(chat, '2026-12-01T10:00');
      const b = await book(chat, '2026-12-02T10:00');
      const unclear = await callTool(input({ name: 'move_booking', arguments: { start: '2026-12-03T10:00' } }, { chatId: chat }));
      expect(unclear).toMatchObject({ status: 'failed', error: 'this chat has several upcoming bookings: give the reference of the one meant' });
      expect(parsed(unclear).bookings.map((x: { reference: string }) => x.reference)).toEqual([a, b]);
      expect(await startsOf(chat)).toEqual(['2026-12-01T10:00:00.000Z', '2026-12-02T10:00:00.000Z']);

      const named = await callTool(input({ name: 'move_booking', arguments: { start: '2026-12-03T10:00', reference: b.toLowerCase() } }, { chatId: chat }));
      expect(named).toMatchObject({ status: 'done', summary: `move_booking: ${b} → 2026-12-03 10:00 → ${b}` });
      expect(await startsOf(chat)).toEqual(['2026-12-01T10:00:00.000Z', '2026-12-03T10:00:00.000Z']);
    });

    it("does not find another chat's reference, and leaves that booking where it was", async () => {
      const owner = newChat();
      const theirs = await book(owner, '2026-12-01T10:00');
      const chat = newChat();
      const mine = await book(chat, '2026-12-04T16:00');
      const outcome = await callTool(input({ name: 'move_booking', arguments: { start: '2026-12-01T12:00', reference: theirs } }, { chatId: chat }));
      expect(outcome).toMatchObject({ status: 'failed', error: `no upcoming booking with reference ${theirs} for this chat` });
      // The model is shown the chat's own bookings, never the other's.
      expect(parsed(outcome).bookings).toEqual([{ reference: mine, service: 'consultation', date: '2026-12-04', time: '16:00', label: 'Friday 4 December, 16:00' }]);
      expect(await startsOf(owner)).toEqual(['2026-12-01T10:00:00.000Z']);
      expect(await startsOf(chat)).toEqual(['2026-12-04T16:00:00.000Z']);
    });

    it('refuses a move to the same time, a taken slot or no slot at all, offering free ones', async () => {
      const chat = newChat();
      const reference = await book(chat, '2026-12-01T10:00');
      await book(newChat(), '2026-12-01T14:00');

      const same = await callTool(input({ name: 'move_booking', arguments: { start: '2026-12-01T10:00' } }, { chatId: chat }));
      expect(same).toMatchObject({ status: 'failed', error: `booking ${reference} is already at 2026-12-01 10:00` });

      const taken = await callTool(input({ name: 'move_booking', arguments: { start: '2026-12-01T14:00' } }, { chatId: chat }));
      expect(taken).toMatchObject({ status: 'failed', error: '2026-12-01 14:00 is already taken' });
      expect(parsed(taken).free_slots.map((s: { start: string }) => s.start)).toEqual(['2026-12-01T09:00', '2026-12-01T09:30', '2026-12-01T10:30']);

      const sunday = await callTool(input({ name: 'move_booking', arguments: { start: '2026-12-06T10:00' } }, { chatId: chat }));
      expect(sunday).toMatchObject({ status: 'failed', error: '2026-12-06 10:00 is not an appointment slot (outside opening hours, or not on a 30-minute boundary)' });
      expect(parsed(sunday).free_slots[0]).toEqual({ start: '2026-12-07T09:00', date: '2026-12-07', time: '09:00', label: 'Monday 7 December, 09:00' });

      const past = await callTool(input({ name: 'move_booking', arguments: { start: '2026-11-30T07:30' } }, { chatId: chat }));
      expect(past).toMatchObject({ status: 'failed', error: '2026-11-30 07:30 has already passed' });
      expect(await startsOf(chat)).toEqual(['2026-12-01T10:00:00.000Z']);

      const nothing = await callTool(input({ name: 'move_booking', arguments: { start: '2026-12-01T11:00' } }));
      expect(nothing).toMatchObject({ status: 'failed', error: 'this chat has no upcoming booking' });
      expect(parsed(nothing).hint).toBe('offer to book one (find_free_slots, book_slot)');
      expect(await callTool(input({ name: 'move_booking', arguments: { start: '2026-12-01T11:00', reference: 'ABC' } }, { chatId: chat }))).toMatchObject({
        status: 'invalid',
        error: 'reference: expected the 8-character booking reference (e.g. 1A2B3C4D)',
      });
    });
  });

  describe('cancel_booking', () => {
    it('cancels the chat\'s only booking once and frees its slot', async () => {
      const chat = newChat();
      const reference = await book(chat, '2026-12-01T10:00');
      const call = input({ name: 'cancel_booking', arguments: {} }, { chatId: chat });
      const first = await callTool(call);
      expect(await callTool(call)).toEqual(first);
      expect(first).toMatchObject({
        status: 'done',
        effect: true,
        summary: `cancel_booking: upcoming → ${reference}`,
        confirmation: 'Your appointment on Tuesday 1 December, 10:00 is cancelled. Write to us whenever you want to book again.',
        evidence: { bookings: [{ reference, date: '2026-12-01', time: '10:00', status: 'cancelled' }], references: [reference], dates: ['2026-12-01'], times: ['10:00'] },
        facts: { action: 'cancelled' },
      });
      expect(parsed(first)).toEqual({ cancelled: { reference, service: 'consultation', date: '2026-12-01', time: '10:00', status: 'cancelled' } });
      expect(await startsOf(chat)).toEqual([]);
      expect(await startsOf(chat, 'cancelled')).toEqual(['2026-12-01T10:00:00.000Z']);

      // A new call has nothing left to cancel; the slot is offered again.
      expect(await callTool(input({ name: 'cancel_booking', arguments: {} }, { chatId: chat }))).toMatchObject({ status: 'failed', error: 'this chat has no upcoming booking' });
      const free = await callTool(input({ name: 'find_free_slots', arguments: { date: '2026-12-01' } }));
      expect(parsed(free).slots.map((s: { start: string }) => s.start)).toContain('2026-12-01T10:00');
    });

    it("needs the reference when the chat has several, and never cancels another chat's", async () => {
      const chat = newChat();
      const a = await book(chat, '2026-12-01T10:00');
      const b = await book(chat, '2026-12-02T10:00');
      const owner = newChat();
      const theirs = await book(owner, '2026-12-03T10:00');

      const unclear = await callTool(input({ name: 'cancel_booking', arguments: {} }, { chatId: chat }));
      expect(unclear).toMatchObject({ status: 'failed', error: 'this chat has several upcoming bookings: give the reference of the one meant' });
      expect(parsed(unclear).bookings.map((x: { reference: string }) => x.reference)).toEqual([a, b]);

      const foreign = await callTool(input({ name: 'cancel_booking', arguments: { reference: theirs } }, { chatId: chat }));
      expect(foreign).toMatchObject({ status: 'failed', error: `no upcoming booking with reference ${theirs} for this chat` });
      expect(foreign.content).not.toContain('2026-12-03');
      expect(await startsOf(owner)).toEqual(['2026-12-03T10:00:00.000Z']);

      const named = await callTool(input({ name: 'cancel_booking', arguments: { reference: a } }, { chatId: chat, language: 'es' }));
      expect(named).toMatchObject({ status: 'done', summary: `cancel_booking: ${a} → ${a}`, confirmation: 'Tu cita del martes 1 de diciembre, 10:00 queda cancelada. Escríbenos cuando quieras reservar de nuevo.' });
      expect(await startsOf(chat)).toEqual(['2026-12-02T10:00:00.000Z']);
      expect(await startsOf(owner)).toEqual(['2026-12-03T10:00:00.000Z']);
    });
  });

  describe('find_free_slots', () => {
    const starts = (outcome: ToolCallOutcome) => parsed(outcome).slots.map((s: { start: string }) => s.start);

    it('lists evening slots from the day asked for, earliest first, with what the reply may name', async () => {
      const outcome = done(await callTool(input({ name: 'find_free_slots', arguments: { date: '2026-12-01', part_of_day: 'evening' } })));
      expect(outcome).toMatchObject({ effect: false, summary: 'find_free_slots: 2026-12-01 evening → 6 free' });
      expect(parsed(outcome)).toMatchObject({ timezone: 'UTC', from: '2026-12-01' });
      expect(starts(outcome)).toEqual(['2026-12-01T17:00', '2026-12-01T17:30', '2026-12-02T17:00', '2026-12-02T17:30', '2026-12-03T17:00', '2026-12-03T17:30']);
      expect(parsed(outcome).slots[0]).toEqual({ start: '2026-12-01T17:00', date: '2026-12-01', time: '17:00', label: 'Tuesday 1 December, 17:00' });
      expect(outcome.evidence).toEqual({ dates: ['2026-12-01', '2026-12-02', '2026-12-03'], times: ['17:00', '17:30'] });
    });

    it("keeps Saturday's short hours, skips Sunday, and starts today for a day already past", async () => {
      const saturday = await callTool(input({ name: 'find_free_slots', arguments: { date: '2026-12-05', part_of_day: 'afternoon' } }));
      expect(starts(saturday)).toEqual(['2026-12-05T12:00', '2026-12-05T12:30', '2026-12-05T13:00', '2026-12-05T13:30', '2026-12-07T12:00', '2026-12-07T12:30']);
      const sunday = await callTool(input({ name: 'find_free_slots', arguments: { date: '2026-12-06' } }));
      expect(parsed(sunday).from).toBe('2026-12-06');
      expect(starts(sunday)[0]).toBe('2026-12-07T09:00');
      const past = await callTool(input({ name: 'find_free_slots', arguments: { date: '2026-11-01', part_of_day: 'morning' } }));
      expect(parsed(past).from).toBe('2026-11-30');
      expect(starts(past)).toEqual(['2026-11-30T09:00', '2026-11-30T09:30', '2026-11-30T10:00', '2026-11-30T10:30', '2026-11-30T11:00', '2026-11-30T11:30']);
    });

    it('leaves out taken slots and slots already passed today', async () => {
      await book(newChat(), '2026-11-30T09:00');
      await book(newChat(), '2026-11-30T10:00');
      const outcome = await callTool(input({ name: 'find_free_slots', arguments: {} }, { receivedAt: '2026-11-30T09:10:00Z' }));
      expect(parsed(outcome).from).toBe('2026-11-30');
      expect(starts(outcome)).toEqual(['2026-11-30T09:30', '2026-11-30T10:30', '2026-11-30T11:00', '2026-11-30T11:30', '2026-11-30T12:00', '2026-11-30T12:30']);
    });

    it('says so when no slot in that part of the day is free for 14 days', async () => {
      // Every weekday evening slot from Monday 30 November to Friday 11 December is taken.
      for (const day of ['11-30', '12-01', '12-02', '12-03', '12-04', '12-07', '12-08', '12-09', '12-10', '12-11']) {
        for (const time of ['17:00', '17:30']) await insert(newChat(), `2026-${day}T${time}:00Z`, 'booked');
      }
      const outcome = done(await callTool(input({ name: 'find_free_slots', arguments: { part_of_day: 'evening' } })));
      expect(parsed(outcome)).toEqual({ timezone: 'UTC', from: '2026-11-30', slots: [], note: 'no free evening slots in the 14 days from 2026-11-30' });
      expect(outcome.summary).toBe('find_free_slots: today evening → 0 free');
      expect(outcome.evidence).toEqual({});
      // The mornings are still free.
      expect(starts(await callTool(input({ name: 'find_free_slots', arguments: { part_of_day: 'morning' } })))[0]).toBe('2026-11-30T09:00');
    });

    it('refuses a date that is not a day, or a part of the day it does not know', async () => {
      const cases: Array<[unknown, RegExp]> = [
        [{ date: '2026-02-30' }, /^date: expected a real date \(YYYY-MM-DD\)$/],
        [{ date: '1/12/2026' }, /^date: expected YYYY-MM-DD$/],
        [{ part_of_day: 'night' }, /^part_of_day: /],
        [{ date: '2026-12-01', service: 'massage' }, /^service: unknown field$/],
      ];
      for (const [args, expected] of cases) {
        expect(await callTool(input({ name: 'find_free_slots', arguments: args }))).toMatchObject({ status: 'invalid', error: expect.stringMatching(expected) });
      }
    });
  });

  describe('book_slot on a time that is no slot', () => {
    const alternatives = (outcome: ToolCallOutcome) => parsed(outcome).free_slots.map((s: { start: string }) => s.start);

    it('offers free slots instead of a time outside opening hours, off the half hour, on a Sunday or already past', async () => {
      const chat = newChat();
      const evening = await callTool(input({ name: 'book_slot', arguments: { start: '2026-11-30T19:00' } }, { chatId: chat }));
      expect(evening).toMatchObject({
        status: 'failed',
        error: '2026-11-30 19:00 is not an appointment slot (outside opening hours, or not on a 30-minute boundary)',
        summary: 'book_slot: 2026-11-30 19:00 → failed: 2026-11-30 19:00 is not an appointment slot (outside opening hours, or not on a 30-minute boundary)',
      });
      expect(parsed(evening).free_slots).toEqual([
        { start: '2026-11-30T09:00', date: '2026-11-30', time: '09:00', label: 'Monday 30 November, 09:00' },
        { start: '2026-11-30T09:30', date: '2026-11-30', time: '09:30', label: 'Monday 30 November, 09:30' },
        { start: '2026-11-30T10:00', date: '2026-11-30', time: '10:00', label: 'Monday 30 November, 10:00' },
      ]);

      const quarter = await callTool(input({ name: 'book_slot', arguments: { start: '2026-12-01T10:15' } }, { chatId: chat }));
      expect(quarter).toMatchObject({ status: 'failed', error: '2026-12-01 10:15 is not an appointment slot (outside opening hours, or not on a 30-minute boundary)' });
      expect(alternatives(quarter)).toEqual(['2026-12-01T09:00', '2026-12-01T09:30', '2026-12-01T10:00']);

      const sunday = await callTool(input({ name: 'book_slot', arguments: { start: '2026-12-06T11:00' } }, { chatId: chat }));
      expect(alternatives(sunday)).toEqual(['2026-12-07T09:00', '2026-12-07T09:30', '2026-12-07T10:00']);
      const saturdayLate = await callTool(input({ name: 'book_slot', arguments: { start: '2026-12-05T14:00' } }, { chatId: chat }));
      expect(saturdayLate).toMatchObject({ status: 'failed', error: expect.stringMatching(/^2026-12-05 14:00 is not an appointment slot/) });

      const past = await callTool(input({ name: 'book_slot', arguments: { start: '2026-11-27T10:00' } }, { chatId: chat }));
      expect(past).toMatchObject({ status: 'failed', error: '2026-11-27 10:00 has already passed' });
      expect(alternatives(past)).toEqual(['2026-11-30T09:00', '2026-11-30T09:30', '2026-11-30T10:00']);

      expect(await appointments().countBy({ chatId: chat })).toBe(0);
    });

    it("books a service under the customer's profile name, and says so", async () => {
      const chat = newChat();
      await tools.database.db.getRepository(Customer).save({ chatId: chat, name: 'Ana Chan', email: null, phone: null, language: 'en', timezone: null, preferences: {}, optedOut: false, deletionRequestedAt: null });
      const outcome = done(await callTool(input({ name: 'book_slot', arguments: { start: '2026-12-01T10:00', service: 'physiotherapy' } }, { chatId: chat })));
      const { reference } = parsed(outcome).booked;
      expect(parsed(outcome)).toEqual({ booked: { reference, service: 'physiotherapy', date: '2026-12-01', time: '10:00', label: 'Tuesday 1 December, 10:00', status: 'booked' } });
      expect(outcome).toMatchObject({
        summary: `book_slot: 2026-12-01 10:00 physiotherapy → ${reference}`,
        confirmation: `You're booked for a physiotherapy session on Tuesday 1 December, 10:00. Booking reference ${reference}. Reply here if you need to change it.`,
        evidence: { bookings: [{ reference, date: '2026-12-01', time: '10:00', status: 'booked' }], references: [reference], dates: ['2026-12-01'], times: ['10:00'] },
      });
      expect(await appointments().findBy({ chatId: chat })).toEqual([expect.objectContaining({ customerName: 'Ana Chan', service: 'physiotherapy', status: 'booked', durationMinutes: 30 })]);
      expect(reference).toBe((await appointments().findOneByOrFail({ chatId: chat })).id.slice(0, 8).toUpperCase());
      expect(await callTool(input({ name: 'book_slot', arguments: { start: '2026-12-01T11:00', service: 'haircut' } }, { chatId: chat }))).toMatchObject({ status: 'invalid', error: expect.stringMatching(/^service: /) });
    });
  });
});
