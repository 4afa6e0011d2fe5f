import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { approvalDecisionUpdate, getStatusQuery, messageWorkflowId, type HandleMessageInput, type MessageStatus } from '../../src/contracts';
import { triageByKeywords } from '../../src/domain';
import { AgentLog, Appointment, ConversationMessage, Handoff, Order, OutboundMessage, ReturnRequest } from '../../src/persistence';
import type { handleMessage } from '../../src/workflows';
import { eventually } from '../helpers/api';
import { openTestDatabase, type TestDatabase } from '../helpers/database';
import { startFakeOpenAiServer, type FakeOpenAiServer, type OpenAiBehaviour } from '../helpers/openai-server';
import { connectTemporal, startTestWorker, uniqueTaskQueue, type RunningWorker, type TemporalTestContext } from '../helpers/temporal';

/**
 * LLM mode's agents acting through tool calls, end to end: the real worker and workflow on
 * the dev server, the real `openai` client against a local server speaking the Chat
 * Completions wire format. The stand-in model answers each request from what it carries,
 * as a model does: the agent it is (system prompt), the tools offered, and the tool
 * results so far (its `messages`).
 */

type Request = { messages: Array<{ role: string; content: string | null; tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>; tool_call_id?: string }>; tools?: Array<{ function: { name: string } }> };
type Script = (request: Request, results: unknown[]) => OpenAiBehaviour;

const BOOK = 'I want to book an appointment please';
const cancelling = (orderId: string) => `I want a refund for my order ${orderId}, I don't want it anymore`;

/**
 * With SWITCHBOARD_RECORD_HISTORIES=<dir>, the runs below are saved there as histories the
 * replay test reads (this is how LLM mode's histories in test/histories were recorded: the
 * recorder script has no model to talk to).
 */
async function recordAs(name: string, handle: { fetchHistory(): Promise<Parameters<typeof historyToJSON>[0]> }): Promise<void> {
  const dir = process.env.SWITCHBOARD_RECORD_HISTORIES;
  if (!dir) return;
  writeFileSync(path.join(dir, `${name}.json`), `${historyToJSON(await handle.fetchHistory())}\n`);
}

function toolResults(request: Request): unknown[] {
  return request.messages.filter((m) => m.role === 'tool').map((m) => JSON.parse(m.content ?? 'null'));
}

function agentOf(request: Request): string | undefined {
  const system = request.messages[0]?.content ?? '';
  if (/You coordinate/.test(system)) return 'supervisor';
  return /You are the (\w+) agent/.exec(system)?.[1];
}

describe('LLM mode: agents act through tool calls', () => {
  let ctx: TemporalTestContext;
  let database: TestDatabase;
  let worker: RunningWorker;
  let provider: FakeOpenAiServer;
  const taskQueue = uniqueTaskQueue('wf-tools');
  /** The agent's model, by agent; the reply writer (asked to word a template) answers with the draft's gist. */
  let scripts: Record<string, Script> = {};

  beforeAll(async () => {
    provider = await startFakeOpenAiServer();
    ctx = await connectTemporal();
    database = await openTestDatabase();
    worker = await startTestWorker(ctx, taskQueue, database.db, { OPENAI_BASE_URL: provider.baseUrl, OPENAI_MODEL: 'switchboard-test-model', LLM_TIMEOUT_MS: '5000' });
  });

  afterAll(async () => {
    await worker?.stop();
    await database?.close();
    await ctx?.close();
    await provider?.stop();
  });

  beforeEach(() => {
    scripts = {};
    provider.reset();
    provider.setDefault({
      from: (request: Request) => {
        const agent = request.tools?.length ? agentOf(request) : undefined;
        const script = agent ? scripts[agent] : undefined;
        if (script) return script(request, toolResults(request));
        // The reply writer, rewording a rule agent's template: a sentence that claims nothing.
        return { content: 'Thanks for your message, we are on it.' };
      },
    });
  });

  const agentRequests = (agent: string) => provider.requests.filter((r) => r.body?.tools?.length && agentOf(r.body) === agent);

  async function start(body: string, options: { chatId?: string; agentLoop?: HandleMessageInput['agentLoop']; handoffTimeoutSeconds?: number } = {}) {
    const message: HandleMessageInput = {
      chatId: options.chatId ?? `${randomUUID().slice(0, 8)}@c.us`,
      messageId: randomUUID(),
      channel: 'whatsapp',
      body,
      llm: true,
      ...(options.agentLoop ? { agentLoop: options.agentLoop } : {}),
      ...(options.handoffTimeoutSeconds ? { handoffTimeoutSeconds: options.handoffTimeoutSeconds } : {}),
    };
    const handle = await ctx.client.workflow.start<typeof handleMessage>('handleMessage', { workflowId: messageWorkflowId('whatsapp', message.messageId), taskQueue, args: [message] });
    return { handle, chatId: message.chatId };
  }

  it('uses messages the keyword rules are sure of, so triage never asks the model', () => {
    expect(triageByKeywords(BOOK)).toMatchObject({ intent: 'appointment_booking' });
    expect(triageByKeywords(BOOK).confidence).toBeGreaterThanOrEqual(0.6);
    expect(triageByKeywords(cancelling('ORD-TOOLS-1')).intent).toBe('return_request');
  });

  it('books over two tool calls: free slots, then the booking, and replies with what the tools returned', async () => {
    scripts.appointment = (_req, results) => {
      if (results.length === 0) return { toolCalls: [{ name: 'find_free_slots', arguments: {} }] };
      const slots = (results[0] as { slots: Array<{ start: string }> }).slots;
      if (results.length === 1) return { toolCalls: [{ name: 'book_slot', arguments: { start: slots[0].start } }] };
      const { booked } = results[1] as { booked: { reference: string; date: string; time: string } };
      return { content: `All set! You're booked on ${booked.date} at ${booked.time}, reference ${booked.reference}. See you then!` };
    };
    const { handle, chatId } = await start(BOOK);
    const result = await handle.result();

    const bookings = await database.db.getRepository(Appointment).findBy({ chatId });
    expect(bookings).toHaveLength(1);
    expect(result.reply!.text).toMatch(/^All set! You're booked on \d{4}-\d{2}-\d{2} at \d{2}:\d{2}, reference [0-9A-F]{8}\. See you then!$/);
    expect(result.toolCalls!.map((c) => [c.name, c.status])).toEqual([
      ['find_free_slots', 'done'],
      ['book_slot', 'done'],
    ]);
    expect(result.toolCalls![1].summary).toMatch(/^book_slot: \d{4}-\d{2}-\d{2} \d{2}:\d{2} → [0-9A-F]{8}$/);
    // The reference the customer reads is the booking's, as the tool returned it.
    expect(result.reply!.text).toContain(result.toolCalls![1].summary.slice(-8));
    expect(result.llm).toMatchObject({ modelCalls: 3 });
    expect(result.llm!.fallback).toBeUndefined();

    // The model was offered the appointment tools, and read the slots before it booked.
    const steps = agentRequests('appointment');
    expect(steps).toHaveLength(3);
    expect(steps[0].body.tools.map((t: { function: { name: string } }) => t.function.name)).toEqual(expect.arrayContaining(['find_free_slots', 'book_slot', 'cancel_booking']));
    expect(steps[2].body.messages.filter((m: { role: string }) => m.role === 'tool')).toHaveLength(2);

    // The customer got the model's words, once.
    const sent = await database.db.getRepository(OutboundMessage).findBy({ workflowId: handle.workflowId });
    expect(sent.map((m) => m.body)).toEqual([result.reply!.text]);

    // The agent log has a line per call.
    const logs = await database.db.getRepository(AgentLog).findBy({ workflowId: handle.workflowId, action: 'tool_called' });
    expect(logs.map((l) => (l.details as { tool: string }).tool).sort()).toEqual(['book_slot', 'find_free_slots']);

    // The transcript keeps which tools the reply came from, and what the turn's models used.
    const line = await eventually(() => database.db.getRepository(ConversationMessage).findOneBy({ workflowId: handle.workflowId, direction: 'out' }), (m) => m !== null);
    expect(line!.metadata).toMatchObject({ toolCalls: [{ name: 'find_free_slots' }, { name: 'book_slot', status: 'done' }], llm: { modelCalls: 3 } });

    // Each call is an activity of its own, with a one-line summary the Web UI shows.
    const history = await handle.fetchHistory();
    const scheduled = (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'callTool');
    const summaries = scheduled.map((e) => Buffer.from(e.userMetadata!.summary!.data!).toString('utf8'));
    expect(summaries).toEqual([expect.stringMatching(/find_free_slots/), expect.stringMatching(/^"book_slot: \d{4}-\d{2}-\d{2} \d{2}:\d{2}"$/)]);
    await recordAs('handle-message-v7-llm-booking-tools', handle);
  });

  it('runs the calls a model asks for at once in parallel, and gives each result back under its call id', async () => {
    scripts.appointment = (_req, results) => {
      if (results.length === 0) {
        return {
          toolCalls: [
            { id: 'call_mine', name: 'get_my_booking', arguments: {} },
            { id: 'call_free', name: 'find_free_slots', arguments: {} },
          ],
        };
      }
      return { content: 'You have no booking yet. Which day suits you?' };
    };
    const { handle } = await start(BOOK);
    const result = await handle.result();
    expect(result.reply!.text).toBe('You have no booking yet. Which day suits you?');
    const last = agentRequests('appointment')[1].body.messages;
    const toolMessages = last.filter((m: { role: string }) => m.role === 'tool');
    expect(toolMessages.map((m: { tool_call_id: string }) => m.tool_call_id)).toEqual(['call_mine', 'call_free']);
    expect(JSON.parse(toolMessages[0].content)).toMatchObject({ bookings: [] });
    expect(JSON.parse(toolMessages[1].content).slots.length).toBeGreaterThan(0);
    // A question for the customer waits for their answer.
    expect(result.pending).toMatchObject({ agent: 'appointment' });
  });

  it('holds a dialogue: the question it asked is in the next turn\'s prompt, and the answer books the slot it offered', async () => {
    let offered = '';
    scripts.appointment = (req, results) => {
      const context = req.messages.filter((m) => m.role === 'system').map((m) => m.content ?? '').join('\n');
      const answering = context.includes('Which one suits you?');
      if (!answering) {
        if (results.length === 0) return { toolCalls: [{ name: 'find_free_slots', arguments: {} }] };
        offered = (results[0] as { slots: Array<{ start: string }> }).slots[1].start;
        return { content: `I can do ${offered.replace('T', ' at ')}. Which one suits you?` };
      }
      if (results.length === 0) return { toolCalls: [{ name: 'book_slot', arguments: { start: offered } }] };
      const { booked } = results[0] as { booked: { reference: string; date: string; time: string } };
      return { content: `Booked for ${booked.date} at ${booked.time}, reference ${booked.reference}.` };
    };
    const chatId = `${randomUUID().slice(0, 8)}@c.us`;
    const first = await (await start(BOOK, { chatId })).handle.result();
    expect(first.pending).toMatchObject({ agent: 'appointment' });
    const second = await (await start('That one works for me', { chatId })).handle.result();
    expect(second.route!.agent).toBe('appointment');
    const bookings = await database.db.getRepository(Appointment).findBy({ chatId });
    expect(bookings).toHaveLength(1);
    expect(second.reply!.text).toBe(`Booked for ${offered.slice(0, 10)} at ${offered.slice(11)}, reference ${second.toolCalls![0].summary.slice(-8)}.`);
  });

  it('tells the model what was wrong with its arguments, naming the field, and books once it corrects them', async () => {
    scripts.appointment = (_req, results) => {
      if (results.length === 0) return { toolCalls: [{ name: 'book_slot', arguments: { start: 'tomorrow at 10' } }] };
      if (results.length === 1) return { toolCalls: [{ name: 'find_free_slots', arguments: {} }] };
      if (results.length === 2) return { toolCalls: [{ name: 'book_slot', arguments: { start: (results[1] as { slots: Array<{ start: string }> }).slots[0].start } }] };
      const { booked } = results[2] as { booked: { reference: string } };
      return { content: `Booked, reference ${booked.reference}.` };
    };
    const { handle, chatId } = await start(BOOK);
    const result = await handle.result();
    expect(result.toolCalls!.map((c) => c.status)).toEqual(['invalid', 'done', 'done']);
    const firstResult = toolResults(agentRequests('appointment')[1].body)[0] as { error: string };
    expect(firstResult.error).toMatch(/^start: /);
    expect(await database.db.getRepository(Appointment).countBy({ chatId })).toBe(1);
    expect(result.reply!.text).toMatch(/^Booked, reference [0-9A-F]{8}\.$/);
  });

  it('feeds a tool error back to the model, which recovers with what the error offered', async () => {
    scripts.appointment = (_req, results) => {
      if (results.length === 0) return { toolCalls: [{ name: 'book_slot', arguments: { start: '2020-01-06T10:00', service: 'massage' } }] };
      const last = results[results.length - 1] as { error?: string; free_slots?: Array<{ start: string }>; booked?: { reference: string; date: string; time: string; service: string } };
      if (last.error) return { toolCalls: [{ name: 'book_slot', arguments: { start: last.free_slots![0].start, service: 'massage' } }] };
      return { content: `That time had passed, so I booked your massage for ${last.booked!.date} at ${last.booked!.time} instead (reference ${last.booked!.reference}).` };
    };
    const { handle, chatId } = await start('Book me a massage please');
    const result = await handle.result();
    const told = toolResults(agentRequests('appointment')[1].body)[0] as { error: string; free_slots: unknown[] };
    expect(told.error).toBe('2020-01-06 10:00 has already passed');
    expect(told.free_slots.length).toBeGreaterThan(0);
    expect(result.toolCalls!.map((c) => c.status)).toEqual(['failed', 'done']);
    const bookings = await database.db.getRepository(Appointment).findBy({ chatId });
    expect(bookings.map((b) => b.service)).toEqual(['massage']);
    expect(result.reply!.text).toMatch(/^That time had passed, so I booked your massage for/);
  });

  it('does not send a claim no tool returned: an invented booking gives way to the rule agent', async () => {
    scripts.appointment = () => ({ content: "You're booked for 24 December at 15:00, reference ABCD1234." });
    const { handle, chatId } = await start(BOOK);
    const result = await handle.result();
    expect(result.reply!.text).not.toContain('ABCD1234');
    expect(result.llm).toMatchObject({ fallback: 'ungrounded' });
    // The rule agent answered instead: it offers slots, and nothing was booked.
    expect(result.outcomes![0].text).toMatch(/Available times|Which one suits you/);
    expect(await database.db.getRepository(Appointment).countBy({ chatId })).toBe(0);
  });

  it('stops a model that keeps calling tools at the step limit, and answers with the rule agent', async () => {
    scripts.appointment = () => ({ toolCalls: [{ name: 'find_free_slots', arguments: {} }] });
    const { handle } = await start(BOOK, { agentLoop: { maxSteps: 3, tokenBudget: 50_000 } });
    const result = await handle.result();
    expect(agentRequests('appointment')).toHaveLength(3);
    expect(result.llm).toMatchObject({ fallback: 'step_limit', modelCalls: 3 });
    expect(result.outcomes![0].text).toMatch(/Available times|Which one suits you/);
    await recordAs('handle-message-v7-llm-step-limit', handle);
  });

  it('stops at the turn token budget', async () => {
    scripts.appointment = () => ({ toolCalls: [{ name: 'find_free_slots', arguments: {} }], usage: { prompt: 900, completion: 200 } });
    const { handle } = await start(BOOK, { agentLoop: { maxSteps: 10, tokenBudget: 2_000 } });
    const result = await handle.result();
    // 1100 tokens a call: the second call leaves none for a third.
    expect(agentRequests('appointment')).toHaveLength(2);
    expect(result.llm).toMatchObject({ fallback: 'token_budget', promptTokens: 1800, completionTokens: 400 });
  });

  describe('a call that needs a person: cancelling an order', () => {
    async function orderFor(chatId: string): Promise<string> {
      const id = `ORD-T${randomUUID().slice(0, 6).toUpperCase()}`;
      await database.db.getRepository(Order).insert({
        id,
        chatId,
        status: 'processing',
        items: [{ sku: 'YOGA-MAT', name: 'Yoga mat', quantity: 1, priceCents: 2999 }],
        totalCents: 2999,
        currency: 'USD',
        carrier: null,
        trackingNumber: null,
        orderedAt: new Date(),
        shippedAt: null,
        deliveredAt: null,
        estimatedDelivery: null,
      } as Order);
      return id;
    }

    function cancelScript(orderId: string): Script {
      return (_req, results) => {
        if (results.length === 0) return { toolCalls: [{ id: 'call_cancel', name: 'cancel_order', arguments: { order_number: orderId } }] };
        const last = results[results.length - 1] as { cancelled?: { order_number: string }; error?: string };
        if (last.cancelled) return { content: `Your order ${last.cancelled.order_number} is cancelled.` };
        return { content: `I'm sorry, we can't cancel order ${orderId} this time.` };
      };
    }

    async function waitingForApproval(handle: { query: (q: typeof getStatusQuery) => Promise<MessageStatus> }) {
      return eventually(() => handle.query(getStatusQuery), (s) => s.approval?.status === 'waiting', 30_000);
    }

    it('lists it for a person, tells the customer, and cancels once approved', async () => {
      const chatId = `${randomUUID().slice(0, 8)}@c.us`;
      const orderId = await orderFor(chatId);
      scripts.returns = cancelScript(orderId);
      const { handle } = await start(cancelling(orderId), { chatId });
      const waiting = await waitingForApproval(handle);
      expect(waiting.step).toBe('waiting_for_approval');
      expect(waiting.approval).toMatchObject({ callId: 'call_cancel', agent: 'returns', handoffId: `${handle.workflowId}:approval:call_cancel` });
      // Nothing is done yet; the customer is told a person is checking; the inbox lists it.
      expect((await database.db.getRepository(Order).findOneBy({ id: orderId }))!.status).toBe('processing');
      const notice = await eventually(() => database.db.getRepository(OutboundMessage).findBy({ workflowId: handle.workflowId }), (m) => m.length === 1);
      expect(notice[0].body).toMatch(/colleague to approve/);
      const listed = await database.db.getRepository(Handoff).findOneBy({ workflowId: waiting.approval!.handoffId });
      expect(listed).toMatchObject({ status: 'open', reason: 'approval' });

      const decided = await handle.executeUpdate(approvalDecisionUpdate, { args: [{ approve: true, operator: 'sam', callId: 'call_cancel' }] });
      expect(decided).toMatchObject({ status: 'granted', operator: 'sam' });
      const result = await handle.result();
      expect((await database.db.getRepository(Order).findOneBy({ id: orderId }))!.status).toBe('cancelled');
      expect(result.reply!.text).toBe(`Your order ${orderId} is cancelled.`);
      expect(result.toolCalls).toEqual([expect.objectContaining({ name: 'cancel_order', status: 'done' })]);
      expect((await database.db.getRepository(Handoff).findOneBy({ workflowId: waiting.approval!.handoffId }))!.status).toBe('answered');
      await recordAs('handle-message-v7-llm-approval-granted', handle);
    });

    it('does nothing when the person refuses, and the model is told so', async () => {
      const chatId = `${randomUUID().slice(0, 8)}@c.us`;
      const orderId = await orderFor(chatId);
      scripts.returns = cancelScript(orderId);
      const { handle } = await start(cancelling(orderId), { chatId });
      await waitingForApproval(handle);
      // A decision for another call is refused: it names the one waiting.
      await expect(handle.executeUpdate(approvalDecisionUpdate, { args: [{ approve: true, callId: 'call_other' }] })).rejects.toThrow();
      await handle.executeUpdate(approvalDecisionUpdate, { args: [{ approve: false, operator: 'sam', note: 'already packed' }] });
      const result = await handle.result();
      expect((await database.db.getRepository(Order).findOneBy({ id: orderId }))!.status).toBe('processing');
      expect(result.toolCalls).toEqual([expect.objectContaining({ name: 'cancel_order', status: 'refused' })]);
      expect(result.approval).toMatchObject({ status: 'refused', note: 'already packed' });
      const told = toolResults(agentRequests('returns')[1].body)[0] as { error: string; note: string };
      expect(told).toMatchObject({ error: expect.stringMatching(/declined/), note: 'already packed' });
      expect(result.reply!.text).toMatch(/can't cancel/);
    });
  });

  it('does nothing when nobody decides in time, and closes the listing as timed out', async () => {
    const chatId = `${randomUUID().slice(0, 8)}@c.us`;
    const orderId = `ORD-W${randomUUID().slice(0, 6).toUpperCase()}`;
    await database.db.getRepository(Order).insert({
      id: orderId, chatId, status: 'reserved', items: [{ sku: 'YOGA-MAT', name: 'Yoga mat', quantity: 1, priceCents: 2999 }], totalCents: 2999, currency: 'USD',
      carrier: null, trackingNumber: null, orderedAt: new Date(), shippedAt: null, deliveredAt: null, estimatedDelivery: null,
    } as Order);
    scripts.returns = (_req, results) =>
      results.length === 0 ? { toolCalls: [{ id: 'call_late', name: 'cancel_order', arguments: { order_number: orderId } }] } : { content: `Sorry, order ${orderId} could not be cancelled this time.` };
    const { handle } = await start(cancelling(orderId), { chatId, handoffTimeoutSeconds: 2 });
    const result = await handle.result();
    expect(result.approval).toMatchObject({ status: 'timed_out' });
    expect(result.toolCalls).toEqual([expect.objectContaining({ name: 'cancel_order', status: 'refused' })]);
    expect((await database.db.getRepository(Order).findOneBy({ id: orderId }))!.status).toBe('reserved');
    expect((await database.db.getRepository(Handoff).findOneBy({ workflowId: result.approval!.handoffId }))!.status).toBe('timed_out');
    const told = toolResults(agentRequests('returns')[1].body)[0] as { note: string };
    expect(told.note).toBe('nobody decided in time');
  });

  it('lets a supervisor ask two specialists at once and write one answer from their replies', async () => {
    scripts.supervisor = (req, results) => {
      if (results.length === 0) {
        expect(req.tools!.map((t) => t.function.name)).toEqual(['ask_appointment', 'ask_order']);
        return {
          toolCalls: [
            { name: 'ask_appointment', arguments: { request: 'book an appointment' } },
            { name: 'ask_order', arguments: { request: 'where is my order' } },
          ],
        };
      }
      return { content: (results as Array<{ reply: string }>).map((r) => r.reply).join(' ') };
    };
    scripts.appointment = (_req, results) => {
      if (results.length === 0) return { toolCalls: [{ name: 'find_free_slots', arguments: {} }] };
      const first = (results[0] as { slots: Array<{ date: string; time: string }> }).slots[0];
      return { content: `The first free slot is ${first.date} at ${first.time}. Shall I book it?` };
    };
    scripts.order = (_req, results) => (results.length === 0 ? { toolCalls: [{ name: 'list_my_orders', arguments: {} }] } : { content: 'I could not find any orders for this chat.' });
    const { handle, chatId } = await start('I want to book an appointment, and where is my order?');
    const result = await handle.result();
    expect(result.route!.agents).toEqual(['appointment', 'order']);
    expect(result.reply!.text).toMatch(/^The first free slot is \d{4}-\d{2}-\d{2} at \d{2}:\d{2}\. Shall I book it\? I could not find any orders for this chat\.$/);
    expect(result.outcomes!.map((o) => o.agent)).toEqual(['appointment', 'order']);
    expect(result.toolCalls!.map((c) => c.name).sort()).toEqual(['ask_appointment', 'ask_order', 'find_free_slots', 'list_my_orders']);
    expect(await database.db.getRepository(Appointment).countBy({ chatId })).toBe(0);
    await recordAs('handle-message-v7-llm-supervisor', handle);
  });

  it("answers with each specialist's own reply when the supervisor's text claims what none returned", async () => {
    scripts.supervisor = (_req, results) => {
      if (results.length === 0) {
        return {
          toolCalls: [
            { name: 'ask_nobody', arguments: { request: 'anything' } },
            { name: 'ask_order', arguments: {} },
            { name: 'ask_order', arguments: { request: 'where is my order' } },
          ],
        };
      }
      return { content: "You're booked for 24 December at 15:00, reference ABCD1234, and your order has shipped." };
    };
    scripts.order = (_req, results) => (results.length === 0 ? { toolCalls: [{ name: 'list_my_orders', arguments: {} }] } : { content: 'I could not find any orders for this chat.' });
    scripts.appointment = () => ({ status: 401 });
    const { handle } = await start('I want to book an appointment, and where is my order?');
    const result = await handle.result();
    expect(result.llm).toMatchObject({ fallback: expect.stringMatching(/ungrounded|model_failed/) });
    expect(result.reply!.text).not.toContain('ABCD1234');
    // Both answered for themselves: the order agent's model, the appointment rule agent (its model was refused).
    expect(result.outcomes!.map((o) => o.agent)).toEqual(['appointment', 'order']);
    expect(result.outcomes![1].text).toBe('I could not find any orders for this chat.');
    expect(result.outcomes![0].text).toMatch(/Available times|Which one suits you/);
    // The calls it got wrong were answered as errors it could read.
    const told = toolResults(agentRequests('supervisor')[1].body) as Array<{ error?: string; reply?: string }>;
    expect(told[0].error).toMatch(/^no agent tool named ask_nobody; use one of ask_appointment, ask_order$/);
    expect(told[1].error).toMatch(/^request: required/);
    expect(told[2].reply).toBe('I could not find any orders for this chat.');
    expect(result.toolCalls!.filter((c) => c.status === 'invalid').map((c) => c.name)).toEqual(['ask_nobody', 'ask_order']);
  });

  it('never has the rule agent act after a person declined, even when the model then claims it was done', async () => {
    const chatId = `${randomUUID().slice(0, 8)}@c.us`;
    const orderId = `ORD-D${randomUUID().slice(0, 6).toUpperCase()}`;
    await database.db.getRepository(Order).insert({
      id: orderId, chatId, status: 'processing', items: [{ sku: 'YOGA-MAT', name: 'Yoga mat', quantity: 1, priceCents: 2999 }], totalCents: 2999, currency: 'USD',
      carrier: null, trackingNumber: null, orderedAt: new Date(), shippedAt: null, deliveredAt: null, estimatedDelivery: null,
    } as Order);
    scripts.returns = (_req, results) =>
      results.length === 0 ? { toolCalls: [{ id: 'call_cancel', name: 'cancel_order', arguments: { order_number: orderId } }] } : { content: `Done: order ${orderId} is cancelled and $29.99 is on its way back to you.` };
    const { handle } = await start(cancelling(orderId), { chatId });
    await eventually(() => handle.query(getStatusQuery), (s) => s.approval?.status === 'waiting', 30_000);
    await handle.executeUpdate(approvalDecisionUpdate, { args: [{ approve: false, operator: 'sam' }] });
    const result = await handle.result();
    expect(result.llm).toMatchObject({ fallback: 'ungrounded' });
    expect(result.reply!.text).not.toMatch(/is cancelled|29\.99/);
    expect(result.outcomes![0].text).toMatch(/could not approve/);
    expect((await database.db.getRepository(Order).findOneBy({ id: orderId }))!.status).toBe('processing');
    expect(await database.db.getRepository(ReturnRequest).countBy({ orderId })).toBe(0);
  });

  it('falls back to the rule agent when the model cannot be reached', async () => {
    scripts.appointment = () => ({ status: 401 });
    const { handle } = await start(BOOK);
    const result = await handle.result();
    expect(result.llm).toMatchObject({ fallback: 'model_failed' });
    expect(result.outcomes![0].text).toMatch(/Available times|Which one suits you/);
    expect(result.reply!.text.length).toBeGreaterThan(0);
  });
});
