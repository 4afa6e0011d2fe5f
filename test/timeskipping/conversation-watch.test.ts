import { randomUUID } from 'node:crypto';
import { conversationStateQuery, conversationWorkflowId, getStatusQuery, messageWorkflowId, type HandleMessageInput } from '../../src/contracts';
import { Conversation, OutboundMessage } from '../../src/persistence';
import type { handleMessage } from '../../src/workflows';
import { eventually } from '../helpers/api';
import { useGraphApiServer } from '../helpers/channel-servers/graph-api-server';
import { useTimeSkippingRig } from '../helpers/time-skipping';

const MINUTE = 60_000;

/**
 * The conversation's watch on a holder that ends without saying so, and a message whose
 * hand-over to its conversation was lost, with their real timings (2 and 15 minutes, 30
 * seconds) on the time-skipping test server. Messages are started the way a script or an
 * older API would, or (`handedOver`) as the API does, then left without the API's signal.
 */
describe('the conversation watch and the lost hand-over (time skipping)', () => {
  const graph = useGraphApiServer();
  const rig = useTimeSkippingRig({ workerEnv: () => graph.whatsappEnv() });

  const newChat = () => `3460${Math.floor(Math.random() * 9e7 + 1e7)}@c.us`;
  const sentTo = (chatId: string) => graph.sentMessages.filter((m) => `${m.to}@c.us` === chatId);
  const conversation = (chatId: string) => rig.env.client.workflow.getHandle(conversationWorkflowId(chatId, rig.worker.taskQueue));
  /** The conversation's state, or undefined before the message has handed itself over. */
  const stateOf = (chatId: string) => conversation(chatId).query(conversationStateQuery).catch(() => undefined);

  async function start(chatId: string, body: string, overrides: Partial<HandleMessageInput> = {}) {
    const input: HandleMessageInput = { chatId, messageId: randomUUID(), channel: 'whatsapp', body, ...overrides };
    return rig.env.client.workflow.start<typeof handleMessage>('handleMessage', { workflowId: messageWorkflowId('whatsapp', input.messageId), taskQueue: rig.worker.taskQueue, args: [input] });
  }

  it('releases the chat two minutes after its turn holder was terminated, and the message waiting behind it is answered', async () => {
    const chatId = newChat();
    // The holder's reply is being retried (the provider answers 503) when it is terminated.
    graph.enqueue(...Array.from({ length: 100 }, () => ({ status: 503, error: { code: 2, message: 'Service temporarily unavailable' } })));
    try {
      const holder = await start(chatId, 'What are your opening hours?');
      await eventually(() => stateOf(chatId), (s) => s?.turn?.owner === holder.workflowId);
      const waiting = await start(chatId, 'Do you have parking?');
      await eventually(() => stateOf(chatId), (s) => s?.queue.some((a) => a.workflowId === waiting.workflowId) === true);
      // Terminated between two attempts of its reply (three quick local ones, then a regular one backing off).
      await eventually(async () => graph.requests.length, (n) => n >= 4);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const terminatedAt = await rig.env.currentTimeMs();
      await holder.terminate('stuck: terminated from the Web UI');
      graph.reset();

      const result = await waiting.result();
      expect(result).toMatchObject({ step: 'completed', route: { agent: 'inquiry' }, turn: { owner: waiting.workflowId, messages: [waiting.workflowId] } });
      // Nobody told the conversation: its watch found the holder gone, within its two-minute period.
      const grantedAfter = new Date(result.turn!.startedAt).getTime() - terminatedAt;
      expect(grantedAfter).toBeGreaterThan(0);
      expect(grantedAfter).toBeLessThanOrEqual(2 * MINUTE + 5_000);
      expect(sentTo(chatId).map((m) => m.text.body)).toEqual([result.reply!.text]);
      const state = await conversation(chatId).query(conversationStateQuery);
      expect(state).toMatchObject({ turns: 1, queue: [] });
      expect(state.turn).toBeUndefined();
    } finally {
      graph.reset();
    }
  });

  it('releases a handoff whose holder was terminated within fifteen minutes, then closes when idle with nobody holding the chat', async () => {
    const chatId = newChat();
    const holder = await start(chatId, 'I want to talk to a real person please');
    await eventually(() => holder.query(getStatusQuery), (s) => s.step === 'waiting_for_human');
    await eventually(() => stateOf(chatId), (s) => s?.handoff?.workflowId === holder.workflowId);
    await holder.terminate('terminated from the Web UI');

    // Nothing else happens in the chat: only the watch can notice.
    await rig.env.sleep(16 * MINUTE);
    const closed = await conversation(chatId).result();
    expect(closed).toEqual({ turns: 1, reason: 'idle' });
    const row = await rig.database.db.getRepository(Conversation).findOneByOrFail({ chatId });
    expect(row).toMatchObject({ handoffWorkflowId: null, handoffStatus: null, turns: 1 });

    // The next message starts the conversation again and is the agents'.
    const next = await start(chatId, 'Do you have parking?');
    expect(await next.result()).toMatchObject({ step: 'completed', route: { agent: 'inquiry' } });
  });

  it('hands a message over itself 30 seconds after its start when the conversation never heard of it, and answers it', async () => {
    const chatId = newChat();
    const startedAt = await rig.env.currentTimeMs();
    // Started as the API starts it, but the API's signal to the conversation was lost.
    const message = await start(chatId, 'Do you have parking?', { handedOver: true });
    const result = await message.result();
    expect(result).toMatchObject({ step: 'completed', route: { agent: 'inquiry' }, turn: { owner: message.workflowId } });
    expect(new Date(result.turn!.startedAt).getTime() - startedAt).toBeGreaterThanOrEqual(30_000);
    expect(await rig.database.db.getRepository(OutboundMessage).countBy({ workflowId: message.workflowId })).toBe(1);
    const state = await conversation(chatId).query(conversationStateQuery);
    expect(state.turns).toBe(1);
  });
});
