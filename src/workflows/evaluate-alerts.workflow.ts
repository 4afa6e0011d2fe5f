import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { EvaluateAlertsInput, EvaluateAlertsResult } from '../contracts/alerts';

/**
 * A few queries and a handful of writes: a minute is ample. Retried a few times over about
 * half a minute (a locked SQLite file, a database fail-over); a run that still fails leaves
 * everything to the next scheduled evaluation, which starts from the data again.
 */
const { evaluateAlertRules, notifyAlerts } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '15 seconds', maximumAttempts: 4 },
});

/**
 * Evaluates the alert rules and sends the notifications owed; started by the
 * `switchboard-alerts` Temporal Schedule (docs/alerts.md). The evaluation's "now" is the
 * workflow's, so a retried activity judges the same instant.
 */
export async function evaluateAlerts(_input: EvaluateAlertsInput = {}): Promise<EvaluateAlertsResult> {
  const now = new Date().toISOString();
  const evaluation = await evaluateAlertRules({ now });
  const notifications = await notifyAlerts({ now });
  return { ...evaluation, notifications };
}
