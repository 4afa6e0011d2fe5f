import { randomUUID } from 'node:crypto';
import { messageWorkflowId, type HandleMessageInput } from '../../src/contracts';
import { triageByKeywords } from '../../src/domain';
import type { handleMessage } from '../../src/workflows';
import { openTestDatabase, type TestDatabase } from '../helpers/database';
import { ORDER_STATUS_TRIAGE, startFakeOpenAiServer, UNCLEAR_MESSAGE, type FakeOpenAiServer } from '../helpers/openai-server';
import { connectTemporal, startTestWorker, uniqueTaskQueue, type RunningWorker, type TemporalTestContext } from '../helpers/temporal';

describe('LLM mode through handleMessage, against a local OpenAI-compatible server', () => {
  let ctx: TemporalTestContext;
  let database: TestDatabase;
  let worker: RunningWorker;
  let provider: FakeOpenAiServer;
  const taskQueue = uniqueTaskQueue('wf-llm');

  beforeAll(async () => {
    provider = await startFakeOpenAiServer();
    ctx = await connectTemporal();
    database = await openTestDatabase();
    worker = await startTestWorker(ctx, taskQueue, database.db, { OPENAI_BASE_URL: provider.baseUrl, OPENAI_MODEL: 'switchboard-test-model', LLM_TIMEOUT_MS: '2000' });
  });

  afterAll(async () => {
    await worker?.stop();
    await database?.close();
    await ctx?.close();
    await provider?.stop();
  });

  beforeEach(() => provider.reset());

  async function run(body: string, chatId = `${randomUUID().slice(0, 8)}@c.us`) {
    const message: HandleMessageInput = { chatId, messageId: randomUUID(), channel: 'whatsapp', body, llm: true };
    const handle = await ctx.client.workflow.start<typeof handleMessage>('handleMessage', {
      workflowId: messageWorkflowId('whatsapp', message.messageId),
      taskQueue,
      args: [message],
    });
    return handle.result();
  }

  it('uses a probe message the keyword rules are unsure of', () => {
    expect(triageByKeywords(UNCLEAR_MESSAGE).confidence).toBeLessThan(0.6);
  });

  it('classifies with the model and lets it word the reply from the agent facts', async () => {
    provider.enqueue({ json: ORDER_STATUS_TRIAGE }, { content: 'Sorry about that! Could you tell me which product it is?' });
    const result = await run(UNCLEAR_MESSAGE);
    expect(result.triage).toMatchObject({ intent: 'order_status', method: 'llm', confidence: 0.86 });
    expect(result.route!.agent).toBe('order');
    expect(result.reply!.text).toBe('Sorry about that! Could you tell me which product it is?');
    expect(provider.requests.map((r) => r.body.model)).toEqual(['switchboard-test-model', 'switchboard-test-model']);
    expect(provider.requests[0].body.response_format.type).toBe('json_schema');
  });

  it('does not call the model for a message the rules are sure of', async () => {
    provider.enqueue({ content: 'Hello! How can I help?' });
    const result = await run('Good morning!');
    expect(result.triage!.method).toBe('rules');
    expect(provider.requests).toHaveLength(1); // the reply only
  });

  it('survives 500s: the activity retries and the model answer is used', async () => {
    provider.enqueue({ status: 500 }, { status: 503 }, { json: ORDER_STATUS_TRIAGE }, { content: 'Let me help you with that.' });
    const result = await run(UNCLEAR_MESSAGE);
    expect(result.triage).toMatchObject({ intent: 'order_status', method: 'llm' });
    expect(provider.requests).toHaveLength(4);
  });

  it('falls back to the rules at once on output that breaks the schema, and on a 401', async () => {
    provider.enqueue({ json: { ...ORDER_STATUS_TRIAGE, intent: 'banana' } }, { status: 401 });
    const result = await run(UNCLEAR_MESSAGE);
    expect(result.triage!.method).toBe('rules');
    expect(result.route).toMatchObject({ agent: 'triage', reason: 'clarify' });
    // One triage call and one reply call: neither was retried.
    expect(provider.requests).toHaveLength(2);
    expect(result.reply!.text).toMatch(/didn't quite get that/);
  });

  it('gives the model the earlier turns of the chat, and the question it has open', async () => {
    const chatId = `${randomUUID().slice(0, 8)}@c.us`;
    // The inquiry agent's model looks the hours up, then answers from the article.
    provider.enqueue({ toolCalls: [{ name: 'search_articles', arguments: { query: 'opening hours' } }] }, { content: 'We open Monday to Friday 9:00–18:00 and Saturday 10:00–14:00.' });
    const first = await run('What are your opening hours?', chatId);
    expect(first.triage!.method).toBe('rules');
    expect(first.reply!.text).toBe('We open Monday to Friday 9:00–18:00 and Saturday 10:00–14:00.');

    // A message the rules cannot place on its own: the model reads it with the chat so far,
    // and so does the order agent's model that answers it.
    provider.reset();
    provider.enqueue({ json: ORDER_STATUS_TRIAGE }, { content: 'Let me check that for you. Which order is it?' });
    await run(UNCLEAR_MESSAGE, chatId);
    const triage = provider.requests.find((r) => r.body.response_format)!;
    const agent = provider.requests.find((r) => r.body.tools?.length)!;
    const triagePrompt = JSON.stringify(triage.body.messages);
    expect(triagePrompt).toContain('customer: What are your opening hours?');
    expect(triagePrompt).toContain('business: We open Monday to Friday 9:00–18:00 and Saturday 10:00–14:00.');
    // The turn's own message is in the prompt once, as the message to classify, not as history.
    expect(triagePrompt).not.toContain(`customer: ${UNCLEAR_MESSAGE}`);
    const agentPrompt = JSON.stringify(agent.body.messages);
    expect(agentPrompt).toContain('customer: What are your opening hours?');
    expect(agentPrompt).not.toContain(`customer: ${UNCLEAR_MESSAGE}`);

    // With a question open (slots offered by the rule agent, the model being unreachable for it), the model is told what was asked.
    provider.reset();
    provider.enqueue({ status: 400, message: 'no agents today' }, { content: 'Here are our free times.' });
    const offer = await run('I want to book an appointment for next Monday', chatId);
    expect(offer.pending).toMatchObject({ kind: 'choice' });
    provider.reset();
    provider.enqueue({ json: ORDER_STATUS_TRIAGE }, { content: 'Let me check. Which order is it?' });
    await run(UNCLEAR_MESSAGE, chatId);
    const withQuestion = JSON.stringify(provider.requests.find((r) => r.body.response_format)!.body.messages);
    expect(withQuestion).toContain('appointment asked for choice: 1) Monday');
  });

  it('sends no earlier turns when CONVERSATION_CONTEXT_TURNS is 0', async () => {
    const chatId = `${randomUUID().slice(0, 8)}@c.us`;
    provider.enqueue({ content: 'Hello!' });
    await run('Good morning!', chatId);
    provider.reset();
    provider.enqueue({ content: 'Hi again!' });
    const message: HandleMessageInput = { chatId, messageId: randomUUID(), channel: 'whatsapp', body: 'Hello again', llm: true, contextTurns: 0 };
    await ctx.client.workflow.execute<typeof handleMessage>('handleMessage', { workflowId: messageWorkflowId('whatsapp', message.messageId), taskQueue, args: [message] });
    expect(JSON.stringify(provider.requests[0].body.messages)).not.toContain('Earlier in this conversation');
  });

  it('answers from rules and templates while the provider is down, and the breaker stops calling it', async () => {
    await provider.stop();
    try {
      const first = await run(UNCLEAR_MESSAGE);
      expect(first.triage!.method).toBe('rules');
      expect(first.reply!.text).toMatch(/didn't quite get that/);
      // Retries of triage and reply opened the breaker (5 failures); the next message
      // fails fast without waiting for connection attempts.
      const second = await run('asdf qwrtz zxcv');
      expect(second.triage!.method).toBe('rules');
    } finally {
      await provider.start();
    }
    expect(provider.requests).toHaveLength(0);
  });
});
