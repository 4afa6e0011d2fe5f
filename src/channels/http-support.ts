import { ChannelSendError } from './types';

/**
 * Errors from fetch are built in Node's own realm, so under Jest's sandbox they fail
 * `instanceof Error`: read them by shape instead.
 */
interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  cause?: unknown;
}

function asErrorLike(value: unknown): ErrorLike | undefined {
  return typeof value === 'object' && value !== null ? (value as ErrorLike) : undefined;
}

/** A request that never got an answer: the network, DNS, a reset, or our own timeout. */
export function networkError(provider: string, err: unknown, timeoutMs: number): ChannelSendError {
  const name = asErrorLike(err)?.name;
  const timedOut = name === 'TimeoutError' || name === 'AbortError';
  const message = timedOut ? `${provider} did not answer within ${timeoutMs} ms` : `${provider} unreachable: ${describeCauses(err)}`;
  return new ChannelSendError(message, { retryable: true, cause: err });
}

/** fetch hides the useful part (ECONNREFUSED, a DNS failure) a cause or two deep. */
export function describeCauses(err: unknown): string {
  const parts: string[] = [];
  let current = asErrorLike(err);
  for (let depth = 0; current && depth < 4; depth++) {
    const message = typeof current.message === 'string' ? current.message : '';
    const code = current.code;
    const text = typeof code === 'string' && !message.includes(code) ? `${message} [${code}]`.trim() : message;
    if (text) parts.push(text);
    current = asErrorLike(current.cause);
  }
  return parts.join(' <- ') || String(err);
}

/** A body cut off mid-way is still an answer with a status; keep what arrived. */
export async function readBody(response: Response): Promise<string> {
  try {
    return await response.text();
  } catch {
    return '';
  }
}

export function parseJson(text: string): unknown {
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Provider error text can be long (an HTML error page); a failure message need not be. */
export function brief(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 300)}…` : flat;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The common mapping of an HTTP answer: 5xx, 429 (throttled) and 408 (the server gave up
 * waiting) can succeed later; any other 4xx is a request that will be refused again.
 */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}
