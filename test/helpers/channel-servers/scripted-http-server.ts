import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackHttpServer } from '../loopback-http-server';

/**
 * What a stand-in does with one request, consumed in order from a queue; when the queue is
 * empty it behaves like the real provider would. `delayMs` may be combined with the
 * others; alone it waits and then answers normally (long enough, the client times out).
 */
export type ScriptedBehaviour =
  | { status: number; error?: ScriptedError; headers?: Record<string, string>; body?: string; delayMs?: number }
  | { destroy: true; delayMs?: number }
  | { delayMs: number };

/** Provider-specific error fields; each stand-in renders them in its provider's error shape. */
export interface ScriptedError {
  code?: number;
  message?: string;
  type?: string;
  error_subcode?: number;
  details?: string;
}

export interface RecordedHttpRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  raw: Buffer;
  /** JSON bodies parsed; form bodies as a plain object; otherwise the text. */
  body: any;
}

/**
 * A node:http server on 127.0.0.1 with a request log and a queue of scripted failures,
 * the common part of the provider stand-ins. The port survives stop()/start(), so a test
 * can take a provider down and bring it back under the same URL.
 */
export abstract class ScriptedHttpServer extends LoopbackHttpServer {
  readonly requests: RecordedHttpRequest[] = [];
  private readonly queue: ScriptedBehaviour[] = [];

  /** `http://127.0.0.1:<port>`. */
  get url(): string {
    if (this.port === 0) throw new Error(`${this.constructor.name}: start() it first`);
    return `http://127.0.0.1:${this.port}`;
  }


  enqueue(...behaviours: ScriptedBehaviour[]): this {
    this.queue.push(...behaviours);
    return this;
  }

  /** Forgets queued behaviours and recorded requests. */
  reset(): void {
    this.queue.length = 0;
    this.requests.length = 0;
  }


  /** Sees every request as it arrives, before any scripted behaviour. */
  protected onRequest(_request: RecordedHttpRequest): void {}

  /** The provider's normal answer to a request (after any scripted behaviour). */
  protected abstract answer(request: RecordedHttpRequest, res: ServerResponse): void;

  /** A scripted error, in the provider's error format. */
  protected abstract answerError(res: ServerResponse, status: number, error: ScriptedError, headers: Record<string, string>): void;

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const request: RecordedHttpRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      raw,
      body: parseBody(raw, req.headers['content-type']),
    };
    this.requests.push(request);
    this.onRequest(request);

    const behaviour = this.queue.shift();
    if (behaviour?.delayMs) {
      await this.sleep(behaviour.delayMs);
      if (res.destroyed || req.socket.destroyed || !this.running) return;
    }
    if (behaviour && 'destroy' in behaviour) {
      req.socket.destroy();
      return;
    }
    if (behaviour && 'status' in behaviour) {
      if (behaviour.body !== undefined) {
        res.writeHead(behaviour.status, { 'content-type': 'text/plain', ...behaviour.headers });
        res.end(behaviour.body);
      } else {
        this.answerError(res, behaviour.status, behaviour.error ?? {}, behaviour.headers ?? {});
      }
      return;
    }
    this.answer(request, res);
  }

}

export function sendJson(res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

function parseBody(raw: Buffer, contentType: string | undefined): unknown {
  const text = raw.toString('utf8');
  if (text === '') return undefined;
  if (contentType?.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(text));
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
