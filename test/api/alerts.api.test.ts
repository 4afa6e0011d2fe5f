import { randomUUID } from 'node:crypto';
import { alertsScheduleId } from '../../src/contracts/alerts';
import { ensureAlertsSchedule } from '../../src/tasks/alerts-schedule';
import { eventually, getJson, postJson } from '../helpers/api';
import { WebhookReceiver, type ReceivedWebhook } from '../helpers/channel-servers/webhook-receiver';
import { useApiHarness } from '../helpers/harness';

const WEBHOOK_SECRET = `whsec_${Buffer.from('switchboard-alerts-webhook-key!!').toString('base64')}`;
const KEYS = {
  admin: 'admin-key-alerts-0123456789',
  operator: 'operator-key-alerts-0123456789',
  ingest: 'ingest-key-alerts-0123456789',
};
const as = (role: keyof typeof KEYS): Record<string, string> => ({ 'x-api-key': KEYS[role] });

describe('alerts through the API: a handoff left past its response time (Nest + worker + dev server + SQLite)', () => {
  const receiver = new WebhookReceiver(WEBHOOK_SECRET);
  beforeAll(() => receiver.start());
  afterAll(() => receiver.stop());

  const h = useApiHarness({
    name: 'api-alerts',
    seed: true,
    env: () => ({
      API_KEYS: Object.entries(KEYS).map(([role, key]) => `${role}:${key}`).join(','),
      HANDOFF_RESPONSE_SECONDS: '2',
      ALERTS_EVERY_SECONDS: '1',
      OUTBOUND_WEBHOOK_URL: `${receiver.url}/hooks/switchboard`,
      OUTBOUND_WEBHOOK_SECRET: WEBHOOK_SECRET,
    }),
    beforeTeardown: async ({ ctx, taskQueue }) => {
      await ctx.client.schedule.getHandle(alertsScheduleId(taskQueue)).delete().catch(() => undefined);
      for await (const wf of ctx.client.workflow.list({ query: `TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'` })) {
        await ctx.client.workflow.getHandle(wf.workflowId, wf.runId).terminate('test over').catch(() => undefined);
      }
    },
  });
  const url = (path: string) => `${h.api.baseUrl}${path}`;
  const alerts = (query = '') => getJson(url(`/api/alerts${query}`), as('operator'));
  const hooks = (type: string, alertId: string): ReceivedWebhook[] => receiver.verified.filter((d) => d.payload?.type === type && d.payload?.data?.id === alertId);
  const completedEvaluations = async () =>
    (await h.ctx.client.workflow.count(`WorkflowType = 'evaluateAlerts' AND ExecutionStatus = 'Completed' AND TaskQueue = '${h.taskQueue}'`)).count;

  it('opens handoff_overdue once, lists it, notifies the webhook (again after a refusal), and resolves it when the operator answers', async () => {
    // The webhook refuses the first notification it is sent: it must arrive at a later evaluation.
    receiver.enqueue({ status: 503 });
    const sent = await postJson(url('/api/messages'), { chatId: `alerts-${randomUUID().slice(0, 8)}@c.us`, id: `m-${randomUUID()}`, body: 'I want to talk to a human', fromMe: false }, as('ingest'));
    expect(sent.status).toBe(202);
    const workflowId = sent.body.workflowId as string;

    // The inbox shows when a person should answer, and then that the wait is past it.
    const inbox = await eventually(
      () => getJson(url('/api/handoffs'), as('operator')),
      (r) => r.body.handoffs?.some((x: { workflowId: string; overdue: boolean }) => x.workflowId === workflowId && x.overdue),
    );
    const item = inbox.body.handoffs.find((x: { workflowId: string }) => x.workflowId === workflowId);
    expect(item).toMatchObject({ workflowId, status: 'open', reason: expect.any(String), overdue: true, messages: [expect.objectContaining({ text: 'I want to talk to a human' })] });
    expect(new Date(item.respondBy).getTime()).toBe(new Date(item.openedAt).getTime() + 2000);

    const listed = await eventually(
      () => alerts(),
      (r) => r.body.alerts?.some((a: { subject: string }) => a.subject === workflowId),
    );
    expect(listed.status).toBe(200);
    const alert = listed.body.alerts.find((a: { subject: string }) => a.subject === workflowId);
    expect(alert).toEqual({
      id: expect.any(String),
      rule: 'handoff_overdue',
      subject: workflowId,
      level: 'warning',
      title: 'A customer is waiting for a person longer than the response time',
      detail: expect.stringContaining(item.respondBy),
      value: expect.any(Number),
      threshold: 2,
      status: 'open',
      openedAt: expect.any(String),
      lastSeenAt: expect.any(String),
      resolvedAt: null,
    });
    expect(alert.value).toBeGreaterThanOrEqual(2);

    // Refused once, then taken once: both attempts carry one webhook-id, signed with the secret.
    const opened = await eventually(
      async () => hooks('alert.opened', alert.id),
      (list) => list.length >= 2,
    );
    expect(opened).toHaveLength(2);
    expect(opened[0].id).toBe(opened[1].id);
    expect(opened[1].payload).toMatchObject({ type: 'alert.opened', data: { id: alert.id, rule: 'handoff_overdue', subject: workflowId, status: 'open' } });

    // Prometheus sees it.
    const metrics = await getJson(url('/metrics'));
    expect(metrics.body).toMatch(/switchboard_alerts_open\{rule="handoff_overdue",level="warning"\} [1-9]/);

    // The operator answers: the alert resolves on a later evaluation.
    const reply = await postJson(url(`/api/handoffs/${encodeURIComponent(workflowId)}/reply`), { text: 'Hi, Sam here, how can I help?', operator: 'sam' }, { authorization: `Bearer ${KEYS.operator}` });
    expect(reply.status).toBe(200);
    const resolved = await eventually(
      () => alerts('?status=resolved'),
      (r) => r.body.alerts?.some((a: { id: string }) => a.id === alert.id),
    );
    const after = resolved.body.alerts.find((a: { id: string }) => a.id === alert.id);
    expect(after).toMatchObject({ id: alert.id, status: 'resolved', resolvedAt: expect.any(String), openedAt: alert.openedAt });
    expect((await alerts()).body.alerts.some((a: { id: string }) => a.id === alert.id)).toBe(false);
    const all = await alerts('?status=all');
    expect(all.body.alerts.filter((a: { subject: string }) => a.subject === workflowId)).toHaveLength(1);
    const answered = await getJson(url('/api/handoffs?status=answered'), as('operator'));
    expect(answered.body.handoffs.find((x: { workflowId: string }) => x.workflowId === workflowId)).toMatchObject({ overdue: false, respondBy: item.respondBy });

    const resolvedHooks = await eventually(
      async () => hooks('alert.resolved', alert.id),
      (list) => list.length >= 1,
    );
    expect(resolvedHooks[0].payload).toMatchObject({ type: 'alert.resolved', data: { id: alert.id, status: 'resolved', resolvedAt: after.resolvedAt } });

    // Several evaluations later, nothing was sent again.
    const done = await completedEvaluations();
    await eventually(completedEvaluations, (n) => n >= done + 3, 30_000);
    expect(hooks('alert.opened', alert.id)).toHaveLength(2);
    expect(hooks('alert.resolved', alert.id)).toHaveLength(1);
  });

  it('evaluates on demand through the schedule (made again if it was deleted), for operators and admins only', async () => {
    await h.ctx.client.schedule.getHandle(alertsScheduleId(h.taskQueue)).delete();
    const before = await completedEvaluations();
    const res = await postJson(url('/api/alerts/evaluate'), {}, as('operator'));
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ scheduleId: alertsScheduleId(h.taskQueue), triggered: true });
    await eventually(completedEvaluations, (n) => n > before);

    const schedule = await h.ctx.client.schedule.getHandle(alertsScheduleId(h.taskQueue)).describe();
    expect(schedule.action).toMatchObject({ workflowType: 'evaluateAlerts', taskQueue: h.taskQueue });
    expect(schedule.spec.intervals).toEqual([expect.objectContaining({ every: 1000 })]);
    expect(schedule.policies.overlap).toBe('SKIP');

    for (const [method, path] of [
      ['GET', '/api/alerts'],
      ['POST', '/api/alerts/evaluate'],
    ]) {
      const ingest = await fetch(url(path), { method, headers: as('ingest') });
      expect(ingest.status).toBe(403);
      expect(await ingest.json()).toMatchObject({ statusCode: 403, error: 'Forbidden' });
      expect((await fetch(url(path), { method })).status).toBe(401);
    }
    expect((await getJson(url('/api/alerts?status=all&level=warning&limit=500'), as('admin'))).status).toBe(200);
  });

  it.each([
    ['status=closed', /^status: /],
    ['level=severe', /^level: /],
    ['limit=0', /^limit: /],
    ['limit=501', /^limit: /],
    ['limit=ten', /^limit: /],
    ['rule=handoff_overdue', /^rule: unknown field/],
  ])('refuses ?%s with a 400 naming the field', async (query, message) => {
    const res = await alerts(`?${query}`);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.stringMatching(message) });
  });

  it("sets a changed ALERTS_EVERY_SECONDS on an existing schedule, keeping an operator's pause", async () => {
    const taskQueue = `${h.taskQueue}-interval`;
    const handle = h.ctx.client.schedule.getHandle(alertsScheduleId(taskQueue));
    try {
      expect(await ensureAlertsSchedule(h.ctx.client, { taskQueue, everySeconds: 60 })).toBe('created');
      await handle.pause('paused by an operator');
      expect(await ensureAlertsSchedule(h.ctx.client, { taskQueue, everySeconds: 60 })).toBe('exists');
      expect(await ensureAlertsSchedule(h.ctx.client, { taskQueue, everySeconds: 300 })).toBe('updated');
      const described = await handle.describe();
      expect(described.spec.intervals).toEqual([expect.objectContaining({ every: 300_000 })]);
      expect(described.state).toMatchObject({ paused: true, note: 'paused by an operator' });
      expect(described.action).toMatchObject({ workflowType: 'evaluateAlerts', taskQueue });
    } finally {
      await handle.delete().catch(() => undefined);
    }
  });
});
