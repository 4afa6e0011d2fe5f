import { Context } from '@temporalio/activity';

/**
 * What the running activity's context says (its attempt, its cancellation, its time budget),
 * with the answer for a call outside a worker (unit tests).
 */

/** The attempt of the running activity; 1 when called outside a worker. */
export function currentAttempt(): number {
  try {
    return Context.current().info.attempt;
  } catch {
    return 1;
  }
}

/** Aborts after `timeoutMs`, or when the activity is cancelled. */
export function activitySignal(timeoutMs: number): AbortSignal {
  const signals = [AbortSignal.timeout(timeoutMs)];
  try {
    signals.push(Context.current().cancellationSignal);
  } catch {
    // outside a worker: the timeout alone
  }
  return signals.length === 1 ? signals[0] : AbortSignal.any(signals);
}

/** How long a request may take: the step's own start-to-close (less a margin), at most `cap`. */
export function requestTimeoutMs(cap: number): number {
  try {
    const budget = Context.current().info.startToCloseTimeoutMs;
    if (budget > 0) return Math.max(100, Math.min(cap, budget - 250));
  } catch {
    // outside a worker
  }
  return cap;
}
