import { ActivityFailure, ApplicationFailure, isCancellation, log, proxyActivities, proxyLocalActivities, type ActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { LLM_NON_RETRYABLE_FAILURE_TYPES } from '../../contracts/llm-failure-types';

/**
 * How the message and conversation workflows call their activities. Timeouts and retries
 * are declared here, once, next to what they suit.
 *
 * Work that stays in the worker's process (rules, the agents' database work, projections, a
 * reply recorded in the ledger, a signal to another workflow) runs as a local activity: no
 * server round trip, several in one workflow task. A local activity that keeps failing for
 * a few seconds (a database restarting, a provider down) hands over to the same activity as
 * a regular one, which retries with backoff for minutes (`localFirst`). Every such activity
 * is idempotent by its workflow id and step, so running again after either is safe.
 */

/** Quick, in-process: a short timeout and a few quick retries, then `localFirst` hands over. */
export const local = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '100 ms', backoffCoefficient: 2, maximumInterval: '1 second', maximumAttempts: 3, nonRetryableErrorTypes: ['ValidationError', 'NonRetryableError'] },
});

/** Specialists, projections and the reply touch databases and providers: retry with backoff, for minutes. */
export const remote = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 10,
    nonRetryableErrorTypes: ['ValidationError', 'NonRetryableError'],
  },
});

/**
 * The LLM is an improvement, never a dependency: a few quick attempts, then the rules'
 * triage and the template reply stand. Rejections, bad output and an open breaker are
 * not retried at all.
 */
export const LLM_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '10 seconds',
    maximumAttempts: 4,
    nonRetryableErrorTypes: [...LLM_NON_RETRYABLE_FAILURE_TYPES],
  },
};

export const llm = proxyActivities<Activities>(LLM_ACTIVITY_OPTIONS);

type ActivityName = keyof Activities;
type Fn<K extends ActivityName> = Activities[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => Promise<R> : never;

/** A failure that retrying cannot fix (the regular activity would fail the same way), or a cancellation. */
function final(err: unknown): boolean {
  return isCancellation(err) || (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.nonRetryable === true);
}

/** Runs an activity locally; after a few failed local attempts, as a regular activity that retries for minutes. */
export function localFirst<K extends ActivityName>(name: K): Fn<K> {
  const asLocal = local[name] as unknown as Fn<K>;
  const asRemote = remote[name] as unknown as Fn<K>;
  return (async (...args: Parameters<Fn<K>>) => {
    try {
      return await asLocal(...args);
    } catch (err) {
      if (final(err)) throw err;
      log.warn('a local activity kept failing; handing it to a regular activity', { activity: name, error: err instanceof Error ? err.message : String(err) });
      return asRemote(...args);
    }
  }) as Fn<K>;
}
