import { randomBytes, randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createFollowUpActivities } from '../../src/activities/follow-ups';
import { OutboundWebhook } from '../../src/channels';
import { followUpWorkflowId } from '../../src/contracts';
import { createConversationActivities } from '../../src/activities/conversations';
import { createHandoffActivities } from '../../src/activities/handoffs';
import { createReplyActivities } from '../../src/activities/replies';
import { createTaskActivities } from '../../src/activities/tasks';
import { applyDeliveryStatus, ConversationMessage, EventRecord, deleteEventsBefore, eventIdRange, onEventsPublished, publishEvent, readEventsAfter } from '../../src/persistence';
import type { FeedEvent, ReplyRecord, SendFollowUpResult, SendReplyInput, TaskEvent } from '../../src/contracts';
import { WebhookReceiver } from '../helpers/channel-servers';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../helpers/database';

const MINUTE = 60_000;

describe.each(databaseKinds())('the event log on %s', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.close();
  });

  const db = () => database.db;
  /** The events of one test, found by a tag in their keys' chat. */
  async function eventsOf(chatId: string): Promise<FeedEvent[]> {
    const all: FeedEvent[] = [];
    for (let after = 0; ; ) {
      const page = await readEventsAfter(db(), after, 500);
      all.push(...page.filter((e) => e.chatId === chatId));
      if (page.length < 500) return all;
      after = page[page.length - 1].id;
    }
  }
  const chat = () => `ev-${randomUUID().slice(0, 8)}@c.us`;

  it('writes an event once however often it is published with the same key, and reads it back as it was written', async () => {
    const chatId = chat();
    const at = new Date('2026-03-02T10:00:00.123Z');
    const event = { key: `test:${chatId}:once`, type: 'reply.sent' as const, chatId, channel: 'whatsapp', workflowId: `msg:whatsapp:${chatId}`, at, data: { text: 'Hello', kind: 'reply' as const, outboundId: 'o-1', status: 'recorded' as const } };
    await publishEvent(db(), event);
    await Promise.all([publishEvent(db(), event), publishEvent(db(), { ...event, data: { ...event.data, text: 'changed on retry' } })]);
    const events = await eventsOf(chatId);
    expect(events).toEqual([{ id: expect.any(Number), type: 'reply.sent', at: at.toISOString(), chatId, channel: 'whatsapp', workflowId: `msg:whatsapp:${chatId}`, data: event.data }]);
  });

  it('gives increasing ids in publishing order, reads them in pages after an id, and keeps a key longer than the column', async () => {
    const chatId = chat();
    for (let i = 0; i < 5; i++) await publishEvent(db(), { key: `test:${chatId}:${i}`, type: 'message.accepted', chatId, data: { messageId: `m${i}` } });
    const long = `test:${chatId}:${'x'.repeat(700)}`;
    await publishEvent(db(), { key: long, type: 'message.accepted', chatId, data: { messageId: 'long' } });
    await publishEvent(db(), { key: `${long}`, type: 'message.accepted', chatId, data: { messageId: 'long again' } });
    await publishEvent(db(), { key: `${long}y`, type: 'message.accepted', chatId, data: { messageId: 'a different long key' } });
    const events = await eventsOf(chatId);
    expect(events.map((e) => (e.data as { messageId: string }).messageId)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'long', 'a different long key']);
    const ids = events.map((e) => e.id);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    const page = await readEventsAfter(db(), ids[1], 2);
    expect(page.map((e) => e.id)).toEqual([ids[2], ids[3]]);
  });

  it('announces events committed in this process, after the commit', async () => {
    const chatId = chat();
    let announced = 0;
    const stop = onEventsPublished(() => announced++);
    try {
      await publishEvent(db(), { key: `test:${chatId}:announce`, type: 'message.accepted', chatId, data: { messageId: 'a' } });
      expect(announced).toBe(1);
    } finally {
      stop();
    }
  });

  it('writes a transcript line and its events once when the activity is retried (recordInbound, sendReply)', async () => {
    const chatId = chat();
    const workflowId = `msg:whatsapp:${randomUUID()}`;
    const env = new MockActivityEnvironment();
    const { recordInbound } = createConversationActivities(db());
    const input = { workflowId, chatId, channel: 'whatsapp' as const, body: 'I want to book a massage', at: '2026-03-02T10:00:00.000Z', senderName: 'Ana' };
    await env.run(recordInbound, input);
    await env.run(recordInbound, input);
    const { sendReply } = createReplyActivities(db());
    const reply: SendReplyInput = { workflowId, chatId, channel: 'whatsapp', text: 'Which day suits you?', idempotencyKey: `${workflowId}:reply`, agent: 'appointment', at: '2026-03-02T10:00:01.000Z' };
    const first = (await env.run(sendReply, reply)) as ReplyRecord;
    await env.run(sendReply, reply);

    expect(await db().getRepository(ConversationMessage).countBy({ workflowId })).toBe(2);
    const events = await eventsOf(chatId);
    expect(events.map((e) => e.type)).toEqual(['message.accepted', 'message.received', 'reply.sent']);
    expect(events[0]).toMatchObject({ workflowId, channel: 'whatsapp', data: { messageId: workflowId.slice('msg:whatsapp:'.length), senderName: 'Ana' } });
    expect(events[1]).toMatchObject({ workflowId, at: input.at, data: { text: 'I want to book a massage', senderName: 'Ana', kind: 'message' } });
    expect(events[2]).toMatchObject({ workflowId, at: reply.at, data: { text: 'Which day suits you?', kind: 'reply', agent: 'appointment', outboundId: first.outboundId, status: 'recorded' } });
  });

  it("publishes turn.finished once, when a message's own task ends, with its intent, agent and status", async () => {
    const chatId = chat();
    const workflowId = `msg:whatsapp:${randomUUID()}`;
    const env = new MockActivityEnvironment();
    const { recordTaskEvents } = createTaskActivities(db());
    const base = { workflowId, runId: 'r1', chatId, channel: 'whatsapp' };
    const start: TaskEvent[] = [{ ...base, step: 'message', kind: 'started', at: '2026-03-02T10:00:00.000Z', taskType: 'booking', assignedAgent: 'appointment' }];
    await env.run(recordTaskEvents, { events: start });
    expect(await eventsOf(chatId)).toEqual([]);
    const done: { events: TaskEvent[] } = {
      events: [
        { ...base, step: 'agent:appointment', parentStep: 'message', kind: 'completed', at: '2026-03-02T10:00:01.000Z' },
        { ...base, step: 'message', kind: 'completed', at: '2026-03-02T10:00:01.000Z' },
      ],
    };
    await env.run(recordTaskEvents, done);
    await env.run(recordTaskEvents, done);
    const events = await eventsOf(chatId);
    expect(events).toEqual([expect.objectContaining({ type: 'turn.finished', workflowId, at: '2026-03-02T10:00:01.000Z', data: { intent: 'booking', agent: 'appointment', status: 'completed' } })]);
  });

  it('publishes a handoff opening, each distinct answer once (a retry adds none), and its close', async () => {
    const chatId = chat();
    const workflowId = `msg:whatsapp:${randomUUID()}`;
    const env = new MockActivityEnvironment();
    const handoffs = createHandoffActivities(db());
    const { sendReply } = createReplyActivities(db());
    const open = { workflowId, chatId, channel: 'whatsapp', reason: 'requested', intent: 'human_handoff', dueAt: '2026-03-03T10:00:00.000Z' };
    await env.run(handoffs.openHandoff, open);
    await env.run(handoffs.openHandoff, open);
    for (const [n, text] of [
      [1, 'Hello, Maria here.'],
      [2, 'Hello, Maria here.'],
    ] as const) {
      const operatorReply: SendReplyInput = { workflowId, chatId, channel: 'whatsapp', text, idempotencyKey: n === 1 ? `${workflowId}:operator-reply` : `${workflowId}:operator-reply-${n}`, operator: 'maria' };
      await env.run(sendReply, operatorReply);
      await env.run(handoffs.handoffAnswered, { workflowId, operator: 'maria', answer: text });
      await env.run(handoffs.handoffAnswered, { workflowId, operator: 'maria', answer: text });
    }
    const close = { workflowId, status: 'closed' as const, at: '2026-03-02T11:00:00.000Z' };
    await env.run(handoffs.closeHandoff, close);
    await env.run(handoffs.closeHandoff, close);
    const events = await eventsOf(chatId);
    expect(events.map((e) => e.type)).toEqual(['handoff.opened', 'reply.sent', 'handoff.answered', 'reply.sent', 'handoff.answered', 'handoff.closed']);
    expect(events[0].data).toEqual({ reason: 'requested', intent: 'human_handoff', dueAt: open.dueAt });
    expect(events[1].data).toMatchObject({ kind: 'operator', operator: 'maria', text: 'Hello, Maria here.' });
    expect(events[2].data).toEqual({ operator: 'maria' });
    expect(events[5]).toMatchObject({ chatId, workflowId, data: { status: 'closed' } });
  });

  it("reports the outbound ledger's status as it moves on: sent, then the provider's delivered and read (once each, never backwards), or refused", async () => {
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    const receiver = new WebhookReceiver(secret);
    await receiver.start();
    try {
      const chatId = chat();
      const workflowId = `msg:webchat:${randomUUID()}`;
      const env = new MockActivityEnvironment();
      const { sendReply } = createReplyActivities(db(), {
        webhook: new OutboundWebhook({ url: `${receiver.url}/hooks`, secret, timeoutMs: 2000 }),
        whatsappTemplate: { name: 'switchboard_follow_up', languageCode: 'en' },
        confirmWindowMs: 120_000,
      });
      const reply: SendReplyInput = { workflowId, chatId, channel: 'webchat', text: 'Your order has shipped.', idempotencyKey: `${workflowId}:reply`, agent: 'order' };
      const sent = (await env.run(sendReply, reply)) as ReplyRecord;
      expect(sent.status).toBe('sent');
      const status = (s: 'sent' | 'delivered' | 'read' | 'failed') => applyDeliveryStatus(db(), { provider: 'webhook', providerMessageId: `wh-${workflowId}`, status: s, callbackData: reply.idempotencyKey });
      await status('delivered');
      await status('delivered');
      await status('sent');
      await status('read');

      receiver.enqueue({ status: 400, error: { message: 'unknown chat' } });
      const refused: SendReplyInput = { ...reply, text: 'One more thing', idempotencyKey: `${workflowId}:reply-2` };
      await expect(env.run(sendReply, refused)).rejects.toMatchObject({ type: 'SendRejected' });

      const events = await eventsOf(chatId);
      expect(events.map((e) => [e.type, (e.data as { status: string }).status])).toEqual([
        ['reply.sent', 'recorded'],
        ['reply.status', 'sent'],
        ['reply.status', 'delivered'],
        ['reply.status', 'read'],
        ['reply.sent', 'recorded'],
        ['reply.status', 'failed'],
      ]);
      expect(events[1].data).toEqual({ outboundId: sent.outboundId, status: 'sent' });
      expect(events[5].data).toMatchObject({ status: 'failed', error: expect.stringMatching(/unknown chat|400/) });
      expect(events.every((e) => e.workflowId === workflowId && e.channel === 'webchat')).toBe(true);
    } finally {
      await receiver.stop();
    }
  });

  it('publishes campaign.step_sent once when a follow-up step goes out, after its reply line', async () => {
    const chatId = chat();
    const env = new MockActivityEnvironment();
    const replies = createReplyActivities(db());
    const { sendFollowUpStep } = createFollowUpActivities({ db: db(), sendReply: replies.sendReply, rules: { stepsHours: [24, 48, 72], defaultTimezone: 'UTC' }, dailyCap: 3 });
    const campaignId = followUpWorkflowId(chatId, 'quote');
    const step = { campaignId, chatId, channel: 'whatsapp' as const, purpose: 'quote' as const, reference: 'Q-1', step: 1, of: 3, startedAt: '2026-03-01T10:00:00.000Z', now: '2026-03-02T10:00:00.000Z' };
    const result = (await env.run(sendFollowUpStep, step)) as SendFollowUpResult;
    await env.run(sendFollowUpStep, step);
    if (result.kind !== 'sent') throw new Error(`the step was not sent: ${JSON.stringify(result)}`);
    const events = await eventsOf(chatId);
    expect(events.map((e) => e.type)).toEqual(['reply.sent', 'campaign.step_sent']);
    expect(events[0].data).toMatchObject({ kind: 'follow_up', outboundId: result.outboundId });
    expect(events[1]).toMatchObject({ workflowId: campaignId, at: step.now, data: { purpose: 'quote', step: 1, outboundId: result.outboundId } });
  });

  it('deletes old events as a prefix of the ids, so what is kept runs unbroken to the newest', async () => {
    // Its own database: the retention deletes across chats.
    const own = await openTestDatabase(kind);
    try {
      const now = Date.parse('2026-03-02T12:00:00.000Z');
      const publish = (n: number, minutesAgo: number) => publishEvent(own.db, { key: `e${n}`, type: 'message.accepted', chatId: 'c', at: new Date(now - minutesAgo * MINUTE), data: { messageId: `m${n}` } });
      await publish(1, 50);
      await publish(2, 40);
      await publish(3, 10);
      // Written late with its own (old) time: after a kept one, so it is kept too.
      await publish(4, 45);
      const before = await eventIdRange(own.db);
      expect(await deleteEventsBefore(own.db, new Date(now - 30 * MINUTE))).toBe(2);
      expect(await deleteEventsBefore(own.db, new Date(now - 30 * MINUTE))).toBe(0);
      const kept = await readEventsAfter(own.db, 0, 10);
      expect(kept.map((e) => (e.data as { messageId: string }).messageId)).toEqual(['m3', 'm4']);
      expect(await eventIdRange(own.db)).toEqual({ min: kept[0].id, max: before.max });
      // Nothing recent at all: everything goes, and ids are never given again.
      expect(await deleteEventsBefore(own.db, new Date(now + MINUTE))).toBe(2);
      expect(await eventIdRange(own.db)).toEqual({ min: null, max: null });
      await publish(5, 0);
      const [fresh] = await readEventsAfter(own.db, 0, 10);
      expect(fresh.id).toBeGreaterThan(before.max!);
    } finally {
      await own.close();
    }
  });

  if (kind === 'postgres') {
    it('makes ids visible in order: a publish waits for an open transaction that published before it', async () => {
      const chatId = chat();
      const runner = db().createQueryRunner();
      await runner.connect();
      try {
        await runner.startTransaction();
        await publishEvent(runner.manager, { key: `test:${chatId}:first`, type: 'message.accepted', chatId, data: { messageId: 'first' } });
        let settled = false;
        const second = publishEvent(db(), { key: `test:${chatId}:second`, type: 'message.accepted', chatId, data: { messageId: 'second' } }).finally(() => (settled = true));
        // The second publish is queued behind the first transaction's lock on the event log.
        for (let i = 0; i < 200; i++) {
          const [{ waiting }] = await db().query(`SELECT count(*)::int AS waiting FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`);
          if (waiting > 0) break;
          await new Promise((r) => setTimeout(r, 25));
        }
        const [{ waiting }] = await db().query(`SELECT count(*)::int AS waiting FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`);
        expect(waiting).toBe(1);
        expect(settled).toBe(false);
        // A reader sees neither yet: not the second's id without the first's.
        expect(await eventsOf(chatId)).toEqual([]);
        await runner.commitTransaction();
        await second;
        const events = await eventsOf(chatId);
        expect(events.map((e) => (e.data as { messageId: string }).messageId)).toEqual(['first', 'second']);
        expect(events[0].id).toBeLessThan(events[1].id);
      } finally {
        if (runner.isTransactionActive) await runner.rollbackTransaction();
        await runner.release();
      }
    });
  }

  it('stores rows an entity reader sees as the feed does', async () => {
    const chatId = chat();
    await publishEvent(db(), { key: `test:${chatId}:entity`, type: 'handoff.closed', chatId, data: { status: 'timed_out' } });
    const row = await db().getRepository(EventRecord).findOneByOrFail({ eventKey: `test:${chatId}:entity` });
    expect(row).toMatchObject({ type: 'handoff.closed', chatId, channel: null, workflowId: null, data: { status: 'timed_out' } });
    expect(row.at).toBeInstanceOf(Date);
  });
});
