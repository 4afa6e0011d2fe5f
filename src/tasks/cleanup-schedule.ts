import { ScheduleAlreadyRunning, type Client } from '@temporalio/client';
import { CLEANUP_SCHEDULE_ID } from '../contracts';

export interface CleanupScheduleOptions {
  taskQueue: string;
  cron: string;
  retentionDays: number;
  /** How long transcripts are kept (`CONVERSATION_RETENTION_DAYS`). */
  transcriptRetentionDays?: number;
  timezone: string;
}

/**
 * Creates the nightly cleanup as a Temporal Schedule, once: a schedule that already exists
 * is left as it is (an operator may have paused or edited it in the Web UI).
 */
export async function ensureCleanupSchedule(client: Client, options: CleanupScheduleOptions): Promise<'created' | 'exists'> {
  try {
    await client.schedule.create({
      scheduleId: CLEANUP_SCHEDULE_ID,
      spec: { cronExpressions: [options.cron], timezone: options.timezone },
      action: {
        type: 'startWorkflow',
        // By name: the workflow is the worker's code, started here from its contract.
        workflowType: 'cleanupTasks',
        taskQueue: options.taskQueue,
        args: [{ olderThanDays: options.retentionDays, transcriptOlderThanDays: options.transcriptRetentionDays }],
      },
      policies: { overlap: 'SKIP', catchupWindow: '1 hour' },
      memo: { purpose: 'delete finished tasks and transcripts older than their retention' },
    });
    return 'created';
  } catch (err) {
    if (err instanceof ScheduleAlreadyRunning) return 'exists';
    throw err;
  }
}
