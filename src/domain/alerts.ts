/**
 * Alerts (seed 001's monitoring), as pure rules: what each rule observes in the data it is
 * given, at which level, and how the observations of one evaluation turn into alerts to
 * open, refresh and resolve. The activity reads the data and writes the rows; nothing here
 * reads a clock (`now` is always given).
 */

export const ALERT_LEVELS = ['info', 'warning', 'critical'] as const;
export type AlertLevel = (typeof ALERT_LEVELS)[number];

export const ALERT_STATUSES = ['open', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

export const ALERT_RULES = ['handoff_overdue', 'agent_failure_rate', 'channel_failure_rate', 'tasks_stuck', 'llm_breaker_open', 'follow_up_send_failures'] as const;
export type AlertRule = (typeof ALERT_RULES)[number];

/** The levels each rule raises (a handoff past its own give-up deadline is critical). */
export const RULE_LEVELS: Record<AlertRule, readonly AlertLevel[]> = {
  handoff_overdue: ['warning', 'critical'],
  agent_failure_rate: ['warning'],
  channel_failure_rate: ['warning'],
  tasks_stuck: ['warning'],
  llm_breaker_open: ['critical'],
  follow_up_send_failures: ['warning'],
};

/** The thresholds, from configuration (docs/alerts.md). */
export interface AlertThresholds {
  /** How long an open handoff may wait for a person (`HANDOFF_RESPONSE_SECONDS`). */
  handoffResponseSeconds: number;
  /** The window failure rates and failed sends are counted over (`ALERT_WINDOW_MINUTES`). */
  windowMinutes: number;
  /** failures / (completions + failures) at or above which a rate alert opens (`ALERT_FAILURE_RATE`). */
  failureRate: number;
  /** Outcomes in the window below which no rate is judged (`ALERT_MIN_SAMPLES`). */
  minSamples: number;
  /** How long a task may stay in progress (`ALERT_TASK_STUCK_MINUTES`). */
  taskStuckMinutes: number;
  /** Failed follow-up step sends in the window that open an alert (`ALERT_FOLLOW_UP_FAILURES`). */
  followUpFailures: number;
}

export const DEFAULT_ALERT_THRESHOLDS: AlertThresholds = {
  handoffResponseSeconds: 900,
  windowMinutes: 15,
  failureRate: 0.25,
  minSamples: 5,
  taskStuckMinutes: 30,
  followUpFailures: 3,
};

/** One condition found true by an evaluation: the alert it keeps open. */
export interface AlertObservation {
  rule: AlertRule;
  /** What it is about: a handoff's workflow id, an agent, a channel, `tasks`, `llm`, `follow_ups`. */
  subject: string;
  level: AlertLevel;
  title: string;
  detail: string;
  value: number | null;
  threshold: number | null;
}

/** The longest subject stored; a longer one keeps its start and a hash of the whole. */
export const MAX_SUBJECT_LENGTH = 256;

/** FNV-1a, 32 bits, hex: a short stable digest, enough to tell long subjects apart. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/** The subject as stored: unchanged up to 256 characters, else its start and a digest of the whole. */
export function storedSubject(subject: string): string {
  if (subject.length <= MAX_SUBJECT_LENGTH) return subject;
  return `${subject.slice(0, MAX_SUBJECT_LENGTH - 10)}…#${fnv1a(subject)}`;
}

/** `rule:subject`: unique among open alerts, so the database itself keeps each condition to one open alert. */
export function openKey(rule: AlertRule, subject: string): string {
  return `${rule}:${storedSubject(subject)}`;
}

// ---------------------------------------------------------------- handoffs

export interface WaitingHandoff {
  workflowId: string;
  channel: string;
  reason: string;
  openedAt: Date;
  /** When the conversation gives up waiting and apologises (`HANDOFF_TIMEOUT_SECONDS`). */
  dueAt: Date;
}

/** When a person should have answered: opened + `HANDOFF_RESPONSE_SECONDS`. */
export function respondBy(openedAt: Date, responseSeconds: number): Date {
  return new Date(openedAt.getTime() + responseSeconds * 1000);
}

/** An open handoff waited longer than the response time. */
export function isOverdue(openedAt: Date, now: Date, responseSeconds: number): boolean {
  return now.getTime() > respondBy(openedAt, responseSeconds).getTime();
}

function minutes(ms: number): string {
  const m = Math.floor(ms / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  return m > 0 ? `${m} min ${s} s` : `${s} s`;
}

/** `handoff_overdue`: one alert per open handoff past the response time; critical once past its own deadline. */
export function handoffOverdue(handoffs: WaitingHandoff[], now: Date, t: AlertThresholds): AlertObservation[] {
  return handoffs
    .filter((h) => isOverdue(h.openedAt, now, t.handoffResponseSeconds))
    .map((h) => {
      const waitedMs = now.getTime() - h.openedAt.getTime();
      const givenUp = now.getTime() >= h.dueAt.getTime();
      return {
        rule: 'handoff_overdue' as const,
        subject: h.workflowId,
        level: givenUp ? ('critical' as const) : ('warning' as const),
        title: givenUp ? 'A customer waited for a person past the handoff deadline' : 'A customer is waiting for a person longer than the response time',
        detail:
          `Waiting ${minutes(waitedMs)} on ${h.channel} (reason: ${h.reason}); ` +
          `a person should have answered by ${respondBy(h.openedAt, t.handoffResponseSeconds).toISOString()}` +
          (givenUp ? `, and the conversation gave up at ${h.dueAt.toISOString()}.` : `; the conversation gives up at ${h.dueAt.toISOString()}.`),
        value: Math.floor(waitedMs / 1000),
        threshold: t.handoffResponseSeconds,
      };
    });
}

// ---------------------------------------------------------------- failure rates

/** Outcomes counted for one agent or channel in the window. */
export interface OutcomeCounts {
  subject: string;
  successes: number;
  failures: number;
}

/** failures / (successes + failures), or undefined when there were fewer outcomes than the minimum. */
export function failureRate(counts: OutcomeCounts, minSamples: number): number | undefined {
  const total = counts.successes + counts.failures;
  if (total === 0 || total < minSamples) return undefined;
  return counts.failures / total;
}

function percent(rate: number): string {
  return `${Math.round(rate * 1000) / 10}%`;
}

/** `agent_failure_rate` / `channel_failure_rate`: a rate at or over the threshold with enough outcomes. */
export function failureRates(rule: 'agent_failure_rate' | 'channel_failure_rate', counts: OutcomeCounts[], t: AlertThresholds): AlertObservation[] {
  const what = rule === 'agent_failure_rate' ? 'Agent' : 'Channel';
  const outcomes = rule === 'agent_failure_rate' ? 'tasks' : 'sends';
  const out: AlertObservation[] = [];
  for (const c of counts) {
    const rate = failureRate(c, t.minSamples);
    if (rate === undefined || rate < t.failureRate) continue;
    out.push({
      rule,
      subject: c.subject,
      level: 'warning',
      title: `${what} ${c.subject} is failing ${percent(rate)} of its ${outcomes}`,
      detail: `${c.failures} of ${c.successes + c.failures} ${outcomes} failed in the last ${t.windowMinutes} min (alert at ${percent(t.failureRate)}, from ${t.minSamples} ${outcomes}).`,
      value: Math.round(rate * 10_000) / 10_000,
      threshold: t.failureRate,
    });
  }
  return out;
}

// ---------------------------------------------------------------- tasks, breaker, follow-ups

/** `tasks_stuck`: one alert for every task in progress too long (tasks waiting for a person excluded by the caller). */
export function tasksStuck(stuck: number, oldestStartedAt: Date | undefined, now: Date, t: AlertThresholds): AlertObservation[] {
  if (stuck === 0) return [];
  const oldest = oldestStartedAt ? ` The oldest started ${minutes(now.getTime() - oldestStartedAt.getTime())} ago.` : '';
  return [
    {
      rule: 'tasks_stuck',
      subject: 'tasks',
      level: 'warning',
      title: `${stuck} task${stuck === 1 ? ' is' : 's are'} stuck in progress`,
      detail: `${stuck} task${stuck === 1 ? ' has' : 's have'} been in progress for more than ${t.taskStuckMinutes} min without a person holding them.${oldest}`,
      value: stuck,
      threshold: t.taskStuckMinutes,
    },
  ];
}

/** What a worker last recorded about its LLM circuit breaker. */
export interface BreakerReport {
  workerId: string;
  state: 'open' | 'closed';
  /** When it last opened, or re-opened after a failed trial. */
  openedAt: Date | null;
  failures: number;
}

/**
 * `llm_breaker_open`: some worker's breaker opened (or re-opened on a failed trial) within
 * the window and has not recorded a success since. A breaker that has seen no failure for a
 * whole window (no traffic, or its worker is gone) no longer counts: nothing then says the
 * provider is still down, and the next call is let through as a trial.
 */
export function llmBreakerOpen(reports: BreakerReport[], now: Date, t: AlertThresholds): AlertObservation[] {
  const since = now.getTime() - t.windowMinutes * 60_000;
  const open = reports.filter((r) => r.state === 'open' && r.openedAt !== null && r.openedAt.getTime() >= since);
  if (open.length === 0) return [];
  return [
    {
      rule: 'llm_breaker_open',
      subject: 'llm',
      level: 'critical',
      title: 'The LLM provider is failing: its circuit breaker is open',
      detail:
        `The circuit breaker is open on ${open.length} worker${open.length === 1 ? '' : 's'} (${open.map((r) => r.workerId).join(', ')}): ` +
        'the provider kept failing, so triage and replies fall back to the rules and templates until it answers again.',
      value: open.length,
      threshold: null,
    },
  ];
}

/** `follow_up_send_failures`: follow-up step sends refused in the window, at or over the threshold. */
export function followUpSendFailures(failed: number, t: AlertThresholds): AlertObservation[] {
  if (failed < t.followUpFailures) return [];
  return [
    {
      rule: 'follow_up_send_failures',
      subject: 'follow_ups',
      level: 'warning',
      title: `${failed} follow-up messages failed to send`,
      detail: `${failed} follow-up step sends failed in the last ${t.windowMinutes} min (alert from ${t.followUpFailures}).`,
      value: failed,
      threshold: t.followUpFailures,
    },
  ];
}

// ---------------------------------------------------------------- planning

/** An open alert as the evaluation needs it. */
export interface OpenAlertRef {
  id: string;
  openKey: string;
}

export interface AlertPlan {
  /** Conditions true now: opened when no alert is open for them, refreshed otherwise. */
  observed: AlertObservation[];
  /** Open alerts whose condition is no longer true. */
  resolve: OpenAlertRef[];
}

/** Which open alerts resolve: those whose `rule:subject` nothing observed any more. */
export function planAlerts(open: OpenAlertRef[], observed: AlertObservation[]): AlertPlan {
  const keys = new Set(observed.map((o) => openKey(o.rule, o.subject)));
  return { observed, resolve: open.filter((a) => !keys.has(a.openKey)) };
}
