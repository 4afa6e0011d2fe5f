import { isUtf8 } from 'node:buffer';
import { BadRequestException, HttpException, PayloadTooLargeException, UnsupportedMediaTypeException } from '@nestjs/common';
import { json, urlencoded, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { textProblem } from './safe-text';

/** A request whose exact bytes are kept, for providers that sign the raw body. */
export type RawBodyRequest = Request & { rawBody?: Buffer };

/** Provider deliveries: WhatsApp batches many messages and statuses into one signed body. */
export const WEBHOOK_BODY_LIMIT = '1mb';

/** Deepest nesting accepted in a JSON body; no endpoint needs more than a handful of levels. */
export const MAX_JSON_DEPTH = 32;

/** Keys that reach an object's prototype when a parsed body is merged or assigned. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const isWebhook = (req: Request) => req.path.startsWith('/webhooks/');

/**
 * Body parsing for the whole API, in order:
 * - JSON with the raw bytes kept (webhook signatures are computed over them); webhooks get
 *   `WEBHOOK_BODY_LIMIT`, everything else `limit`;
 * - form fields only for webhooks (Twilio signs the fields, not the bytes);
 * - parser failures named: malformed JSON or bytes that are not UTF-8 a 400, an oversized body a 413;
 * - the parsed body walked once: prototype keys (`__proto__`, `constructor`, `prototype`)
 *   and nesting deeper than `MAX_JSON_DEPTH` are a 400 everywhere; NUL and lone surrogates
 *   in any string or key of an API body or query string are a 400 naming the field;
 * - any other body on an API route is a 415: the API speaks JSON only.
 * None of these reach a handler.
 */
export function jsonBody(limit: string, webhookLimit = WEBHOOK_BODY_LIMIT): RequestHandler[] {
  const keepRaw = (req: Request, _res: Response, buf: Buffer) => {
    // Refused rather than stored with U+FFFD in place of what the sender meant.
    if (!isUtf8(buf)) throw Object.assign(new Error('not valid UTF-8 (JSON must be UTF-8 encoded)'), { status: 400, type: 'encoding.invalid' });
    (req as RawBodyRequest).rawBody = buf;
  };
  const apiJson = json({ limit, verify: keepRaw, type: ['application/json', 'application/*+json'] });
  const webhookJson = json({ limit: webhookLimit, verify: keepRaw });
  const webhookForm = urlencoded({ extended: false, limit: webhookLimit, parameterLimit: 200 });

  const parse: RequestHandler = (req, res, next) => (isWebhook(req) ? webhookJson(req, res, next) : apiJson(req, res, next));
  const form: RequestHandler = (req, res, next) => (isWebhook(req) ? webhookForm(req, res, next) : next());
  const translate = (err: unknown, req: Request, _res: Response, next: NextFunction) => {
    const type = (err as { type?: string }).type;
    if (type === 'entity.parse.failed') return next(new BadRequestException(`body: malformed JSON (${(err as Error).message})`));
    if (type === 'entity.too.large') return next(new PayloadTooLargeException(`body: larger than ${isWebhook(req) ? webhookLimit : limit}`));
    if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
      return next(new UnsupportedMediaTypeException(`body: ${(err as Error).message}`));
    }
    // Any other parser refusal (a truncated body, too many form fields) is still the caller's.
    const status = (err as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) return next(new HttpException(`body: ${(err as Error).message}`, status));
    return next(err);
  };
  const inspect: RequestHandler = (req, _res, next) => {
    const checkText = !isWebhook(req);
    const problem =
      (req.body !== undefined ? inspectValue(req.body, 'body', checkText) : undefined) ??
      (checkText ? inspectValue(req.query, 'query', true, true) : undefined);
    if (problem) return next(new BadRequestException(problem));
    if (!isWebhook(req) && hasBody(req) && !isJson(req)) {
      return next(new UnsupportedMediaTypeException(`content-type: must be application/json (got ${req.headers['content-type'] ?? 'none'})`));
    }
    // Providers send JSON (Meta) or form fields (Twilio): anything else is refused before a signature is checked.
    if (isWebhook(req) && hasBody(req) && !isJson(req) && req.is('application/x-www-form-urlencoded') === false) {
      return next(new UnsupportedMediaTypeException(`content-type: must be application/json or application/x-www-form-urlencoded (got ${req.headers['content-type'] ?? 'none'})`));
    }
    return next();
  };
  return [parse, form, translate as unknown as RequestHandler, inspect];
}

function hasBody(req: Request): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = Number(req.headers['content-length']);
  return Number.isFinite(length) && length > 0;
}

function isJson(req: Request): boolean {
  return req.is(['application/json', 'application/*+json']) !== false;
}

/**
 * The first problem in a parsed body or query, as "<field path>: <problem>", or undefined.
 * Iterative with an explicit stack, so a hostile body cannot exhaust the call stack.
 * Top-level fields are named bare ("text"), as the validation errors name them; `root`
 * names the whole value. Query keys are named bare too.
 */
function inspectValue(value: unknown, root: string, checkText: boolean, isQuery = false): string | undefined {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { value: current, path, depth } = stack.pop()!;
    const name = path || root;
    if (typeof current === 'string') {
      const problem = checkText ? textProblem(current) : undefined;
      if (problem) return `${name}: ${problem}`;
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) return `${root}: nested deeper than ${MAX_JSON_DEPTH} levels`;
    const entries = Array.isArray(current) ? current.map((v, i) => [String(i), v] as const) : Object.entries(current);
    // Pushed last to first, so the first problem in document order is the one reported.
    for (const [key, child] of entries.reverse()) {
      const childPath = path ? `${path}.${key}` : key;
      if (!Array.isArray(current)) {
        if (FORBIDDEN_KEYS.has(key)) return `${childPath}: "${key}" is not an accepted field name`;
        const problem = checkText ? textProblem(key) : undefined;
        if (problem) return `${isQuery ? root : name}: a field name ${problem}`;
      }
      stack.push({ value: child, path: childPath, depth: depth + 1 });
    }
  }
  return undefined;
}
