import { DateTime } from 'luxon';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import {
  customerRepliedSignal,
  followUpRequestedSignal,
  followUpWorkflowId,
  getCampaignStateQuery,
  rescheduleCampaignUpdate,
  type FollowUpInput,
} from '../../src/contracts';
import { Conversation, Customer, OutboundMessage } from '../../src/persistence';
import type { followUpCampaign } from '../../src/workflows';
import { eventually } from '../helpers/api';
import { useTimeSkippingRig } from '../helpers/time-skipping';

const HOUR = 3600 * 1000;

/**
 * Follow-up campaigns in their less common paths, on the time-skipping test server: the
 * send finding a reply or an opt-out the campaign was never told of, a reply dated before
 * the campaign began, a new request without a reference, and an operator's reschedule
 * that is malformed or falls in the customer's quiet hours. Replies are recorded in the
 * outbound ledger (no provider configured).
 */
describe('follow-up campaigns: what the send finds, and operator input (time skipping)', () => {
  const rig = useTimeSkippingRig();
  const newChat = () => `3465${Math.floor(Math.random() * 9e7 + 1e7)}@c.us`;

  async function start(chatId: string, overrides: Partial<FollowUpInput> = {}) {
    const input: FollowUpInput = { chatId, purpose: 'quote', channel: 'whatsapp', reference: 'Q-1001', rules: { stepsHours: [24, 48], defaultTimezone: 'UTC' }, ...overrides };
    const handle = await rig.env.client.workflow.start<typeof followUpCampaign>('followUpCampaign', { workflowId: followUpWorkflowId(chatId, input.purpose), taskQueue: rig.worker.taskQueue, args: [input] });
    await eventually(() => handle.query(getCampaignStateQuery).catch(() => undefined), (s) => s?.nextFireAt !== undefined);
    return { handle, startedMs: await rig.env.currentTimeMs() };
  }
  const sentFor = (chatId: string) => rig.database.db.getRepository(OutboundMessage).find({ where: { chatId }, order: { createdAt: 'ASC' } });
  const customer = (chatId: string, fields: Partial<Customer>) =>
    rig.database.db.getRepository(Customer).insert({ chatId, optedOut: false, preferences: {}, timezone: null, language: null, name: null, email: null, phone: null, deletionRequestedAt: null, ...fields });

  it('calls the step off when the send finds a reply recorded after the campaign began, though the campaign was never told', async () => {
    const chatId = newChat();
    const { handle, startedMs } = await start(chatId);
    // Another process recorded the customer's message; its signal never reached the campaign.
    await rig.database.db.getRepository(Conversation).insert({ chatId, lastInboundAt: new Date(startedMs + 3 * HOUR), lastClarificationAt: null, lastClarificationWorkflowId: null });
    expect(await handle.result()).toMatchObject({ status: 'stopped', reason: 'customer_replied', sent: [] });
    expect(await sentFor(chatId)).toEqual([]);
  });

  it('cancels the campaign when the send finds the customer opted out after it began', async () => {
    const chatId = newChat();
    const { handle } = await start(chatId);
    await customer(chatId, { optedOut: true });
    expect(await handle.result()).toMatchObject({ status: 'cancelled', reason: 'opted_out', sent: [] });
    expect(await sentFor(chatId)).toEqual([]);
  });

  it('ignores a reply dated before the campaign began (the message that started it), and carries a new reference into the next step', async () => {
    const chatId = newChat();
    const { handle, startedMs } = await start(chatId);
    await handle.signal(customerRepliedSignal, { at: new Date(startedMs - 60_000).toISOString() });
    // A request without a reference keeps the one the campaign has; one with a reference replaces it.
    await handle.signal(followUpRequestedSignal, {});
    expect(await handle.query(getCampaignStateQuery)).toMatchObject({ status: 'active', reference: 'Q-1001' });
    await handle.signal(followUpRequestedSignal, { reference: 'Q-2002' });
    expect(await handle.query(getCampaignStateQuery)).toMatchObject({ status: 'active', reference: 'Q-2002' });

    const state = await handle.result();
    expect(state).toMatchObject({ status: 'completed', reference: 'Q-2002' });
    expect(state.sent.map((s) => s.step)).toEqual([1, 2]);
    const bodies = (await sentFor(chatId)).map((r) => r.body);
    expect(bodies).toEqual([expect.stringContaining('quote Q-2002'), expect.stringContaining('quote Q-2002')]);
  });

  it("refuses a reschedule to a time that is not a date, and moves one that falls in the customer's quiet hours to when they end", async () => {
    const chatId = newChat();
    await customer(chatId, { timezone: 'Europe/Madrid' });
    const { handle } = await start(chatId, { rules: { stepsHours: [24], quietHours: { start: '21:00', end: '09:00' }, defaultTimezone: 'UTC' } });

    const malformed = handle.executeUpdate(rescheduleCampaignUpdate, { args: [{ at: 'next tuesday-ish', by: 'maria' }] });
    await expect(malformed).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
    await expect(malformed).rejects.toMatchObject({ cause: { type: 'ValidationError', message: 'at: must be an ISO-8601 date-time' } });

    const now = DateTime.fromMillis(await rig.env.currentTimeMs(), { zone: 'Europe/Madrid' });
    const lateEvening = now.plus({ days: 2 }).set({ hour: 23, minute: 30, second: 0, millisecond: 0 });
    await handle.executeUpdate(rescheduleCampaignUpdate, { args: [{ at: lateEvening.toUTC().toISO()!, by: 'maria' }] });
    const nextMorning = lateEvening.plus({ days: 1 }).set({ hour: 9, minute: 0 });
    const moved = await eventually(() => handle.query(getCampaignStateQuery), (s) => s.nextFireAt === nextMorning.toUTC().toISO());
    expect(moved.nextFireAt).toBe(nextMorning.toUTC().toISO());

    const state = await handle.result();
    expect(state.status).toBe('completed');
    expect(DateTime.fromISO(state.sent[0].at, { zone: 'Europe/Madrid' }).toFormat('yyyy-MM-dd HH:mm')).toBe(nextMorning.toFormat('yyyy-MM-dd HH:mm'));
  });
});
