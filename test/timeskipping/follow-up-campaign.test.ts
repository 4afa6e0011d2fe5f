import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { customerRepliedSignal, followUpWorkflowId, getCampaignStateQuery, pauseCampaignUpdate, resumeCampaignUpdate, type FollowUpInput } from '../../src/contracts';
import { Conversation, Customer } from '../../src/persistence';
import type { followUpCampaign } from '../../src/workflows';
import { GraphApiServer } from '../helpers/channel-servers/graph-api-server';
import { useTimeSkippingRig } from '../helpers/time-skipping';

const HOUR = 3600 * 1000;

describe('follow-up campaigns with their real 24/48/72-hour durations (time skipping)', () => {
  const graph = new GraphApiServer();
  // Started before the rig's worker, which is configured with its URL.
  beforeAll(async () => {
    await graph.start();
  });
  afterAll(async () => {
    await graph.stop();
  });
  const rig = useTimeSkippingRig({ workerEnv: () => graph.whatsappEnv() });

  async function start(overrides: Partial<FollowUpInput> = {}, lastInboundAt?: Date) {
    const chatId = `852${Math.floor(Math.random() * 9e7 + 1e7)}@c.us`;
    // The customer wrote just before the quote: the 24-hour window starts there.
    await rig.database.db.getRepository(Conversation).insert({ chatId, lastInboundAt: lastInboundAt ?? new Date(await rig.env.currentTimeMs()), lastClarificationAt: null, lastClarificationWorkflowId: null });
    const input: FollowUpInput = { chatId, purpose: 'quote', channel: 'whatsapp', reference: 'Q-1234', rules: { stepsHours: [24, 48, 72], defaultTimezone: 'UTC' }, ...overrides, ...(overrides.chatId ? {} : { chatId }) };
    const handle = await rig.env.client.workflow.start<typeof followUpCampaign>('followUpCampaign', {
      workflowId: followUpWorkflowId(input.chatId, input.purpose),
      taskQueue: rig.worker.taskQueue,
      args: [input],
    });
    return { handle, chatId: input.chatId, startedMs: await rig.env.currentTimeMs() };
  }

  const hoursAfter = (startedMs: number, iso: string) => (new Date(iso).getTime() - startedMs) / HOUR;
  const sentTo = (chatId: string) => graph.sentMessages.filter((m) => `${m.to}@c.us` === chatId);

  it('sends three follow-ups at 24, 48 and 72 hours when the customer never replies', async () => {
    const { handle, chatId, startedMs } = await start();
    const state = await handle.result();
    expect(state.status).toBe('completed');
    expect(state.sent.map((s) => Math.round(hoursAfter(startedMs, s.at)))).toEqual([24, 48, 72]);
    expect(sentTo(chatId)).toHaveLength(3);
    expect((await rig.env.currentTimeMs()) - startedMs).toBeGreaterThanOrEqual(72 * HOUR);
  });

  it('sends nothing when the customer replies at 23h59m', async () => {
    const { handle, chatId } = await start();
    await rig.env.sleep(23 * HOUR + 59 * 60 * 1000);
    await handle.signal(customerRepliedSignal, { at: new Date(await rig.env.currentTimeMs()).toISOString() });
    const state = await handle.result();
    expect(state).toMatchObject({ status: 'stopped', reason: 'customer_replied', sent: [] });
    expect(sentTo(chatId)).toHaveLength(0);
  });

  it('stops after the first step when the customer replies after it', async () => {
    const { handle, chatId } = await start();
    await rig.env.sleep(25 * HOUR);
    await handle.signal(customerRepliedSignal, { at: new Date(await rig.env.currentTimeMs()).toISOString() });
    const state = await handle.result();
    expect(state.status).toBe('stopped');
    expect(state.sent).toHaveLength(1);
    expect(sentTo(chatId)).toHaveLength(1);
  });

  it('holds every step while paused and resumes where it left off', async () => {
    const { handle, chatId, startedMs } = await start();
    await rig.env.sleep(12 * HOUR);
    expect(await handle.executeUpdate(pauseCampaignUpdate, { args: [{ by: 'ops' }] })).toMatchObject({ status: 'paused' });
    await rig.env.sleep(40 * HOUR); // past the 24 h and 48 h due times
    const paused = await handle.query(getCampaignStateQuery);
    expect(paused).toMatchObject({ status: 'paused', sent: [] });
    expect(paused.nextFireAt).toBeUndefined();
    await handle.executeUpdate(resumeCampaignUpdate, { args: [{ by: 'ops' }] });
    const state = await handle.result();
    expect(state.status).toBe('completed');
    const hours = state.sent.map((s) => hoursAfter(startedMs, s.at));
    expect(hours[0]).toBeGreaterThanOrEqual(52); // nothing went out while paused
    // Steps 1 and 2 were both overdue at the resume: only the later one goes out, then step 3 on time.
    expect(state.sent.map((s) => s.step)).toEqual([2, 3]);
    expect(Math.round(hours[1])).toBe(72);
    expect(sentTo(chatId)).toHaveLength(2);
  });

  it("moves a step due in the customer's quiet hours to when they end", async () => {
    const chatId = `852${Math.floor(Math.random() * 9e7 + 1e7)}@c.us`;
    await rig.database.db.getRepository(Customer).insert({ chatId, timezone: 'Asia/Hong_Kong', language: 'en', preferences: {}, optedOut: false, name: null, email: null, phone: null, deletionRequestedAt: null });
    const now = DateTime.fromMillis(await rig.env.currentTimeMs(), { zone: 'Asia/Hong_Kong' });
    let target = now.set({ hour: 23, minute: 0, second: 0, millisecond: 0 });
    if (target.diff(now, 'hours').hours < 2) target = target.plus({ days: 1 });
    const stepHours = target.diff(now, 'hours').hours;
    const { handle } = await start({ chatId, rules: { stepsHours: [stepHours], quietHours: { start: '21:00', end: '09:00' }, defaultTimezone: 'UTC' } });
    const state = await handle.result();
    const sentAt = DateTime.fromISO(state.sent[0].at, { zone: 'Asia/Hong_Kong' });
    expect(sentAt.toFormat('HH:mm')).toBe('09:00');
    expect(sentAt.toISODate()).toBe(target.plus({ days: 1 }).toISODate());
  });

  it("switches to the approved template once WhatsApp's 24-hour window has closed", async () => {
    const { handle, chatId } = await start({ rules: { stepsHours: [23, 25], defaultTimezone: 'UTC' } });
    const state = await handle.result();
    expect(state.sent.map((s) => s.template)).toEqual([false, true]);
    const [first, second] = sentTo(chatId);
    expect(first).toMatchObject({ type: 'text' });
    expect(second).toMatchObject({ type: 'template', template: { name: 'switchboard_follow_up' } });
    expect(second.template.components[0].parameters[0].text).toMatch(/Q-1234/);
  });

  it('a customer who opted out gets nothing', async () => {
    const chatId = `optout-${randomUUID().slice(0, 6)}@c.us`;
    await rig.database.db.getRepository(Customer).insert({ chatId, optedOut: true, preferences: {}, timezone: null, language: null, name: null, email: null, phone: null, deletionRequestedAt: null });
    const { handle } = await start({ chatId });
    expect(await handle.result()).toMatchObject({ status: 'cancelled', reason: 'opted_out', sent: [] });
  });

  it("defers a step over the customer's daily cap across campaigns", async () => {
    const first = await start({ purpose: 'quote', rules: { stepsHours: [24], defaultTimezone: 'UTC' } });
    const chatId = first.chatId;
    const later = (purpose: 'cart' | 'campaign', hours: number) =>
      rig.env.client.workflow.start<typeof followUpCampaign>('followUpCampaign', {
        workflowId: followUpWorkflowId(chatId, purpose),
        taskQueue: rig.worker.taskQueue,
        args: [{ chatId, purpose, channel: 'whatsapp', rules: { stepsHours: [hours], defaultTimezone: 'UTC' } }],
      });
    const second = await later('cart', 24.1);
    const third = await later('campaign', 24.2);
    // One result at a time: the test server skips time while a result is awaited.
    const a = await first.handle.result();
    const b = await second.result();
    const c = await third.result();
    const at = (s: typeof a) => hoursAfter(first.startedMs, s.sent[0].at);
    expect(at(a)).toBeCloseTo(24, 1);
    expect(at(b)).toBeCloseTo(24.1, 1);
    // The default cap is two follow-ups per 24 hours: the third waits a day after the first.
    expect(at(c)).toBeGreaterThanOrEqual(48);
    expect(sentTo(chatId)).toHaveLength(3);
  });
});
