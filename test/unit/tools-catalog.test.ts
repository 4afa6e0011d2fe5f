import { randomUUID } from 'node:crypto';
import { derivedNumber } from '../../src/activities/agents/questions';
import { quoteNumber } from '../../src/activities/operations/catalog';
import type { CallToolInput, ToolCallOutcome } from '../../src/contracts';
import { Order, Product, Quote } from '../../src/persistence';
import { ToolCallRecord } from '../../src/persistence/entities/tool-call.entity';
import { CATALOG } from '../../src/persistence/seed/catalog';
import { DEMO_CHAT_EN } from '../../src/persistence/seed/demo-data';
import { NOW } from '../helpers/agent-dialogue';
import { databaseKinds } from '../helpers/database';
import { toolCallsOf, useToolDatabase } from '../helpers/tool-calls';

/**
 * The quote and recommendation agents' tools over the demo catalog: searching it (in
 * English and Spanish, within a budget), pricing and recording a quote with its volume
 * discount, accepting it while it is valid, the chat's purchases, and holding a product at
 * the shop. Effects happen once per call id; a chat sees only its own quotes and orders.
 */
describe.each(databaseKinds())('catalog tools on %s', (kind) => {
  const tools = useToolDatabase(kind, { seed: true });
  const { callTool } = tools;

  // Tests that sell products out put the catalog's stock back.
  afterEach(async () => {
    for (const product of CATALOG) await tools.database.db.getRepository(Product).update({ sku: product.sku }, { stock: product.stock });
  });

  const newChat = () => `${randomUUID().slice(0, 8)}@c.us`;

  const input = toolCallsOf('quote');

  const parsed = (outcome: ToolCallOutcome) => JSON.parse(outcome.content);
  const keyOf = (i: CallToolInput) => `${i.workflowId}:${i.call.id}`;
  const skus = (outcome: ToolCallOutcome) => parsed(outcome).products.map((p: { sku: string }) => p.sku);
  function evidenceOf(outcome: ToolCallOutcome) {
    if (outcome.status !== 'done') throw new Error(`expected done, got ${outcome.status}: ${outcome.summary}`);
    return outcome.evidence;
  }

  describe('search_products', () => {
    it('finds products by what the customer asks for, best match first, with prices and stock the reply may quote', async () => {
      const outcome = await callTool(input({ name: 'search_products', arguments: { query: 'yoga mat' } }));
      expect(outcome).toMatchObject({ status: 'done', effect: false, summary: 'search_products: yoga mat → 2 found' });
      expect(parsed(outcome).products).toEqual([
        { sku: 'YM-400', name: 'Non-slip yoga mat', price_cents: 4500, currency: 'USD', in_stock: true, category: 'exercise', description: '6 mm non-slip mat for yoga and pilates.' },
        { sku: 'YB-420', name: 'Yoga block pair', price_cents: 1900, currency: 'USD', in_stock: true, category: 'exercise', description: 'Two cork yoga blocks.' },
      ]);
      expect(evidenceOf(outcome)).toEqual({ references: ['YM-400', 'YB-420'], amounts: [{ cents: 4500, currency: 'USD' }, { cents: 1900, currency: 'USD' }] });
      // Nothing is written for a search.
      expect(await tools.database.db.getRepository(ToolCallRecord).countBy({ tool: 'search_products' })).toBe(0);
    });

    it('keeps to the budget (in whole currency units), answers in Spanish, and shows what is sold out', async () => {
      const cheap = await callTool(input({ name: 'search_products', arguments: { query: 'recovery after running', max_price: 20 } }, { agent: 'recommendation' }));
      expect(cheap).toMatchObject({ status: 'done', summary: 'search_products: recovery after running ≤ 20 → 1 found' });
      expect(skus(cheap)).toEqual(['HC-210']);
      const all = await callTool(input({ name: 'search_products', arguments: { query: 'recovery after running' } }, { agent: 'recommendation' }));
      expect(skus(all)).toEqual(expect.arrayContaining(['HC-210', 'FR-200', 'MG-100']));
      for (const p of parsed(cheap).products) expect(p.price_cents).toBeLessThanOrEqual(2000);

      await tools.database.db.getRepository(Product).update({ sku: 'YB-420' }, { stock: 0 });
      const spanish = await callTool(input({ name: 'search_products', arguments: { query: 'esterilla de yoga' } }, { language: 'es-ES' }));
      expect(parsed(spanish).products).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ sku: 'YM-400', name: 'Esterilla de yoga antideslizante', in_stock: true }),
          expect.objectContaining({ sku: 'YB-420', name: 'Par de bloques de yoga', in_stock: false }),
        ]),
      );
    });

    it('says when nothing matches, and refuses a query or budget that makes no sense', async () => {
      const none = await callTool(input({ name: 'search_products', arguments: { query: 'submarine' } }));
      expect(none).toMatchObject({ status: 'done', summary: 'search_products: submarine → 0 found' });
      expect(none).toHaveProperty('evidence', {});
      expect(parsed(none)).toEqual({ products: [], note: 'nothing in the catalog matches; ask what it is for, or widen the budget' });
      const tooCheap = await callTool(input({ name: 'search_products', arguments: { query: 'massage gun', max_price: 5 } }));
      expect(parsed(tooCheap).products).toEqual([]);

      expect(await callTool(input({ name: 'search_products', arguments: { query: '  ' } }))).toMatchObject({ status: 'invalid', error: expect.stringMatching(/^query: /) });
      expect(await callTool(input({ name: 'search_products', arguments: { query: 'mat', max_price: -10 } }))).toMatchObject({ status: 'invalid', error: expect.stringMatching(/^max_price: /) });
      expect(await callTool(input({ name: 'search_products', arguments: { query: 'mat', max_price: '50' } }))).toMatchObject({ status: 'invalid', error: expect.stringMatching(/^max_price: /) });
    });
  });

  describe('price_quote', () => {
    it('prices 20 yoga mats with the 10% volume discount and records the quote once, however often the call runs', async () => {
      const chat = newChat();
      const call = input({ name: 'price_quote', arguments: { items: [{ product: 'YM-400', quantity: 20 }] } }, { chatId: chat });
      const first = await callTool(call);
      const again = await Promise.all([callTool(call), callTool(call)]);
      for (const o of again) expect(o).toEqual(first);

      const id = quoteNumber(keyOf(call));
      expect(id).toMatch(/^Q-[0-9A-F]{8}$/);
      expect(first).toMatchObject({
        status: 'done',
        effect: true,
        summary: `price_quote: 20 × YM-400 → ${id} 81000 USD`,
        facts: { quoted: true, quoteId: id, totalCents: 81000, currency: 'USD', discountPercent: 10 },
        confirmation: `Quote ${id}: 20 × Non-slip yoga mat ($45.00). Total $810.00 including a 10% volume discount, valid until 14 December.`,
        next: { kind: 'follow_up', purpose: 'quote', reference: id },
      });
      expect(parsed(first)).toEqual({
        quote: {
          quote_id: id, status: 'open',
          lines: [{ sku: 'YM-400', name: 'Non-slip yoga mat', quantity: 20, unit_price_cents: 4500, line_total_cents: 90000 }],
          subtotal_cents: 90000, discount_percent: 10, discount_cents: 9000, total_cents: 81000, currency: 'USD', valid_until: '2026-12-14',
        },
      });
      const money = (cents: number) => ({ cents, currency: 'USD' });
      expect(evidenceOf(first)).toEqual({ references: [id, 'YM-400'], amounts: [money(4500), money(90000), money(90000), money(81000), money(9000)], dates: ['2026-12-14'] });

      const quotes = await tools.database.db.getRepository(Quote).findBy({ chatId: chat });
      expect(quotes).toEqual([expect.objectContaining({ id, status: 'open', discountPercent: 10, totalCents: 81000, lines: [{ sku: 'YM-400', name: 'Non-slip yoga mat', quantity: 20, priceCents: 4500 }] })]);
      expect(await tools.database.db.getRepository(ToolCallRecord).countBy({ key: keyOf(call) })).toBe(1);
    });

    it('reads products by SKU, English or Spanish name and plain words, adding up a product named twice', async () => {
      const outcome = await callTool(
        input({
          name: 'price_quote',
          arguments: { items: [{ product: 'ym-400', quantity: 5 }, { product: 'Esterilla de yoga antideslizante', quantity: 5 }, { product: 'foam roller', quantity: 2 }] },
        }),
      );
      expect(outcome.status).toBe('done');
      const { quote } = parsed(outcome);
      // 12 units: 5% off $520.00.
      expect(quote.lines).toEqual([
        { sku: 'YM-400', name: 'Non-slip yoga mat', quantity: 10, unit_price_cents: 4500, line_total_cents: 45000 },
        { sku: 'FR-200', name: 'High-density foam roller', quantity: 2, unit_price_cents: 3500, line_total_cents: 7000 },
      ]);
      expect(quote).toMatchObject({ subtotal_cents: 52000, discount_percent: 5, discount_cents: 2600, total_cents: 49400 });

      const small = await callTool(input({ name: 'price_quote', arguments: { items: [{ product: 'GC-600', quantity: 2 }] } }, { language: 'es' }));
      const id = parsed(small).quote.quote_id;
      // No discount under 10 units: no discount amount to claim either.
      expect(evidenceOf(small).amounts).toEqual([{ cents: 5000, currency: 'USD' }, { cents: 10000, currency: 'USD' }, { cents: 10000, currency: 'USD' }, { cents: 10000, currency: 'USD' }]);
      expect(small).toMatchObject({ confirmation: expect.stringMatching(new RegExp(`^Presupuesto ${id}: 2 × Wellness gift card \\(50,00\\sUS\\$\\)\\. Total 100,00\\sUS\\$, válido hasta el 14 de diciembre\\.$`)) });
    });

    it('records nothing when a line names no single product, offering the candidates', async () => {
      const chat = newChat();
      const vague = await callTool(input({ name: 'price_quote', arguments: { items: [{ product: 'YM-400', quantity: 1 }, { product: 'pulse', quantity: 3 }] } }, { chatId: chat }));
      expect(vague).toMatchObject({ status: 'failed', error: 'no single product matches "pulse"', summary: 'price_quote: 1 × YM-400, 3 × pulse → failed: no single product matches "pulse"' });
      const { candidates, hint } = parsed(vague);
      expect(candidates.map((c: { sku: string }) => c.sku).sort()).toEqual(['MG-100', 'PB-500']);
      expect(hint).toBe('use the SKU from search_products');
      const unknown = await callTool(input({ name: 'price_quote', arguments: { items: [{ product: 'submarine', quantity: 1 }] } }, { chatId: chat }));
      expect(unknown).toMatchObject({ status: 'failed', error: 'no single product matches "submarine"' });
      expect(parsed(unknown).candidates).toEqual([]);
      expect(await tools.database.db.getRepository(Quote).countBy({ chatId: chat })).toBe(0);

      for (const [args, field] of [
        [{ items: [] }, /^items: /],
        [{ items: [{ product: 'YM-400', quantity: 0 }] }, /^items\.0\.quantity: /],
        [{ items: [{ product: 'YM-400', quantity: 1.5 }] }, /^items\.0\.quantity: /],
        [{ items: [{ product: 'YM-400', quantity: 1, price: 1 }] }, /^items\.0\.price: unknown field$/],
      ] as Array<[unknown, RegExp]>) {
        expect(await callTool(input({ name: 'price_quote', arguments: args }, { chatId: chat }))).toMatchObject({ status: 'invalid', error: expect.stringMatching(field) });
      }
      expect(await tools.database.db.getRepository(Quote).countBy({ chatId: chat })).toBe(0);
    });
  });

  describe('accept_quote', () => {
    async function quoteFor(chatId: string): Promise<string> {
      const outcome = await callTool(input({ name: 'price_quote', arguments: { items: [{ product: 'RB-410', quantity: 10 }] } }, { chatId }));
      return parsed(outcome).quote.quote_id;
    }

    it('accepts an open quote of the chat once; accepting it again changes nothing', async () => {
      const chat = newChat();
      const id = await quoteFor(chat);
      const call = input({ name: 'accept_quote', arguments: { quote_id: id } }, { chatId: chat, receivedAt: '2026-12-01T09:30:00Z' });
      const first = await callTool(call);
      expect(await callTool(call)).toEqual(first);
      expect(first).toMatchObject({
        status: 'done',
        effect: true,
        summary: `accept_quote: ${id} → accepted`,
        facts: { quoteId: id, accepted: true, totalCents: 23750 },
        confirmation: `Thank you! Quote ${id} is accepted (total $237.50). We'll email you the invoice and the delivery date within one business day.`,
      });
      expect(parsed(first).quote).toMatchObject({ quote_id: id, status: 'accepted', total_cents: 23750, discount_percent: 5 });
      const stored = await tools.database.db.getRepository(Quote).findOneByOrFail({ id });
      expect(stored.status).toBe('accepted');
      expect(new Date(stored.acceptedAt!).toISOString()).toBe('2026-12-01T09:30:00.000Z');

      // The customer says "yes" again later (a new call): already accepted, nothing changes.
      const twice = await callTool(input({ name: 'accept_quote', arguments: { quote_id: id } }, { chatId: chat, receivedAt: '2026-12-20T10:00:00Z' }));
      expect(twice).toMatchObject({ status: 'done', effect: false, summary: `accept_quote: ${id} → already accepted` });
      expect(new Date((await tools.database.db.getRepository(Quote).findOneByOrFail({ id })).acceptedAt!).toISOString()).toBe('2026-12-01T09:30:00.000Z');
    });

    it("accepts a quote until its last day, not after, and never another chat's", async () => {
      const chat = newChat();
      const id = await quoteFor(chat);
      const late = await callTool(input({ name: 'accept_quote', arguments: { quote_id: id } }, { chatId: chat, receivedAt: '2026-12-14T08:01:00Z' }));
      expect(late).toMatchObject({ status: 'failed', error: `quote ${id} expired on 2026-12-14` });
      expect(parsed(late).hint).toBe('price a new quote with price_quote');

      const foreign = await callTool(input({ name: 'accept_quote', arguments: { quote_id: id } }));
      expect(foreign).toMatchObject({ status: 'failed', error: `no quote ${id} for this chat` });
      expect((await tools.database.db.getRepository(Quote).findOneByOrFail({ id })).status).toBe('open');

      const onTime = await callTool(input({ name: 'accept_quote', arguments: { quote_id: id } }, { chatId: chat, receivedAt: '2026-12-14T07:59:00Z' }));
      expect(onTime).toMatchObject({ status: 'done', effect: true });
      expect((await tools.database.db.getRepository(Quote).findOneByOrFail({ id })).status).toBe('accepted');

      expect(await callTool(input({ name: 'accept_quote', arguments: { quote_id: 'Q-123' } }, { chatId: chat }))).toMatchObject({
        status: 'invalid',
        error: 'quote_id: expected a quote number such as Q-1A2B3C4D',
      });
      expect(await callTool(input({ name: 'accept_quote', arguments: { quote_id: 'Q-00000000' } }, { chatId: chat }))).toMatchObject({ status: 'failed', error: 'no quote Q-00000000 for this chat' });
    });
  });

  describe('list_my_purchases and reserve_product', () => {
    it("lists what the chat bought, newest first, and nothing of other chats'", async () => {
      const outcome = await callTool(input({ name: 'list_my_purchases', arguments: {} }, { agent: 'recommendation', chatId: DEMO_CHAT_EN }));
      expect(outcome).toMatchObject({ status: 'done', effect: false, summary: 'list_my_purchases: this chat → 4 items' });
      expect(parsed(outcome).purchases).toEqual([
        { sku: 'PB-500', name: 'Pulse Band fitness tracker', quantity: 1, unit_price_cents: 8900, currency: 'USD', order_number: 'ORD-1234', ordered_on: '2026-11-30', order_status: 'processing' },
        { sku: 'MG-100', name: 'Pulse massage gun', quantity: 1, unit_price_cents: 12900, currency: 'USD', order_number: '45821', ordered_on: '2026-11-27', order_status: 'shipped' },
        { sku: 'YM-400', name: 'Non-slip yoga mat', quantity: 1, unit_price_cents: 4500, currency: 'USD', order_number: '45790', ordered_on: '2026-11-16', order_status: 'delivered' },
        { sku: 'RB-410', name: 'Resistance bands set', quantity: 1, unit_price_cents: 2500, currency: 'USD', order_number: '45790', ordered_on: '2026-11-16', order_status: 'delivered' },
      ]);
      expect(outcome.content).not.toContain('SS-510'); // the Spanish demo chat's
      expect(evidenceOf(outcome)).toMatchObject({
        references: ['ORD-1234', 'PB-500', '45821', 'MG-100', '45790', 'YM-400', 'RB-410'],
        dates: ['2026-11-30', '2026-11-27', '2026-11-16'],
        orderStatuses: ['processing', 'shipped', 'delivered'],
      });

      const none = await callTool(input({ name: 'list_my_purchases', arguments: {} }, { agent: 'recommendation' }));
      expect(none).toMatchObject({ status: 'done', summary: 'list_my_purchases: this chat → 0 items' });
      expect(none).toHaveProperty('evidence', {});
      expect(parsed(none)).toEqual({ purchases: [], note: 'no purchases for this chat' });
      // The quote agent does not read purchase history.
      expect(await callTool(input({ name: 'list_my_purchases', arguments: {} }, { chatId: DEMO_CHAT_EN }))).toMatchObject({ status: 'invalid', error: 'list_my_purchases is not a tool of the quote agent' });
    });

    it('holds one unit at the shop once per call, and the reservation becomes one of the chat\'s purchases', async () => {
      const chat = newChat();
      const call = input({ name: 'reserve_product', arguments: { sku: ' yb-420 ' } }, { agent: 'recommendation', chatId: chat });
      const first = await callTool(call);
      const again = await Promise.all([callTool(call), callTool(call)]);
      for (const o of again) expect(o).toEqual(first);

      const reference = derivedNumber('RES-', keyOf(call));
      expect(first).toMatchObject({
        status: 'done',
        effect: true,
        summary: `reserve_product: YB-420 → ${reference}`,
        evidence: { references: [reference, 'YB-420'], amounts: [{ cents: 1900, currency: 'USD' }], orderStatuses: ['reserved'] },
        facts: { action: 'reserved', orderId: reference, sku: 'YB-420' },
        confirmation: `Done: I've reserved the Yoga block pair ($19.00) for you, reference ${reference}. It is held at the shop, 12 Harbour Road, for 48 hours; you can pay when you pick it up.`,
      });
      expect(parsed(first)).toEqual({ reservation: { reference, sku: 'YB-420', name: 'Yoga block pair', price_cents: 1900, currency: 'USD', status: 'reserved', held_for_hours: 48 } });
      const orders = await tools.database.db.getRepository(Order).findBy({ chatId: chat });
      expect(orders).toEqual([expect.objectContaining({ id: reference, status: 'reserved', totalCents: 1900, items: [{ sku: 'YB-420', name: 'Yoga block pair', quantity: 1, priceCents: 1900 }] })]);
      expect(new Date(orders[0].orderedAt).toISOString()).toBe(new Date(NOW).toISOString());

      const purchases = await callTool(input({ name: 'list_my_purchases', arguments: {} }, { agent: 'recommendation', chatId: chat }));
      expect(parsed(purchases).purchases).toEqual([expect.objectContaining({ sku: 'YB-420', order_number: reference, order_status: 'reserved' })]);

      const spanish = await callTool(input({ name: 'reserve_product', arguments: { sku: 'YB-420' } }, { agent: 'recommendation', chatId: chat, language: 'es' }));
      expect(parsed(spanish).reservation.name).toBe('Par de bloques de yoga');
      expect(spanish).toMatchObject({ confirmation: expect.stringMatching(/^Reserva hecha: Par de bloques de yoga \(19,00\sUS\$\), referencia RES-\d{8}\./) });
      expect(await tools.database.db.getRepository(Order).countBy({ chatId: chat })).toBe(2);
    });

    it('reserves nothing for an unknown SKU or a product that is sold out', async () => {
      const chat = newChat();
      const unknown = await callTool(input({ name: 'reserve_product', arguments: { sku: 'zz-999' } }, { agent: 'recommendation', chatId: chat }));
      expect(unknown).toMatchObject({ status: 'failed', error: 'no product with SKU ZZ-999' });
      expect(parsed(unknown).hint).toBe('find it with search_products');

      await tools.database.db.getRepository(Product).update({ sku: 'KB-430' }, { stock: 0 });
      const soldOut = await callTool(input({ name: 'reserve_product', arguments: { sku: 'KB-430' } }, { agent: 'recommendation', chatId: chat }));
      expect(soldOut).toMatchObject({ status: 'failed', error: 'KB-430 is out of stock', summary: 'reserve_product: KB-430 → failed: KB-430 is out of stock' });
      expect(parsed(soldOut).message).toBe('Sorry, that product is out of stock right now. Would you like another suggestion?');
      expect(await tools.database.db.getRepository(Order).countBy({ chatId: chat })).toBe(0);
      // Only the recommendation agent holds products.
      expect(await callTool(input({ name: 'reserve_product', arguments: { sku: 'YB-420' } }, { chatId: chat }))).toMatchObject({ status: 'invalid', error: 'reserve_product is not a tool of the quote agent' });
      expect(await tools.database.db.getRepository(Order).countBy({ chatId: chat })).toBe(0);
    });
  });
});
