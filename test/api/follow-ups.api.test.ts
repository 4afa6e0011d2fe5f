import { randomUUID } from 'node:crypto';
import { followUpWorkflowId } from '../../src/contracts';
import { eventually, getJson, postJson } from '../helpers/api';
import { useApiHarness } from '../helpers/harness';

describe('follow-up campaigns through the API on the dev server', () => {
  const started: string[] = [];
  const h = useApiHarness({
    name: 'api-follow-ups',
    seed: true,
    // Campaigns wait for days: end the ones this file started.
    beforeTeardown: async ({ ctx }) => {
      for (const id of started) await ctx.client.workflow.getHandle(id).terminate('test done').catch(() => undefined);
    },
  });

  const campaigns = (chatId: string) => getJson(`${h.api.baseUrl}/api/follow-ups/${encodeURIComponent(chatId)}`);

  async function quote(chatId: string) {
    const res = await postJson(`${h.api.baseUrl}/api/messages`, { chatId, id: randomUUID(), body: 'Can I get a quote for 20 yoga mats?' });
    expect(res.status).toBe(202);
    started.push(followUpWorkflowId(chatId, 'quote'));
    return eventually(() => campaigns(chatId), (r) => r.body.campaigns?.length === 1 && r.body.campaigns[0].nextFireAt !== undefined);
  }

  it('starts a campaign when a quote is answered with a price, with its next fire time 24 hours out', async () => {
    const chatId = `fu-${randomUUID().slice(0, 8)}@c.us`;
    const before = Date.now();
    const res = await quote(chatId);
    const [campaign] = res.body.campaigns;
    expect(campaign).toMatchObject({ purpose: 'quote', status: 'active', running: true, sent: [], steps: 3, workflowId: followUpWorkflowId(chatId, 'quote') });
    expect(campaign.reference).toMatch(/^Q-[0-9A-F]{8}$/);
    const hours = (new Date(campaign.nextFireAt).getTime() - before) / 3600e3;
    expect(hours).toBeGreaterThan(23.9);
    expect(hours).toBeLessThan(24.1 + 12); // quiet hours may push it to the morning
  });

  it('pauses, resumes and cancels through the API, refusing what does not apply', async () => {
    const chatId = `fu-${randomUUID().slice(0, 8)}@c.us`;
    await quote(chatId);
    const paused = await postJson(`${h.api.baseUrl}/api/follow-ups/${encodeURIComponent(chatId)}/pause`, { by: 'maria' });
    expect(paused.status).toBe(200);
    expect(paused.body.campaigns[0]).toMatchObject({ status: 'paused' });
    expect((await campaigns(chatId)).body.campaigns[0].nextFireAt).toBeUndefined();

    expect((await postJson(`${h.api.baseUrl}/api/follow-ups/${encodeURIComponent(chatId)}/pause`, {})).status).toBe(409);
    const resumed = await postJson(`${h.api.baseUrl}/api/follow-ups/${encodeURIComponent(chatId)}/resume`, {});
    expect(resumed.body.campaigns[0].status).toBe('active');
    const cancelled = await postJson(`${h.api.baseUrl}/api/follow-ups/${encodeURIComponent(chatId)}/cancel`, { purpose: 'quote' });
    expect(cancelled.body.campaigns[0].status).toBe('cancelled');
    const after = await eventually(() => campaigns(chatId), (r) => r.body.campaigns[0]?.running === false);
    expect(after.body.campaigns[0]).toMatchObject({ status: 'cancelled', reason: 'cancelled_by_operator' });
    expect((await postJson(`${h.api.baseUrl}/api/follow-ups/${encodeURIComponent(chatId)}/resume`, {})).status).toBe(404);
    expect((await postJson(`${h.api.baseUrl}/api/follow-ups/${encodeURIComponent(chatId)}/pause`, { purpose: 'teleport' })).status).toBe(400);
  });

  it('reschedules the next step, refusing a time in the past', async () => {
    const chatId = `fu-${randomUUID().slice(0, 8)}@c.us`;
    await quote(chatId);
    const at = new Date(Date.now() + 3 * 24 * 3600e3);
    at.setUTCHours(12, 0, 0, 0); // midday UTC: outside the default quiet hours in UTC
    const url = `${h.api.baseUrl}/api/follow-ups/${encodeURIComponent(chatId)}/reschedule`;
    const moved = await postJson(url, { purpose: 'quote', at: at.toISOString() });
    expect(moved.status).toBe(200);
    const after = await eventually(() => campaigns(chatId), (r) => r.body.campaigns[0]?.nextFireAt === at.toISOString());
    expect(after.body.campaigns[0].nextFireAt).toBe(at.toISOString());
    const past = await postJson(url, { purpose: 'quote', at: '2020-01-01T00:00:00Z' });
    expect(past.status).toBe(400);
    expect(past.body.message).toMatch(/at: must be in the future/);
  });

  it("stops the chat's campaign when the customer writes again", async () => {
    const chatId = `fu-${randomUUID().slice(0, 8)}@c.us`;
    await quote(chatId);
    await postJson(`${h.api.baseUrl}/api/messages`, { chatId, id: randomUUID(), body: 'Thanks, I will think about it' });
    const stopped = await eventually(() => campaigns(chatId), (r) => r.body.campaigns[0]?.status === 'stopped');
    expect(stopped.body.campaigns[0]).toMatchObject({ status: 'stopped', reason: 'customer_replied', sent: [] });
  });

  it('answers an unknown chat with an empty list', async () => {
    expect((await campaigns(`nobody-${randomUUID()}@c.us`)).body).toEqual({ chatId: expect.any(String), campaigns: [] });
  });
});
