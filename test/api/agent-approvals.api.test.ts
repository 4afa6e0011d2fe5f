import { randomUUID } from 'node:crypto';
import { workerRegistry } from '../../src/observability/metrics';
import { Order } from '../../src/persistence';
import { eventually, getJson, postJson } from '../helpers/api';
import { useApiHarness } from '../helpers/harness';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../helpers/openai-server';

/**
 * LLM mode through the API as an operator meets it: a customer asks to cancel an order, the
 * returns agent's model calls `cancel_order`, which waits for a person; the call is in the
 * handoff inbox, the message shows it waiting, and a decision posted over HTTP lets the
 * agent finish. A decision nobody is waiting for, or that is not a decision, is refused.
 */
describe('tool calls waiting for approval, through the API', () => {
  let provider: FakeOpenAiServer;
  beforeAll(async () => {
    provider = await startFakeOpenAiServer();
  });
  afterAll(() => provider?.stop());
  const h = useApiHarness({ name: 'api-approvals', env: () => ({ OPENAI_BASE_URL: provider.baseUrl, OPENAI_MODEL: 'switchboard-test-model', LLM_TIMEOUT_MS: '5000' }) });
  const url = (path: string) => `${h.api.baseUrl}${path}`;

  beforeEach(() => {
    provider.reset();
    provider.setDefault({
      from: (request: { tools?: Array<{ function: { name: string } }>; messages: Array<{ role: string; content: string | null }> }) => {
        const names = request.tools?.map((t) => t.function.name) ?? [];
        if (!names.includes('cancel_order')) return { content: 'Thanks for your message.' };
        const results = request.messages.filter((m) => m.role === 'tool').map((m) => JSON.parse(m.content ?? 'null'));
        const orderId = /order (ORD-\w+)/.exec(request.messages.find((m) => m.role === 'user')?.content ?? '')?.[1];
        if (results.length === 0) return { toolCalls: [{ id: 'call_c1', name: 'cancel_order', arguments: { order_number: orderId } }] };
        const last = results[results.length - 1];
        return { content: last.cancelled ? `Order ${last.cancelled.order_number} is cancelled; your refund is on its way.` : `Sorry, order ${orderId} could not be cancelled.` };
      },
    });
  });

  async function toolCallsCounted(tool: string, outcome: string): Promise<number> {
    const values = (await workerRegistry.getSingleMetric('switchboard_tool_calls_total')?.get())?.values ?? [];
    return values.filter((v) => v.labels.tool === tool && v.labels.outcome === outcome).reduce((sum, v) => sum + v.value, 0);
  }

  it('lists the call, shows it waiting, and finishes once a person approves it over HTTP', async () => {
    const chatId = `ap-${randomUUID().slice(0, 8)}@c.us`;
    const orderId = `ORD-A${randomUUID().slice(0, 6).toUpperCase()}`;
    await h.database.db.getRepository(Order).insert({
      id: orderId, chatId, status: 'processing', items: [{ sku: 'FOAM-ROLLER', name: 'Foam roller', quantity: 2, priceCents: 2499 }], totalCents: 4998, currency: 'USD',
      carrier: null, trackingNumber: null, orderedAt: new Date(), shippedAt: null, deliveredAt: null, estimatedDelivery: null,
    } as Order);
    const waitedBefore = await toolCallsCounted('cancel_order', 'needs_approval');

    const posted = await postJson(url('/api/messages'), { chatId, id: randomUUID(), body: `I want a refund for my order ${orderId}, I don't want it anymore` });
    expect(posted.status).toBe(202);
    const workflowId: string = posted.body.workflowId;
    const waiting = await eventually(() => getJson(url(`/api/messages/${encodeURIComponent(workflowId)}`)), (r) => r.body.approval?.status === 'waiting', 60_000);
    expect(waiting.body).toMatchObject({ status: 'RUNNING', step: 'waiting_for_approval', toolCalls: [{ name: 'cancel_order', status: 'needs_approval', summary: `cancel_order: ${orderId} → needs approval` }] });
    const handoffId = waiting.body.approval.handoffId as string;
    expect(handoffId).toBe(`${workflowId}:approval:call_c1`);

    const inbox = await getJson(url('/api/handoffs?status=open'));
    expect(inbox.body.handoffs.find((x: { workflowId: string }) => x.workflowId === handoffId)).toMatchObject({ reason: 'approval', chatId, request: expect.stringContaining(orderId) });
    expect(await toolCallsCounted('cancel_order', 'needs_approval')).toBe(waitedBefore + 1);

    // Not a decision: named field. A decision for a message that waits for nothing: 404/409.
    const bad = await postJson(url(`/api/handoffs/${encodeURIComponent(handoffId)}/decision`), { approve: 'yes' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/approve/);
    const notAnApproval = await postJson(url(`/api/handoffs/${encodeURIComponent(workflowId)}/decision`), { approve: true });
    expect(notAnApproval.status).toBe(400);

    const decided = await postJson(url(`/api/handoffs/${encodeURIComponent(handoffId)}/decision`), { approve: true, operator: 'sam', note: 'fine' });
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({ status: 'granted', operator: 'sam' });

    const done = await eventually(() => getJson(url(`/api/messages/${encodeURIComponent(workflowId)}`)), (r) => r.body.status === 'COMPLETED', 60_000);
    expect(done.body.reply.text).toBe(`Order ${orderId} is cancelled; your refund is on its way.`);
    expect(done.body.toolCalls).toEqual([expect.objectContaining({ name: 'cancel_order', status: 'done' })]);
    expect(done.body.llm).toMatchObject({ modelCalls: 2 });
    expect((await h.database.db.getRepository(Order).findOneBy({ id: orderId }))!.status).toBe('cancelled');

    // Decided once: again is a conflict, and the inbox no longer lists it as open.
    const again = await postJson(url(`/api/handoffs/${encodeURIComponent(handoffId)}/decision`), { approve: false });
    expect(again.status).toBe(409);
    const after = await getJson(url('/api/handoffs?status=open'));
    expect(after.body.handoffs.some((x: { workflowId: string }) => x.workflowId === handoffId)).toBe(false);
  }, 120_000);
});
