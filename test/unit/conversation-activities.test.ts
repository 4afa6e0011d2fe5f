import { randomUUID } from 'node:crypto';
import { DefaultLogger } from '@temporalio/worker';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createConversationActivities, type SaveConversationInput } from '../../src/activities/conversations';
import { reminderWorkflowId, type SendReminderInput } from '../../src/contracts';
import { Conversation } from '../../src/persistence';
import { noteInbound } from '../../src/persistence/delivery-ledger';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../helpers/database';
import { connectTemporal, uniqueTaskQueue, type TemporalTestContext } from '../helpers/temporal';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-03-02T10:00:00.000Z');
const at = (hours: number) => new Date(T0 + hours * HOUR).toISOString();

/**
 * The conversation's activities against a real database and Temporal: the one clarifying
 * question per chat when unclear messages race or retry, the chat's row never moved back
 * in time nor lost to a concurrent first write, and what the watch and the hand-over learn
 * about other workflows.
 */
describe.each(databaseKinds())('conversation activities on %s', (kind) => {
  let database: TestDatabase;
  let ctx: TemporalTestContext;
  let acts: ReturnType<typeof createConversationActivities>;
  const env = new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });
  const taskQueue = uniqueTaskQueue('unit-conversation-acts');

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    ctx = await connectTemporal();
    acts = createConversationActivities(database.db, { client: ctx.client, taskQueue });
  });
  afterAll(async () => {
    await database?.close();
    await ctx?.close();
  });

  const chat = () => `c-${randomUUID().slice(0, 12)}@c.us`;
  const claim = (chatId: string, workflowId: string, when: string): Promise<{ ask: boolean }> => env.run(acts.claimClarification, { chatId, workflowId, at: when, windowSeconds: 24 * 3600 });
  const row = (chatId: string) => database.db.getRepository(Conversation).findOneByOrFail({ chatId });

  describe('one clarifying question per chat', () => {
    it('asks one of two unclear messages racing in a chat never seen before', async () => {
      const chatId = chat();
      const answers = await Promise.all([claim(chatId, 'msg:whatsapp:a', at(0)), claim(chatId, 'msg:whatsapp:b', at(0))]);
      expect(answers.map((a) => a.ask).sort()).toEqual([false, true]);
      const asked = answers[0].ask ? 'msg:whatsapp:a' : 'msg:whatsapp:b';
      expect(await row(chatId)).toMatchObject({ lastClarificationWorkflowId: asked });
    });

    it('asks in a chat the API already noted, gives a retried claim its first answer, and asks again once the window has passed', async () => {
      const chatId = chat();
      await noteInbound(database.db, chatId, new Date(at(0)));
      expect(await claim(chatId, 'msg:whatsapp:first', at(0))).toEqual({ ask: true });
      expect(await claim(chatId, 'msg:whatsapp:second', at(1))).toEqual({ ask: false });
      // The first message's activity, retried later, is told the same.
      expect(await claim(chatId, 'msg:whatsapp:first', at(2))).toEqual({ ask: true });
      expect(await claim(chatId, 'msg:whatsapp:third', at(25))).toEqual({ ask: true });
      expect(await row(chatId)).toMatchObject({ lastClarificationWorkflowId: 'msg:whatsapp:third' });
    });

    it('asks one of two unclear messages racing after the window of an earlier question', async () => {
      const chatId = chat();
      await claim(chatId, 'msg:whatsapp:old', at(0));
      const answers = await Promise.all([claim(chatId, 'msg:whatsapp:x', at(30)), claim(chatId, 'msg:whatsapp:y', at(30))]);
      expect(answers.map((a) => a.ask).sort()).toEqual([false, true]);
    });
  });

  describe("the chat's row", () => {
    const save = (chatId: string, when: string, state: Partial<SaveConversationInput['state']> = {}) => {
      const input: SaveConversationInput = { chatId, channel: 'whatsapp', at: when, state: { turns: 1, ...state } };
      return env.run(acts.saveConversation, input);
    };

    it('is never moved back in time by a save that arrives late (a retry, a replay)', async () => {
      const chatId = chat();
      await save(chatId, at(2), { turns: 3, language: 'es', lastAgent: 'order', campaigns: ['quote'] });
      await save(chatId, at(1), { turns: 2, language: 'en' });
      expect(await row(chatId)).toMatchObject({ turns: 3, language: 'es', lastAgent: 'order', campaigns: ['quote'] });
      await save(chatId, at(3), { turns: 4, campaigns: [] });
      expect(await row(chatId)).toMatchObject({ turns: 4, language: null, lastAgent: null, campaigns: null });
    });

    it("keeps both the API's note of a first message and the conversation's first save when they race", async () => {
      const chatId = chat();
      const inboundAt = new Date(at(0));
      await Promise.all([noteInbound(database.db, chatId, inboundAt), save(chatId, at(0), { turns: 1, language: 'en', lastAgent: 'inquiry' })]);
      const saved = await row(chatId);
      expect(saved).toMatchObject({ turns: 1, language: 'en', lastAgent: 'inquiry', channel: 'whatsapp' });
      expect(new Date(saved.lastInboundAt!).toISOString()).toBe(inboundAt.toISOString());
      expect(await database.db.getRepository(Conversation).countBy({ chatId })).toBe(1);
    });

    it('loads as nothing open for a chat the API only noted, and with its handoff for a chat a person holds', async () => {
      const noted = chat();
      await noteInbound(database.db, noted, new Date(at(0)));
      expect(await env.run(acts.loadConversation, { chatId: noted })).toEqual({ turns: 0, language: undefined, lastAgent: undefined, pending: undefined, handoff: undefined, campaigns: undefined });
      expect(await env.run(acts.loadConversation, { chatId: chat() })).toEqual({ turns: 0 });

      const held = chat();
      await save(held, at(5), { turns: 2, language: 'es', handoff: { workflowId: 'msg:whatsapp:holder', status: 'answered', since: at(4) } });
      expect(await env.run(acts.loadConversation, { chatId: held })).toMatchObject({ turns: 2, language: 'es', handoff: { workflowId: 'msg:whatsapp:holder', status: 'answered', since: at(5) } });
    });
  });

  describe('other workflows', () => {
    it('tells a running workflow from a finished one and from one that never existed, and signals only those that run', async () => {
      // A reminder due in a day on a queue no worker polls: it stays running.
      const start = (id: string) => {
        const input: SendReminderInput = { reminderId: id, chatId: 'x@c.us', channel: 'whatsapp', remindAt: new Date(Date.now() + 24 * HOUR).toISOString(), language: 'en' };
        return ctx.client.workflow.start('sendReminder', { workflowId: reminderWorkflowId(id), taskQueue, args: [input] });
      };
      const running = await start(randomUUID());
      const ended = await start(randomUUID());
      await ended.terminate('test');
      const missing = `msg:whatsapp:never-${randomUUID()}`;
      try {
        expect(await env.run(acts.checkWorkflows, { workflowIds: [running.workflowId, ended.workflowId, missing] })).toEqual({
          [running.workflowId]: 'running',
          [ended.workflowId]: 'closed',
          [missing]: 'missing',
        });
        const signal = (workflowId: string) => ({ workflowId, signal: 'turnJoined', args: [{ owner: 'msg:whatsapp:owner' }] });
        expect(await env.run(acts.signalWorkflows, { signals: [signal(running.workflowId), signal(ended.workflowId), signal(missing)] })).toEqual({ delivered: [true, false, false] });
      } finally {
        await running.terminate('test over');
      }
    });

    it('names the missing dependency when the worker was built without a Temporal client', async () => {
      const bare = createConversationActivities(database.db);
      await expect(env.run(bare.checkWorkflows, { workflowIds: ['x'] })).rejects.toThrow('this worker has no Temporal client for conversations (activity deps.temporal)');
      const handOver: Parameters<typeof bare.enterConversation>[0] = {
        conversation: { chatId: 'x@c.us', chatRef: 'x@c.us', channel: 'whatsapp' },
        arrival: { workflowId: 'msg:whatsapp:x', channel: 'whatsapp', at: at(0), body: 'hi' },
      };
      await expect(env.run(bare.enterConversation, handOver)).rejects.toThrow(/deps\.temporal/);
    });
  });
});
