import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import type { CallToolInput, ToolCallOutcome } from '../../src/contracts';
import { Order, ReturnRequest } from '../../src/persistence';
import type { OrderLine } from '../../src/persistence/entities/order.entity';
import { ToolCallRecord } from '../../src/persistence/entities/tool-call.entity';
import { CATALOG } from '../../src/persistence/seed/catalog';
import { NOW } from '../helpers/agent-dialogue';
import { databaseKinds } from '../helpers/database';
import { toolCallsOf, useToolDatabase } from '../helpers/tool-calls';

/**
 * The order and returns agents' tools (list_my_orders, lookup_order, start_return,
 * cancel_order) as a customer and the staff who approve see them: only the chat's own
 * orders, the return window and warranty, refunds above $100.00 and every cancellation
 * waiting for a person, and each effect happening once per call id.
 * "Now" is Monday 30 November 2026, 08:00 UTC.
 */
describe.each(databaseKinds())('order tools on %s', (kind) => {
  const tools = useToolDatabase(kind, { seed: true });
  const { callTool } = tools;
  const now = DateTime.fromISO(NOW, { zone: 'utc' });


  const newChat = () => `${randomUUID().slice(0, 8)}@c.us`;

  const input = toolCallsOf('returns');

  function line(sku: string, quantity = 1): OrderLine {
    const product = CATALOG.find((p) => p.sku === sku);
    if (!product) throw new Error(`no ${sku} in the catalog`);
    return { sku, name: product.name, quantity, priceCents: product.priceCents };
  }

  let nextOrder = 0;

  /** An order of the chat's, ordered `daysAgo` days ago; shipped a day later, delivered three days after ordering. */
  async function place(chatId: string, status: Order['status'], items: OrderLine[], daysAgo: number, id?: string): Promise<string> {
    nextOrder += 1;
    const number = id ?? `T${process.pid % 1000}${String(nextOrder).padStart(4, '0')}`;
    const moved = status === 'shipped' || status === 'delivered';
    await tools.database.db.getRepository(Order).insert({
      id: number,
      chatId,
      status,
      items,
      totalCents: items.reduce((n, i) => n + i.priceCents * i.quantity, 0),
      currency: 'USD',
      carrier: moved ? 'DHL' : null,
      trackingNumber: moved ? `JD${number}` : null,
      orderedAt: now.minus({ days: daysAgo }).toJSDate(),
      shippedAt: moved ? now.minus({ days: daysAgo - 1 }).toJSDate() : null,
      deliveredAt: status === 'delivered' ? now.minus({ days: daysAgo - 3 }).toJSDate() : null,
      estimatedDelivery: status === 'processing' || status === 'shipped' ? now.plus({ days: 3 }).toJSDate() : null,
    });
    return number;
  }

  const day = (daysFromNow: number) => now.plus({ days: daysFromNow }).toISODate()!;
  const parsed = (outcome: ToolCallOutcome) => JSON.parse(outcome.content);
  const orderStatus = async (id: string) => (await tools.database.db.getRepository(Order).findOneByOrFail({ id })).status;
  const returnsOf = (chatId: string) => tools.database.db.getRepository(ReturnRequest).findBy({ chatId });
  const ledgerRows = (i: CallToolInput) => tools.database.db.getRepository(ToolCallRecord).countBy({ key: `${i.workflowId}:${i.call.id}` });

  describe('list_my_orders and lookup_order', () => {
    it("lists the chat's orders newest first, with dates, tracking and the return window, and no other chat's", async () => {
      const chat = newChat();
      const delivered = await place(chat, 'delivered', [line('YM-400'), line('RB-410', 2)], 12);
      const processing = await place(chat, 'processing', [line('PB-500')], 1);
      await place(newChat(), 'delivered', [line('MG-100')], 5);

      const outcome = await callTool(input({ name: 'list_my_orders', arguments: {} }, { chatId: chat, agent: 'order' }));
      expect(outcome).toMatchObject({ status: 'done', effect: false, summary: 'list_my_orders: this chat → 2 orders' });
      const { orders } = parsed(outcome);
      expect(orders.map((o: { order_number: string }) => o.order_number)).toEqual([processing, delivered]);
      expect(orders[0]).toEqual({
        order_number: processing, status: 'processing', items: [{ sku: 'PB-500', name: 'Pulse Band fitness tracker', quantity: 1, unit_price_cents: 8900 }],
        total_cents: 8900, currency: 'USD', ordered_on: day(-1), shipped_on: null, delivered_on: null, estimated_delivery: day(3), carrier: null, tracking_number: null,
      });
      // Only a delivered order shows until when it can be returned: 30 days from the purchase.
      expect(orders[1]).toEqual({
        order_number: delivered, status: 'delivered',
        items: [{ sku: 'YM-400', name: 'Non-slip yoga mat', quantity: 1, unit_price_cents: 4500 }, { sku: 'RB-410', name: 'Resistance bands set', quantity: 2, unit_price_cents: 2500 }],
        total_cents: 9500, currency: 'USD', ordered_on: day(-12), shipped_on: day(-11), delivered_on: day(-9), estimated_delivery: null, carrier: 'DHL', tracking_number: `JD${delivered}`,
        return_window_ends: day(18),
      });
      expect(outcome.content).not.toContain('MG-100');
      // What a reply may state: the numbers, tracking, amounts, dates and statuses listed, nothing else.
      if (outcome.status !== 'done') throw new Error('expected done');
      expect(outcome.evidence.references).toEqual([processing, delivered, `JD${delivered}`]);
      expect(outcome.evidence.amounts).toEqual(expect.arrayContaining([{ cents: 8900, currency: 'USD' }, { cents: 9500, currency: 'USD' }, { cents: 4500, currency: 'USD' }, { cents: 2500, currency: 'USD' }]));
      expect(outcome.evidence.amounts).not.toContainEqual({ cents: 12900, currency: 'USD' });
      expect(outcome.evidence.dates).toEqual(expect.arrayContaining([day(-1), day(3), day(-12), day(-11), day(-9), day(18)]));
      expect(outcome.evidence.orderStatuses).toEqual(['processing', 'delivered']);
    });

    it('tells the model a chat without orders has none, and claims nothing', async () => {
      const outcome = await callTool(input({ name: 'list_my_orders', arguments: {} }, { agent: 'order' }));
      expect(outcome).toMatchObject({ status: 'done', summary: 'list_my_orders: this chat → 0 orders' });
      expect(outcome).toHaveProperty('evidence', {});
      expect(parsed(outcome)).toEqual({ orders: [], note: 'no orders for this chat' });
      const extra = await callTool(input({ name: 'list_my_orders', arguments: { chat_id: 'someone@c.us' } }, { agent: 'order' }));
      expect(extra).toMatchObject({ status: 'invalid', error: 'chat_id: unknown field' });
    });

    it('finds an order however the customer writes its number, and not one of another chat', async () => {
      const chat = newChat();
      const id = await place(chat, 'shipped', [line('MG-100')], 2, `ORD-${randomUUID().slice(0, 6).toUpperCase()}`);
      const found = await callTool(input({ name: 'lookup_order', arguments: { order_number: ` #${id.toLowerCase()} ` } }, { chatId: chat, agent: 'order' }));
      expect(found).toMatchObject({ status: 'done', effect: false, summary: `lookup_order: ${id} → shipped` });
      expect(parsed(found).order).toMatchObject({ order_number: id, status: 'shipped', carrier: 'DHL', tracking_number: `JD${id}`, shipped_on: day(-1), estimated_delivery: day(3), total_cents: 12900 });
      expect(parsed(found).order).not.toHaveProperty('return_window_ends');

      // The same number asked from another chat is simply not found: nothing about it shows.
      const foreign = await callTool(input({ name: 'lookup_order', arguments: { order_number: id } }, { agent: 'order' }));
      expect(foreign).toMatchObject({ status: 'failed', error: `no order ${id} for this chat`, summary: `lookup_order: ${id} → failed: no order ${id} for this chat` });
      expect(parsed(foreign)).toEqual({ error: `no order ${id} for this chat`, hint: 'check the number with the customer; list_my_orders shows the orders of this chat' });
      // A demo order of a seeded chat is not found from a new one either.
      const demo = await callTool(input({ name: 'lookup_order', arguments: { order_number: '45821' } }, { agent: 'order' }));
      expect(demo).toMatchObject({ status: 'failed', error: 'no order 45821 for this chat' });
      expect(demo.content).not.toContain('DHL');

      const empty = await callTool(input({ name: 'lookup_order', arguments: { order_number: '   ' } }, { agent: 'order' }));
      expect(empty).toMatchObject({ status: 'invalid', error: expect.stringMatching(/^order_number: /) });
      // The order agent only reads: starting a return is the returns agent's.
      const notMine = await callTool(input({ name: 'start_return', arguments: { order_number: id, reason: 'broken' } }, { chatId: chat, agent: 'order' }));
      expect(notMine).toMatchObject({ status: 'invalid', error: 'start_return is not a tool of the order agent' });
      expect(JSON.parse(notMine.content).tools).toEqual(['list_my_orders', 'lookup_order']);
    });
  });

  describe('start_return', () => {
    it('opens one RMA for a delivered order within the window, however often the call runs', async () => {
      const chat = newChat();
      const id = await place(chat, 'delivered', [line('YM-400')], 10);
      const call = input({ name: 'start_return', arguments: { order_number: id, reason: 'It is too thin for me' } }, { chatId: chat });
      const first = await callTool(call);
      const again = await Promise.all([callTool(call), callTool(call)]);
      for (const o of again) expect(o).toEqual(first);

      const rows = await returnsOf(chat);
      expect(rows).toHaveLength(1);
      const rma = rows[0].id;
      expect(rma).toMatch(/^RMA-[0-9A-F]{8}$/);
      expect(rows[0]).toMatchObject({ orderId: id, kind: 'refund', status: 'requested', reason: 'It is too thin for me', workflowId: `${call.workflowId}:${call.call.id}` });
      expect(await ledgerRows(call)).toBe(1);

      expect(first).toMatchObject({
        status: 'done',
        effect: true,
        summary: `start_return: ${id} refund → ${rma}`,
        evidence: { references: [rma, id], amounts: [{ cents: 4500, currency: 'USD' }], orderStatuses: ['delivered'] },
        facts: { orderId: id, returnId: rma, kind: 'refund', refundCents: 4500 },
      });
      expect(parsed(first)).toEqual({
        return: { reference: rma, order_number: id, kind: 'refund', status: 'requested', items: [{ sku: 'YM-400', name: 'Non-slip yoga mat', quantity: 1 }], value_cents: 4500, currency: 'USD' },
      });
      if (first.status !== 'done') throw new Error('expected done');
      expect(first.confirmation).toMatch(new RegExp(`^I've opened return ${rma} for order ${id} \\(refund\\)\\. .*12 Harbour Road`));

      // Another call id is another request of the customer's: a second RMA.
      const second = await callTool({ ...call, call: { ...call.call, id: 'call_again' } });
      expect(second.status).toBe('done');
      expect(await returnsOf(chat)).toHaveLength(2);
    });

    it('reads an exchange from the reason, returns only the items named, and refuses an item the order does not hold', async () => {
      const chat = newChat();
      const id = await place(chat, 'delivered', [line('MG-100'), line('YB-420', 2)], 5);
      // $129.00 + 2 × $19.00 is above $100.00, but an exchange is no refund: no approval.
      const exchange = await callTool(input({ name: 'start_return', arguments: { order_number: id, reason: 'I want to exchange them for a different size' } }, { chatId: chat }));
      expect(exchange).toMatchObject({ status: 'done', summary: expect.stringMatching(new RegExp(`^start_return: ${id} exchange → RMA-`)) });
      expect(parsed(exchange).return).toMatchObject({ kind: 'exchange', value_cents: 16700 });

      const part = await callTool(input({ name: 'start_return', arguments: { order_number: id, reason: 'The blocks are too soft', items: ['yb-420'] } }, { chatId: chat }));
      expect(part).toMatchObject({ status: 'done', summary: expect.stringMatching(new RegExp(`^start_return: ${id} refund \\(yb-420\\) → RMA-`)) });
      expect(parsed(part).return).toMatchObject({ kind: 'refund', items: [{ sku: 'YB-420', name: 'Yoga block pair', quantity: 2 }], value_cents: 3800 });
      const stored = await tools.database.db.getRepository(ReturnRequest).findOneByOrFail({ id: parsed(part).return.reference });
      expect(stored.reason).toBe('The blocks are too soft [items: YB-420]');

      const unknown = await callTool(input({ name: 'start_return', arguments: { order_number: id, reason: 'wrong colour', items: ['ZZ-999'] } }, { chatId: chat }));
      expect(unknown).toMatchObject({ status: 'failed', error: `order ${id} has no item ZZ-999` });
      expect(parsed(unknown).items).toEqual([{ sku: 'MG-100', name: 'Pulse massage gun' }, { sku: 'YB-420', name: 'Yoga block pair' }]);
      expect(await returnsOf(chat)).toHaveLength(2);

      const tooShort = await callTool(input({ name: 'start_return', arguments: { order_number: id, reason: 'no' } }, { chatId: chat }));
      expect(tooShort).toMatchObject({ status: 'invalid', error: expect.stringMatching(/^reason: /) });
      const badKind = await callTool(input({ name: 'start_return', arguments: { order_number: id, reason: 'broken', kind: 'gift' } }, { chatId: chat }));
      expect(badKind).toMatchObject({ status: 'invalid', error: expect.stringMatching(/^kind: /) });
      expect(await returnsOf(chat)).toHaveLength(2);
    });

    it('waits for a person on a refund above $100.00, opens the RMA once when granted, and does nothing when declined', async () => {
      const chat = newChat();
      const id = await place(chat, 'delivered', [line('MG-100')], 6);
      const call = input({ name: 'start_return', arguments: { order_number: id, reason: 'It stopped working after a week', kind: 'refund' } }, { chatId: chat });

      const waiting = await callTool(call);
      const reason = 'a refund of $129.00 is above $100.00: a person approves it first';
      expect(waiting).toEqual({
        status: 'needs_approval',
        summary: `start_return: ${id} refund → needs approval`,
        reason,
        content: JSON.stringify({ status: 'needs_approval', reason, hint: 'nothing was done yet: a person decides first' }),
      });
      expect(await returnsOf(chat)).toHaveLength(0);
      expect(await ledgerRows(call)).toBe(0);

      const granted = { ...call, approval: { granted: true, operator: 'maria' } };
      const done = await callTool(granted);
      expect(done).toMatchObject({ status: 'done', effect: true, facts: { refundCents: 12900, kind: 'refund' } });
      expect(await callTool(granted)).toEqual(done);
      // Once it is done, a later decision changes nothing: the call did what it did.
      expect(await callTool({ ...call, approval: { granted: false, operator: 'maria' } })).toEqual(done);
      expect(await callTool(call)).toEqual(done);
      const rows = await returnsOf(chat);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ orderId: id, kind: 'refund', status: 'requested' });

      // The same request declined by staff (another call): failed, with the note, and no RMA.
      const other = input({ name: 'start_return', arguments: { order_number: id, reason: 'It stopped working after a week' } }, { chatId: chat });
      const declined = await callTool({ ...other, approval: { granted: false, operator: 'maria', note: 'already refunded by phone' } });
      expect(declined).toEqual({
        status: 'failed',
        summary: `start_return: ${id} refund → declined by maria`,
        error: 'a member of staff declined this request',
        content: JSON.stringify({ error: 'a member of staff declined this request', note: 'already refunded by phone', hint: 'nothing was done: tell the customer it was not approved, and do not try again' }),
      });
      expect(await returnsOf(chat)).toHaveLength(1);
    });

    it('asks for approval only above the limit: $100.00 exactly is opened at once, $100.01 waits', async () => {
      const chat = newChat();
      const at = await place(chat, 'delivered', [{ sku: 'X-100', name: 'Exactly a hundred', quantity: 1, priceCents: 10_000 }], 4);
      const above = await place(chat, 'delivered', [{ sku: 'X-101', name: 'A cent more', quantity: 1, priceCents: 10_001 }], 4);
      // Three units of $50.00 are $150.00: the value is the lines', quantity included.
      const two = await place(chat, 'delivered', [{ sku: 'X-050', name: 'Half', quantity: 3, priceCents: 5_000 }], 4);
      expect(await callTool(input({ name: 'start_return', arguments: { order_number: at, reason: 'not needed' } }, { chatId: chat }))).toMatchObject({ status: 'done' });
      expect(await callTool(input({ name: 'start_return', arguments: { order_number: above, reason: 'not needed' } }, { chatId: chat }))).toMatchObject({
        status: 'needs_approval',
        reason: 'a refund of $100.01 is above $100.00: a person approves it first',
      });
      expect(await callTool(input({ name: 'start_return', arguments: { order_number: two, reason: 'not needed' } }, { chatId: chat }))).toMatchObject({
        status: 'needs_approval',
        reason: 'a refund of $150.00 is above $100.00: a person approves it first',
      });
      // A warranty claim is no refund: it never waits.
      expect(await callTool(input({ name: 'start_return', arguments: { order_number: above, reason: 'it broke', kind: 'warranty' } }, { chatId: chat }))).toMatchObject({ status: 'done' });
      expect((await returnsOf(chat)).map((r) => r.orderId).sort()).toEqual([above, at].sort());
    });

    it('refuses a refund past the 30-day window, and opens a warranty claim for it', async () => {
      const chat = newChat();
      const id = await place(chat, 'delivered', [line('HC-210')], 45);
      const late = await callTool(input({ name: 'start_return', arguments: { order_number: id, reason: 'I changed my mind' } }, { chatId: chat }));
      expect(late).toMatchObject({ status: 'failed', error: `order ${id} was bought 45 days ago, past the 30-day return window` });
      expect(parsed(late).hint).toBe('a faulty item may still be covered by the 1-year warranty: ask what is wrong, then start_return with kind warranty');
      expect(await returnsOf(chat)).toHaveLength(0);

      const warranty = await callTool(input({ name: 'start_return', arguments: { order_number: id, reason: 'It leaks gel', kind: 'warranty' } }, { chatId: chat }));
      expect(warranty).toMatchObject({ status: 'done', effect: true, facts: { orderId: id, kind: 'warranty' } });
      if (warranty.status !== 'done') throw new Error('expected done');
      const rma = parsed(warranty).return.reference;
      // No money is promised on a warranty claim: neither the model nor the reply may name an amount.
      expect(parsed(warranty).return).toEqual({ reference: rma, order_number: id, kind: 'warranty', status: 'requested', items: [{ sku: 'HC-210', name: 'Hot and cold gel pack', quantity: 1 }] });
      expect(warranty.evidence).toEqual({ references: [rma, id], orderStatuses: ['delivered'] });
      expect(warranty.facts).not.toHaveProperty('refundCents');
      expect(warranty.confirmation).toMatch(new RegExp(`^Thank you\\. I've opened warranty claim ${rma} for order ${id}\\.`));
      expect(await returnsOf(chat)).toEqual([expect.objectContaining({ id: rma, kind: 'warranty' })]);
    });

    it('refuses to return an order not delivered yet, pointing to a cancellation only where one is possible', async () => {
      const chat = newChat();
      const shipped = await place(chat, 'shipped', [line('YB-420')], 2);
      const processing = await place(chat, 'processing', [line('YB-420')], 1);
      const onItsWay = await callTool(input({ name: 'start_return', arguments: { order_number: shipped, reason: 'I do not want it any more' } }, { chatId: chat }));
      expect(onItsWay).toMatchObject({ status: 'failed', error: `order ${shipped} has not been delivered yet (status shipped), so it cannot be returned` });
      expect(parsed(onItsWay)).toEqual({ error: `order ${shipped} has not been delivered yet (status shipped), so it cannot be returned`, status: 'shipped' });

      const preparing = await callTool(input({ name: 'start_return', arguments: { order_number: processing, reason: 'I do not want it any more' } }, { chatId: chat }));
      expect(preparing).toMatchObject({ status: 'failed', error: `order ${processing} has not been delivered yet (status processing), so it cannot be returned` });
      expect(parsed(preparing).hint).toBe('it can still be cancelled (cancel_order, with a person approving it)');
      expect(await returnsOf(chat)).toHaveLength(0);
    });

    it('says there is nothing to return on a cancelled order, and does not find another chat\'s order', async () => {
      const chat = newChat();
      const cancelled = await place(chat, 'cancelled', [line('RB-410')], 3);
      const outcome = await callTool(input({ name: 'start_return', arguments: { order_number: cancelled, reason: 'want my money back' } }, { chatId: chat }));
      expect(outcome).toMatchObject({ status: 'failed', error: `order ${cancelled} was cancelled, so there is nothing to return`, summary: `start_return: ${cancelled} refund → failed: order ${cancelled} was cancelled, so there is nothing to return` });
      expect(parsed(outcome).status).toBe('cancelled');

      // Another chat's $129.00 order: not found, and no approval is asked that would reveal it exists.
      const foreign = await place(newChat(), 'delivered', [line('MG-100')], 3);
      const probe = await callTool(input({ name: 'start_return', arguments: { order_number: foreign, reason: 'want my money back' } }, { chatId: chat }));
      expect(probe).toMatchObject({ status: 'failed', error: `no order ${foreign} for this chat` });
      const insisting = await callTool(input({ name: 'start_return', arguments: { order_number: foreign, reason: 'want my money back' } }, { chatId: chat, approval: { granted: true } }));
      expect(insisting).toMatchObject({ status: 'failed', error: `no order ${foreign} for this chat` });
      expect(await returnsOf(chat)).toHaveLength(0);
      expect(await tools.database.db.getRepository(ReturnRequest).countBy({ orderId: foreign })).toBe(0);
    });
  });

  it('fails at once, without asking a person, a refund above $100.00 of an order that cannot be returned', async () => {
    const chat = newChat();
    const cancelled = await place(chat, 'cancelled', [line('MG-100')], 3);
    const shipped = await place(chat, 'shipped', [line('MG-100')], 2);
    const late = await place(chat, 'delivered', [line('MG-100')], 45);
    expect(await callTool(input({ name: 'start_return', arguments: { order_number: cancelled, reason: 'want my money back' } }, { chatId: chat }))).toMatchObject({
      status: 'failed',
      error: `order ${cancelled} was cancelled, so there is nothing to return`,
    });
    expect(await callTool(input({ name: 'start_return', arguments: { order_number: shipped, reason: 'want my money back' } }, { chatId: chat }))).toMatchObject({
      status: 'failed',
      error: `order ${shipped} has not been delivered yet (status shipped), so it cannot be returned`,
    });
    expect(await callTool(input({ name: 'start_return', arguments: { order_number: late, reason: 'want my money back' } }, { chatId: chat }))).toMatchObject({
      status: 'failed',
      error: `order ${late} was bought 45 days ago, past the 30-day return window`,
    });
  });

  describe('cancel_order', () => {
    it('cancels an order still being prepared once a person approves, once however often it runs', async () => {
      const chat = newChat();
      const id = await place(chat, 'processing', [line('PB-500')], 1);
      const call = input({ name: 'cancel_order', arguments: { order_number: id } }, { chatId: chat });
      const waiting = await callTool(call);
      expect(waiting).toMatchObject({ status: 'needs_approval', summary: `cancel_order: ${id} → needs approval`, reason: `cancelling order ${id} needs a person's approval` });
      expect(await orderStatus(id)).toBe('processing');
      expect(await ledgerRows(call)).toBe(0);

      const granted = { ...call, approval: { granted: true, operator: 'li' } };
      const first = await callTool(granted);
      const again = await Promise.all([callTool(granted), callTool(granted)]);
      for (const o of again) expect(o).toEqual(first);
      expect(first).toMatchObject({
        status: 'done',
        effect: true,
        summary: `cancel_order: ${id} → cancelled`,
        evidence: { references: [id], amounts: [{ cents: 8900, currency: 'USD' }], orderStatuses: ['cancelled'] },
        facts: { orderId: id, action: 'cancelled', status: 'cancelled' },
        confirmation: `Done: order ${id} is cancelled. The refund goes back to your original payment method within 5–10 business days.`,
      });
      expect(parsed(first)).toEqual({ cancelled: { order_number: id, status: 'cancelled', refund_cents: 8900, currency: 'USD' } });
      expect(await orderStatus(id)).toBe('cancelled');
      expect(await ledgerRows(call)).toBe(1);

      // Asked again in a new call: already cancelled, at once, with no one to ask.
      const twice = await callTool(input({ name: 'cancel_order', arguments: { order_number: id } }, { chatId: chat }));
      expect(twice).toMatchObject({ status: 'failed', error: `order ${id} is already cancelled` });
      expect(parsed(twice)).toEqual({ error: `order ${id} is already cancelled`, status: 'cancelled' });
    });

    it('cancels a reservation held at the shop, in Spanish', async () => {
      const chat = newChat();
      const id = await place(chat, 'reserved', [line('KB-430')], 0);
      const outcome = await callTool(input({ name: 'cancel_order', arguments: { order_number: id } }, { chatId: chat, language: 'es', approval: { granted: true } }));
      expect(outcome).toMatchObject({ status: 'done', confirmation: `Listo: el pedido ${id} queda cancelado. El reembolso vuelve a tu método de pago original en 5–10 días hábiles.` });
      expect(await orderStatus(id)).toBe('cancelled');
    });

    it('refuses at once to cancel an order that shipped or was delivered, pointing to a return', async () => {
      const chat = newChat();
      const shipped = await place(chat, 'shipped', [line('MG-100')], 2);
      const delivered = await place(chat, 'delivered', [line('MG-100')], 8);
      const outcome = await callTool(input({ name: 'cancel_order', arguments: { order_number: shipped } }, { chatId: chat }));
      expect(outcome).toMatchObject({ status: 'failed', error: `order ${shipped} is shipped, so it can no longer be cancelled`, summary: `cancel_order: ${shipped} → failed: order ${shipped} is shipped, so it can no longer be cancelled` });
      expect(parsed(outcome)).toEqual({ error: `order ${shipped} is shipped, so it can no longer be cancelled`, status: 'shipped', hint: 'once delivered it can be returned within 30 days' });
      // Even a person's approval cannot cancel what has left the warehouse.
      const approved = await callTool(input({ name: 'cancel_order', arguments: { order_number: delivered } }, { chatId: chat, approval: { granted: true } }));
      expect(approved).toMatchObject({ status: 'failed', error: `order ${delivered} is delivered, so it can no longer be cancelled` });
      expect(await orderStatus(shipped)).toBe('shipped');
      expect(await orderStatus(delivered)).toBe('delivered');
    });

    it('leaves the order as it was when staff decline, and does not find a number the chat does not hold', async () => {
      const chat = newChat();
      const id = await place(chat, 'processing', [line('FR-200')], 1);
      const declined = await callTool(input({ name: 'cancel_order', arguments: { order_number: id } }, { chatId: chat, approval: { granted: false } }));
      expect(declined).toMatchObject({ status: 'failed', error: 'a member of staff declined this request', summary: `cancel_order: ${id} → declined` });
      expect(parsed(declined)).not.toHaveProperty('note');
      expect(await orderStatus(id)).toBe('processing');

      const missing = await callTool(input({ name: 'cancel_order', arguments: { order_number: 'NOPE-1' } }, { chatId: chat }));
      expect(missing).toMatchObject({ status: 'failed', error: 'no order NOPE-1 for this chat' });
      const foreign = await callTool(input({ name: 'cancel_order', arguments: { order_number: id } }, { approval: { granted: true } }));
      expect(foreign).toMatchObject({ status: 'failed', error: `no order ${id} for this chat` });
      expect(await orderStatus(id)).toBe('processing');
    });
  });
});
