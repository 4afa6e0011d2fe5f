import { randomUUID } from 'node:crypto';
import { IsNull, LessThan, MoreThan, type DataSource } from 'typeorm';
import { openKey, storedSubject, type AlertLevel, type AlertObservation, type AlertStatus, type BreakerReport, type OpenAlertRef } from '../domain/alerts';
import { Alert } from './entities/alert.entity';
import { LlmBreakerState } from './entities/llm-breaker-state.entity';

/** The JSON shape of an alert: `GET /api/alerts`, the webhook's `data`, the events. */
export interface AlertView {
  id: string;
  rule: string;
  subject: string;
  level: AlertLevel;
  title: string;
  detail: string;
  value: number | null;
  threshold: number | null;
  status: AlertStatus;
  openedAt: string;
  lastSeenAt: string;
  resolvedAt: string | null;
}

/** An alert as the API, the webhook and the events show it. */
export function alertView(a: Alert): AlertView {
  return {
    id: a.id,
    rule: a.rule,
    subject: a.subject,
    level: a.level,
    title: a.title,
    detail: a.detail,
    value: a.value,
    threshold: a.threshold,
    status: a.status,
    openedAt: new Date(a.openedAt).toISOString(),
    lastSeenAt: new Date(a.lastSeenAt).toISOString(),
    resolvedAt: a.resolvedAt ? new Date(a.resolvedAt).toISOString() : null,
  };
}

/** What one evaluation did to an alert: opened it, changed its level, or only refreshed it. */
export type AlertChange = 'opened' | 'level_changed' | 'refreshed';

/**
 * Opens the alert for an observed condition, or refreshes the one already open for its
 * `rule:subject` (last seen, value, level, detail). The insert is ignored when an alert is
 * already open for the key (the unique `open_key`), so two evaluations racing open one.
 */
export async function openOrRefreshAlert(db: DataSource, observed: AlertObservation, now: Date): Promise<{ alert: Alert; change: AlertChange }> {
  const repo = db.getRepository(Alert);
  const key = openKey(observed.rule, observed.subject);
  const fields = { level: observed.level, title: observed.title.slice(0, 256), detail: observed.detail, value: observed.value, threshold: observed.threshold };
  let existing = await repo.findOneBy({ openKey: key });
  if (!existing) {
    const id = randomUUID();
    await repo
      .createQueryBuilder()
      .insert()
      .into(Alert)
      .values({
        id,
        rule: observed.rule,
        subject: storedSubject(observed.subject),
        ...fields,
        status: 'open',
        openedAt: now,
        lastSeenAt: now,
        resolvedAt: null,
        openKey: key,
        notifiedOpenAt: null,
        notifiedResolvedAt: null,
      })
      .orIgnore()
      .execute();
    existing = await repo.findOneByOrFail({ openKey: key });
    if (existing.id === id) return { alert: existing, change: 'opened' };
  }
  const change: AlertChange = existing.level === observed.level ? 'refreshed' : 'level_changed';
  await repo.update({ id: existing.id, status: 'open' }, { ...fields, lastSeenAt: now });
  return { alert: { ...existing, ...fields, lastSeenAt: now }, change };
}

/** Resolves an open alert; the alert when this call resolved it, undefined when it was not open (any more). */
export async function resolveAlert(db: DataSource, id: string, now: Date): Promise<Alert | undefined> {
  const result = await db.getRepository(Alert).update({ id, status: 'open' }, { status: 'resolved', resolvedAt: now, openKey: null });
  if (!result.affected) return undefined;
  return db.getRepository(Alert).findOneByOrFail({ id });
}

export async function openAlertRefs(db: DataSource): Promise<OpenAlertRef[]> {
  const rows = await db.getRepository(Alert).find({ where: { status: 'open' }, select: { id: true, openKey: true } });
  return rows.filter((r): r is Alert & { openKey: string } => r.openKey !== null).map((r) => ({ id: r.id, openKey: r.openKey }));
}

export interface AlertListFilter {
  status: AlertStatus | 'all';
  level?: AlertLevel;
  limit: number;
}

/** Alerts for `GET /api/alerts`: open ones first, newest first. */
export async function listAlerts(db: DataSource, filter: AlertListFilter): Promise<Alert[]> {
  return db.getRepository(Alert).find({
    where: { ...(filter.status === 'all' ? {} : { status: filter.status }), ...(filter.level ? { level: filter.level } : {}) },
    // 'open' sorts before 'resolved'.
    order: { status: 'ASC', openedAt: 'DESC', id: 'ASC' },
    take: filter.limit,
  });
}

/** Open alerts per rule and level (`switchboard_alerts_open`). */
export async function openAlertCounts(db: DataSource): Promise<Array<{ rule: string; level: string; count: number }>> {
  const rows = await db
    .getRepository(Alert)
    .createQueryBuilder('a')
    .select('a.rule', 'rule')
    .addSelect('a.level', 'level')
    .addSelect('COUNT(*)', 'count')
    .where('a.status = :status', { status: 'open' })
    .groupBy('a.rule')
    .addGroupBy('a.level')
    .getRawMany<{ rule: string; level: string; count: string | number }>();
  return rows.map((r) => ({ rule: r.rule, level: r.level, count: Number(r.count) }));
}

/** How long a resolved alert's notifications are still worth sending. */
export const NOTIFY_BACKLOG_MS = 24 * 3600 * 1000;

/**
 * Alerts with a notification still owed: an `alert.opened` not yet taken by the webhook
 * (for an open alert, or one resolved in the last day), or an `alert.resolved` for one
 * resolved in the last day. Oldest first, at most `limit`.
 */
export async function alertsToNotify(db: DataSource, now: Date, limit: number): Promise<Alert[]> {
  const recent = MoreThan(new Date(now.getTime() - NOTIFY_BACKLOG_MS));
  return db.getRepository(Alert).find({
    where: [
      { status: 'open', notifiedOpenAt: IsNull() },
      { status: 'resolved', resolvedAt: recent, notifiedOpenAt: IsNull() },
      { status: 'resolved', resolvedAt: recent, notifiedResolvedAt: IsNull() },
    ],
    order: { openedAt: 'ASC', id: 'ASC' },
    take: limit,
  });
}

/** Records that the webhook took a notification; false when it was recorded already. */
export async function markAlertNotified(db: DataSource, id: string, kind: 'opened' | 'resolved', at: Date): Promise<boolean> {
  const result =
    kind === 'opened'
      ? await db.getRepository(Alert).update({ id, notifiedOpenAt: IsNull() }, { notifiedOpenAt: at })
      : await db.getRepository(Alert).update({ id, notifiedResolvedAt: IsNull() }, { notifiedResolvedAt: at });
  return Boolean(result.affected);
}

// ---------------------------------------------------------------- LLM breakers

/** A breaker transition as the worker saw it. */
export interface BreakerTransition {
  state: 'open' | 'closed';
  failures: number;
  at: Date;
}

/** Writes one worker's breaker state (upsert by worker id). */
export async function recordBreakerState(db: DataSource, workerId: string, change: BreakerTransition): Promise<void> {
  await db.getRepository(LlmBreakerState).upsert(
    {
      workerId,
      state: change.state,
      failures: change.failures,
      // Opening (or re-opening) stamps the time; closing keeps when it last opened.
      ...(change.state === 'open' ? { openedAt: change.at } : {}),
      changedAt: change.at,
    },
    ['workerId'],
  );
}

/**
 * A recorder for one breaker: transitions are written in the order they happened (one
 * after the other), and a write that fails is reported, never thrown into the LLM call
 * that caused the transition.
 */
export function breakerStateRecorder(db: DataSource, workerId: string, onError: (err: unknown) => void = () => undefined): (change: BreakerTransition) => Promise<void> {
  let last: Promise<void> = Promise.resolve();
  return (change) => {
    last = last.then(() => recordBreakerState(db, workerId, change)).catch(onError);
    return last;
  };
}

/** Every worker's breaker as it last recorded it. */
export async function breakerReports(db: DataSource): Promise<BreakerReport[]> {
  const rows = await db.getRepository(LlmBreakerState).find({ order: { workerId: 'ASC' } });
  return rows.map((r) => ({ workerId: r.workerId, state: r.state, openedAt: r.openedAt ? new Date(r.openedAt) : null, failures: r.failures }));
}

/** Forgets breakers that have not changed since `before` (workers long gone, or long healthy). */
export async function pruneBreakerStates(db: DataSource, before: Date): Promise<number> {
  const result = await db.getRepository(LlmBreakerState).delete({ changedAt: LessThan(before) });
  return result.affected ?? 0;
}
