import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { followUpWorkflowId, getCampaignStateQuery } from '../../src/contracts';
import { createApp } from '../../src/api/app';
import { eventually, getJson, postJson, startTestApi } from '../helpers/api';
import { launchBrowser, screenshot, type PageProblems, type TestBrowser } from '../helpers/browser';
import { GraphApiServer } from '../helpers/channel-servers/graph-api-server';
import { useApiHarness } from '../helpers/harness';

/**
 * The operator console in a real headless Chromium against the whole system (the Nest API
 * serving /console, the worker, the Temporal dev server, SQLite, replies through a local
 * stand-in of the WhatsApp Graph API): a person signs in, works a handoff while the customer
 * writes, pauses a campaign, reads the charts and the alerts. Any error in the browser's
 * console fails the test that caused it.
 */
const OPERATOR_KEY = `op-${randomUUID()}`;
const ADMIN_KEY = `admin-${randomUUID()}`;
const INGEST_KEY = `ingest-${randomUUID()}`;
/** A handoff not answered within this many seconds raises an alert. */
const RESPONSE_SECONDS = 3;

describe('the operator console in Chromium', () => {
  const graph = new GraphApiServer();
  const started: string[] = [];
  let browser: TestBrowser;
  beforeAll(async () => {
    await graph.start();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await graph.stop();
  });
  const apiEnv = () => ({
    API_KEYS: `operator:${OPERATOR_KEY},admin:${ADMIN_KEY},ingest:${INGEST_KEY}`,
    ...graph.whatsappEnv(),
    HANDOFF_RESPONSE_SECONDS: String(RESPONSE_SECONDS),
    ALERTS_EVERY_SECONDS: '1',
  });
  const h = useApiHarness({
    name: 'console-browser',
    seed: true,
    env: apiEnv,
    beforeTeardown: async ({ ctx }) => {
      for (const id of started) await ctx.client.workflow.getHandle(id).terminate('test over').catch(() => undefined);
    },
  });
  const url = (path: string) => `${h.api.baseUrl}${path}`;
  const asIngest = { 'X-API-Key': INGEST_KEY };
  const asOperator = { 'X-API-Key': OPERATOR_KEY };
  const newChat = () => `3461${Math.floor(Math.random() * 9e7 + 1e7)}@c.us`;
  const sentTo = (chatId: string) => graph.sentMessages.filter((m) => `${m.to}@c.us` === chatId).map((m) => m.text?.body as string);

  /** A customer's message, as the channel would deliver it. */
  async function customer(chatId: string, body: string): Promise<string> {
    const res = await postJson(url('/api/messages'), { chatId, id: `m-${randomUUID()}`, body, fromMe: false, senderName: 'Ana' }, asIngest);
    expect(res.status).toBe(202);
    started.push(res.body.workflowId);
    return res.body.workflowId as string;
  }

  async function signIn(key = OPERATOR_KEY, viewport?: { width: number; height: number }): Promise<{ page: Page; problems: PageProblems }> {
    const { page, problems } = await browser.open({ viewport });
    await page.goto(url('/console'));
    await page.getByTestId('signin-key').fill(key);
    await page.getByTestId('signin-operator').fill('Maria');
    await page.getByTestId('signin-submit').click();
    return { page, problems };
  }

  async function signedIn(viewport?: { width: number; height: number }, key = OPERATOR_KEY) {
    const session = await signIn(key, viewport);
    await session.page.getByTestId('nav-inbox').waitFor();
    await expectLive(session.page);
    return session;
  }

  /** The live feed is connected: what happens from here on arrives without a reload. */
  async function expectLive(page: Page) {
    await page.getByTestId('live-status').filter({ hasText: /^live$/i }).waitFor({ timeout: 15_000 });
  }

  /** Marks the document, so a later check can tell that it was never reloaded. */
  const markDocument = (page: Page) => page.evaluate(() => ((globalThis as any).__notReloaded = true));
  const stillSameDocument = (page: Page) => page.evaluate(() => (globalThis as any).__notReloaded === true);

  function expectNoProblems(problems: PageProblems) {
    expect(problems.errors).toEqual([]);
  }

  it('refuses a wrong key, and an ingest key, at sign-in', async () => {
    const wrong = await signIn('not-a-key');
    await expect(wrong.page.getByTestId('signin-error').textContent({ timeout: 10_000 })).resolves.toMatch(/refused|not a valid key|invalid/i);
    await expect(wrong.page.getByTestId('nav-inbox').count()).resolves.toBe(0);
    // The key is never put in the address bar.
    expect(wrong.page.url()).not.toContain('not-a-key');

    const ingest = await signIn(INGEST_KEY);
    await expect(ingest.page.getByTestId('signin-error').textContent({ timeout: 10_000 })).resolves.toMatch(/operator|admin|may not|refused/i);
    await expect(ingest.page.getByTestId('nav-inbox').count()).resolves.toBe(0);
  });

  it('shows a customer who asks for a person in the inbox without a reload; the operator answers and closes from the page while the customer writes', async () => {
    const { page, problems } = await signedIn();
    // Signed in once: the key stays in the tab's session, never in the address.
    expect(page.url()).not.toContain(OPERATOR_KEY);
    await markDocument(page);

    const chatId = newChat();
    const workflowId = await customer(chatId, 'I want to talk to a human please');
    const item = page.locator(`[data-testid="handoff-item"][data-chat-id="${chatId}"]`);
    await item.waitFor({ timeout: 30_000 });
    expect(await item.getAttribute('data-workflow-id')).toBe(workflowId);
    await expect(item.getByTestId('handoff-waited').textContent()).resolves.toMatch(/\d/);
    await screenshot(page, 'inbox');

    await item.click();
    const transcript = page.getByTestId('transcript');
    await transcript.getByText('I want to talk to a human please').waitFor();

    // The customer writes again while the person reads: it shows up in the open chat.
    await customer(chatId, 'Hello? Is anyone there?');
    await transcript.getByText('Hello? Is anyone there?').waitFor({ timeout: 20_000 });

    const answer = `Hi Ana, this is Maria. ${randomUUID().slice(0, 6)}`;
    await page.getByTestId('reply-text').fill(answer);
    await page.getByTestId('reply-send').click();
    // The reply reaches the channel (the Graph API stand-in) and the transcript.
    await eventually(async () => sentTo(chatId), (texts) => texts.includes(answer), 20_000);
    expect(sentTo(chatId)).toContain(answer);
    await transcript.locator('[data-testid="transcript-line"][data-direction="out"]', { hasText: answer }).waitFor({ timeout: 10_000 });
    const stored = await getJson(url(`/api/conversations/${encodeURIComponent(chatId)}`), asOperator);
    expect(stored.body.messages).toEqual(expect.arrayContaining([expect.objectContaining({ direction: 'out', text: answer, operator: 'Maria' })]));

    await page.getByTestId('handoff-close').click();
    await eventually(
      () => getJson(url('/api/handoffs?status=closed'), asOperator),
      (r) => r.body.handoffs?.some((x: any) => x.workflowId === workflowId),
      15_000,
    );
    await page.locator(`[data-testid="handoff-item"][data-chat-id="${chatId}"]`).waitFor({ state: 'detached', timeout: 15_000 });
    expect(await stillSameDocument(page)).toBe(true);
    expectNoProblems(problems);
  });

  it('catches up, when its API comes back, on what the customer wrote while it was down, without a reload', async () => {
    const { page, problems } = await signedIn();
    await markDocument(page);
    const chatId = newChat();
    await customer(chatId, 'I would like to talk to someone, please');
    const item = page.locator(`[data-testid="handoff-item"][data-chat-id="${chatId}"]`);
    await item.waitFor({ timeout: 30_000 });
    await item.click();
    const transcript = page.getByTestId('transcript');
    await transcript.getByText('I would like to talk to someone, please').waitFor();

    // Two API replicas; the one this page talks to goes down, and the customer writes through the other.
    const other = await startTestApi({ address: h.ctx.address, taskQueue: h.taskQueue, database: h.database, env: apiEnv() });
    const port = Number(new URL(h.api.baseUrl).port);
    try {
      await h.api.close();
      await page.getByTestId('live-status').filter({ hasText: /reconnecting/i }).waitFor({ timeout: 20_000 });
      const res = await postJson(`${other.baseUrl}/api/messages`, { chatId, id: `m-${randomUUID()}`, body: 'Written while your page was cut off', fromMe: false }, asIngest);
      expect(res.status).toBe(202);
      started.push(res.body.workflowId);
      await eventually(
        () => getJson(`${other.baseUrl}/api/conversations/${encodeURIComponent(chatId)}`, asOperator),
        (r) => r.body.messages?.some((m: any) => m.text === 'Written while your page was cut off'),
        20_000,
      );
    } finally {
      // The page's API comes back on its address.
      const app = await createApp(h.api.config);
      await app.listen(port, '127.0.0.1');
      h.api = { ...h.api, app, close: () => app.close() };
      await other.close();
    }
    // It resumes from the last event the page had, and the missed line shows up.
    await expectLive(page);
    await transcript.getByText('Written while your page was cut off').waitFor({ timeout: 20_000 });
    expect(await stillSameDocument(page)).toBe(true);
    // Chromium reports the refused reconnections itself; nothing else may show in its console.
    expectNoProblems({ errors: problems.errors.filter((e) => !/ERR_CONNECTION_REFUSED|Failed to load resource/.test(e)) });
  });

  it('raises an alert for a handoff left past its deadline, shows it on the page, and resolves it once answered', async () => {
    const { page, problems } = await signedIn();
    const chatId = newChat();
    const workflowId = await customer(chatId, 'Can I speak to a real person?');
    const item = page.locator(`[data-testid="handoff-item"][data-chat-id="${chatId}"]`);
    await item.waitFor({ timeout: 30_000 });
    // Past the response time, the inbox marks it overdue.
    await page.locator(`[data-testid="handoff-item"][data-chat-id="${chatId}"][data-overdue="true"]`).waitFor({ timeout: 30_000 });

    await page.getByTestId('nav-alerts').click();
    const alert = page.locator(`[data-testid="alert-item"][data-rule="handoff_overdue"][data-subject="${workflowId}"]`);
    await alert.and(page.locator('[data-status="open"]')).waitFor({ timeout: 30_000 });
    await expect(page.getByTestId('alerts-count').textContent()).resolves.toMatch(/[1-9]/);
    await screenshot(page, 'alerts');

    await page.getByTestId('nav-inbox').click();
    await page.locator(`[data-testid="handoff-item"][data-chat-id="${chatId}"]`).click();
    await page.getByTestId('reply-text').fill('Sorry for the wait, I am here now.');
    await page.getByTestId('reply-send').click();
    await eventually(async () => sentTo(chatId), (texts) => texts.includes('Sorry for the wait, I am here now.'), 20_000);

    // Answered: the next evaluation resolves the alert, and the page shows it resolved.
    const resolved = await eventually(
      () => getJson(url('/api/alerts?status=all'), asOperator),
      (r) => r.body.alerts?.some((a: any) => a.subject === workflowId && a.status === 'resolved'),
      30_000,
    );
    expect(resolved.body.alerts.filter((a: any) => a.subject === workflowId && a.rule === 'handoff_overdue')).toHaveLength(1);
    await page.getByTestId('nav-alerts').click();
    await page.locator(`[data-testid="alert-item"][data-subject="${workflowId}"][data-status="open"]`).waitFor({ state: 'detached', timeout: 30_000 });
    await page.locator(`[data-testid="alert-item"][data-subject="${workflowId}"][data-status="resolved"]`).waitFor({ timeout: 30_000 });
    expectNoProblems(problems);
  });

  it('finds a conversation by chat, with each message\'s agent and a link to its workflow in the Temporal Web UI', async () => {
    const chatId = newChat();
    const workflowId = await customer(chatId, 'What are your opening hours?');
    await eventually(
      () => getJson(url(`/api/conversations/${encodeURIComponent(chatId)}`), asOperator),
      (r) => r.body.messages?.some((m: any) => m.direction === 'out'),
      30_000,
    );
    const { page, problems } = await signedIn();
    await page.getByTestId('nav-conversations').click();
    await page.getByTestId('conversation-search').fill(chatId);
    await page.getByTestId('conversation-search').press('Enter');
    await page.locator(`[data-testid="conversation-item"][data-chat-id="${chatId}"]`).click();
    const transcript = page.getByTestId('transcript');
    await transcript.getByText('What are your opening hours?').waitFor({ timeout: 15_000 });
    await transcript.locator('[data-testid="transcript-line"][data-direction="out"]').first().waitFor();
    const links = await transcript.getByTestId('workflow-link').evaluateAll((as) => as.map((a: any) => a.href as string));
    expect(links).toContain(`http://localhost:8233/namespaces/default/workflows/${encodeURIComponent(workflowId)}`);
    // The customer writes again: the open transcript shows it without a reload, as text even when it looks like markup.
    const markup = '<img src=x onerror="globalThis.__injected=1"><b>And on Sundays?</b>';
    await customer(chatId, markup);
    await transcript.getByText(markup).waitFor({ timeout: 20_000 });
    expect(await transcript.locator('img, b').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as any).__injected)).toBeUndefined();
    expectNoProblems(problems);
  });

  it('pauses a campaign from the page, and Temporal holds it paused', async () => {
    const chatId = newChat();
    await customer(chatId, 'Can I get a quote for 20 yoga mats?');
    const campaignId = followUpWorkflowId(chatId, 'quote');
    started.push(campaignId);
    await eventually(
      () => getJson(url(`/api/follow-ups/${encodeURIComponent(chatId)}`), asOperator),
      (r) => r.body.campaigns?.[0]?.status === 'active' && r.body.campaigns[0].nextFireAt !== undefined,
      30_000,
    );

    const { page, problems } = await signedIn();
    await page.getByTestId('nav-campaigns').click();
    await page.getByTestId('campaign-search').fill(chatId);
    await page.getByTestId('campaign-search').press('Enter');
    await page.getByTestId('campaign-status').filter({ hasText: /active/i }).waitFor({ timeout: 15_000 });
    await expect(page.getByTestId('campaign-next').first().textContent()).resolves.toMatch(/\d/);
    await page.getByTestId('campaign-pause').first().click();
    await page.getByTestId('campaign-status').filter({ hasText: /paused/i }).waitFor({ timeout: 15_000 });

    const state = await h.ctx.client.workflow.getHandle(campaignId).query(getCampaignStateQuery);
    expect(state.status).toBe('paused');
    expectNoProblems(problems);
  });

  it('lets an admin pause and trigger a schedule from the page, as Temporal then shows it', async () => {
    const asAdmin = { 'X-API-Key': ADMIN_KEY };
    const id = `console-${randomUUID().slice(0, 8)}`;
    const created = await postJson(url('/api/schedules'), { id, workflow: 'cleanupTasks', input: { olderThanDays: 30 }, every: '1h' }, asAdmin);
    expect(created.status).toBe(201);
    try {
      const { page, problems } = await signedIn(undefined, ADMIN_KEY);
      await page.getByTestId('nav-campaigns').click();
      const item = page.locator(`[data-testid="schedule-item"][data-schedule-id="${id}"]`);
      await item.waitFor({ timeout: 15_000 });
      await item.getByTestId('schedule-pause').click();
      await page.locator(`[data-testid="schedule-item"][data-schedule-id="${id}"][data-paused="true"]`).waitFor({ timeout: 15_000 });
      const handle = h.ctx.client.schedule.getHandle(id);
      expect((await handle.describe()).state.paused).toBe(true);

      await page.locator(`[data-testid="schedule-item"][data-schedule-id="${id}"]`).getByTestId('schedule-trigger').click();
      const described = await eventually(
        () => handle.describe(),
        (d) => d.info.recentActions.length > 0,
        15_000,
      );
      expect(described.info.recentActions).toHaveLength(1);
      expectNoProblems(problems);
    } finally {
      await h.ctx.client.schedule.getHandle(id).delete().catch(() => undefined);
    }
  });

  it('approves a user-defined workflow\'s waiting callback from the definitions page, and the execution completes', async () => {
    const asAdmin = { 'X-API-Key': ADMIN_KEY };
    const definition = await postJson(
      url('/api/v1/workflows'),
      { name: `Refund approval ${randomUUID().slice(0, 4)}`, steps: [{ step_id: 'approve', step_type: 'callback', name: 'Manager approves the refund', timeout: 600 }] },
      asAdmin,
    );
    expect(definition.status).toBe(201);
    const execution = await postJson(url(`/api/v1/workflows/${definition.body.workflow_id}/execute`), { input_data: { order: 'ORD-1' }, async_execution: true }, asOperator);
    expect(execution.status).toBe(202);
    const executionId = execution.body.execution_id as string;
    started.push(executionId);

    const { page, problems } = await signedIn();
    await page.getByTestId('nav-definitions').click();
    const item = page.locator(`[data-testid="callback-item"][data-execution-id="${executionId}"][data-step-id="approve"]`);
    await item.waitFor({ timeout: 20_000 });
    await item.getByTestId('callback-approve').click();
    await item.waitFor({ state: 'detached', timeout: 20_000 });
    const done = await eventually(
      () => getJson(url(`/api/v1/executions/${executionId}`), asOperator),
      (r) => r.body.status === 'completed',
      20_000,
    );
    expect(done.body.status).toBe('completed');
    expectNoProblems(problems);
  });

  it('draws the messages just sent in the stats page', async () => {
    const chatId = newChat();
    const before = await getJson(url('/api/stats/messages?hours=24'), asOperator);
    expect(before.status).toBe(200);
    const ids = [await customer(chatId, 'What are your opening hours?'), await customer(chatId, 'Do you have parking?')];
    await eventually(
      () => getJson(url('/api/stats/messages?hours=24'), asOperator),
      (r) => r.body.total >= before.body.total + ids.length,
      30_000,
    );
    const expected = (await getJson(url('/api/stats/messages?hours=24'), asOperator)).body.total as number;

    const { page, problems } = await signedIn();
    await page.getByTestId('nav-stats').click();
    const messages = page.getByTestId('chart-messages');
    await messages.locator('canvas').waitFor();
    await page.getByTestId('stat-messages-total').filter({ hasText: String(expected) }).waitFor({ timeout: 15_000 });
    // The chart is drawn, not an empty canvas: some of its pixels are not transparent.
    const painted = await messages.locator('canvas').evaluate((canvas: any) => {
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let count = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) count++;
      return count;
    });
    expect(painted).toBeGreaterThan(100);
    for (const chart of ['chart-handoffs', 'chart-replies', 'chart-tasks', 'chart-agents', 'chart-follow-ups']) {
      await page.getByTestId(chart).waitFor();
    }
    await screenshot(page, 'stats');
    expectNoProblems(problems);
  });

  it('loads every page with no error in the browser console, on a laptop and on a phone', async () => {
    for (const viewport of [
      { width: 1280, height: 860 },
      { width: 390, height: 844 },
    ]) {
      const { page, problems } = await signedIn(viewport);
      for (const nav of ['nav-inbox', 'nav-conversations', 'nav-campaigns', 'nav-stats', 'nav-definitions', 'nav-alerts']) {
        await page.getByTestId(nav).click();
        // The live feed keeps a request open, so the network is never idle: give the panel a moment to load.
        await page.waitForTimeout(750);
        const overflow = await page.evaluate(() => {
          const g = globalThis as any;
          return g.document.documentElement.scrollWidth - g.innerWidth;
        });
        expect({ nav, viewport: viewport.width, overflow: overflow > 1 }).toEqual({ nav, viewport: viewport.width, overflow: false });
        await expect(page.getByTestId('panel-error').count()).resolves.toBe(0);
      }
      expectNoProblems(problems);
    }
  });
});
