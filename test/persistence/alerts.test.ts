import { randomBytes, randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import type { DataSource } from 'typeorm';
import { createAlertActivities } from '../../src/activities/alerts';
import type { AlertEvaluation } from '../../src/contracts/alerts';
import { OutboundWebhook } from '../../src/channels';
import { DEFAULT_ALERT_THRESHOLDS, type AlertRule, type AlertThresholds } from '../../src/domain/alerts';
import { CircuitBreaker } from '../../src/llm';
import { AgentLog, Alert, breakerStateRecorder, Handoff, openDatabase, OutboundMessage, Task, type HandoffStatus, type OutboundStatus } from '../../src/persistence';
import { WebhookReceiver } from '../helpers/channel-servers';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../helpers/database';

const MINUTE = 60_000;
const T: AlertThresholds = DEFAULT_ALERT_THRESHOLDS;
const SECRET = `whsec_${randomBytes(24).toString('base64')}`;

/**
 * The alert rules against a real database (SQLite, and PostgreSQL when available): each rule
 * opens its alert once, keeps one row however often it is evaluated (even by evaluations
 * racing from two connections), refreshes it, and resolves it when its condition clears;
 * notifications reach a Standard Webhooks receiver once each, and one the receiver refused
 * is sent by a later pass.
 */
describe.each(databaseKinds())('alert rules on %s', (kind) => {
  let database: TestDatabase;
  const env = new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });
  const receiver = new WebhookReceiver(SECRET);

  beforeAll(() => receiver.start());
  afterAll(() => receiver.stop());
  beforeEach(async () => {
    database = await openTestDatabase(kind);
    receiver.reset();
  });
  afterEach(() => database?.close());

  const db = () => database.db;
  /** A base instant with whole seconds (SQLite's own timestamps have no milliseconds). */
  const base = new Date(Math.floor(Date.now() / 1000) * 1000);
  const at = (minutesFromBase: number) => new Date(base.getTime() + minutesFromBase * MINUTE);

  function activities(source: DataSource = db(), thresholds: AlertThresholds = T) {
    return createAlertActivities({ db: source, thresholds, webhook: new OutboundWebhook({ url: `${receiver.url}/hooks`, secret: SECRET, timeoutMs: 2000 }) });
  }
  const evaluate = (now: Date, source?: DataSource): Promise<AlertEvaluation> => env.run(activities(source).evaluateAlertRules, { now: now.toISOString() });
  const notify = (now: Date) => env.run(activities().notifyAlerts, { now: now.toISOString() });
  const alerts = (rule: AlertRule) => db().getRepository(Alert).find({ where: { rule }, order: { openedAt: 'ASC' } });

  async function handoff(openedAt: Date, status: HandoffStatus = 'open', dueAt = new Date(openedAt.getTime() + 24 * 60 * MINUTE)): Promise<string> {
    const workflowId = `msg:whatsapp:${randomUUID()}`;
    await db().getRepository(Handoff).insert({ workflowId, chatId: `${randomUUID().slice(0, 8)}@c.us`, channel: 'whatsapp', reason: 'requested', request: null, intent: 'human_handoff', status, operator: null, answer: null, dueAt, openedAt, closedAt: null });
    return workflowId;
  }

  async function agentLog(agentName: string, action: 'completed' | 'failed' | 'created', createdAt: Date): Promise<void> {
    const workflowId = `msg:whatsapp:${randomUUID()}`;
    const taskId = await task(workflowId, createdAt, 'completed');
    await db().getRepository(AgentLog).insert({ id: randomUUID(), taskId, workflowId, logKey: action, agentName, action, details: null, durationMs: 100, createdAt });
  }

  async function outbound(channel: string, status: OutboundStatus, createdAt: Date, idempotencyKey = `msg:${channel}:${randomUUID()}:reply`): Promise<void> {
    await db().getRepository(OutboundMessage).insert({
      id: randomUUID(),
      idempotencyKey,
      workflowId: idempotencyKey,
      chatId: 'c@c.us',
      channel,
      body: 'hello',
      status,
      providerMessageId: null,
      error: status === 'failed' ? 'refused' : null,
      provider: null,
      attempts: 1,
      sendingSince: null,
      template: null,
      createdAt,
    });
  }

  async function task(workflowId: string, startedAt: Date, status: 'in_progress' | 'completed' = 'in_progress'): Promise<string> {
    const id = randomUUID();
    await db().getRepository(Task).insert({
      id,
      taskType: 'inquiry',
      status,
      priority: 5,
      chatId: null,
      messageId: null,
      channel: 'whatsapp',
      assignedAgent: 'inquiry',
      inputData: null,
      outputData: null,
      metadata: null,
      errorMessage: null,
      parentTaskId: null,
      workflowId,
      runId: null,
      step: 'message',
      retryCount: 0,
      maxRetries: 3,
      createdAt: startedAt,
      startedAt,
      completedAt: null,
    });
    return id;
  }

  it('handoff_overdue: opens once per waiting handoff, turns critical past its deadline, and resolves when answered or gone', async () => {
    const waiting = await handoff(at(-20), 'open', at(30));
    const fresh = await handoff(at(-5));
    const answered = await handoff(at(-40), 'answered');
    const gone = await handoff(at(-30));

    const first = await evaluate(base);
    expect(first).toMatchObject({ opened: 2, resolved: 0 });
    let rows = await alerts('handoff_overdue');
    expect(rows.map((r) => r.subject).sort()).toEqual([waiting, gone].sort());
    const alert = rows.find((r) => r.subject === waiting)!;
    expect(alert).toMatchObject({ level: 'warning', status: 'open', value: 20 * 60, threshold: T.handoffResponseSeconds, openKey: `handoff_overdue:${waiting}`, resolvedAt: null });
    expect(alert.detail).toContain(at(-5).toISOString()); // when a person should have answered
    expect(rows.some((r) => r.subject === fresh || r.subject === answered)).toBe(false);

    // Evaluated again: the same row, seen later, with the longer wait.
    const again = await evaluate(at(1));
    expect(again).toMatchObject({ opened: 0, resolved: 0, levelChanged: 0 });
    rows = await alerts('handoff_overdue');
    expect(rows).toHaveLength(2);
    const refreshed = rows.find((r) => r.id === alert.id)!;
    expect(new Date(refreshed.lastSeenAt).toISOString()).toBe(at(1).toISOString());
    expect(new Date(refreshed.openedAt).toISOString()).toBe(base.toISOString());
    expect(refreshed.value).toBe(21 * 60);

    // Past the conversation's own give-up deadline: the same alert, now critical.
    await db().getRepository(Handoff).delete({ workflowId: gone });
    const late = await evaluate(at(31));
    // The fresh one has waited 36 minutes by now: overdue too.
    expect(late).toMatchObject({ opened: 1, levelChanged: 1, resolved: 1 });
    expect((await db().getRepository(Alert).findOneByOrFail({ id: alert.id })).level).toBe('critical');
    const resolvedGone = (await alerts('handoff_overdue')).find((r) => r.subject === gone)!;
    expect(resolvedGone).toMatchObject({ status: 'resolved', openKey: null });
    expect(new Date(resolvedGone.resolvedAt!).toISOString()).toBe(at(31).toISOString());

    // Answered, or closed: resolved, and evaluating again changes nothing.
    await db().getRepository(Handoff).update({ workflowId: waiting }, { status: 'answered' });
    await db().getRepository(Handoff).update({ workflowId: fresh }, { status: 'closed' });
    expect(await evaluate(at(32))).toMatchObject({ opened: 0, resolved: 2 });
    expect(await evaluate(at(33))).toMatchObject({ opened: 0, resolved: 0 });
    const all = await alerts('handoff_overdue');
    expect(all.every((r) => r.status === 'resolved' && r.openKey === null)).toBe(true);
    expect(all).toHaveLength(3);
  });

  it('agent_failure_rate: per agent, from the agent log in the window, with a minimum of outcomes', async () => {
    for (let i = 0; i < 3; i++) await agentLog('order', 'completed', at(-i - 1));
    for (let i = 0; i < 2; i++) await agentLog('order', 'failed', at(-i - 1));
    await agentLog('order', 'created', at(-1)); // a step on the way, not an outcome
    for (let i = 0; i < 3; i++) await agentLog('inquiry', 'failed', at(-1)); // 3 outcomes: below the minimum
    for (let i = 0; i < 9; i++) await agentLog('booking', 'completed', at(-2));
    await agentLog('booking', 'failed', at(-2)); // 10%: under the threshold
    for (let i = 0; i < 5; i++) await agentLog('faq', 'failed', at(-T.windowMinutes - 5)); // before the window

    expect(await evaluate(base)).toMatchObject({ opened: 1 });
    const [alert] = await alerts('agent_failure_rate');
    expect(alert).toMatchObject({ subject: 'order', level: 'warning', status: 'open', value: 0.4, threshold: T.failureRate });
    expect(alert.detail).toMatch(/2 of 5 tasks failed in the last 15 min/);

    await evaluate(at(1));
    expect(await alerts('agent_failure_rate')).toHaveLength(1);

    // Once the failures have left the window, the rate is not judged any more: resolved.
    expect(await evaluate(at(T.windowMinutes + 2))).toMatchObject({ resolved: 1 });
    expect((await alerts('agent_failure_rate'))[0]).toMatchObject({ status: 'resolved', openKey: null });
  });

  it('channel_failure_rate: per channel, failed sends against sent, delivered and read ones; resolves as successes dilute the rate', async () => {
    for (const status of ['failed', 'failed', 'failed', 'sent', 'delivered', 'read'] as const) await outbound('email', status, at(-3));
    for (let i = 0; i < 4; i++) await outbound('email', 'recorded', at(-3)); // never handed to a provider: no outcome
    for (let i = 0; i < 6; i++) await outbound('whatsapp', 'sent', at(-3));

    expect(await evaluate(base)).toMatchObject({ opened: 1 });
    const [alert] = await alerts('channel_failure_rate');
    expect(alert).toMatchObject({ subject: 'email', level: 'warning', value: 0.5 });

    for (let i = 0; i < 7; i++) await outbound('email', 'sent', at(-1));
    await evaluate(at(0.5)); // 3 of 13: 23%
    expect((await alerts('channel_failure_rate'))[0]).toMatchObject({ status: 'resolved' });
    // And it opens again, as a new alert, when the condition comes back.
    for (let i = 0; i < 6; i++) await outbound('email', 'failed', at(0));
    await evaluate(at(1));
    const rows = await alerts('channel_failure_rate');
    expect(rows.map((r) => r.status)).toEqual(['resolved', 'open']);
  });

  it('tasks_stuck: one alert for every task in progress too long, leaving out those a person holds', async () => {
    const stuck = `msg:whatsapp:${randomUUID()}`;
    await task(stuck, at(-45));
    await task(`msg:whatsapp:${randomUUID()}`, at(-40));
    await task(`msg:whatsapp:${randomUUID()}`, at(-5)); // recent
    await task(`msg:whatsapp:${randomUUID()}`, at(-90), 'completed');
    const withPerson = await handoff(at(-60), 'answered');
    await task(withPerson, at(-60));
    const approval = `msg:whatsapp:${randomUUID()}`;
    await task(approval, at(-60));
    await db().getRepository(Handoff).insert({ workflowId: `${approval}:approval:call-1`, chatId: 'a@c.us', channel: 'whatsapp', reason: 'approval', request: 'refund', intent: 'refund', status: 'open', operator: null, answer: null, dueAt: at(600), openedAt: at(-10), closedAt: null });

    await evaluate(base);
    const [alert] = await alerts('tasks_stuck');
    expect(alert).toMatchObject({ subject: 'tasks', level: 'warning', value: 2, threshold: T.taskStuckMinutes });
    expect(alert.title).toBe('2 tasks are stuck in progress');

    await db().getRepository(Task).update({ workflowId: stuck }, { status: 'completed' });
    await evaluate(at(1));
    const [updated] = await alerts('tasks_stuck');
    expect(updated).toMatchObject({ id: alert.id, status: 'open', value: 1 });

    await db().getRepository(Task).update({ status: 'in_progress' }, { status: 'completed' });
    await evaluate(at(2));
    expect((await alerts('tasks_stuck'))[0]).toMatchObject({ status: 'resolved' });
  });

  it("llm_breaker_open: sees every worker's breaker through the transitions each records, and resolves when they close", async () => {
    let clock = base.getTime();
    const breakers = ['worker-a', 'worker-b'].map((id) => {
      const record = breakerStateRecorder(db(), id);
      const writes: Promise<void>[] = [];
      const breaker = new CircuitBreaker({ failureThreshold: 2, cooldownMs: 30_000, now: () => clock, onStateChange: (c) => void writes.push(record(c)) });
      return { breaker, settled: () => Promise.all(writes) };
    });
    const [a, b] = breakers;
    a.breaker.recordFailure();
    await evaluate(new Date(clock));
    expect(await alerts('llm_breaker_open')).toHaveLength(0);

    a.breaker.recordFailure(); // opens
    b.breaker.recordFailure();
    b.breaker.recordFailure(); // opens
    await Promise.all(breakers.map((x) => x.settled()));
    await evaluate(new Date(clock));
    const [alert] = await alerts('llm_breaker_open');
    expect(alert).toMatchObject({ subject: 'llm', level: 'critical', status: 'open', value: 2 });
    expect(alert.detail).toMatch(/worker-a, worker-b/);

    // One worker's trial succeeds: still open on the other.
    clock += 31_000;
    a.breaker.recordSuccess();
    await a.settled();
    await evaluate(new Date(clock));
    expect((await alerts('llm_breaker_open'))[0]).toMatchObject({ id: alert.id, status: 'open', value: 1 });

    // The other's last failure is older than the window (no traffic, or the worker is gone): resolved.
    clock += T.windowMinutes * MINUTE;
    await evaluate(new Date(clock));
    expect((await alerts('llm_breaker_open'))[0]).toMatchObject({ status: 'resolved' });
  });

  it('follow_up_send_failures: failed follow-up step sends in the window, at or over the threshold', async () => {
    await outbound('whatsapp', 'failed', at(-2), 'followup:a@c.us:quote:step-1');
    await outbound('whatsapp', 'failed', at(-2), 'followup:b@c.us:cart:step-2');
    await outbound('whatsapp', 'failed', at(-2), `msg:whatsapp:${randomUUID()}:reply`); // a reply, not a follow-up
    await outbound('whatsapp', 'failed', at(-T.windowMinutes - 1), 'followup:c@c.us:quote:step-1'); // before the window
    await evaluate(base);
    expect(await alerts('follow_up_send_failures')).toHaveLength(0);

    await outbound('email', 'failed', at(-1), 'followup:d@example.com:quote:step-3');
    await evaluate(base);
    const [alert] = await alerts('follow_up_send_failures');
    expect(alert).toMatchObject({ subject: 'follow_ups', level: 'warning', value: 3, threshold: T.followUpFailures });

    expect(await evaluate(at(T.windowMinutes))).toMatchObject({ resolved: 1 });
  });

  it('opens one alert when evaluations race, from one connection and from two', async () => {
    await handoff(at(-20));
    await handoff(at(-25));
    // A second connection to the same database, as a second worker would have.
    const other = await openDatabase({ databaseUrl: database.databaseUrl, dataDir: database.dataDir });
    try {
      const results = await Promise.all([evaluate(base), evaluate(base), evaluate(base, other), evaluate(base, other)]);
      expect(results.reduce((n, r) => n + r.opened, 0)).toBe(2);
      expect(await alerts('handoff_overdue')).toHaveLength(2);
    } finally {
      await other.destroy();
    }
  });

  it('notifies the webhook once per opening and resolution, and sends a refused one at a later pass', async () => {
    const waiting = await handoff(at(-20));
    await evaluate(base);
    const [alert] = await alerts('handoff_overdue');

    receiver.enqueue({ status: 503 });
    expect(await notify(base)).toEqual({ sent: 0, failed: 1, webhook: true });
    expect((await db().getRepository(Alert).findOneByOrFail({ id: alert.id })).notifiedOpenAt).toBeNull();

    expect(await notify(at(1))).toEqual({ sent: 1, failed: 0, webhook: true });
    expect(await notify(at(2))).toEqual({ sent: 0, failed: 0, webhook: true });
    const opened = receiver.verified.filter((d) => d.payload.type === 'alert.opened');
    expect(opened).toHaveLength(2); // the refused attempt and the one taken, under one webhook-id
    expect(new Set(opened.map((d) => d.id)).size).toBe(1);
    expect(opened[1].payload).toMatchObject({
      type: 'alert.opened',
      timestamp: base.toISOString(),
      data: { id: alert.id, rule: 'handoff_overdue', subject: waiting, level: 'warning', status: 'open', resolvedAt: null },
    });
    expect((await db().getRepository(Alert).findOneByOrFail({ id: alert.id })).notifiedOpenAt).not.toBeNull();

    await db().getRepository(Handoff).update({ workflowId: waiting }, { status: 'closed' });
    await evaluate(at(3));
    expect(await notify(at(3))).toEqual({ sent: 1, failed: 0, webhook: true });
    expect(await notify(at(4))).toEqual({ sent: 0, failed: 0, webhook: true });
    const resolved = receiver.verified.filter((d) => d.payload.type === 'alert.resolved');
    expect(resolved).toHaveLength(1);
    expect(resolved[0].payload).toMatchObject({ timestamp: at(3).toISOString(), data: { id: alert.id, status: 'resolved', resolvedAt: at(3).toISOString() } });
  });

  it('sends alert.opened before alert.resolved for an alert that cleared before the webhook took it, and nothing without a webhook', async () => {
    const waiting = await handoff(at(-20));
    await evaluate(base);
    expect(await env.run(createAlertActivities({ db: db(), thresholds: T }).notifyAlerts, { now: base.toISOString() })).toEqual({ sent: 0, failed: 0, webhook: false });
    await db().getRepository(Handoff).update({ workflowId: waiting }, { status: 'timed_out' });
    await evaluate(at(1));

    receiver.enqueue({ destroy: true });
    expect(await notify(at(1))).toMatchObject({ sent: 0, failed: 1 });
    expect(receiver.deliveries).toHaveLength(1); // resolved is not sent while opened is owed
    expect(await notify(at(2))).toMatchObject({ sent: 2, failed: 0 });
    expect(receiver.verified.slice(-2).map((d) => d.payload.type)).toEqual(['alert.opened', 'alert.resolved']);
    // Resolved more than a day ago and never notified: no longer worth sending.
    const stale = await handoff(at(-20));
    await evaluate(at(2));
    await db().getRepository(Handoff).update({ workflowId: stale }, { status: 'closed' });
    await evaluate(at(3));
    const before = receiver.deliveries.length;
    expect(await notify(at(3 + 25 * 60))).toMatchObject({ sent: 0, failed: 0 });
    expect(receiver.deliveries).toHaveLength(before);
  });
});
