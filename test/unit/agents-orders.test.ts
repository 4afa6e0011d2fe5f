import { DateTime } from 'luxon';
import { createOrderAgents } from '../../src/activities/agents/order-agents';
import type { AgentInput } from '../../src/contracts';
import { Order, ReturnRequest } from '../../src/persistence';
import type { OrderLine } from '../../src/persistence/entities/order.entity';
import { CATALOG } from '../../src/persistence/seed/catalog';
import { seedDemoData } from '../../src/persistence/seed/demo-data';
import { Dialogue, NOW, newChatId, raced } from '../helpers/agent-dialogue';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../helpers/database';

/**
 * Order status and returns on orders each test places for a chat of its own: answers
 * without a number, numbers of other chats, cancelling or keeping an order not delivered
 * yet, warranty claims past the return window, cancelled orders, retried and raced turns.
 * "Now" is Monday 30 November 2026, 08:00 UTC.
 */
describe.each(databaseKinds())('order agents on %s', (kind) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await seedDemoData(database.db, new Date(NOW));
  });
  afterAll(async () => {
    await database?.close();
  });

  const agents = () => createOrderAgents(database.db);
  const now = DateTime.fromISO(NOW);

  function line(sku: string, quantity = 1): OrderLine {
    const product = CATALOG.find((p) => p.sku === sku);
    return product ? { sku, name: product.name, quantity, priceCents: product.priceCents } : { sku, name: 'Steel water bottle', quantity, priceCents: 1500 };
  }

  // Numbers the demo orders (45821, 45790, 45900, 45955) do not use.
  let nextOrder = 60_000;

  /** An order of the chat's; ordered `orderedDaysAgo` days ago, shipped a day and delivered three days after that. */
  async function place(chatId: string, status: Order['status'], skus: string[], orderedDaysAgo: number): Promise<string> {
    nextOrder += 1;
    const id = String(nextOrder);
    const items = skus.map((sku) => line(sku));
    await database.db.getRepository(Order).insert({
      id,
      chatId,
      status,
      items,
      totalCents: items.reduce((n, i) => n + i.priceCents, 0),
      currency: 'USD',
      carrier: status === 'shipped' || status === 'delivered' ? 'DHL' : null,
      trackingNumber: status === 'shipped' || status === 'delivered' ? `JD${id}` : null,
      orderedAt: now.minus({ days: orderedDaysAgo }).toJSDate(),
      shippedAt: status === 'shipped' || status === 'delivered' ? now.minus({ days: orderedDaysAgo - 1 }).toJSDate() : null,
      deliveredAt: status === 'delivered' ? now.minus({ days: orderedDaysAgo - 3 }).toJSDate() : null,
      estimatedDelivery: status === 'processing' || status === 'shipped' ? now.plus({ days: 3 }).toJSDate() : null,
    });
    return id;
  }

  const returnsChat = (chatId = newChatId()) => new Dialogue('returns', agents().returnsAgent, 'return_request', chatId);
  const returnsOf = (chatId: string) => database.db.getRepository(ReturnRequest).findBy({ chatId });

  describe('order status', () => {
    it('asks for the number again when the answer has none (English and Spanish)', async () => {
      const chat = new Dialogue('order', agents().orderAgent, 'order_status');
      const ask = await chat.say('Where is my order?');
      expect(ask.outcome.text).toBe("I couldn't find any order for this chat. What is your order number?");
      const hmm = await chat.say('hmm');
      expect(hmm.outcome).toMatchObject({ text: 'Sorry, I need the order number to look it up (for example 45821). You will find it in your confirmation email.', facts: { found: false, asked: null } });
      expect(hmm.outcome.awaiting).toEqual({ kind: 'order_number' });
      const id = await place(chat.chatId, 'processing', ['PB-500'], 1);
      const found = await chat.say(id);
      expect(found.outcome.text).toBe(`Order ${id} (1 × Pulse Band fitness tracker) is being prepared; we expect to deliver it by 3 December.`);

      const es = new Dialogue('order', agents().orderAgent, 'order_status');
      await es.say('¿Dónde está mi pedido?');
      const eh = await es.say('eh');
      expect(eh.outcome.text).toBe('Perdona, necesito el número de pedido para buscarlo (por ejemplo 45821). Lo encontrarás en tu correo de confirmación.');
    });
  });

  describe('returns', () => {
    it('opens one return however often the turn is retried, even while the first attempt runs', async () => {
      const chatId = newChatId();
      const id = await place(chatId, 'delivered', ['YM-400'], 10);
      const agent = agents().returnsAgent;
      const first = await new Dialogue('returns', agent, 'return_request', chatId).say(`I want to return order ${id}, it is too thin`);
      expect(first.outcome.text).toMatch(new RegExp(`^I've opened return RMA-[0-9A-F]{8} for order ${id} \\(refund\\)\\.`));
      const retried = await agent(first.input);
      expect(retried).toEqual(first.outcome);

      const second = await place(chatId, 'delivered', ['RB-410'], 5);
      const input: AgentInput = { ...first.input, body: `I want to exchange order ${second} for a different size`, workflowId: `msg:whatsapp:return-race-${kind}` };
      input.triage = { ...input.triage, entities: { ...input.triage.entities, orderNumbers: [second] } };
      const [a, b] = await raced(agent, input);
      expect(b.facts).toEqual(a.facts);
      expect(a.facts).toMatchObject({ orderId: second, eligible: true, kind: 'exchange' });
      expect((await returnsOf(chatId)).map((r) => [r.orderId, r.kind]).sort()).toEqual([
        [id, 'refund'],
        [second, 'exchange'],
      ].sort());
    });

    it('opens the return of the chat\'s only order without asking which', async () => {
      const chatId = newChatId();
      const id = await place(chatId, 'delivered', ['KB-430'], 7);
      const direct = await returnsChat(chatId).say('I want to return my purchase');
      expect(direct.outcome.facts).toMatchObject({ orderId: id, eligible: true, kind: 'refund' });
      expect(await returnsOf(chatId)).toEqual([expect.objectContaining({ orderId: id, reason: 'I want to return my purchase', status: 'requested' })]);
    });

    it('says a cancelled order has nothing to return (English and Spanish)', async () => {
      const chatId = newChatId();
      const id = await place(chatId, 'cancelled', ['MG-100'], 3);
      const cancelled = await returnsChat(chatId).say(`I want to return order ${id}`);
      expect(cancelled.outcome.text).toBe(`Order ${id} was cancelled, so there is nothing to return.`);
      expect(cancelled.outcome.facts).toEqual({ orderId: id, eligible: false, reason: 'cancelled' });
      expect(cancelled.outcome.awaiting).toBeUndefined();

      const es = await returnsChat(chatId).say(`Quiero devolver el pedido ${id}`);
      expect(es.outcome.text).toBe(`El pedido ${id} fue cancelado, así que no hay nada que devolver.`);
      expect(await returnsOf(chatId)).toEqual([]);
    });

    describe('an order not delivered yet', () => {
      async function offeredToCancel(chat: Dialogue, id: string, text: string) {
        const offer = await chat.say(text);
        expect(offer.outcome.awaiting).toEqual({ kind: 'confirm', context: { action: 'cancel_order', orderId: id } });
      }

      it('asks for a plain yes or no, and keeps the order on a no (English and Spanish)', async () => {
        const chatId = newChatId();
        const id = await place(chatId, 'processing', ['PB-500'], 1);
        const chat = returnsChat(chatId);
        await offeredToCancel(chat, id, `I want to return order ${id}`);
        const hmm = await chat.say('hmm');
        expect(hmm.outcome.text).toBe(`Shall I cancel order ${id}? Please reply yes or no.`);
        expect(hmm.outcome.awaiting).toEqual({ kind: 'confirm', context: { action: 'cancel_order', orderId: id } });
        const no = await chat.say('no, keep it');
        expect(no.outcome).toMatchObject({ text: `OK, order ${id} stays as it is.`, facts: { orderId: id, action: 'kept' } });
        expect(await database.db.getRepository(Order).findOneByOrFail({ id })).toMatchObject({ status: 'processing' });

        const es = returnsChat(chatId);
        await offeredToCancel(es, id, `Quiero devolver el pedido ${id}`);
        const mmm = await es.say('mmm');
        expect(mmm.outcome.text).toBe(`¿Cancelo el pedido ${id}? Responde sí o no.`);
        const mejorNo = await es.say('mejor no');
        expect(mejorNo.outcome.text).toBe(`De acuerdo, el pedido ${id} sigue como está.`);
      });
    });

    describe('past the return window', () => {
      it('asks what is wrong again for an empty answer, and closes on a no (English and Spanish)', async () => {
        const chatId = newChatId();
        const id = await place(chatId, 'delivered', ['BP-520'], 40);
        const chat = returnsChat(chatId);
        const late = await chat.say(`I want to return order ${id}`);
        expect(late.outcome.text).toMatch(new RegExp(`^Order ${id} was bought 40 days ago, past our 30-day return window\\.`));
        const blank = await chat.say('?');
        expect(blank.reading).toEqual({ kind: 'unclear' });
        expect(blank.outcome.text).toBe(`What is wrong with the item from order ${id}?`);
        expect(blank.outcome.awaiting).toEqual({ kind: 'details', context: { action: 'warranty', orderId: id } });
        const no = await chat.say('no');
        expect(no.outcome).toMatchObject({ text: 'No problem. If you notice a fault later, write to us: the 1-year warranty covers it.', facts: { orderId: id, action: 'declined' } });
        expect(await returnsOf(chatId)).toEqual([]);

        const es = returnsChat(chatId);
        await es.say(`Quiero devolver el pedido ${id}`);
        const vacio = await es.say('¿?');
        expect(vacio.outcome.text).toBe(`¿Qué le pasa al artículo del pedido ${id}?`);
        const nada = await es.say('no');
        expect(nada.outcome.text).toBe('Sin problema. Si notas algún fallo más adelante, escríbenos: la garantía de 1 año lo cubre.');
      });
    });

    describe('asking for the order number', () => {
      it('closes when the customer does not have it, and asks again, keeping the reason, when the answer has no number', async () => {
        const none = returnsChat();
        const ask = await none.say('I want to return my order, it arrived broken');
        expect(ask.outcome.text).toBe("I couldn't find any order for this chat. What is your order number?");
        expect(ask.outcome.awaiting).toEqual({ kind: 'order_number', context: { reason: 'I want to return my order, it arrived broken' } });
        const lost = await none.say("I don't have it");
        expect(lost.outcome).toMatchObject({ text: "No problem. You'll find the order number in your confirmation email; write to us when you have it.", facts: { declined: true } });

        const chatId = newChatId();
        const chat = returnsChat(chatId);
        await chat.say('I want to return my order, it arrived broken');
        const hmm = await chat.say('hmm');
        expect(hmm.outcome.text).toBe('Sorry, I need the order number to look it up (for example 45821). You will find it in your confirmation email.');
        expect(hmm.outcome.awaiting).toEqual({ kind: 'order_number', context: { reason: 'I want to return my order, it arrived broken' } });
        // Another chat's order is not found, and the question stays with its reason.
        const other = await chat.say('45821');
        expect(other.outcome.text).toBe("I couldn't find order 45821 for this chat. Could you check the number on your confirmation email?");
        expect(other.outcome.awaiting).toEqual({ kind: 'order_number', context: { reason: 'I want to return my order, it arrived broken' } });
        const id = await place(chatId, 'delivered', ['HC-210'], 8);
        const mine = await chat.say(id);
        expect(mine.outcome.facts).toMatchObject({ orderId: id, eligible: true });
        expect(await returnsOf(chatId)).toEqual([expect.objectContaining({ orderId: id, reason: 'I want to return my order, it arrived broken' })]);
      });
    });

    describe('asking which order', () => {
      it('closes on a no, takes an order number typed in answer, and refuses another chat\'s (English and Spanish)', async () => {
        const chatId = newChatId();
        const older = await place(chatId, 'delivered', ['YB-420'], 12);
        const newer = await place(chatId, 'delivered', ['SS-510'], 4);

        const no = returnsChat(chatId);
        const ask = await no.say('I want to return something');
        expect(ask.outcome.text).toBe(`Which order is it about? 1) ${newer} (1 × Smart body-composition scale) 2) ${older} (1 × Yoga block pair)`);
        const never = await no.say('none of them, never mind');
        expect(never.outcome).toMatchObject({ text: 'No problem. Write to us whenever you want to return something.', facts: { declined: true } });

        const typed = returnsChat(chatId);
        await typed.say('I want to return something');
        const theirs = await typed.say('it is order 45821');
        expect(theirs.outcome.text).toBe("I couldn't find order 45821 for this chat. Could you check the number on your confirmation email?");
        const mine = await typed.say(`sorry, order ${older}`);
        expect(mine.outcome.facts).toMatchObject({ orderId: older, eligible: true });
        // The question for the number keeps what the customer first said.
        expect(await returnsOf(chatId)).toEqual([expect.objectContaining({ orderId: older, reason: 'I want to return something — it is order 45821' })]);

        const es = returnsChat(chatId);
        await es.say('Quiero devolver algo');
        const nada = await es.say('ninguno');
        expect(nada.outcome.text).toBe('Sin problema. Escríbenos cuando quieras devolver algo.');
      });

      it('asks again with the orders numbered when the answer picks none, keeping the reason (English and Spanish)', async () => {
        const chatId = newChatId();
        const older = await place(chatId, 'delivered', ['PC-300'], 11);
        const newer = await place(chatId, 'delivered', ['EP-310'], 3);
        const chat = returnsChat(chatId);
        await chat.say('I want to return something, it does not fit');
        const hmm = await chat.say('hmm');
        expect(hmm.outcome.text).toBe(`Sorry, I didn't catch which one. Please reply with its number: 1) ${newer} (1 × Ergonomic memory-foam pillow) 2) ${older} (1 × Posture corrector)`);
        expect(hmm.outcome.awaiting).toMatchObject({ kind: 'choice', context: { reason: 'I want to return something, it does not fit' } });
        const two = await chat.say('2');
        expect(two.outcome.facts).toMatchObject({ orderId: older, eligible: true });
        expect(await returnsOf(chatId)).toEqual([expect.objectContaining({ orderId: older, reason: 'I want to return something, it does not fit — 2' })]);

        const es = returnsChat(chatId);
        await es.say('Quiero devolver algo');
        const eh = await es.say('eh');
        expect(eh.outcome.text).toBe(`Perdona, no entendí cuál. Responde con su número: 1) ${newer} (1 × Almohada ergonómica viscoelástica) 2) ${older} (1 × Corrector de postura)`);
      });

      it('labels an item no longer in the catalog by the name it was sold under (Spanish)', async () => {
        const chatId = newChatId();
        const bottle = await place(chatId, 'delivered', ['WB-900'], 6);
        const mat = await place(chatId, 'delivered', ['YM-400'], 9);
        const ask = await returnsChat(chatId).say('Quiero devolver algo');
        expect(ask.outcome.text).toBe(`¿De qué pedido se trata? 1) ${bottle} (1 × Steel water bottle) 2) ${mat} (1 × Esterilla de yoga antideslizante)`);
        expect(ask.outcome.awaiting?.options?.[0]).toMatchObject({ value: bottle, keywords: [] });
      });
    });
  });
});
