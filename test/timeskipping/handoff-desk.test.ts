import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { closeHandoffUpdate, getStatusQuery, handoffReplyUpdate, messageWorkflowId, type HandleMessageInput } from '../../src/contracts';
import { Handoff, OutboundMessage } from '../../src/persistence';
import type { handleMessage } from '../../src/workflows';
import { eventually } from '../helpers/api';
import { useTimeSkippingRig } from '../helpers/time-skipping';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * A chat handed to a person, with the handoff's real timings on the time-skipping test
 * server: nobody answering before the deadline, a person who answers several times while
 * the customer keeps writing and then falls silent, and the refusals a person's tools get.
 */
describe('the handoff desk with its deadlines (time skipping)', () => {
  const rig = useTimeSkippingRig();
  const newChat = () => `3461${Math.floor(Math.random() * 9e7 + 1e7)}@c.us`;

  async function start(chatId: string, body: string, overrides: Partial<HandleMessageInput> = {}) {
    const input: HandleMessageInput = { chatId, messageId: randomUUID(), channel: 'whatsapp', body, handoffTimeoutSeconds: 4 * 3600, handoffQuietSeconds: 1800, ...overrides };
    return rig.env.client.workflow.start<typeof handleMessage>('handleMessage', { workflowId: messageWorkflowId('whatsapp', input.messageId), taskQueue: rig.worker.taskQueue, args: [input] });
  }
  const waitingForPerson = (handle: Awaited<ReturnType<typeof start>>) => eventually(() => handle.query(getStatusQuery), (s) => s.step === 'waiting_for_human');
  const sent = (workflowId: string) => rig.database.db.getRepository(OutboundMessage).find({ where: { workflowId }, order: { createdAt: 'ASC' } });

  it.each([
    ['English', 'I want to talk to a real person please', /^Sorry for the wait: our team hasn't been able to reply yet\./],
    ['Spanish', 'Quiero hablar con una persona, por favor', /^Sentimos la espera: nuestro equipo no ha podido responderte todavía\./],
  ])('apologises in %s when nobody answers before the deadline, and gives the chat back to the agents', async (_language, body, apology) => {
    const chatId = newChat();
    const startedAt = await rig.env.currentTimeMs();
    const holder = await start(chatId, body);
    const result = await holder.result();
    expect(result).toMatchObject({ step: 'completed', handoff: { status: 'timed_out' } });
    const rows = await sent(holder.workflowId);
    expect(rows.map((r) => r.idempotencyKey)).toEqual([`${holder.workflowId}:reply`, `${holder.workflowId}:handoff-timeout`]);
    expect(rows[1].body).toMatch(apology);
    const handoff = await rig.database.db.getRepository(Handoff).findOneByOrFail({ workflowId: holder.workflowId });
    expect(handoff).toMatchObject({ status: 'timed_out' });
    // At the deadline (HANDOFF_TIMEOUT_SECONDS, four hours here), not before.
    expect(new Date(handoff.closedAt!).getTime() - startedAt).toBeGreaterThanOrEqual(4 * HOUR);

    const next = await start(chatId, 'Do you have parking?');
    expect(await next.result()).toMatchObject({ step: 'completed', route: { agent: 'inquiry' } });
  });

  it('sends every reply of the people who hold the chat, keeps it while the customer writes, and hands it back after the quiet period', async () => {
    const chatId = newChat();
    const holder = await start(chatId, 'I want to talk to a real person please');
    await waitingForPerson(holder);

    const first = await holder.executeUpdate(handoffReplyUpdate, { args: [{ text: 'Hi, Maria here. What happened?', operator: 'maria' }] });
    expect(first).toMatchObject({ text: 'Hi, Maria here. What happened?', status: 'recorded' });
    await rig.env.sleep(20 * MINUTE);
    // The customer writes before the quiet period ends: the message joins the handoff, and the chat stays with the person.
    const customer = await start(chatId, 'My parcel arrived broken');
    // Read by query, not by awaiting its result: that would let the test server skip time meanwhile.
    const held = await eventually(() => customer.query(getStatusQuery), (st) => st.step === 'completed');
    expect(held).toMatchObject({ step: 'completed', heldBy: holder.workflowId });
    await rig.env.sleep(20 * MINUTE);
    expect(await holder.query(getStatusQuery)).toMatchObject({ step: 'with_person', handoff: { status: 'answered', customerMessages: 1 } });
    const second = await holder.executeUpdate(handoffReplyUpdate, { args: [{ text: 'Ana here: a replacement is on its way.', operator: 'ana' }] });
    const repliedAt = await rig.env.currentTimeMs();

    const result = await holder.result();
    expect(result.handoff).toMatchObject({ status: 'closed', closedBy: 'quiet_period', operator: 'ana', reply: first, customerMessages: 1 });
    expect(result.handoff!.replies).toEqual([
      { ...first, operator: 'maria' },
      { ...second, operator: 'ana' },
    ]);
    const rows = await sent(holder.workflowId);
    expect(rows.map((r) => r.idempotencyKey)).toEqual([`${holder.workflowId}:reply`, `${holder.workflowId}:operator-reply`, `${holder.workflowId}:operator-reply-2`]);
    const handoff = await rig.database.db.getRepository(Handoff).findOneByOrFail({ workflowId: holder.workflowId });
    expect(handoff).toMatchObject({ status: 'closed', operator: 'ana' });
    // Handed back half an hour after the last word, not before.
    expect(new Date(handoff.closedAt!).getTime() - repliedAt).toBeGreaterThanOrEqual(30 * MINUTE - 1000);

    const next = await start(chatId, 'Do you have parking?');
    expect(await next.result()).toMatchObject({ step: 'completed', route: { agent: 'inquiry' } });
  });

  it("refuses a blank reply, and any reply or close to a message that is not with a person, naming why", async () => {
    const chatId = newChat();
    const holder = await start(chatId, 'I want to talk to a real person please');
    await waitingForPerson(holder);
    const blank = holder.executeUpdate(handoffReplyUpdate, { args: [{ text: '   ', operator: 'maria' }] });
    await expect(blank).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
    await expect(blank).rejects.toMatchObject({ cause: { type: 'ValidationError', message: 'text: must be a non-empty string' } });

    // A message still waiting for its turn (its conversation has not heard of it yet): nobody holds it.
    const queued = await start(newChat(), 'Hello', { handedOver: true });
    await eventually(() => queued.query(getStatusQuery), (s) => s.step === 'queued');
    await expect(queued.executeUpdate(handoffReplyUpdate, { args: [{ text: 'hi', operator: 'maria' }] })).rejects.toMatchObject({
      cause: { type: 'NotWaitingForHuman', message: 'this conversation is not waiting for a person' },
    });
    await expect(queued.executeUpdate(closeHandoffUpdate, { args: [{ operator: 'maria' }] })).rejects.toMatchObject({
      cause: { type: 'NotWaitingForHuman', message: 'this conversation is not with a person' },
    });
    await queued.terminate('test over');

    const closed = await holder.executeUpdate(closeHandoffUpdate, { args: [{}] });
    expect(closed).toMatchObject({ status: 'closed', closedBy: 'operator' });
    expect((await holder.result()).handoff).toMatchObject({ status: 'closed', closedBy: 'operator' });
  });
});
