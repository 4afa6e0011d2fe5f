import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { BaselineActivities } from './activities';

/**
 * Baselines the message path is measured against, on the same server and worker settings:
 * the engine's floor for one workflow with a given number of steps. Each step is a no-op
 * activity, so what is measured is Temporal's round trips and the SDK's work, not ours.
 */

const regular = proxyActivities<BaselineActivities>({ startToCloseTimeout: '10 seconds', retry: { maximumAttempts: 3 } });
const local = proxyLocalActivities<BaselineActivities>({ startToCloseTimeout: '10 seconds', retry: { maximumAttempts: 3 } });

/** Starts and completes: one workflow task. */
export async function baselineEmpty(): Promise<string> {
  return 'done';
}

/** `local` no-op local activities, then `regular` no-op regular ones, one after the other. */
export async function baselineSteps(steps: { local: number; regular: number }): Promise<number> {
  let n = 0;
  for (let i = 0; i < steps.local; i++) n += await local.noop(i);
  for (let i = 0; i < steps.regular; i++) n += await regular.noop(i);
  return n;
}
