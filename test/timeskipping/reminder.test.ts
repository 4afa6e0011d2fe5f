import { randomUUID } from 'node:crypto';
import { messageWorkflowId, reminderWorkflowId, type HandleMessageInput, type SendReminderInput } from '../../src/contracts';
import { OutboundMessage, Reminder } from '../../src/persistence';
import type { handleMessage, sendReminder } from '../../src/workflows';
import { useTimeSkippingRig } from '../helpers/time-skipping';

const HOUR = 60 * 60 * 1000;

describe('reminders with their real durations, on the time-skipping test server', () => {
  const rig = useTimeSkippingRig();


  const reminders = () => rig.database.db.getRepository(Reminder);
  const ledger = () => rig.database.db.getRepository(OutboundMessage);

  /** A scheduled reminder row due `dueInMs` from the test server's clock, and its workflow's input. */
  async function scheduleReminder(dueInMs: number, text: string): Promise<SendReminderInput> {
    const remindAt = new Date((await rig.env.currentTimeMs()) + dueInMs);
    const id = randomUUID();
    const chatId = `${id.slice(0, 8)}@c.us`;
    await reminders().insert({ id, chatId, channel: 'whatsapp', text, remindAt, status: 'scheduled', workflowId: `test:${id}` });
    return { reminderId: id, chatId, channel: 'whatsapp', remindAt: remindAt.toISOString(), language: 'en' };
  }

  function startReminder(input: SendReminderInput) {
    return rig.env.client.workflow.start<typeof sendReminder>('sendReminder', {
      workflowId: reminderWorkflowId(input.reminderId),
      taskQueue: rig.worker.taskQueue,
      args: [input],
    });
  }

  it('sends a reminder due in 72 hours once, after 72 hours, and marks it sent', async () => {
    const input = await scheduleReminder(72 * HOUR, 'renew the passport');
    const before = await rig.env.currentTimeMs();

    const handle = await startReminder(input);
    expect(await handle.result()).toEqual({ sent: true });

    expect(await rig.env.currentTimeMs()).toBeGreaterThanOrEqual(before + 72 * HOUR);
    const sent = await ledger().findBy({ idempotencyKey: `reminder:${input.reminderId}` });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ body: 'Reminder: renew the passport', chatId: input.chatId, status: 'recorded' });
    expect(await reminders().findOneBy({ id: input.reminderId })).toMatchObject({ status: 'sent' });
  });

  it('sends nothing for a reminder cancelled before it is due', async () => {
    const input = await scheduleReminder(48 * HOUR, 'pick up the glasses');
    const handle = await startReminder(input);
    await rig.env.sleep('6 hours');
    await reminders().update({ id: input.reminderId }, { status: 'cancelled' });

    expect(await handle.result()).toEqual({ sent: false });
    expect(await ledger().countBy({ chatId: input.chatId })).toBe(0);
    expect(await reminders().findOneBy({ id: input.reminderId })).toMatchObject({ status: 'cancelled' });
  });

  it('is still waiting, with nothing sent, halfway to a reminder due in 24 hours', async () => {
    const input = await scheduleReminder(24 * HOUR, 'call the clinic');
    const before = await rig.env.currentTimeMs();
    const handle = await startReminder(input);

    await rig.env.sleep('12 hours');
    expect(await rig.env.currentTimeMs()).toBeGreaterThanOrEqual(before + 12 * HOUR);
    expect((await handle.describe()).status.name).toBe('RUNNING');
    expect(await ledger().countBy({ chatId: input.chatId })).toBe(0);
    expect(await reminders().findOneBy({ id: input.reminderId })).toMatchObject({ status: 'scheduled' });

    // The other half elapses and it fires.
    expect(await handle.result()).toEqual({ sent: true });
    expect(await rig.env.currentTimeMs()).toBeGreaterThanOrEqual(before + 24 * HOUR);
    expect((await ledger().findBy({ chatId: input.chatId })).map((m) => m.body)).toEqual(['Reminder: call the clinic']);
  });

  it('fires a reminder asked for in a message 3 days later (the message upserts its search attributes)', async () => {
    const message: HandleMessageInput = {
      chatId: `${randomUUID().slice(0, 8)}@c.us`,
      messageId: randomUUID(),
      channel: 'whatsapp',
      body: 'Remind me in 3 days to renew my passport',
    };
    const before = await rig.env.currentTimeMs();
    const result = await rig.env.client.workflow.execute<typeof handleMessage>('handleMessage', {
      workflowId: messageWorkflowId(message.channel, message.messageId),
      taskQueue: rig.worker.taskQueue,
      args: [message],
    });
    expect(result.route!.agent).toBe('reminder');
    const { reminderId } = result.outcomes![0].facts as { reminderId: string };

    const reminder = rig.env.client.workflow.getHandle<typeof sendReminder>(reminderWorkflowId(reminderId));
    expect(await reminder.result()).toEqual({ sent: true });
    expect(await rig.env.currentTimeMs()).toBeGreaterThanOrEqual(before + 72 * HOUR);
    const sent = await ledger().findBy({ idempotencyKey: `reminder:${reminderId}` });
    expect(sent.map((m) => m.body)).toEqual(['Reminder: renew my passport']);
  });
});
