import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';

/**
 * The campaign's activities: each reads or writes the database and the outbound ledger, so
 * they retry with backoff for a long while; a provider's refusal (`SendRejected`) is final.
 */
export const acts = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 20, nonRetryableErrorTypes: ['SendRejected'] },
});

/** What the campaign knows of the customer when it starts. */
export type FollowUpContext = Awaited<ReturnType<Activities['loadFollowUpContext']>>;
