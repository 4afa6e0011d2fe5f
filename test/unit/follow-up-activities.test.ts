import { randomUUID } from 'node:crypto';
import { Client, WorkflowNotFoundError } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createFollowUpActivities, type FollowUpDeps } from '../../src/activities/follow-ups';
import { createReplyActivities } from '../../src/activities/replies';
import { followUpWorkflowId, type FollowUpRules, type SendFollowUpInput } from '../../src/contracts';
import { CircuitBreaker, createLlmReplyWriter, createLlmTriage, createOpenAiClient, type LlmDeps } from '../../src/llm';
import { Conversation, Customer, OutboundMessage } from '../../src/persistence';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../helpers/database';
import { FakeOpenAiServer, startFakeOpenAiServer } from '../helpers/openai-server';
import { connectTemporal, uniqueTaskQueue, type TemporalTestContext } from '../helpers/temporal';

const RULES: FollowUpRules = { stepsHours: [24, 48, 72], defaultTimezone: 'UTC' };

function customerRow(chatId: string, changes: Partial<Customer> = {}): Customer {
  return { chatId, name: null, email: null, phone: null, language: null, timezone: null, preferences: {}, optedOut: false, deletionRequestedAt: null, ...changes } as Customer;
}

/**
 * The side effects of a follow-up campaign's steps: what text goes out (the model's
 * rewording, or the template when the model fails), what calls a step off, who is in a
 * segment, and starting and calling off campaigns on a real Temporal server.
 */
describe.each(databaseKinds())('follow-up steps on %s', (kind) => {
  let database: TestDatabase;
  let server: FakeOpenAiServer;
  const env = new MockActivityEnvironment();

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    server = await startFakeOpenAiServer();
  });
  afterAll(async () => {
    await server?.stop();
    await database?.close();
  });
  beforeEach(() => server.reset());

  function activities(withLlm: boolean, extra: Partial<FollowUpDeps> = {}) {
    const deps: LlmDeps = { client: createOpenAiClient({ baseUrl: server.baseUrl, model: 'gpt-test', timeoutMs: 2000 })!, model: 'gpt-test', breaker: new CircuitBreaker() };
    return createFollowUpActivities({
      db: database.db,
      sendReply: createReplyActivities(database.db).sendReply,
      llm: withLlm ? { triage: createLlmTriage(deps), replies: createLlmReplyWriter(deps) } : undefined,
      rules: RULES,
      dailyCap: 3,
      ...extra,
    });
  }

  function step(chatId: string, overrides: Partial<SendFollowUpInput> = {}): SendFollowUpInput {
    return {
      campaignId: followUpWorkflowId(chatId, 'quote'),
      chatId,
      channel: 'whatsapp',
      purpose: 'quote',
      reference: 'Q-1A2B3C4D',
      step: 1,
      of: 3,
      startedAt: '2026-11-30T08:00:00.000Z',
      language: 'en',
      now: '2026-12-01T08:00:00.000Z',
      ...overrides,
    };
  }

  const ledger = (chatId: string) => database.db.getRepository(OutboundMessage).findBy({ chatId });

  it('sends the model\'s wording of the step, and the same words again when the step is retried', async () => {
    const chatId = `${randomUUID().slice(0, 8)}@c.us`;
    server.enqueue({ content: 'Hi Ana! Any questions about quote Q-1A2B3C4D? I can adjust it for you.' });
    const { sendFollowUpStep } = activities(true);
    const sent = await env.run(sendFollowUpStep, step(chatId));
    expect(sent).toMatchObject({ kind: 'sent', template: false, at: '2026-12-01T08:00:00.000Z' });
    // The model was given the template as the draft and what the step is about.
    const prompt = server.requests[0].body.messages[1].content as string;
    expect(prompt).toContain("Hi! Did you have a chance to look at your quote Q-1A2B3C4D? I'm happy to answer any questions or adjust it.");
    expect(prompt).toContain('"purpose": "quote"');

    // A retry after the step was recorded neither asks the model again nor is called off by a later reply.
    await database.db.getRepository(Conversation).insert({ chatId, lastInboundAt: new Date('2026-12-01T09:00:00.000Z') });
    const retried = await env.run(sendFollowUpStep, step(chatId));
    expect(retried).toEqual(sent);
    expect(server.requests).toHaveLength(1);
    expect((await ledger(chatId)).map((r) => r.body)).toEqual(['Hi Ana! Any questions about quote Q-1A2B3C4D? I can adjust it for you.']);
  });

  it('sends the template when the model fails (Spanish, the last step)', async () => {
    const chatId = `${randomUUID().slice(0, 8)}@c.us`;
    server.enqueue({ status: 500, message: 'overloaded' });
    const sent = await env.run(activities(true).sendFollowUpStep, step(chatId, { step: 3, language: 'es' }));
    expect(sent).toMatchObject({ kind: 'sent' });
    expect(server.requests).toHaveLength(1);
    expect((await ledger(chatId)).map((r) => r.body)).toEqual([
      'Último recordatorio de tu presupuesto Q-1A2B3C4D: sigue vigente unos días más. Responde aquí si quieres seguir adelante o tienes dudas.',
    ]);
  });

  it('writes in English about a cart without a reference when the customer\'s language is unknown', async () => {
    const chatId = `${randomUUID().slice(0, 8)}@c.us`;
    server.enqueue({ status: 503, message: 'unavailable' });
    const cart = step(chatId, { campaignId: followUpWorkflowId(chatId, 'cart'), purpose: 'cart', reference: undefined, language: undefined });
    expect(await env.run(activities(true).sendFollowUpStep, cart)).toMatchObject({ kind: 'sent' });
    // The model was told there is no reference, in English.
    const prompt = server.requests[0].body.messages[1].content as string;
    expect(prompt).toContain('Language of the reply (ISO 639-1): en');
    expect(prompt).toContain('"reference": null');
    expect((await ledger(chatId)).map((r) => r.body)).toEqual(['You left some items in your cart. Want me to hold them for you?']);

    const quote = `${randomUUID().slice(0, 8)}@c.us`;
    await env.run(activities(false).sendFollowUpStep, step(quote, { reference: undefined, step: 2 }));
    expect((await ledger(quote)).map((r) => r.body)).toEqual(["Hi! Did you have a chance to look at your quote? I'm happy to answer any questions or adjust it."]);
  });

  it('calls a step off when the customer wrote after the campaign began, or opted out', async () => {
    const replied = `${randomUUID().slice(0, 8)}@c.us`;
    await database.db.getRepository(Conversation).insert({ chatId: replied, lastInboundAt: new Date('2026-11-30T12:00:00.000Z') });
    expect(await env.run(activities(false).sendFollowUpStep, step(replied))).toEqual({ kind: 'skipped', reason: 'replied' });

    // A message from before the campaign began calls nothing off.
    const earlier = `${randomUUID().slice(0, 8)}@c.us`;
    await database.db.getRepository(Conversation).insert({ chatId: earlier, lastInboundAt: new Date('2026-11-30T07:00:00.000Z') });
    expect(await env.run(activities(false).sendFollowUpStep, step(earlier))).toMatchObject({ kind: 'sent' });

    const optedOut = `${randomUUID().slice(0, 8)}@c.us`;
    await database.db.getRepository(Customer).insert(customerRow(optedOut, { optedOut: true }));
    expect(await env.run(activities(false).sendFollowUpStep, step(optedOut))).toEqual({ kind: 'skipped', reason: 'opted_out' });

    expect(await ledger(replied)).toEqual([]);
    expect(await ledger(optedOut)).toEqual([]);
    expect((await ledger(earlier)).map((r) => r.body)).toEqual(["Hi! Did you have a chance to look at your quote Q-1A2B3C4D? I'm happy to answer any questions or adjust it."]);
  });

  it('sends a later campaign\'s steps for the same chat and purpose, and never a step twice in either', async () => {
    const chatId = `${randomUUID().slice(0, 8)}@c.us`;
    const first = step(chatId, { reference: 'Q-FIRST001' });
    expect(await env.run(activities(false).sendFollowUpStep, first)).toMatchObject({ kind: 'sent' });
    // A month later the customer gets another quote: the campaign runs again under the same workflow id.
    const later = step(chatId, { reference: 'Q-LATER002', startedAt: '2026-12-30T08:00:00.000Z', now: '2026-12-31T08:00:00.000Z' });
    expect(await env.run(activities(false).sendFollowUpStep, later)).toMatchObject({ kind: 'sent' });
    const bodies = async () => (await ledger(chatId)).map((r) => r.body).sort();
    expect(await bodies()).toEqual([
      'Hi! Did you have a chance to look at your quote Q-FIRST001? I\'m happy to answer any questions or adjust it.',
      'Hi! Did you have a chance to look at your quote Q-LATER002? I\'m happy to answer any questions or adjust it.',
    ]);
    // Either step retried (a worker died after the send) finds its own row and sends nothing more.
    await env.run(activities(false).sendFollowUpStep, later);
    await env.run(activities(false).sendFollowUpStep, first);
    expect(await ledger(chatId)).toHaveLength(2);
    // The first campaign's keys are the ones steps always had, so a step retried across the upgrade finds what it sent.
    expect((await ledger(chatId)).map((r) => r.idempotencyKey).sort()).toEqual([`${first.campaignId}:run-${Date.parse(later.startedAt)}:step-1`, `${first.campaignId}:step-1`]);
  });

  it('lists a segment: customers not opted out, in a language when asked, email addresses on the email channel', async () => {
    const fresh = await openTestDatabase(kind);
    try {
      await fresh.db.getRepository(Customer).insert([
        customerRow('34600111222@c.us', { language: 'es' }),
        customerRow('85260552717@c.us', { language: 'en' }),
        customerRow('ana@example.com', { language: 'en' }),
        customerRow('34600999888@c.us', { language: 'es', optedOut: true }),
        customerRow('85299990000', { language: 'en' }),
      ]);
      const { listSegment } = createFollowUpActivities({ db: fresh.db, sendReply: createReplyActivities(fresh.db).sendReply, rules: RULES, dailyCap: 3 });
      expect(await listSegment({ limit: 10 })).toEqual([
        { chatId: '34600111222@c.us', channel: 'whatsapp' },
        { chatId: '85260552717@c.us', channel: 'whatsapp' },
        { chatId: '85299990000', channel: 'whatsapp' },
        { chatId: 'ana@example.com', channel: 'email' },
      ]);
      expect(await listSegment({ language: 'es', limit: 10 })).toEqual([{ chatId: '34600111222@c.us', channel: 'whatsapp' }]);
      expect(await listSegment({ language: 'en', limit: 2 })).toEqual([
        { chatId: '85260552717@c.us', channel: 'whatsapp' },
        { chatId: '85299990000', channel: 'whatsapp' },
      ]);
    } finally {
      await fresh.close();
    }
  });
});

describe('starting and calling off campaigns on Temporal', () => {
  let ctx: TemporalTestContext;
  let database: TestDatabase;
  const started: string[] = [];

  beforeAll(async () => {
    ctx = await connectTemporal();
    database = await openTestDatabase();
  });
  afterAll(async () => {
    for (const workflowId of started) await ctx.client.workflow.getHandle(workflowId).terminate('test over').catch(() => undefined);
    await database?.close();
    await ctx?.close();
  });

  function activities(taskQueue: string, chatRef?: (chatId: string) => string) {
    return createFollowUpActivities({
      db: database.db,
      sendReply: createReplyActivities(database.db).sendReply,
      // No worker polls this queue: the campaigns are started and signalled, never run.
      temporal: { client: ctx.client, taskQueue },
      rules: RULES,
      stepsByPurpose: { quote: [2, 4] },
      dailyCap: 3,
      chatRef,
    });
  }

  async function startInput(workflowId: string): Promise<{ purpose: string; reference?: string; rules: FollowUpRules }> {
    const history = await ctx.client.workflow.getHandle(workflowId).fetchHistory();
    const payload = history.events![0].workflowExecutionStartedEventAttributes!.input!.payloads![0];
    return JSON.parse(Buffer.from(payload.data!).toString('utf8'));
  }

  it('starts one campaign per chat and purpose, with the purpose\'s own steps, and refreshes it when asked again', async () => {
    const taskQueue = uniqueTaskQueue('follow-up-activities');
    const chatId = `${randomUUID().slice(0, 8)}@c.us`;
    const { startFollowUp } = activities(taskQueue);
    const first = await startFollowUp({ chatId, purpose: 'quote', channel: 'whatsapp', reference: 'Q-00000001' });
    started.push(first.workflowId);
    expect(first.workflowId).toBe(`followup:${chatId}:quote`);
    const again = await startFollowUp({ chatId, purpose: 'quote', channel: 'whatsapp', reference: 'Q-00000002' });
    expect(again).toEqual(first);

    const description = await ctx.client.workflow.getHandle(first.workflowId).describe();
    expect(description).toMatchObject({ type: 'followUpCampaign', taskQueue, status: { name: 'RUNNING' } });
    expect(await startInput(first.workflowId)).toMatchObject({ purpose: 'quote', reference: 'Q-00000001', rules: { stepsHours: [2, 4], defaultTimezone: 'UTC' } });
    // The second request reached the running campaign as a signal, not as a second run.
    const history = await ctx.client.workflow.getHandle(first.workflowId).fetchHistory();
    const signals = history.events!.filter((e) => e.workflowExecutionSignaledEventAttributes).map((e) => e.workflowExecutionSignaledEventAttributes!.signalName);
    expect(signals).toEqual(['followUpRequested', 'followUpRequested']);

    const booking = await startFollowUp({ chatId, purpose: 'booking_unconfirmed', channel: 'whatsapp' });
    started.push(booking.workflowId);
    expect(await startInput(booking.workflowId)).toMatchObject({ purpose: 'booking_unconfirmed', rules: { stepsHours: [24, 48, 72] } });
  });

  it('names campaigns by the chat\'s reference, so a hashed reference keeps the number out of workflow ids', async () => {
    const taskQueue = uniqueTaskQueue('follow-up-activities');
    const chatId = `${randomUUID().slice(0, 8)}@c.us`;
    const ref = `chat-${randomUUID().slice(0, 12)}`;
    const { startFollowUp, notifyCampaigns } = activities(taskQueue, () => ref);
    const { workflowId } = await startFollowUp({ chatId, purpose: 'cart', channel: 'whatsapp' });
    started.push(workflowId);
    expect(workflowId).toBe(`followup:${ref}:cart`);
    expect(workflowId).not.toContain(chatId);
    expect(await notifyCampaigns({ chatId, at: '2026-12-01T08:00:00.000Z' })).toEqual({ notified: [workflowId] });
  });

  it('tells the chat\'s running campaigns the customer wrote, only the purposes given when given', async () => {
    const taskQueue = uniqueTaskQueue('follow-up-activities');
    const chatId = `${randomUUID().slice(0, 8)}@c.us`;
    const { startFollowUp, notifyCampaigns } = activities(taskQueue);
    const quote = await startFollowUp({ chatId, purpose: 'quote', channel: 'whatsapp', reference: 'Q-00000003' });
    const cart = await startFollowUp({ chatId, purpose: 'cart', channel: 'whatsapp' });
    started.push(quote.workflowId, cart.workflowId);

    // Without purposes every one is tried; those never started are passed over.
    expect(await notifyCampaigns({ chatId, at: '2026-12-01T08:00:00.000Z' })).toEqual({ notified: [quote.workflowId, cart.workflowId] });
    expect(await notifyCampaigns({ chatId, at: '2026-12-01T09:00:00.000Z', purposes: ['cart', 'campaign'] })).toEqual({ notified: [cart.workflowId] });

    const replied = async (workflowId: string) =>
      (await ctx.client.workflow.getHandle(workflowId).fetchHistory()).events!.filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'customerReplied').length;
    expect(await replied(quote.workflowId)).toBe(1);
    expect(await replied(cart.workflowId)).toBe(2);
    await expect(ctx.client.workflow.getHandle(followUpWorkflowId(chatId, 'campaign')).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });

  it('fails loudly, instead of reporting nothing to call off, when Temporal refuses the signal', async () => {
    const misconfigured = createFollowUpActivities({
      db: database.db,
      sendReply: createReplyActivities(database.db).sendReply,
      temporal: { client: new Client({ connection: ctx.client.connection, namespace: `no-such-namespace-${randomUUID().slice(0, 8)}` }), taskQueue: 'unused' },
      rules: RULES,
      dailyCap: 3,
    });
    const failure = misconfigured.notifyCampaigns({ chatId: 'x@c.us', at: '2026-12-01T08:00:00.000Z', purposes: ['quote'] });
    await expect(failure).rejects.toThrow(/namespace/i);
    await expect(failure).rejects.not.toBeInstanceOf(WorkflowNotFoundError);
  });

  it('refuses to start or signal campaigns on a worker without a Temporal client', async () => {
    const { startFollowUp, notifyCampaigns } = createFollowUpActivities({ db: database.db, sendReply: createReplyActivities(database.db).sendReply, rules: RULES, dailyCap: 3 });
    await expect(startFollowUp({ chatId: 'x@c.us', purpose: 'quote', channel: 'whatsapp' })).rejects.toThrow('this worker has no Temporal client for follow-ups (activity deps.temporal)');
    await expect(notifyCampaigns({ chatId: 'x@c.us', at: '2026-12-01T08:00:00.000Z' })).rejects.toThrow('this worker has no Temporal client for follow-ups');
  });
});
