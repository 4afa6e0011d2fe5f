import { ActivityFailure, ApplicationFailure, TemporalFailure, TimeoutFailure } from '@temporalio/workflow';

/** A step's failure inside the interpreter; turned into the step's `error`, never thrown out. */
export class StepError extends Error {
  constructor(
    message: string,
    readonly type: string,
    readonly attempts?: number,
  ) {
    super(message);
    this.name = 'StepError';
  }
}

/** The innermost cause's message and type: "HTTP 503 from …", not "Activity task failed". */
export function describeFailure(err: unknown): { message: string; type: string } {
  if (err instanceof StepError) return { message: err.message, type: err.type };
  let inner: unknown = err;
  while (inner instanceof TemporalFailure && inner.cause) inner = inner.cause;
  if (inner instanceof ApplicationFailure) return { message: inner.message, type: inner.type ?? 'ApplicationFailure' };
  if (inner instanceof TimeoutFailure) return { message: `timed out (${inner.timeoutType})`, type: 'Timeout' };
  if (inner instanceof Error) return { message: inner.message, type: inner.name };
  return { message: String(inner), type: 'Error' };
}

/**
 * Attempts known from an activity's failure: the whole policy when the server says it ran
 * out, the `attempt` the activity put in its failure's details, else 1 (the attempt that
 * failed; a lower bound, as ActivityFailure carries no count).
 */
export function failedAttempts(err: unknown, maximumAttempts: number): number | undefined {
  if (err instanceof StepError) return err.attempts;
  if (!(err instanceof ActivityFailure)) return undefined;
  if (err.retryState === 'MAXIMUM_ATTEMPTS_REACHED') return maximumAttempts;
  const detail: unknown = err.cause instanceof ApplicationFailure ? err.cause.details?.[0] : undefined;
  const attempt = typeof detail === 'object' && detail !== null ? (detail as { attempt?: unknown }).attempt : undefined;
  return typeof attempt === 'number' && Number.isInteger(attempt) && attempt >= 1 ? attempt : 1;
}
