import { alertsScheduleId } from '../../src/contracts/alerts';
import { loadConfig } from '../../src/config';
import {
  DEFAULT_ALERT_THRESHOLDS as T,
  failureRates,
  handoffOverdue,
  isOverdue,
  llmBreakerOpen,
  openKey,
  planAlerts,
  respondBy,
  storedSubject,
  tasksStuck,
} from '../../src/domain/alerts';
import { CircuitBreaker, type CircuitChange } from '../../src/llm';

const config = (env: Record<string, string> = {}) => loadConfig({ NODE_ENV: 'test', SWITCHBOARD_CONFIG: '', ...env });

describe('alert rules (pure)', () => {
  const now = new Date('2026-03-02T10:00:00.000Z');
  const ago = (minutes: number) => new Date(now.getTime() - minutes * 60_000);

  it('takes its thresholds from the configuration, with documented defaults, and names a bad variable', () => {
    expect(config().alerts).toEqual({ everySeconds: 60, handoffResponseSeconds: 900, windowMinutes: 15, failureRate: 0.25, minSamples: 5, taskStuckMinutes: 30, followUpFailures: 3 });
    expect(
      config({ ALERTS_EVERY_SECONDS: '5', HANDOFF_RESPONSE_SECONDS: '120', ALERT_WINDOW_MINUTES: '60', ALERT_FAILURE_RATE: '0.5', ALERT_MIN_SAMPLES: '20', ALERT_TASK_STUCK_MINUTES: '10', ALERT_FOLLOW_UP_FAILURES: '1' }).alerts,
    ).toEqual({ everySeconds: 5, handoffResponseSeconds: 120, windowMinutes: 60, failureRate: 0.5, minSamples: 20, taskStuckMinutes: 10, followUpFailures: 1 });
    expect(() => config({ ALERTS_EVERY_SECONDS: '0' })).toThrow(/ALERTS_EVERY_SECONDS: /);
    expect(() => config({ HANDOFF_RESPONSE_SECONDS: '0' })).toThrow(/HANDOFF_RESPONSE_SECONDS: /);
    expect(() => config({ ALERT_FAILURE_RATE: '0' })).toThrow(/ALERT_FAILURE_RATE: /);
    expect(() => config({ ALERT_FAILURE_RATE: '1.5' })).toThrow(/ALERT_FAILURE_RATE: /);
    expect(() => config({ ALERT_MIN_SAMPLES: 'many' })).toThrow(/ALERT_MIN_SAMPLES: /);
  });

  it('names the schedule switchboard-alerts on the default task queue, and after the queue on another', () => {
    expect(alertsScheduleId('switchboard')).toBe('switchboard-alerts');
    expect(alertsScheduleId('staging')).toBe('switchboard-alerts-staging');
  });

  it('a handoff is overdue after the response time, and critical past its own deadline', () => {
    const opened = ago(16);
    expect(respondBy(opened, 900).toISOString()).toBe(ago(1).toISOString());
    expect(isOverdue(opened, now, 900)).toBe(true);
    expect(isOverdue(ago(15), now, 900)).toBe(false);
    const [warning, critical] = handoffOverdue(
      [
        { workflowId: 'msg:whatsapp:a', channel: 'whatsapp', reason: 'requested', openedAt: opened, dueAt: new Date(now.getTime() + 60_000) },
        { workflowId: 'msg:email:b', channel: 'email', reason: 'low_confidence', openedAt: ago(90), dueAt: ago(30) },
        { workflowId: 'msg:whatsapp:c', channel: 'whatsapp', reason: 'requested', openedAt: ago(2), dueAt: ago(-60) },
      ],
      now,
      T,
    );
    expect(warning).toMatchObject({ rule: 'handoff_overdue', subject: 'msg:whatsapp:a', level: 'warning', value: 960, threshold: 900 });
    expect(warning.detail).toBe(`Waiting 16 min 0 s on whatsapp (reason: requested); a person should have answered by ${ago(1).toISOString()}; the conversation gives up at ${new Date(now.getTime() + 60_000).toISOString()}.`);
    expect(critical).toMatchObject({ subject: 'msg:email:b', level: 'critical', title: 'A customer waited for a person past the handoff deadline' });
  });

  it('judges a failure rate only from the minimum number of outcomes, at or over the threshold', () => {
    const observed = failureRates(
      'channel_failure_rate',
      [
        { subject: 'email', successes: 3, failures: 1 }, // 25%, exactly the threshold
        { subject: 'whatsapp', successes: 0, failures: 3 }, // 3 outcomes: too few
        { subject: 'webchat', successes: 10, failures: 3 }, // 23%
      ],
      { ...T, minSamples: 4 },
    );
    expect(observed).toHaveLength(1);
    expect(observed[0]).toMatchObject({ subject: 'email', value: 0.25, title: 'Channel email is failing 25% of its sends' });
  });

  it('counts stuck tasks in one alert and says how long the oldest has been going', () => {
    expect(tasksStuck(0, undefined, now, T)).toEqual([]);
    const [one] = tasksStuck(1, ago(95), now, T);
    expect(one).toMatchObject({ subject: 'tasks', value: 1, title: '1 task is stuck in progress' });
    expect(one.detail).toMatch(/The oldest started 95 min 0 s ago\./);
  });

  it('counts a breaker only while it has failed within the window', () => {
    const reports = [
      { workerId: 'w1', state: 'open' as const, openedAt: ago(2), failures: 5 },
      { workerId: 'w2', state: 'open' as const, openedAt: ago(T.windowMinutes + 1), failures: 5 },
      { workerId: 'w3', state: 'closed' as const, openedAt: ago(1), failures: 0 },
      { workerId: 'w4', state: 'open' as const, openedAt: null, failures: 5 },
    ];
    expect(llmBreakerOpen(reports, now, T)).toEqual([expect.objectContaining({ subject: 'llm', level: 'critical', value: 1, detail: expect.stringContaining('(w1)') })]);
    expect(llmBreakerOpen(reports.slice(1), now, T)).toEqual([]);
  });

  it('keeps long subjects apart within the stored length, and resolves what is no longer observed', () => {
    const long = `msg:webchat:${'x'.repeat(400)}`;
    const other = `msg:webchat:${'x'.repeat(399)}y`;
    expect(storedSubject('msg:whatsapp:a')).toBe('msg:whatsapp:a');
    expect(storedSubject(long)).toHaveLength(256);
    expect(storedSubject(long)).not.toBe(storedSubject(other));
    expect(storedSubject(long)).toBe(storedSubject(long));
    expect(openKey('handoff_overdue', long).length).toBeLessThanOrEqual(300);

    const [kept] = tasksStuck(2, undefined, now, T);
    const plan = planAlerts(
      [
        { id: '1', openKey: openKey('tasks_stuck', 'tasks') },
        { id: '2', openKey: openKey('llm_breaker_open', 'llm') },
      ],
      [kept],
    );
    expect(plan.resolve).toEqual([{ id: '2', openKey: 'llm_breaker_open:llm' }]);
  });

  it('tells the worker when its LLM breaker opens, re-opens on a failed trial, and closes', () => {
    let clock = 0;
    const changes: CircuitChange[] = [];
    const breaker = new CircuitBreaker({ failureThreshold: 2, cooldownMs: 1000, now: () => clock, onStateChange: (c) => changes.push(c) });
    breaker.recordSuccess(); // closed already: nothing to tell
    breaker.recordFailure();
    expect(changes).toEqual([]);
    breaker.recordFailure();
    expect(changes).toEqual([{ state: 'open', failures: 2, at: new Date(0) }]);
    clock = 1500;
    expect(breaker.canRequest()).toBe(true); // the trial
    breaker.recordFailure();
    expect(changes[1]).toEqual({ state: 'open', failures: 3, at: new Date(1500) });
    clock = 3000;
    breaker.recordSuccess();
    expect(changes[2]).toEqual({ state: 'closed', failures: 0, at: new Date(3000) });
    expect(changes).toHaveLength(3);
  });
});
