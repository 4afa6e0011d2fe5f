import { ApplicationFailure } from '@temporalio/common';
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { LLM_FAILURE_TYPES } from './failure-types';

/** Longest Retry-After honoured; a larger value is more likely a bug than a plan. */
export const MAX_RETRY_AFTER_MS = 10 * 60_000;

export interface MappedLlmError {
  failure: ApplicationFailure | Error;
  /** Whether the error says the provider is unhealthy, i.e. counts toward opening the breaker. */
  providerUnhealthy: boolean;
  /** Whether the provider answered at all (a rejection is still a sign of life). */
  providerAnswered: boolean;
}

/**
 * Reads `retry-after-ms` (OpenAI's) or `retry-after` (seconds or an HTTP date) into a
 * delay in milliseconds, or undefined when absent or unreadable.
 */
export function retryAfterMs(headers: Headers | undefined, now: number = Date.now()): number | undefined {
  if (!headers) return undefined;
  const clamp = (ms: number) => Math.min(Math.max(Math.ceil(ms), 0), MAX_RETRY_AFTER_MS);
  const msHeader = headers.get('retry-after-ms');
  if (msHeader !== null && msHeader.trim() !== '') {
    const ms = Number(msHeader);
    if (Number.isFinite(ms)) return clamp(ms);
  }
  const header = headers.get('retry-after');
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return clamp(seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : clamp(at - now);
}

/**
 * "Connection error." alone says nothing; fetch hides the useful part (ECONNREFUSED, a
 * DNS failure, a reset) two causes deep.
 */
function describeCauses(err: Error): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current instanceof Error && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    const text = typeof code === 'string' && !current.message.includes(code) ? `${current.message} [${code}]` : current.message;
    // Errors from another realm (Jest's sandbox) arrive stringified as "{}".
    if (text && text !== '{}') parts.push(text);
    current = current.cause;
  }
  return parts.join(' <- ') || 'connection error';
}

/** Provider error text can be long (it may echo the request); a failure message need not be. */
function brief(message: string): string {
  return message.length > 300 ? `${message.slice(0, 300)}…` : message;
}

/**
 * Maps whatever the OpenAI SDK threw into the failure the activity should throw, so the
 * activity retry policy decides correctly: retry what time can fix, fail fast on what it
 * cannot.
 */
export function mapLlmError(err: unknown, purpose: string): MappedLlmError {
  // Cancellation of the activity: not the provider's fault and not ours to translate.
  if (err instanceof APIUserAbortError) {
    return { failure: err, providerUnhealthy: false, providerAnswered: false };
  }
  if (err instanceof APIConnectionTimeoutError) {
    return {
      failure: ApplicationFailure.retryable(`${purpose}: the LLM provider timed out`, LLM_FAILURE_TYPES.unavailable),
      providerUnhealthy: true,
      providerAnswered: false,
    };
  }
  if (err instanceof APIConnectionError) {
    return {
      failure: ApplicationFailure.retryable(
        `${purpose}: could not reach the LLM provider (${describeCauses(err)})`,
        LLM_FAILURE_TYPES.unavailable,
      ),
      providerUnhealthy: true,
      providerAnswered: false,
    };
  }
  if (err instanceof APIError && typeof err.status === 'number') {
    const status = err.status;
    const message = `${purpose}: LLM provider answered ${brief(err.message)}`;
    if (status === 429) {
      const delay = retryAfterMs(err.headers);
      const failure =
        delay === undefined
          ? ApplicationFailure.retryable(message, LLM_FAILURE_TYPES.unavailable)
          : ApplicationFailure.create({ type: LLM_FAILURE_TYPES.rateLimited, message, nextRetryDelay: delay });
      return { failure, providerUnhealthy: true, providerAnswered: true };
    }
    if (status >= 500 || status === 408) {
      return {
        failure: ApplicationFailure.retryable(message, LLM_FAILURE_TYPES.unavailable),
        providerUnhealthy: true,
        providerAnswered: true,
      };
    }
    // 409 is a transient conflict on the provider's side; the SDK itself retries it.
    if (status === 409) {
      return {
        failure: ApplicationFailure.retryable(message, LLM_FAILURE_TYPES.unavailable),
        providerUnhealthy: false,
        providerAnswered: true,
      };
    }
    // 400/401/403/404/422 and the rest of 4xx: a bad key, an unknown model or a request the
    // provider will never accept. Retrying repeats the same answer.
    return {
      failure: ApplicationFailure.nonRetryable(message, LLM_FAILURE_TYPES.requestRejected),
      providerUnhealthy: false,
      providerAnswered: true,
    };
  }
  // Anything else (a 200 whose body is not JSON, an SDK bug): retry, but do not blame the
  // provider's health for what may be ours.
  const text = err instanceof Error ? err.message : String(err);
  return {
    failure: ApplicationFailure.retryable(`${purpose}: LLM call failed (${brief(text)})`, LLM_FAILURE_TYPES.unavailable),
    providerUnhealthy: false,
    providerAnswered: false,
  };
}

export function outputInvalid(purpose: string, reason: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`${purpose}: ${reason}`, LLM_FAILURE_TYPES.outputInvalid);
}
