import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackHttpServer } from './loopback-http-server';

/**
 * What the fake provider does with one request. `delayMs` may be combined with any of
 * them; alone it waits and then answers with the default behaviour (long enough, it makes
 * the client time out).
 */
export type OpenAiBehaviour =
  | { json: unknown; delayMs?: number; finishReason?: string }
  /**
   * An assistant message with tool calls, in the wire format (`tool_calls`, finish_reason
   * `tool_calls`); arguments given as objects are sent as JSON text, strings as they are.
   */
  | { toolCalls: Array<{ id?: string; name: string; arguments: unknown }>; content?: string | null; usage?: { prompt: number; completion: number }; delayMs?: number }
  /** Answers nothing until `release` settles, then behaves as `then` (a test kills a worker meanwhile). */
  | { hold: Promise<unknown>; then: OpenAiBehaviour; onHeld?: () => void }
  /** Decided from the request itself, as a model reads what its tools returned (its `messages`). */
  | { from: (request: any) => OpenAiBehaviour }
  | { content: string | null; delayMs?: number; finishReason?: string; refusal?: string | null; usage?: { prompt: number; completion: number } }
  | { status: number; headers?: Record<string, string>; message?: string; type?: string; code?: string | null; delayMs?: number }
  | { destroy: true; delayMs?: number }
  | { delayMs: number };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** The parsed JSON body, or the raw text when it was not JSON. */
  body: any;
}

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'invalid_request_error',
  403: 'permission_denied',
  404: 'not_found_error',
  422: 'invalid_request_error',
  429: 'rate_limit_exceeded',
};

/**
 * A local server speaking the OpenAI Chat Completions wire format, so tests drive the real
 * `openai` client (its error classes, headers, timeouts) instead of a mock of it.
 * Behaviours are consumed one per request from a queue, then the default applies.
 */
export class FakeOpenAiServer extends LoopbackHttpServer {
  readonly requests: RecordedRequest[] = [];
  private readonly queue: OpenAiBehaviour[] = [];
  private defaultBehaviour: OpenAiBehaviour;
  private counter = 0;

  constructor(options: { defaultBehaviour?: OpenAiBehaviour } = {}) {
    super();
    this.defaultBehaviour = options.defaultBehaviour ?? {
      status: 500,
      message: 'the fake OpenAI server has no scripted answer for this request',
      type: 'server_error',
    };
  }

  /** `http://127.0.0.1:<port>/v1`; stable across stop() and start(). */
  get baseUrl(): string {
    if (this.port === 0) throw new Error('FakeOpenAiServer: start() it first');
    return `http://127.0.0.1:${this.port}/v1`;
  }


  /** Queues behaviours for the next requests, in order. */
  enqueue(...behaviours: OpenAiBehaviour[]): this {
    this.queue.push(...behaviours);
    return this;
  }

  setDefault(behaviour: OpenAiBehaviour): this {
    this.defaultBehaviour = behaviour;
    return this;
  }

  /** Forgets queued behaviours and recorded requests (the default stays). */
  reset(): void {
    this.queue.length = 0;
    this.requests.length = 0;
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: unknown = raw;
    try {
      body = raw === '' ? undefined : JSON.parse(raw);
    } catch {
      // Recorded as text: a test may want to see what was malformed.
    }
    const path = (req.url ?? '/').split('?')[0];
    this.requests.push({ method: req.method ?? 'GET', path, headers: req.headers, body });

    if (req.method !== 'POST' || path !== '/v1/chat/completions') {
      this.sendError(res, 404, `Unknown request URL: ${req.method} ${path}`, 'invalid_request_error', 'unknown_url');
      return;
    }

    let behaviour = this.queue.shift() ?? this.defaultBehaviour;
    while ('hold' in behaviour || 'from' in behaviour) {
      if ('from' in behaviour) {
        behaviour = behaviour.from(body);
        continue;
      }
      behaviour.onHeld?.();
      await behaviour.hold;
      if (res.destroyed || req.socket.destroyed || !this.running) return;
      behaviour = behaviour.then;
    }
    if ('delayMs' in behaviour && behaviour.delayMs) {
      await this.sleep(behaviour.delayMs);
      if (res.destroyed || req.socket.destroyed || !this.running) return;
      if (isDelayOnly(behaviour)) behaviour = this.defaultBehaviour;
    }
    this.respond(res, behaviour, body as { model?: string } | undefined);
  }

  private respond(res: ServerResponse, behaviour: OpenAiBehaviour, request: { model?: string } | undefined): void {
    if ('destroy' in behaviour) {
      res.socket?.destroy();
      return;
    }
    if ('status' in behaviour) {
      this.sendError(
        res,
        behaviour.status,
        behaviour.message ?? `fake error ${behaviour.status}`,
        behaviour.type ?? ERROR_TYPES[behaviour.status] ?? 'server_error',
        behaviour.code ?? null,
        behaviour.headers,
      );
      return;
    }
    if (isDelayOnly(behaviour)) {
      // A delay whose default is itself a delay: answer something rather than hang.
      this.sendError(res, 500, 'delay with no answer', 'server_error', null);
      return;
    }
    if ('hold' in behaviour || 'from' in behaviour) return; // resolved in handle()
    this.counter += 1;
    const usage = 'usage' in behaviour && behaviour.usage ? behaviour.usage : { prompt: 42, completion: 17 };
    if ('toolCalls' in behaviour) {
      const toolCalls = behaviour.toolCalls.map((call, i) => ({
        id: call.id ?? `call_${this.counter}_${i + 1}`,
        type: 'function',
        function: { name: call.name, arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments) },
      }));
      this.sendCompletion(res, request, { role: 'assistant', content: behaviour.content ?? null, refusal: null, tool_calls: toolCalls }, 'tool_calls', usage);
      return;
    }
    const content = 'json' in behaviour ? JSON.stringify(behaviour.json) : behaviour.content;
    const refusal = 'refusal' in behaviour ? (behaviour.refusal ?? null) : null;
    this.sendCompletion(res, request, { role: 'assistant', content, refusal }, ('finishReason' in behaviour && behaviour.finishReason) || 'stop', usage);
  }

  private sendCompletion(res: ServerResponse, request: { model?: string } | undefined, message: Record<string, unknown>, finishReason: string, usage: { prompt: number; completion: number }): void {
    this.sendJson(res, 200, {
      id: `chatcmpl-fake${this.counter}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: request?.model ?? 'unknown',
      choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
      usage: { prompt_tokens: usage.prompt, completion_tokens: usage.completion, total_tokens: usage.prompt + usage.completion },
      system_fingerprint: 'fp_fake',
    });
  }

  private sendError(
    res: ServerResponse,
    status: number,
    message: string,
    type: string,
    code: string | null,
    headers: Record<string, string> = {},
  ): void {
    this.sendJson(res, status, { error: { message, type, param: null, code } }, headers);
  }

  private sendJson(res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(payload);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      'x-request-id': `req_fake${this.requests.length}`,
      ...headers,
    });
    res.end(text);
  }

}

function isDelayOnly(b: OpenAiBehaviour): b is { delayMs: number } {
  return !('json' in b) && !('content' in b) && !('status' in b) && !('destroy' in b) && !('toolCalls' in b) && !('hold' in b) && !('from' in b);
}

/** Starts a fake server; pair with `await server.stop()` in afterAll/afterEach. */
export async function startFakeOpenAiServer(options?: { defaultBehaviour?: OpenAiBehaviour }): Promise<FakeOpenAiServer> {
  const server = new FakeOpenAiServer(options);
  await server.start();
  return server;
}

/** A message the keyword rules cannot place, so triage needs the model. */
export const UNCLEAR_MESSAGE = 'So about that thing we talked about last week, any news?';

/** A structured triage answer the model might give for UNCLEAR_MESSAGE (the triage schema's shape). */
export const ORDER_STATUS_TRIAGE = {
  intent: 'order_status',
  intents: ['order_status'],
  confidence: 0.86,
  language: 'en',
  urgency: 'normal',
  entities: { dates: [], times: [], orderNumbers: [], emails: [], phones: [], amounts: [] },
};
