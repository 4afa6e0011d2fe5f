import { patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

const { cleanupOldTasks, cleanupOldTranscripts } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumAttempts: 5 },
});

/**
 * Deletes finished tasks older than the task retention and transcript lines older than the
 * conversation retention; run nightly by a Temporal Schedule.
 */
export async function cleanupTasks(input: { olderThanDays: number; transcriptOlderThanDays?: number }): Promise<{ deleted: number; transcriptsDeleted?: number }> {
  const now = new Date().toISOString();
  const tasks = await cleanupOldTasks({ olderThanDays: input.olderThanDays, now });
  if (!patched('transcript-retention-v1')) return tasks;
  // Schedules created before transcripts existed carry no transcript retention: the worker's setting applies.
  const transcripts = await cleanupOldTranscripts({ olderThanDays: input.transcriptOlderThanDays, now });
  return { ...tasks, transcriptsDeleted: transcripts.deleted };
}
