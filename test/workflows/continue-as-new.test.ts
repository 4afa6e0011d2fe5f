import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { conversationStateQuery, conversationWorkflowId, followUpWorkflowId, type FollowUpInput } from '../../src/contracts';
import { SEARCH_ATTRIBUTES } from '../../src/contracts/search-attributes';
import { DEV_SERVER_SPEED_ARGS } from '../../src/devserver/dev-server';
import { Appointment, OutboundMessage } from '../../src/persistence';
import { seedDemoData } from '../../src/persistence/seed/demo-data';
import type { followUpCampaign } from '../../src/workflows';
import { eventually, getJson, postJson, startTestApi, type TestApi } from '../helpers/api';
import { openTestDatabase, type TestDatabase } from '../helpers/database';
import { CLI_PATH_VAR } from '../helpers/shared-env';
import { installQuietRuntime, startTestWorker, uniqueTaskQueue, type RunningWorker, type TemporalTestContext } from '../helpers/temporal';

/** Events after which this file's server suggests continuing as new (4096 by default; a busy chat reaches it in a few hundred turns). */
const SUGGEST_AFTER_EVENTS = 30;

/**
 * The long-lived workflows continue as new when the server suggests it, carrying what they
 * keep: a conversation its open question and turn count, a follow-up campaign the steps it
 * sent. Runs on a dev server of its own whose suggestion comes after a few dozen events
 * (`limit.historyCount.suggestContinueAsNew`), so a handful of real messages and steps reach it.
 */
describe('continue-as-new of a busy conversation and of a long campaign (own dev server)', () => {
  let env: TestWorkflowEnvironment;
  let ctx: TemporalTestContext;
  let database: TestDatabase;
  let worker: RunningWorker;
  let api: TestApi;
  const taskQueue = uniqueTaskQueue('wf-continue-as-new');

  beforeAll(async () => {
    installQuietRuntime();
    const cli = process.env[CLI_PATH_VAR];
    env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: cli ? { type: 'existing-path', path: cli } : { type: 'cached-download' },
        ip: '127.0.0.1',
        searchAttributes: [...SEARCH_ATTRIBUTES],
        extraArgs: ['--log-level', 'error', ...DEV_SERVER_SPEED_ARGS, '--dynamic-config-value', `limit.historyCount.suggestContinueAsNew=${SUGGEST_AFTER_EVENTS}`],
      },
    });
    ctx = { address: env.address, client: env.client, nativeConnection: env.nativeConnection, close: async () => undefined };
    database = await openTestDatabase();
    await seedDemoData(database.db);
    // Quiet hours off and a cap above the campaign's steps: only the timers decide when a step goes out.
    const workerEnv = { FOLLOW_UP_QUIET_HOURS: 'off', FOLLOW_UP_DAILY_CAP: '20' };
    worker = await startTestWorker(ctx, taskQueue, database.db, workerEnv);
    api = await startTestApi({ address: env.address, taskQueue, database, env: workerEnv });
  }, 120_000);

  afterAll(async () => {
    await api?.close();
    await worker?.stop();
    await database?.close();
    await env?.teardown();
  });

  async function runsOf(workflowId: string): Promise<string[]> {
    const statuses: string[] = [];
    for await (const run of env.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) statuses.push(run.status.name);
    return statuses;
  }

  async function say(chatId: string, body: string) {
    const res = await postJson(`${api.baseUrl}/api/messages`, { chatId, id: `can-${randomUUID()}`, body, fromMe: false });
    expect(res.status).toBe(202);
    const workflowId = res.body.workflowId as string;
    const done = await eventually(() => getJson(`${api.baseUrl}/api/messages/${encodeURIComponent(workflowId)}`), (r) => r.body.status !== 'RUNNING', 30_000);
    expect(done.body.status).toBe('COMPLETED');
    return done.body;
  }

  it('keeps the open question and the turn count across continue-as-new: the answer books the slot it names', async () => {
    const chatId = `3462${Math.floor(Math.random() * 9e7 + 1e7)}@c.us`;
    await say(chatId, 'Good morning!');
    await say(chatId, 'What are your opening hours?');
    const offer = await say(chatId, 'I want to book an appointment for next Monday');
    expect(offer.pending).toMatchObject({ kind: 'choice', agent: 'appointment' });
    const chosen = offer.pending.options[1].label as string;
    const conversationId = conversationWorkflowId(chatId, taskQueue);
    await eventually(() => runsOf(conversationId), (runs) => runs.includes('CONTINUED_AS_NEW'));
    const carried = await env.client.workflow.getHandle(conversationId).query(conversationStateQuery);
    expect(carried).toMatchObject({ turns: 3, pending: { kind: 'choice', agent: 'appointment' }, lastAgent: 'appointment', language: 'en' });

    const booked = await say(chatId, 'the second one please');
    expect(booked).toMatchObject({ route: { agent: 'appointment', reason: 'answer' }, answer: { question: 'choice', reading: 'option' } });
    expect(booked.reply.text).toMatch(/You're booked/);
    expect(booked.reply.text).toContain(chosen);
    expect(await database.db.getRepository(Appointment).countBy({ chatId, status: 'booked' })).toBe(1);
    const state = await eventually(() => env.client.workflow.getHandle(conversationId).query(conversationStateQuery), (s) => s.turns === 4 && !s.turn);
    expect(state.pending).toBeUndefined();
  });

  it('sends each step of a campaign once across continue-as-new, each due from when the campaign began', async () => {
    const chatId = `3463${Math.floor(Math.random() * 9e7 + 1e7)}@c.us`;
    // Steps a few seconds apart (the same durable timers as 24, 48 and 72 hours).
    const stepsHours = [1.5, 3, 4.5, 6].map((s) => s / 3600);
    const input: FollowUpInput = { chatId, purpose: 'quote', channel: 'whatsapp', reference: 'Q-CAN-1', rules: { stepsHours, defaultTimezone: 'UTC' } };
    const workflowId = followUpWorkflowId(chatId, 'quote');
    const handle = await env.client.workflow.start<typeof followUpCampaign>('followUpCampaign', { workflowId, taskQueue, args: [input] });
    const { startTime } = await handle.describe();

    const state = await env.client.workflow.getHandle<typeof followUpCampaign>(workflowId).result();
    expect(state).toMatchObject({ status: 'completed', reference: 'Q-CAN-1', startedAt: startTime.toISOString() });
    expect(state.sent.map((s) => s.step)).toEqual([1, 2, 3, 4]);
    for (const [i, s] of state.sent.entries()) expect(new Date(s.at).getTime() - startTime.getTime()).toBeGreaterThanOrEqual(stepsHours[i] * 3600 * 1000);
    expect(await runsOf(workflowId)).toContain('CONTINUED_AS_NEW');
    const rows = await database.db.getRepository(OutboundMessage).find({ where: { workflowId } });
    expect(rows.map((r) => r.idempotencyKey).sort()).toEqual([1, 2, 3, 4].map((n) => `${workflowId}:step-${n}`));
  }, 60_000);
});
