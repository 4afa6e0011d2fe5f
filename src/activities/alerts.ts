import { log } from '@temporalio/activity';
import { publishEvent } from '../persistence/events';
import { In, IsNull, LessThan, Like, MoreThanOrEqual, type DataSource } from 'typeorm';
import type { OutboundWebhook } from '../channels';
import { APPROVAL_MARK } from '../contracts/handle-message';
import type { AlertEvaluation, AlertNotification } from '../contracts/alerts';
import {
  DEFAULT_ALERT_THRESHOLDS,
  failureRates,
  followUpSendFailures,
  handoffOverdue,
  llmBreakerOpen,
  planAlerts,
  tasksStuck,
  type AlertObservation,
  type AlertThresholds,
  type OutcomeCounts,
} from '../domain/alerts';
import type { AgentLogAction } from '../domain/task-lifecycle';
import {
  alertView,
  alertsToNotify,
  breakerReports,
  markAlertNotified,
  openAlertRefs,
  openOrRefreshAlert,
  pruneBreakerStates,
  resolveAlert,
} from '../persistence/alert-store';
import { AgentLog } from '../persistence/entities/agent-log.entity';
import type { Alert } from '../persistence/entities/alert.entity';
import { Handoff } from '../persistence/entities/handoff.entity';
import { OutboundMessage, type OutboundStatus } from '../persistence/entities/outbound-message.entity';
import { Task } from '../persistence/entities/task.entity';

/** Agent log actions that end a task well, and badly (the others are steps on the way). */
export const AGENT_COMPLETIONS: readonly AgentLogAction[] = ['completed'];
export const AGENT_FAILURES: readonly AgentLogAction[] = ['failed'];

/** Outbound statuses that mean a provider took the message, and the one that means it refused it. */
export const SEND_SUCCESSES: readonly OutboundStatus[] = ['sent', 'delivered', 'read'];
export const SEND_FAILURE: OutboundStatus = 'failed';

/** Follow-up steps are sent under `followup:<chat>:<purpose>[:run-<ms>]:step-<n>` (src/activities/follow-ups.ts). */
const FOLLOW_UP_KEYS = 'followup:%';

/** Notifications sent per evaluation at most; the rest wait for the next one. */
const NOTIFY_BATCH = 50;

/** Breakers that have not changed for this long are forgotten. */
const BREAKER_MEMORY_MS = 24 * 3600 * 1000;

export interface AlertActivityDeps {
  db: DataSource;
  /** The rules' thresholds (the defaults when absent). */
  thresholds?: AlertThresholds;
  /** The outbound webhook (`OUTBOUND_WEBHOOK_URL` + `OUTBOUND_WEBHOOK_SECRET`); absent: nothing is sent. */
  webhook?: OutboundWebhook;
}

export type AlertEventChange = 'opened' | 'level_changed' | 'resolved';

/** The live feed's event for an alert's change, published once per change after it is committed. */
const ALERT_EVENT: Record<AlertEventChange, 'alert.opened' | 'alert.changed' | 'alert.resolved'> = {
  opened: 'alert.opened',
  level_changed: 'alert.changed',
  resolved: 'alert.resolved',
};

export async function onAlertChanged(db: DataSource, alert: Alert, change: AlertEventChange): Promise<void> {
  const view = alertView(alert);
  const key = change === 'level_changed' ? `alert:${alert.id}:level:${alert.level}:${view.lastSeenAt}` : `alert:${alert.id}:${change}`;
  await publishEvent(db, { key, type: ALERT_EVENT[change], data: { ...view } });
}

async function outcomeCounts<T extends AgentLog | OutboundMessage>(
  db: DataSource,
  entity: new () => T,
  subjectColumn: string,
  statusColumn: string,
  since: Date,
  successes: readonly string[],
  failures: readonly string[],
): Promise<OutcomeCounts[]> {
  const rows = await db
    .getRepository(entity)
    .createQueryBuilder('r')
    .select(`r.${subjectColumn}`, 'subject')
    .addSelect(`r.${statusColumn}`, 'outcome')
    .addSelect('COUNT(*)', 'count')
    .where('r.createdAt >= :since', { since })
    .andWhere(`r.${statusColumn} IN (:...outcomes)`, { outcomes: [...successes, ...failures] })
    .groupBy(`r.${subjectColumn}`)
    .addGroupBy(`r.${statusColumn}`)
    .getRawMany<{ subject: string; outcome: string; count: string | number }>();
  const bySubject = new Map<string, OutcomeCounts>();
  for (const row of rows) {
    const counts = bySubject.get(row.subject) ?? { subject: row.subject, successes: 0, failures: 0 };
    if (failures.includes(row.outcome)) counts.failures += Number(row.count);
    else counts.successes += Number(row.count);
    bySubject.set(row.subject, counts);
  }
  return [...bySubject.values()].sort((a, b) => a.subject.localeCompare(b.subject));
}

/**
 * Tasks in progress since before the cutoff, leaving out those whose message waits for or
 * is held by a person (open or answered handoffs): `handoff_overdue` speaks for those.
 */
async function stuckTasks(db: DataSource, cutoff: Date): Promise<{ count: number; oldest?: Date }> {
  const rows = await db.getRepository(Task).find({
    where: [
      { status: 'in_progress', startedAt: LessThan(cutoff) },
      { status: 'in_progress', startedAt: IsNull(), createdAt: LessThan(cutoff) },
    ],
    select: { id: true, workflowId: true, startedAt: true, createdAt: true },
  });
  if (rows.length === 0) return { count: 0 };
  const held = await db.getRepository(Handoff).find({ where: { status: In(['open', 'answered']) }, select: { workflowId: true } });
  const withPerson = new Set(held.map((h) => (h.workflowId.includes(APPROVAL_MARK) ? h.workflowId.slice(0, h.workflowId.lastIndexOf(APPROVAL_MARK)) : h.workflowId)));
  const stuck = rows.filter((t) => !withPerson.has(t.workflowId));
  const oldest = stuck.map((t) => new Date(t.startedAt ?? t.createdAt).getTime()).sort((a, b) => a - b)[0];
  return { count: stuck.length, oldest: oldest === undefined ? undefined : new Date(oldest) };
}

/** Every rule, over the data as it is at `now`: the conditions that hold. */
export async function observeAlerts(db: DataSource, now: Date, t: AlertThresholds): Promise<AlertObservation[]> {
  const since = new Date(now.getTime() - t.windowMinutes * 60_000);
  const waiting = await db.getRepository(Handoff).find({ where: { status: 'open' }, select: { workflowId: true, channel: true, reason: true, openedAt: true, dueAt: true } });
  const agents = await outcomeCounts(db, AgentLog, 'agentName', 'action', since, AGENT_COMPLETIONS, AGENT_FAILURES);
  const channels = await outcomeCounts(db, OutboundMessage, 'channel', 'status', since, SEND_SUCCESSES, [SEND_FAILURE]);
  const stuck = await stuckTasks(db, new Date(now.getTime() - t.taskStuckMinutes * 60_000));
  const breakers = await breakerReports(db);
  const followUpFailures = await db.getRepository(OutboundMessage).countBy({ idempotencyKey: Like(FOLLOW_UP_KEYS), status: SEND_FAILURE, createdAt: MoreThanOrEqual(since) });
  return [
    ...handoffOverdue(
      waiting.map((h) => ({ workflowId: h.workflowId, channel: h.channel, reason: h.reason, openedAt: new Date(h.openedAt), dueAt: new Date(h.dueAt) })),
      now,
      t,
    ),
    ...failureRates('agent_failure_rate', agents, t),
    ...failureRates('channel_failure_rate', channels, t),
    ...tasksStuck(stuck.count, stuck.oldest, now, t),
    ...llmBreakerOpen(breakers, now, t),
    ...followUpSendFailures(followUpFailures, t),
  ];
}

/**
 * The alert rules, evaluated on a Temporal Schedule (`evaluateAlerts`): each condition that
 * holds opens its alert once (the database's unique open key) or refreshes it; each open
 * alert whose condition cleared resolves. Every step is idempotent: a retried or repeated
 * evaluation over the same data changes nothing more. Notifications are a separate pass, so
 * one the webhook did not take is simply owed until a later pass delivers it.
 */
export function createAlertActivities(deps: AlertActivityDeps) {
  const { db } = deps;
  const thresholds = deps.thresholds ?? DEFAULT_ALERT_THRESHOLDS;

  async function changed(alert: Alert, change: AlertEventChange): Promise<void> {
    try {
      await onAlertChanged(db, alert, change);
    } catch (err) {
      log.warn('alert event not published', { alertId: alert.id, change, error: (err as Error).message });
    }
  }

  return {
    async evaluateAlertRules(input: { now: string }): Promise<AlertEvaluation> {
      const now = new Date(input.now);
      const observed = await observeAlerts(db, now, thresholds);
      const plan = planAlerts(await openAlertRefs(db), observed);
      const result: AlertEvaluation = { observed: observed.length, opened: 0, resolved: 0, levelChanged: 0 };
      for (const o of plan.observed) {
        const { alert, change } = await openOrRefreshAlert(db, o, now);
        if (change === 'opened') {
          result.opened += 1;
          log.info('alert opened', { rule: alert.rule, subject: alert.subject, level: alert.level });
          await changed(alert, 'opened');
        } else if (change === 'level_changed') {
          result.levelChanged += 1;
          await changed(alert, 'level_changed');
        }
      }
      for (const ref of plan.resolve) {
        const alert = await resolveAlert(db, ref.id, now);
        if (!alert) continue;
        result.resolved += 1;
        log.info('alert resolved', { rule: alert.rule, subject: alert.subject });
        await changed(alert, 'resolved');
      }
      await pruneBreakerStates(db, new Date(now.getTime() - BREAKER_MEMORY_MS));
      return result;
    },

    /**
     * Sends the notifications owed to the outbound webhook: `alert.opened`, then (once that
     * was taken) `alert.resolved`, each recorded after a 2xx so it is never sent again. One
     * the webhook refuses or does not answer stays owed for the next evaluation. Every
     * attempt of one notification carries the same `webhook-id`, so a receiver that saw it
     * (its answer lost) can drop the repeat.
     */
    async notifyAlerts(input: { now: string }): Promise<AlertNotification> {
      const webhook = deps.webhook;
      if (!webhook) return { sent: 0, failed: 0, webhook: false };
      const now = new Date(input.now);
      const result: AlertNotification = { sent: 0, failed: 0, webhook: true };
      for (const alert of await alertsToNotify(db, now, NOTIFY_BATCH)) {
        const owed: Array<'opened' | 'resolved'> = [];
        if (!alert.notifiedOpenAt) owed.push('opened');
        if (alert.status === 'resolved' && !alert.notifiedResolvedAt) owed.push('resolved');
        for (const kind of owed) {
          try {
            await webhook.send({
              type: `alert.${kind}`,
              idempotencyKey: `alert:${alert.id}:${kind}`,
              occurredAt: new Date(kind === 'opened' ? alert.openedAt : alert.resolvedAt!),
              data: alertView(alert),
            });
          } catch (err) {
            result.failed += 1;
            log.warn('alert notification not taken; sent again at the next evaluation', { alertId: alert.id, kind, error: (err as Error).message });
            // `alert.resolved` never goes before `alert.opened`.
            break;
          }
          if (await markAlertNotified(db, alert.id, kind, new Date())) result.sent += 1;
        }
      }
      return result;
    },
  };
}
