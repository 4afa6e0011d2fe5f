import { ScheduleAlreadyRunning, type Client } from '@temporalio/client';
import { alertsScheduleId, type EvaluateAlertsInput } from '../contracts/alerts';

export interface AlertsScheduleOptions {
  taskQueue: string;
  /** `ALERTS_EVERY_SECONDS`. */
  everySeconds: number;
}

/**
 * A run that cannot start (no worker polls the queue) gives way to the next after this long;
 * with overlap SKIP it would otherwise hold every later evaluation back.
 */
export const ALERTS_RUN_TIMEOUT = '10 minutes';

/**
 * Creates the alerts schedule once (`switchboard-alerts`, or `switchboard-alerts-<queue>` on
 * another task queue): `evaluateAlerts` every `everySeconds`, overlap SKIP. A schedule that
 * exists is left as it is (paused, noted, edited by an operator), except that an interval
 * differing from `everySeconds` is set to it, so changing ALERTS_EVERY_SECONDS takes effect
 * at the next start. A schedule an operator moved off intervals (a cron) is left alone.
 */
export async function ensureAlertsSchedule(client: Client, options: AlertsScheduleOptions): Promise<'created' | 'exists' | 'updated'> {
  const scheduleId = alertsScheduleId(options.taskQueue);
  const every = options.everySeconds * 1000;
  const input: EvaluateAlertsInput = {};
  try {
    await client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every }] },
      action: {
        type: 'startWorkflow',
        // By name: the workflow is the worker's code.
        workflowType: 'evaluateAlerts',
        taskQueue: options.taskQueue,
        args: [input],
        workflowExecutionTimeout: ALERTS_RUN_TIMEOUT,
      },
      policies: { overlap: 'SKIP', catchupWindow: '1 minute' },
      memo: { purpose: 'evaluate the alert rules and notify the outbound webhook (docs/alerts.md)' },
    });
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  const handle = client.schedule.getHandle(scheduleId);
  const described = await handle.describe();
  const intervals = described.spec.intervals ?? [];
  if (intervals.length === 0 || (intervals.length === 1 && intervals[0].every === every)) return 'exists';
  // The whole description goes back with the new interval: the pause, its note and the rest stay.
  await handle.update((previous) => ({ ...previous, spec: { ...previous.spec, intervals: [{ every }] } }));
  return 'updated';
}
