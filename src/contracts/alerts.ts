import { DEFAULT_TASK_QUEUE } from './task-queue';

/** The schedule that evaluates the alerts, for the default task queue. */
export const ALERTS_SCHEDULE_ID = 'switchboard-alerts';

/**
 * The alerts schedule of a deployment: `switchboard-alerts` on the default task queue, and
 * `switchboard-alerts-<queue>` on any other, since a schedule starts its workflow on one task
 * queue (one worker fleet, one database) and deployments may share a namespace.
 */
export function alertsScheduleId(taskQueue: string): string {
  return taskQueue === DEFAULT_TASK_QUEUE ? ALERTS_SCHEDULE_ID : `${ALERTS_SCHEDULE_ID}-${taskQueue}`;
}

/** Input of `evaluateAlerts`: nothing (the thresholds are the worker's configuration). */
export type EvaluateAlertsInput = Record<string, never>;

/** What one evaluation of the rules did. */
export interface AlertEvaluation {
  /** Conditions found true. */
  observed: number;
  opened: number;
  resolved: number;
  /** Still-open alerts whose level changed. */
  levelChanged: number;
}

/** What one pass over the owed notifications did. */
export interface AlertNotification {
  /** Notifications the webhook took (2xx). */
  sent: number;
  /** Notifications it did not take: sent again by the next evaluation. */
  failed: number;
  /** False when no outbound webhook is configured (nothing is sent, nothing is owed). */
  webhook: boolean;
}

export type EvaluateAlertsResult = AlertEvaluation & { notifications: AlertNotification };
