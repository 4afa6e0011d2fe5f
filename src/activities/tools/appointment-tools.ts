import { DateTime } from 'luxon';
import { z } from 'zod';
import { formatSlot, isBookableSlot } from '../../domain/business-calendar';
import { Appointment } from '../../persistence/entities/appointment.entity';
import { stableUuid } from '../../persistence/stable-id';
import {
  DEFAULT_SERVICE,
  SEARCH_DAYS,
  SERVICES,
  bookedText,
  bookingReference as referenceOf,
  cancelBooking,
  cancelledText,
  freeSlots,
  insertBooking,
  localStart,
  moveBooking,
  upcomingBookings,
} from '../operations/appointments';
import { readProfile } from '../operations/profiles';
import { bookingReference, localDate, localDateTime, noArguments } from './schemas';
import { defineTool, distinct, done, evidence, failed, type ToolContext, type ToolResult } from './tool';

/**
 * The appointment agent's tools: free slots, booking, the chat's bookings, moving and
 * cancelling one. Times are local to the business (`BUSINESS_TIMEZONE`), written
 * `YYYY-MM-DDTHH:MM`; the chat can only see and change its own bookings.
 */

const LISTED_SLOTS = 6;
const ALTERNATIVES = 3;

const DAY_PARTS = ['morning', 'afternoon', 'evening'] as const;

function slotView(slot: DateTime, language: string) {
  return { start: slot.toFormat("yyyy-MM-dd'T'HH:mm"), date: slot.toISODate()!, time: slot.toFormat('HH:mm'), label: formatSlot(slot, language) };
}

function bookingView(appointment: Appointment, ctx: ToolContext) {
  const start = localStart(appointment, ctx.deps.business.timezone);
  return { reference: referenceOf(appointment), service: appointment.service, date: start.toISODate()!, time: start.toFormat('HH:mm'), label: formatSlot(start, ctx.language) };
}

/** Free slots to suggest instead, from `from`'s day on. */
async function alternatives(ctx: ToolContext, from: DateTime) {
  const today = ctx.now.startOf('day');
  const slots = await freeSlots(ctx.db, ctx.deps.business.openingHours, { from: from < today ? today : from.startOf('day'), now: ctx.now, count: ALTERNATIVES });
  return slots.map((s) => slotView(s, ctx.language));
}

/** Why `start` cannot be booked, with other slots; undefined when it is a bookable slot still ahead. */
async function unbookable(ctx: ToolContext, start: DateTime): Promise<ToolResult | undefined> {
  if (start <= ctx.now) return failed(`${start.toFormat('yyyy-MM-dd HH:mm')} has already passed`, { free_slots: await alternatives(ctx, ctx.now) });
  if (!isBookableSlot(start, ctx.deps.business.openingHours)) {
    return failed(`${start.toFormat('yyyy-MM-dd HH:mm')} is not an appointment slot (outside opening hours, or not on a ${ctx.deps.business.openingHours.slotMinutes}-minute boundary)`, {
      free_slots: await alternatives(ctx, start),
    });
  }
  return undefined;
}

/**
 * The booking a call is about: the one with the reference given, or the chat's only upcoming
 * one. Another chat's reference is "not found", as if it did not exist.
 */
async function targetBooking(ctx: ToolContext, reference: string | undefined): Promise<Appointment | ToolResult> {
  const upcoming = await upcomingBookings(ctx.db, ctx.chatId, ctx.now, 20);
  if (reference) {
    const found = upcoming.find((a) => referenceOf(a) === reference.toUpperCase());
    return found ?? failed(`no upcoming booking with reference ${reference.toUpperCase()} for this chat`, { bookings: upcoming.map((a) => bookingView(a, ctx)) });
  }
  if (upcoming.length === 0) return failed('this chat has no upcoming booking', { hint: 'offer to book one (find_free_slots, book_slot)' });
  if (upcoming.length > 1) return failed('this chat has several upcoming bookings: give the reference of the one meant', { bookings: upcoming.map((a) => bookingView(a, ctx)) });
  return upcoming[0];
}

function isResult(value: Appointment | ToolResult): value is ToolResult {
  return 'status' in value && (value.status === 'done' || value.status === 'failed') && 'content' in value;
}

const findFreeSlots = defineTool({
  name: 'find_free_slots',
  description:
    'Lists free appointment slots (30 minutes each), earliest first, from a day on (today when no date is given), searching up to 14 days ahead. Times are local to the business. Call it before offering or booking a time.',
  schema: z.strictObject({
    date: localDate.optional().describe('The first day to look at, YYYY-MM-DD (the business calendar). Omit for today.'),
    part_of_day: z.enum(DAY_PARTS).optional().describe('Only slots in this part of the day: morning (before 12:00), afternoon (from 12:00), evening (from 17:00).'),
  }),
  effect: false,
  describe: (a) => [a.date ?? 'today', a.part_of_day].filter(Boolean).join(' '),
  async run(args, ctx) {
    const tz = ctx.deps.business.timezone;
    const today = ctx.now.startOf('day');
    const asked = args.date ? DateTime.fromISO(args.date, { zone: tz }) : today;
    const from = asked < today ? today : asked;
    const slots = await freeSlots(ctx.db, ctx.deps.business.openingHours, { from, now: ctx.now, count: LISTED_SLOTS, part: args.part_of_day });
    const views = slots.map((s) => slotView(s, ctx.language));
    return done(
      {
        timezone: tz,
        from: from.toISODate(),
        slots: views,
        ...(views.length === 0 ? { note: `no free ${args.part_of_day ?? ''} slots in the ${SEARCH_DAYS} days from ${from.toISODate()}`.replace('  ', ' ') } : {}),
      },
      { effect: false, evidence: evidence({ dates: distinct(views.map((v) => v.date)), times: distinct(views.map((v) => v.time)) }), detail: `${views.length} free` },
    );
  },
});

const bookSlot = defineTool({
  name: 'book_slot',
  description:
    "Books a free slot for this chat's customer. `start` must be a slot find_free_slots listed (local time, YYYY-MM-DDTHH:MM). Returns the booking reference; a slot taken meanwhile fails with other free slots.",
  schema: z.strictObject({
    start: localDateTime.describe('Start of the slot, local time YYYY-MM-DDTHH:MM (e.g. 2026-12-01T10:00)'),
    service: z.enum(SERVICES).optional().describe('The service booked; consultation when not said'),
  }),
  effect: true,
  describe: (a) => `${a.start.replace('T', ' ')}${a.service && a.service !== DEFAULT_SERVICE ? ` ${a.service}` : ''}`,
  async run(args, ctx) {
    const { timezone, openingHours } = ctx.deps.business;
    const start = DateTime.fromISO(args.start, { zone: timezone });
    const refused = await unbookable(ctx, start);
    if (refused) return refused;
    const profile = await readProfile(ctx.db, ctx.chatId);
    const appointment = ctx.db.getRepository(Appointment).create({
      id: stableUuid('appointment', ctx.key),
      chatId: ctx.chatId,
      customerName: profile?.name ?? null,
      service: args.service ?? DEFAULT_SERVICE,
      startsAt: start.toJSDate(),
      durationMinutes: openingHours.slotMinutes,
      status: 'booked',
      workflowId: ctx.workflowId,
    });
    if (!(await insertBooking(ctx.db, appointment))) {
      return failed(`${args.start.replace('T', ' ')} is already taken`, { free_slots: await alternatives(ctx, start) });
    }
    const view = bookingView(appointment, ctx);
    return done(
      { booked: { ...view, status: 'booked' } },
      {
        effect: true,
        evidence: evidence({ bookings: [{ reference: view.reference, date: view.date, time: view.time, status: 'booked' }], references: [view.reference], dates: [view.date], times: [view.time] }),
        facts: { action: 'booked', appointmentId: appointment.id, startsAt: start.toUTC().toISO() },
        confirmation: bookedText(ctx.language, appointment, 'booked', timezone),
        detail: view.reference,
      },
    );
  },
});

const getMyBooking = defineTool({
  name: 'get_my_booking',
  description: "The chat's upcoming appointments (reference, service, local date and time), earliest first; empty when there is none.",
  schema: noArguments,
  effect: false,
  describe: () => 'upcoming',
  async run(_args, ctx) {
    const upcoming = (await upcomingBookings(ctx.db, ctx.chatId, ctx.now, 5)).map((a) => bookingView(a, ctx));
    return done(
      { bookings: upcoming, ...(upcoming.length === 0 ? { note: 'no upcoming appointment for this chat' } : {}) },
      {
        effect: false,
        evidence: evidence({
          bookings: upcoming.map((b) => ({ reference: b.reference, date: b.date, time: b.time, status: 'booked' as const })),
          references: upcoming.map((b) => b.reference),
          dates: distinct(upcoming.map((b) => b.date)),
          times: distinct(upcoming.map((b) => b.time)),
        }),
        detail: `${upcoming.length} upcoming`,
      },
    );
  },
});

const moveBookingTool = defineTool({
  name: 'move_booking',
  description:
    "Moves the chat's upcoming appointment to another free slot (local time, YYYY-MM-DDTHH:MM, as find_free_slots lists them). Give the reference when the chat has more than one booking.",
  schema: z.strictObject({
    start: localDateTime.describe('The new start, local time YYYY-MM-DDTHH:MM'),
    reference: bookingReference.optional(),
  }),
  effect: true,
  describe: (a) => `${a.reference ? `${a.reference.toUpperCase()} → ` : ''}${a.start.replace('T', ' ')}`,
  async run(args, ctx) {
    const { timezone } = ctx.deps.business;
    const target = await targetBooking(ctx, args.reference);
    if (isResult(target)) return target;
    const start = DateTime.fromISO(args.start, { zone: timezone });
    const before = bookingView(target, ctx);
    if (start.toMillis() === localStart(target, timezone).toMillis()) return failed(`booking ${before.reference} is already at ${args.start.replace('T', ' ')}`);
    const refused = await unbookable(ctx, start);
    if (refused) return refused;
    if (!(await moveBooking(ctx.db, target.id, start, ctx.workflowId))) {
      return failed(`${args.start.replace('T', ' ')} is already taken`, { free_slots: await alternatives(ctx, start) });
    }
    const moved = { ...target, startsAt: start.toJSDate() };
    const after = bookingView(moved, ctx);
    return done(
      { moved: { reference: after.reference, service: after.service, from: { date: before.date, time: before.time }, to: { date: after.date, time: after.time, label: after.label }, status: 'moved' } },
      {
        effect: true,
        evidence: evidence({
          bookings: [{ reference: after.reference, date: after.date, time: after.time, status: 'moved' }],
          references: [after.reference],
          dates: distinct([after.date, before.date]),
          times: distinct([after.time, before.time]),
        }),
        facts: { action: 'moved', appointmentId: target.id, startsAt: start.toUTC().toISO(), previousStartsAt: new Date(target.startsAt).toISOString() },
        confirmation: bookedText(ctx.language, moved, 'moved', timezone),
        detail: after.reference,
      },
    );
  },
});

const cancelBookingTool = defineTool({
  name: 'cancel_booking',
  description: "Cancels the chat's upcoming appointment; the slot becomes free. Give the reference when the chat has more than one booking.",
  schema: z.strictObject({ reference: bookingReference.optional() }),
  effect: true,
  describe: (a) => a.reference?.toUpperCase() ?? 'upcoming',
  async run(args, ctx) {
    const { timezone } = ctx.deps.business;
    const target = await targetBooking(ctx, args.reference);
    if (isResult(target)) return target;
    await cancelBooking(ctx.db, target.id, ctx.workflowId);
    const view = bookingView(target, ctx);
    return done(
      { cancelled: { reference: view.reference, service: view.service, date: view.date, time: view.time, status: 'cancelled' } },
      {
        effect: true,
        evidence: evidence({ bookings: [{ reference: view.reference, date: view.date, time: view.time, status: 'cancelled' }], references: [view.reference], dates: [view.date], times: [view.time] }),
        facts: { action: 'cancelled', appointmentId: target.id },
        confirmation: cancelledText(ctx.language, target, timezone),
        detail: view.reference,
      },
    );
  },
});

export const APPOINTMENT_TOOLS = [findFreeSlots, bookSlot, getMyBooking, moveBookingTool, cancelBookingTool];
