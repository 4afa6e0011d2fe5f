import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { LLM_NON_RETRYABLE_FAILURE_TYPES } from '../../contracts/llm-failure-types';

/**
 * How the message and conversation workflows call their activities. Timeouts and retries
 * are declared here, once, next to what they suit.
 */

/** In-process and quick (rules, a transcript line, a projection): a short timeout, quick retries. */
export const local = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '100 ms', backoffCoefficient: 2, maximumInterval: '5 seconds', maximumAttempts: 10 },
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
export const llm = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '10 seconds',
    maximumAttempts: 4,
    nonRetryableErrorTypes: [...LLM_NON_RETRYABLE_FAILURE_TYPES],
  },
});
