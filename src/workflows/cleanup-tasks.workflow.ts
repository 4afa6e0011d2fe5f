import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

const { cleanupOldTasks } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumAttempts: 5 },
});

/** Deletes finished tasks older than the retention; run nightly by a Temporal Schedule. */
export async function cleanupTasks(input: { olderThanDays: number }): Promise<{ deleted: number }> {
  return cleanupOldTasks({ olderThanDays: input.olderThanDays, now: new Date().toISOString() });
}
