import { randomUUID } from 'node:crypto';
import type { AgentLogAction, OutboundStatus, TranscriptKind } from '../../src/persistence';
import { agentPerformance, AgentLog, ConversationMessage, followUpEffectiveness, Handoff, handoffWaits, messagesPerHour, OutboundMessage, repliesByChannel, Task } from '../../src/persistence';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../helpers/database';

/**
 * The aggregate math behind the console's charts, on rows written directly with known
 * times, on SQLite and on PostgreSQL: hour buckets, the intent of each message, waiting
 * times, delivery counts, agent performance and follow-up reply windows.
 */
describe.each(databaseKinds())('console stats on %s', (kind) => {
  // A database for each test: the counts are exact.
  let database: TestDatabase;
  beforeEach(async () => {
    database = await openTestDatabase(kind);
  });
  afterEach(async () => {
    await database?.close();
  });

  const at = (iso: string) => new Date(iso);
  const uid = () => randomUUID().slice(0, 8);

  async function line(fields: { chatId: string; workflowId?: string; channel?: string; direction?: 'in' | 'out'; kind?: TranscriptKind; at: Date; operator?: string }) {
    const id = randomUUID();
    const workflowId = fields.workflowId ?? `msg:${fields.channel ?? 'whatsapp'}:${id}`;
    await database.db.getRepository(ConversationMessage).insert({
      id,
      messageKey: `test:${id}`,
      chatId: fields.chatId,
      channel: fields.channel ?? 'whatsapp',
      direction: fields.direction ?? 'in',
      kind: fields.kind ?? (fields.direction === 'out' ? 'reply' : 'message'),
      text: 'text',
      at: fields.at,
      workflowId,
      agent: null,
      operator: fields.operator ?? null,
      outboundId: null,
      senderName: null,
      media: null,
      metadata: null,
    });
    return workflowId;
  }

  async function task(workflowId: string, fields: { intent: string; chatId: string; at: Date; input?: Record<string, any>; step?: string }) {
    const id = randomUUID();
    await database.db.getRepository(Task).insert({
      id,
      taskType: fields.intent,
      status: 'completed',
      priority: 5,
      chatId: fields.chatId,
      messageId: null,
      channel: 'whatsapp',
      assignedAgent: null,
      inputData: fields.input ?? { body: 'text' },
      outputData: null,
      metadata: null,
      errorMessage: null,
      parentTaskId: null,
      workflowId,
      runId: null,
      step: fields.step ?? 'message',
      retryCount: 0,
      maxRetries: 3,
      createdAt: fields.at,
      startedAt: fields.at,
      completedAt: fields.at,
    });
    return id;
  }

  async function handoff(fields: Partial<Handoff> & { openedAt: Date; status: Handoff['status'] }) {
    const workflowId = fields.workflowId ?? `msg:whatsapp:${randomUUID()}`;
    await database.db.getRepository(Handoff).insert({
      workflowId,
      chatId: fields.chatId ?? `${uid()}@c.us`,
      channel: 'whatsapp',
      reason: fields.reason ?? 'requested',
      request: null,
      intent: 'human_handoff',
      status: fields.status,
      operator: null,
      answer: null,
      dueAt: new Date(fields.openedAt.getTime() + 24 * 3600e3),
      openedAt: fields.openedAt,
      closedAt: fields.closedAt ?? null,
    });
    return workflowId;
  }

  async function outbound(fields: { key: string; workflowId?: string; chatId: string; channel?: string; status: OutboundStatus; at: Date }) {
    await database.db.getRepository(OutboundMessage).insert({
      id: randomUUID(),
      idempotencyKey: fields.key,
      workflowId: fields.workflowId ?? fields.key,
      chatId: fields.chatId,
      channel: fields.channel ?? 'whatsapp',
      body: 'text',
      status: fields.status,
      providerMessageId: null,
      error: fields.status === 'failed' ? 'refused' : null,
      provider: null,
      attempts: 1,
      sendingSince: null,
      template: null,
      createdAt: fields.at,
    });
  }

  it('counts customer messages per hour by intent and channel, every hour listed, joined and held messages under the intent that took them', async () => {
    const chat = `${uid()}@c.us`;
    const a = await line({ chatId: chat, at: at('2026-03-10T10:15:00.000Z') });
    await task(a, { intent: 'inquiry', chatId: chat, at: at('2026-03-10T10:15:01.000Z') });
    const b = await line({ chatId: chat, at: at('2026-03-10T10:45:00.000Z') });
    await task(b, { intent: 'inquiry', chatId: chat, at: at('2026-03-10T10:45:01.000Z') });
    const web = `web-${uid()}`;
    const c = await line({ chatId: web, channel: 'webchat', at: at('2026-03-10T12:05:00.000Z') });
    await task(c, { intent: 'greeting', chatId: web, at: at('2026-03-10T12:05:01.000Z') });
    // E's turn answered D too: D has no task of its own.
    const burst = `${uid()}@c.us`;
    const e = await line({ chatId: burst, at: at('2026-03-10T12:09:00.000Z') });
    const d = await line({ chatId: burst, at: at('2026-03-10T12:09:02.000Z') });
    await task(e, { intent: 'quote_request', chatId: burst, at: at('2026-03-10T12:09:05.000Z'), input: { body: 'a; b', messages: [e, d] } });
    // Written while a person held the chat.
    const held = `${uid()}@c.us`;
    await handoff({ chatId: held, status: 'closed', openedAt: at('2026-03-10T11:00:00.000Z'), closedAt: at('2026-03-10T11:30:00.000Z') });
    await line({ chatId: held, at: at('2026-03-10T11:20:00.000Z') });
    // Nothing has read this one yet.
    await line({ chatId: `web-${uid()}`, channel: 'webchat', at: at('2026-03-10T11:50:00.000Z') });
    // Outside the range, and not from the customer.
    const early = await line({ chatId: chat, at: at('2026-03-10T09:59:59.000Z') });
    await task(early, { intent: 'inquiry', chatId: chat, at: at('2026-03-10T10:00:00.000Z') });
    await line({ chatId: chat, direction: 'out', at: at('2026-03-10T10:20:00.000Z') });

    const stats = await messagesPerHour(database.db, { hours: 3, now: at('2026-03-10T12:30:00.000Z') });
    expect(stats).toEqual({
      from: '2026-03-10T10:00:00.000Z',
      to: '2026-03-10T13:00:00.000Z',
      hours: ['2026-03-10T10:00:00.000Z', '2026-03-10T11:00:00.000Z', '2026-03-10T12:00:00.000Z'],
      series: [
        { intent: 'inquiry', channel: 'whatsapp', counts: [2, 0, 0] },
        { intent: 'quote_request', channel: 'whatsapp', counts: [0, 0, 2] },
        { intent: 'greeting', channel: 'webchat', counts: [0, 0, 1] },
        { intent: 'human_handoff', channel: 'whatsapp', counts: [0, 1, 0] },
        { intent: 'pending', channel: 'webchat', counts: [0, 1, 0] },
      ],
      total: 7,
    });

    const quiet = await messagesPerHour(database.db, { hours: 2, now: at('2026-03-01T00:00:00.000Z') });
    expect(quiet).toEqual({ from: '2026-02-28T23:00:00.000Z', to: '2026-03-01T01:00:00.000Z', hours: ['2026-02-28T23:00:00.000Z', '2026-03-01T00:00:00.000Z'], series: [], total: 0 });
  });

  it('measures handoff waits from opening to the first answer, open ones whenever they opened', async () => {
    const now = at('2026-03-10T12:30:00.000Z');
    const h1 = await handoff({ status: 'closed', openedAt: at('2026-03-10T11:00:00.000Z'), closedAt: at('2026-03-10T11:20:00.000Z') });
    await line({ chatId: 'x', workflowId: h1, direction: 'out', kind: 'operator', operator: 'maria', at: at('2026-03-10T11:00:30.000Z') });
    await line({ chatId: 'x', workflowId: h1, direction: 'out', kind: 'operator', operator: 'maria', at: at('2026-03-10T11:05:00.000Z') });
    const h2 = await handoff({ status: 'answered', openedAt: at('2026-03-10T10:00:00.000Z') });
    await line({ chatId: 'y', workflowId: h2, direction: 'out', kind: 'reply', at: at('2026-03-10T10:01:00.000Z') });
    await line({ chatId: 'y', workflowId: h2, direction: 'out', kind: 'operator', operator: 'ana', at: at('2026-03-10T10:10:00.000Z') });
    // An approval writes no line: its decision closes it.
    await handoff({ status: 'answered', reason: 'approval', openedAt: at('2026-03-10T09:00:00.000Z'), closedAt: at('2026-03-10T09:02:00.000Z') });
    await handoff({ status: 'timed_out', openedAt: at('2026-03-10T08:00:00.000Z'), closedAt: at('2026-03-11T08:00:00.000Z') });
    await handoff({ status: 'open', openedAt: at('2026-03-10T12:00:00.000Z') });
    await handoff({ status: 'open', openedAt: at('2026-03-08T12:00:00.000Z') });
    const old = await handoff({ status: 'closed', openedAt: at('2026-03-08T10:00:00.000Z') });
    await line({ chatId: 'z', workflowId: old, direction: 'out', kind: 'operator', operator: 'ana', at: at('2026-03-08T10:00:05.000Z') });

    expect(await handoffWaits(database.db, { hours: 24, now })).toEqual({
      from: '2026-03-09T12:30:00.000Z',
      to: '2026-03-10T12:30:00.000Z',
      open: { count: 2, oldestWaitSeconds: 2 * 86400 + 1800 },
      answered: { count: 3, avgWaitSeconds: 250, p50WaitSeconds: 120, p90WaitSeconds: 600, maxWaitSeconds: 600 },
      timedOut: 1,
      buckets: [
        { le: 60, count: 1 },
        { le: 300, count: 1 },
        { le: 900, count: 1 },
        { le: 3600, count: 0 },
        { le: 14400, count: 0 },
        { le: 86400, count: 0 },
        { le: null, count: 0 },
      ],
    });
    const nothing = await handoffWaits(database.db, { hours: 1, now: at('2026-01-01T00:00:00.000Z') });
    expect(nothing.answered).toEqual({ count: 0, avgWaitSeconds: null, p50WaitSeconds: null, p90WaitSeconds: null, maxWaitSeconds: null });
  });

  it('counts replies by channel and delivery status', async () => {
    const when = at('2026-03-10T12:00:00.000Z');
    const statuses: OutboundStatus[] = ['sent', 'delivered', 'read', 'failed', 'recorded', 'sending'];
    for (const status of statuses) await outbound({ key: `msg:whatsapp:${uid()}:reply`, chatId: 'a@c.us', status, at: when });
    for (let i = 0; i < 2; i++) await outbound({ key: `msg:webchat:${uid()}:reply`, chatId: 'w', channel: 'webchat', status: 'sent', at: when });
    await outbound({ key: `msg:whatsapp:${uid()}:reply`, chatId: 'a@c.us', status: 'sent', at: at('2026-03-08T12:00:00.000Z') });

    expect(await repliesByChannel(database.db, { hours: 24, now: at('2026-03-10T12:30:00.000Z') })).toEqual({
      from: '2026-03-09T12:30:00.000Z',
      to: '2026-03-10T12:30:00.000Z',
      channels: [
        { channel: 'whatsapp', sent: 3, delivered: 2, read: 1, failed: 1, pending: 2 },
        { channel: 'webchat', sent: 2, delivered: 0, read: 0, failed: 0, pending: 0 },
      ],
    });
  });

  it("rates each agent: tasks handled once each, failures, and the average of the agent's own timed work", async () => {
    const when = at('2026-03-10T12:00:00.000Z');
    const log = async (taskId: string, workflowId: string, key: string, agent: string, action: AgentLogAction, durationMs?: number, createdAt = when) => {
      await database.db.getRepository(AgentLog).insert({ id: randomUUID(), taskId, workflowId, logKey: key, agentName: agent, action, details: null, durationMs: durationMs ?? null, createdAt });
    };
    const message = async (agent: string, outcome: 'completed' | 'failed', triageMs: number, agentMs?: number, turnMs?: number) => {
      const workflowId = `msg:whatsapp:${randomUUID()}`;
      const id = await task(workflowId, { intent: 'inquiry', chatId: 'c', at: when });
      await log(id, workflowId, 'created', 'orchestrator', 'created');
      await log(id, workflowId, 'triaged', 'orchestrator', 'processed', triageMs);
      await log(id, workflowId, `delegated:${agent}`, agent, 'delegated');
      if (outcome === 'completed') {
        await log(id, workflowId, `completed:${agent}`, agent, 'completed', agentMs);
        await log(id, workflowId, 'replied', agent, 'completed', turnMs);
      } else {
        await log(id, workflowId, 'failed', agent, 'failed');
      }
    };
    await message('inquiry', 'completed', 200, 1000, 5000);
    await message('inquiry', 'failed', 400);
    await message('order', 'completed', 300, 2000, 9000);
    const oldFlow = `msg:whatsapp:${randomUUID()}`;
    const oldTask = await task(oldFlow, { intent: 'return_request', chatId: 'c', at: when });
    await log(oldTask, oldFlow, 'completed:returns', 'returns', 'completed', 100, at('2026-03-01T12:00:00.000Z'));

    expect(await agentPerformance(database.db, { hours: 168, now: at('2026-03-10T12:30:00.000Z') })).toEqual({
      from: '2026-03-03T12:30:00.000Z',
      to: '2026-03-10T12:30:00.000Z',
      agents: [
        { agent: 'orchestrator', tasks_handled: 3, completed: 0, failed: 0, failure_rate: 0, avg_processing_seconds: 0.3 },
        { agent: 'inquiry', tasks_handled: 2, completed: 1, failed: 1, failure_rate: 0.5, avg_processing_seconds: 1 },
        { agent: 'order', tasks_handled: 1, completed: 1, failed: 0, failure_rate: 0, avg_processing_seconds: 2 },
      ],
    });
    expect((await agentPerformance(database.db, { hours: 1, now: at('2026-01-01T00:00:00.000Z') })).agents).toEqual([]);
  });

  it('counts a follow-up step answered when the customer wrote after it, before the next step and within the reply window', async () => {
    const step = (chatId: string, purpose: string, n: number, when: string, status: OutboundStatus = 'sent') =>
      outbound({ key: `followup:${chatId}:${purpose}:step-${n}`, workflowId: `followup:${chatId}:${purpose}`, chatId, status, at: at(when) });
    // a: the reply comes after step 2, so it answers step 2, not step 1.
    await step('a@c.us', 'quote', 1, '2026-03-01T10:00:00.000Z');
    await step('a@c.us', 'quote', 2, '2026-03-02T10:00:00.000Z');
    await line({ chatId: 'a@c.us', at: at('2026-03-02T15:00:00.000Z') });
    // b: a message before the step, and one after the 72-hour window.
    await line({ chatId: 'b@c.us', at: at('2026-03-01T09:00:00.000Z') });
    await step('b@c.us', 'quote', 1, '2026-03-01T10:00:00.000Z');
    await line({ chatId: 'b@c.us', at: at('2026-03-05T10:00:00.000Z') });
    // c: answered within half an hour.
    await step('c@c.us', 'quote', 1, '2026-03-04T10:00:00.000Z');
    await line({ chatId: 'c@c.us', at: at('2026-03-04T10:30:00.000Z') });
    // d: refused by the provider, not sent; e: sent, and only our own line followed.
    await step('d@c.us', 'cart', 1, '2026-03-06T10:00:00.000Z', 'failed');
    await line({ chatId: 'd@c.us', at: at('2026-03-06T10:05:00.000Z') });
    await step('e@c.us', 'cart', 1, '2026-03-06T10:00:00.000Z', 'recorded');
    await line({ chatId: 'e@c.us', direction: 'out', kind: 'reply', at: at('2026-03-06T11:00:00.000Z') });
    // f: before the range.
    await step('f@c.us', 'quote', 1, '2026-01-01T10:00:00.000Z');
    await line({ chatId: 'f@c.us', at: at('2026-01-01T10:05:00.000Z') });
    // g: a later campaign of the same chat and purpose, whose keys name its run, counts like any other.
    await outbound({ key: 'followup:g@c.us:quote:run-1772960000000:step-1', workflowId: 'followup:g@c.us:quote', chatId: 'g@c.us', status: 'sent', at: at('2026-03-08T10:00:00.000Z') });
    await line({ chatId: 'g@c.us', at: at('2026-03-08T10:10:00.000Z') });

    expect(await followUpEffectiveness(database.db, { days: 30, now: at('2026-03-10T12:00:00.000Z'), replyWindowHours: 72 })).toEqual({
      from: '2026-02-08T12:00:00.000Z',
      to: '2026-03-10T12:00:00.000Z',
      purposes: [
        {
          purpose: 'quote',
          sent: 5,
          answered: 3,
          reply_rate: 0.6,
          steps: [
            { step: 1, sent: 4, answered: 2, reply_rate: 0.5 },
            { step: 2, sent: 1, answered: 1, reply_rate: 1 },
          ],
        },
        { purpose: 'cart', sent: 1, answered: 0, reply_rate: 0, steps: [{ step: 1, sent: 1, answered: 0, reply_rate: 0 }] },
      ],
    });
    // A wider window makes b's late message an answer.
    const wide = await followUpEffectiveness(database.db, { days: 30, now: at('2026-03-10T12:00:00.000Z'), replyWindowHours: 120 });
    expect(wide.purposes[0]).toMatchObject({ purpose: 'quote', answered: 4, steps: [{ step: 1, answered: 3 }, { step: 2, answered: 1 }] });
  });

  it('has an index for each time range the stats read', async () => {
    const runner = database.db.createQueryRunner();
    try {
      const indexes = async (table: string) => ((await runner.getTable(table))?.indices ?? []).map((i) => `${i.name}:${i.columnNames.join(',')}`);
      expect(await indexes('agent_logs')).toContain('IDX_agent_logs_created:created_at');
      expect(await indexes('outbound_messages')).toContain('IDX_outbound_messages_created:created_at');
      expect(await indexes('handoffs')).toContain('IDX_handoffs_opened:opened_at');
      expect(await indexes('conversation_messages')).toContain('IDX_conversation_messages_at:at');
    } finally {
      await runner.release();
    }
  });
});
