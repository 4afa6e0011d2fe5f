import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import {
  cancelCampaignUpdate,
  customerRepliedSignal,
  followUpWorkflowId,
  getCampaignStateQuery,
  reminderWorkflowId,
  rescheduleCampaignUpdate,
  type FollowUpInput,
  type SendReminderInput,
} from '../../src/contracts';
import { Customer, OutboundMessage, Reminder } from '../../src/persistence';
import type { followUpCampaign, segmentCampaign, sendReminder } from '../../src/workflows';
import { eventually } from '../helpers/api';
import { openTestDatabase, type TestDatabase } from '../helpers/database';
import { connectTemporal, startTestWorker, uniqueTaskQueue, type RunningWorker, type TemporalTestContext } from '../helpers/temporal';

/**
 * Campaigns and reminders in their less common paths, on the dev server with the project's
 * worker: an operator's change arriving with the customer's reply, a segment campaign for
 * a purpose of the schedule's own, and reminders due already, gone, or in Spanish. Replies
 * are recorded in the outbound ledger (no provider configured).
 */
describe('campaigns and reminders on the dev server', () => {
  let ctx: TemporalTestContext;
  let database: TestDatabase;
  let worker: RunningWorker;
  const taskQueue = uniqueTaskQueue('wf-campaigns-reminders');
  const started: string[] = [];

  beforeAll(async () => {
    ctx = await connectTemporal();
    database = await openTestDatabase();
    worker = await startTestWorker(ctx, taskQueue, database.db);
  });
  afterAll(async () => {
    // Campaigns wait for days: end the ones this file started.
    for (const id of started) await ctx?.client.workflow.getHandle(id).terminate('test over').catch(() => undefined);
    await worker?.stop();
    await database?.close();
    await ctx?.close();
  });

  const ledger = () => database.db.getRepository(OutboundMessage);
  const customer = (chatId: string, fields: Partial<Customer> = {}) =>
    database.db.getRepository(Customer).insert({ chatId, optedOut: false, preferences: {}, timezone: null, language: null, name: null, email: null, phone: null, deletionRequestedAt: null, ...fields });

  it("refuses an operator's cancel and reschedule that arrive in the same instant as the customer's reply: the reply wins", async () => {
    const chatId = `race-${randomUUID().slice(0, 8)}@c.us`;
    const input: FollowUpInput = { chatId, purpose: 'quote', channel: 'whatsapp', reference: 'Q-77', rules: { stepsHours: [24], defaultTimezone: 'UTC' } };
    const handle = await ctx.client.workflow.start<typeof followUpCampaign>('followUpCampaign', { workflowId: followUpWorkflowId(chatId, 'quote'), taskQueue, args: [input] });
    started.push(handle.workflowId);
    await eventually(() => handle.query(getCampaignStateQuery).catch(() => undefined), (s) => s?.nextFireAt !== undefined);

    // No worker for a moment: the reply and the operator's two changes wait for the same workflow task.
    await worker.stop();
    await handle.signal(customerRepliedSignal, { at: new Date().toISOString() });
    const settle = <T>(p: Promise<T>) => p.then((value) => ({ value, error: undefined }), (error: unknown) => ({ value: undefined, error }));
    const cancel = settle(handle.executeUpdate(cancelCampaignUpdate, { args: [{ by: 'maria' }] }));
    const reschedule = settle(handle.executeUpdate(rescheduleCampaignUpdate, { args: [{ at: new Date(Date.now() + 3600e3).toISOString(), by: 'maria' }] }));
    await new Promise((resolve) => setTimeout(resolve, 500));
    worker = await startTestWorker(ctx, taskQueue, database.db);

    const [cancelled, rescheduled] = await Promise.all([cancel, reschedule]);
    expect(cancelled.error).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(cancelled.error).toMatchObject({ cause: { type: 'CampaignStateConflict', message: 'the campaign has already ended' } });
    expect(rescheduled.error).toMatchObject({ cause: { type: 'CampaignStateConflict', message: 'the campaign is stopped' } });
    expect(await handle.result()).toMatchObject({ status: 'stopped', reason: 'customer_replied', sent: [] });
  });

  it("starts one campaign per customer of the segment who has not opted out, under the schedule's own purpose as reference", async () => {
    const tag = randomUUID().slice(0, 6);
    const spanish = [`3466${tag}01@c.us`, `3466${tag}02@c.us`];
    await customer(spanish[0], { language: 'es' });
    await customer(spanish[1], { language: 'es' });
    await customer(`3466${tag}03@c.us`, { language: 'es', optedOut: true });
    await customer(`3466${tag}04@c.us`, { language: 'en' });

    const result = await ctx.client.workflow.execute<typeof segmentCampaign>('segmentCampaign', {
      workflowId: `segment-${tag}`,
      taskQueue,
      args: [{ purpose: 'rebajas-de-primavera', segment: { language: 'es' } }],
    });
    expect(result).toEqual({ started: 2 });
    for (const chatId of spanish) {
      const id = followUpWorkflowId(chatId, 'campaign');
      started.push(id);
      const state = await eventually(() => ctx.client.workflow.getHandle(id).query(getCampaignStateQuery).catch(() => undefined), (s) => s?.nextFireAt !== undefined);
      expect(state).toMatchObject({ chatId, purpose: 'campaign', reference: 'rebajas-de-primavera', status: 'active' });
    }

    // A known purpose is kept, and the limit bounds how many customers get one.
    const cart = await ctx.client.workflow.execute<typeof segmentCampaign>('segmentCampaign', { workflowId: `segment-cart-${tag}`, taskQueue, args: [{ purpose: 'cart', segment: {}, limit: 1 }] });
    expect(cart).toEqual({ started: 1 });
    const [first] = await database.db.getRepository(Customer).find({ where: { optedOut: false }, order: { chatId: 'ASC' }, take: 1 });
    const cartId = followUpWorkflowId(first.chatId, 'cart');
    started.push(cartId);
    expect(await eventually(() => ctx.client.workflow.getHandle(cartId).query(getCampaignStateQuery).catch(() => undefined), (s) => s !== undefined)).toMatchObject({ purpose: 'cart', reference: 'cart' });
  });

  describe('reminders', () => {
    async function reminder(text: string, fields: { dueInMs?: number; language?: string; stored?: boolean } = {}) {
      const id = randomUUID();
      const chatId = `3467${id.slice(0, 8)}@c.us`;
      const remindAt = new Date(Date.now() + (fields.dueInMs ?? -60_000));
      if (fields.stored !== false) await database.db.getRepository(Reminder).insert({ id, chatId, channel: 'whatsapp', text, remindAt, status: 'scheduled', workflowId: `test:${id}` });
      const input: SendReminderInput = { reminderId: id, chatId, channel: 'whatsapp', remindAt: remindAt.toISOString(), language: fields.language ?? 'en' };
      return { input, run: () => ctx.client.workflow.execute<typeof sendReminder>('sendReminder', { workflowId: reminderWorkflowId(id), taskQueue, args: [input] }) };
    }

    it('sends a reminder whose time has already passed at once, and marks it sent', async () => {
      const { input, run } = await reminder('bring your receipt');
      expect(await run()).toEqual({ sent: true });
      const rows = await ledger().findBy({ chatId: input.chatId });
      expect(rows.map((r) => r.body)).toEqual(['Reminder: bring your receipt']);
      expect(await database.db.getRepository(Reminder).findOneByOrFail({ id: input.reminderId })).toMatchObject({ status: 'sent' });
    });

    it('reminds in Spanish when the customer wrote in Spanish', async () => {
      const { input, run } = await reminder('traer el recibo', { language: 'es' });
      expect(await run()).toEqual({ sent: true });
      expect((await ledger().findBy({ chatId: input.chatId })).map((r) => r.body)).toEqual(['Recordatorio: traer el recibo']);
    });

    it('sends nothing for a reminder that no longer exists (deleted with the customer’s data)', async () => {
      const { input, run } = await reminder('never stored', { stored: false });
      expect(await run()).toEqual({ sent: false });
      expect(await ledger().countBy({ chatId: input.chatId })).toBe(0);
    });
  });
});
