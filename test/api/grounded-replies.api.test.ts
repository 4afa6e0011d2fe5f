import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { REPLY_SYSTEM_PROMPT } from '../../src/llm/reply-writer';
import { workerRegistry } from '../../src/observability/metrics';
import { OutboundMessage } from '../../src/persistence/entities/outbound-message.entity';
import { eventually, getJson, postJson } from '../helpers/api';
import { useApiHarness } from '../helpers/harness';
import { LoopbackHttpServer } from '../helpers/loopback-http-server';

/**
 * Issue 15 end to end, through the real API and worker in LLM mode: the text a model writes
 * for a customer may claim only what the tools (or the rule agent's own reply) returned.
 * Asked for opening hours, a model that answers with an invented booking and reference is
 * not believed: the customer gets the knowledge-base reply, and
 * `switchboard_llm_ungrounded_total{purpose="reply"}` counts it. A faithful rewording of
 * the same reply goes out as the model wrote it.
 */

/** The knowledge base's opening-hours answer, as the inquiry agent drafts it. */
const HOURS_DRAFT = /^Our opening hours are Monday to Friday 9:00–18:00 and Saturday 10:00–14:00\..*\(Source: Opening hours\)$/s;
const INVENTED = 'Good news! Your massage is booked for tomorrow at 10:00, booking reference 3F2A9C1B. We are open Monday to Friday 9:00–18:00.';
const FAITHFUL = "We're open Monday to Friday from 9am to 6pm, and on Saturdays from 10am to 2pm. The clinic and the shop keep the same hours.";

/**
 * An OpenAI-compatible stand-in that answers by what is asked: the reply writer (its system
 * prompt) gets `replyText`; a model step of an agent's loop (a request with tools) gets the
 * same words, so a loop that checks its own text falls back as the reply writer does. Triage
 * is never asked: the rules are sure of an opening-hours question.
 */
class ReplyStandIn extends LoopbackHttpServer {
  replyText = FAITHFUL;
  readonly asked: Array<'reply' | 'agent' | 'other'> = [];

  get baseUrl(): string {
    return `${this.origin}/v1`;
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { tools?: unknown[]; messages?: Array<{ role: string; content: unknown }> };
    const system = body.messages?.find((m) => m.role === 'system')?.content;
    const kind = system === REPLY_SYSTEM_PROMPT ? 'reply' : Array.isArray(body.tools) && body.tools.length > 0 ? 'agent' : 'other';
    this.asked.push(kind);
    if (kind === 'other') {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'the stand-in answers replies only', type: 'server_error', param: null, code: null } }));
      return;
    }
    const payload = JSON.stringify({
      id: `chatcmpl-${randomUUID()}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: 'switchboard-test-model',
      choices: [{ index: 0, message: { role: 'assistant', content: this.replyText, refusal: null }, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 42, completion_tokens: 17, total_tokens: 59 },
    });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
    res.end(payload);
  }
}

/** `switchboard_llm_ungrounded_total` by purpose, as the worker's registry holds it now. */
async function ungrounded(purpose: string): Promise<number> {
  const metric = workerRegistry.getSingleMetric('switchboard_llm_ungrounded_total');
  const values = (await metric?.get())?.values ?? [];
  return values.filter((v) => v.labels.purpose === purpose).reduce((sum, v) => sum + v.value, 0);
}

describe('Grounded replies in LLM mode: the API, the worker and a model that invents a booking', () => {
  const provider = new ReplyStandIn();
  beforeAll(() => provider.start());
  afterAll(() => provider.stop());
  const h = useApiHarness({
    name: 'api-grounded',
    env: () => ({ OPENAI_BASE_URL: provider.baseUrl, OPENAI_MODEL: 'switchboard-test-model', LLM_TIMEOUT_MS: '2000' }),
  });

  /** Sends the customer's message and waits for its reply: the view's and the ledger's text. */
  async function ask(body: string): Promise<{ reply: string; sent: string }> {
    const res = await postJson(`${h.api.baseUrl}/api/messages`, { chatId: `g-${randomUUID().slice(0, 8)}@c.us`, id: randomUUID(), body });
    expect(res.status).toBe(202);
    const workflowId: string = res.body.workflowId;
    const view = await eventually(
      () => getJson(`${h.api.baseUrl}/api/messages/${encodeURIComponent(workflowId)}`),
      (r) => r.body.status === 'COMPLETED',
      60_000,
    );
    expect(view.body.status).toBe('COMPLETED');
    const row = await h.database.db.getRepository(OutboundMessage).findOneByOrFail({ idempotencyKey: `${workflowId}:reply` });
    return { reply: view.body.reply.text, sent: row.body };
  }

  it('sends the knowledge-base reply, not the booking a model invented, and counts it', async () => {
    provider.replyText = INVENTED;
    provider.asked.length = 0;
    const before = await ungrounded('reply');

    const { reply, sent } = await ask('What are your opening hours?');

    expect(provider.asked).toContain('reply');
    expect(reply).toMatch(HOURS_DRAFT);
    expect(sent).toBe(reply);
    expect(sent).not.toMatch(/booked|3F2A9C1B/);
    expect(await ungrounded('reply')).toBe(before + 1);
  }, 90_000);

  it('sends a faithful rewording as the model wrote it, and counts nothing', async () => {
    provider.replyText = FAITHFUL;
    provider.asked.length = 0;
    const before = await ungrounded('reply');

    const { reply, sent } = await ask('What are your opening hours?');

    expect(reply).toBe(FAITHFUL);
    expect(sent).toBe(FAITHFUL);
    expect(await ungrounded('reply')).toBe(before);
  }, 90_000);
});
