import { ApplicationFailure } from '@temporalio/activity';
import type { HttpRequestInput, HttpStepOutput, StepActivityResult } from '../../contracts/run-definition';
import { activitySignal, currentAttempt, requestTimeoutMs } from './activity-context';
import { DEFINITION_FAILURES, invalidParameters } from './failures';
import { describeCause, errorName, isHostAllowed, readCapped } from './web-fetch';

/** An `http` step's response body is cut at this size. */
export const HTTP_RESPONSE_CAP_BYTES = 1024 * 1024;
/** Response headers an `http` step's output keeps; the rest are noise for a workflow. */
const KEPT_HEADERS = ['content-type', 'content-length', 'location', 'etag', 'last-modified', 'retry-after'];

export interface HttpStepOptions {
  allowedHosts: readonly string[];
  /** The longest a request may take, whatever the step's own timeout. */
  timeoutMs: number;
}

/**
 * An `http` step: one request to an allow-listed host (redirects are not followed), its
 * answer parsed when JSON and capped. A 4xx other than 408 and 429 fails for good; 5xx, 429,
 * 408, timeouts and network errors are retried by the step's policy.
 */
export async function httpRequest(options: HttpStepOptions, input: HttpRequestInput): Promise<StepActivityResult> {
  const url = allowedUrl(input.url, options.allowedHosts);
  const headers = requestHeaders(input);
  const body = requestBody(input, headers);
  const attempt = currentAttempt();
  const timeoutMs = requestTimeoutMs(options.timeoutMs);
  let res: Response;
  try {
    res = await fetch(url, { method: input.method, headers, body, redirect: 'manual', signal: activitySignal(timeoutMs) });
  } catch (err) {
    const name = errorName(err);
    if (name === 'TimeoutError') throw ApplicationFailure.retryable(`${url.host} did not answer within ${timeoutMs} ms`, DEFINITION_FAILURES.httpTimeout);
    throw ApplicationFailure.retryable(`${url.host} unreachable: ${describeCause(err)}`, DEFINITION_FAILURES.httpNetwork);
  }
  const { output, text } = await readResponse(res);
  if (res.status >= 400) throw statusFailure(input, url, res.status, text);
  return { output, attempt };
}

/** The step's URL, if it is http(s) on an allowed host. */
function allowedUrl(raw: string, allowedHosts: readonly string[]): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalidParameters(`url: ${raw} is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidParameters(`url: must be http or https, not ${url.protocol.replace(/:$/, '')}`);
  if (!isHostAllowed(url, allowedHosts)) {
    throw ApplicationFailure.nonRetryable(`url: host ${url.host} is not on the allow-list (WORKFLOW_HTTP_ALLOWED_HOSTS)`, DEFINITION_FAILURES.hostNotAllowed);
  }
  return url;
}

/**
 * The step's headers, less those fetch sets itself, with an `Idempotency-Key` the same on
 * every attempt (`<execution id>:<step id>`): a callee that keeps keys sees a retry after a
 * timeout, or after a worker died mid-request, as the request it already handled. A step
 * that sets its own Idempotency-Key keeps it.
 */
function requestHeaders(input: HttpRequestInput): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(input.headers ?? {})) {
    if (/^(host|content-length|connection|transfer-encoding)$/i.test(name)) continue;
    headers.set(name, value);
  }
  if (!headers.has('idempotency-key')) headers.set('Idempotency-Key', `${input.executionId}:${input.stepId}`);
  return headers;
}

/** The body to send (none with GET): a string as is, anything else as JSON (typed so unless the step says otherwise). */
function requestBody(input: HttpRequestInput, headers: Headers): string | undefined {
  if (input.body === undefined || input.body === null || input.method === 'GET') return undefined;
  const body = typeof input.body === 'string' ? input.body : JSON.stringify(input.body);
  if (typeof input.body !== 'string' && !headers.has('content-type')) headers.set('content-type', 'application/json');
  return body;
}

/** The step's output (status, kept headers, body parsed when whole JSON) and the body's text. */
async function readResponse(res: Response): Promise<{ output: HttpStepOutput & { truncated?: boolean }; text: string }> {
  const { bytes, truncated } = await readCapped(res, HTTP_RESPONSE_CAP_BYTES);
  const text = bytes.toString('utf8');
  const contentType = res.headers.get('content-type') ?? '';
  let parsed: unknown = text;
  if (!truncated && /[/+]json\b/i.test(contentType) && text !== '') {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  const kept: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const value = res.headers.get(name);
    if (value !== null) kept[name] = value;
  }
  return { output: { status: res.status, headers: kept, body: parsed, ...(truncated ? { truncated: true } : {}) }, text };
}

/** A 4xx or 5xx answer as the step's failure, with the start of the body. */
function statusFailure(input: HttpRequestInput, url: URL, status: number, text: string): ApplicationFailure {
  const brief = text.replace(/\s+/g, ' ').trim().slice(0, 300);
  const message = `${input.method} ${url.host}${url.pathname} answered ${status}${brief ? `: ${brief}` : ''}`;
  const details = [{ status, body: brief }];
  // 5xx, 429 and 408 may succeed later; any other 4xx will be refused again.
  const retryable = status >= 500 || status === 429 || status === 408;
  return ApplicationFailure.create({ message, type: DEFINITION_FAILURES.httpStatus, details, nonRetryable: !retryable });
}
