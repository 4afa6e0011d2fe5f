import { condition } from '@temporalio/workflow';
import { outsideQuietHours } from '../../domain/quiet-hours';
import { isFinished, stepDueMs, type Campaign } from './campaign';

/**
 * Waits on a durable timer until step `index` is due, outside the customer's quiet hours.
 * A pause holds the timer until a resume; a reschedule or a frequency cap (`override`)
 * replaces the due time. Returns when the timer fires or the campaign has finished.
 */
export async function waitUntilDue(campaign: Campaign, index: number, timezone: string): Promise<void> {
  const { state } = campaign;
  const { quietHours } = campaign.input.rules;
  let due = outsideQuietHours(stepDueMs(campaign, index), timezone, quietHours);
  for (;;) {
    if (campaign.override !== undefined) {
      due = outsideQuietHours(campaign.override, timezone, quietHours);
      campaign.override = undefined;
    }
    state.nextFireAt = state.status === 'paused' ? undefined : new Date(due).toISOString();
    if (state.status === 'paused') {
      await condition(() => state.status !== 'paused' || campaign.override !== undefined);
      // Resumed after the due time passed: the step goes out now, not never.
      continue;
    }
    const interrupted = () => isFinished(campaign) || state.status === 'paused' || campaign.override !== undefined;
    const fired = !(await condition(interrupted, Math.max(0, due - Date.now())));
    // Checked before the timer: a reply handled in the same activation as the timer wins.
    if (isFinished(campaign)) return;
    if (interrupted()) continue;
    if (fired) return;
  }
}

/**
 * After a pause, several steps may be overdue at once: the customer gets the latest of them,
 * not a burst of every one they missed.
 */
export function latestOverdueStep(campaign: Campaign, index: number): number {
  const steps = campaign.input.rules.stepsHours;
  let latest = index;
  while (latest + 1 < steps.length && stepDueMs(campaign, latest + 1) <= Date.now()) latest += 1;
  return latest;
}
