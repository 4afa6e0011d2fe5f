import { createCatalogAgents } from '../../src/activities/agents/catalog-agents';
import type { AgentInput } from '../../src/contracts';
import { Order, Product, Quote } from '../../src/persistence';
import { CATALOG } from '../../src/persistence/seed/catalog';
import { seedDemoData } from '../../src/persistence/seed/demo-data';
import { Dialogue, NOW, raced } from '../helpers/agent-dialogue';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../helpers/database';

/** "35,00 US$" is written with a no-break space. */
const SP = '\\s';

/**
 * Quotes and recommendations over the demo catalog: volume discounts, retried and raced
 * turns, quotes that are gone or accepted twice, products sold out between the suggestion
 * and the pick, wishes nothing in the catalog fits, and questions about a suggested product.
 */
describe.each(databaseKinds())('catalog agents on %s', (kind) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await seedDemoData(database.db, new Date(NOW));
  });
  afterAll(async () => {
    await database?.close();
  });
  // Tests that sell products out put the catalog's stock back.
  afterEach(async () => {
    for (const product of CATALOG) await database.db.getRepository(Product).update({ sku: product.sku }, { stock: product.stock });
  });

  const agents = () => createCatalogAgents(database.db);
  const quoteChat = () => new Dialogue('quote', agents().quoteAgent, 'quote_request');
  const recommendationChat = () => new Dialogue('recommendation', agents().recommendationAgent, 'product_recommendation');

  describe('quotes', () => {
    it('prices small orders without a discount and large ones with 5% or 15% off (English and Spanish)', async () => {
      const two = await quoteChat().say('Can I get a quote for 2 yoga mats?');
      expect(two.outcome.text).toMatch(/^Quote Q-[0-9A-F]{8}: 2 × Non-slip yoga mat \(\$45\.00\)\. Total \$90\.00, valid until 14 December\. Reply "accept" to go ahead/);
      expect(two.outcome.facts).toMatchObject({ quoted: true, totalCents: 9000, discountPercent: 0 });

      const one = await quoteChat().say('I would like a quote for a foam roller');
      expect(one.outcome.text).toMatch(/: 1 × High-density foam roller \(\$35\.00\)\. Total \$35\.00, valid/);

      const fifty = await quoteChat().say('Quote for 50 resistance band sets please');
      expect(fifty.outcome.text).toMatch(/: 50 × Resistance bands set \(\$25\.00\)\. Total \$1,062\.50 including a 15% volume discount, valid until 14 December\./);

      const diez = await quoteChat().say('Quiero un presupuesto de 10 rodillos de espuma');
      expect(diez.outcome.text).toMatch(
        new RegExp(`^Presupuesto Q-[0-9A-F]{8}: 10 × High-density foam roller \\(35,00${SP}US\\$\\)\\. Total 332,50${SP}US\\$ con un 5% de descuento por volumen, válido hasta el 14 de diciembre\\. Responde "acepto" para seguir`),
      );
      const stored = await database.db.getRepository(Quote).findOneByOrFail({ id: diez.outcome.facts.quoteId as string });
      expect(stored).toMatchObject({ discountPercent: 5, totalCents: 33250, status: 'open', lines: [{ sku: 'FR-200', quantity: 10, priceCents: 3500 }] });
    });

    it('prices one quote however often the quoting turn is retried, even while the first attempt runs', async () => {
      const agent = agents().quoteAgent;
      const chat = new Dialogue('quote', agent, 'quote_request');
      const first = await chat.say('Quote for 20 yoga mats please');
      const retried = await agent(first.input);
      expect(retried.text).toBe(first.outcome.text);

      const racing = new Dialogue('quote', agent, 'quote_request');
      const turn = await racing.say('Quote for 30 yoga blocks pairs please', { workflowId: 'msg:whatsapp:quote-race-warmup' });
      const input: AgentInput = { ...turn.input, workflowId: `msg:whatsapp:quote-race-${kind}` };
      const [a, b] = await raced(agent, input);
      expect(a.facts).toEqual(b.facts);
      expect(await database.db.getRepository(Quote).countBy({ workflowId: input.workflowId })).toBe(1);
      expect(await database.db.getRepository(Quote).countBy({ workflowId: first.workflowId })).toBe(1);
    });

    it('closes on a no when asked which products, without a quote (English and Spanish)', async () => {
      const chat = quoteChat();
      const ask = await chat.say('I need a quote');
      expect(ask.outcome.awaiting).toEqual({ kind: 'products' });
      const no = await chat.say('no');
      expect(no.outcome).toMatchObject({ text: 'No problem. Write to us whenever you would like a quote.', facts: { quoted: false, declined: true } });
      expect(no.outcome.awaiting).toBeUndefined();
      expect(await database.db.getRepository(Quote).countBy({ chatId: chat.chatId })).toBe(0);

      const es = quoteChat();
      await es.say('Necesito un presupuesto');
      const nada = await es.say('no gracias');
      expect(nada.outcome.text).toBe('Sin problema. Escríbenos cuando quieras un presupuesto.');
    });

    it('prices the products named in answer once when that turn is retried', async () => {
      const agent = agents().quoteAgent;
      const chat = new Dialogue('quote', agent, 'quote_request');
      await chat.say('I need a quote');
      const answer = await chat.say('20 yoga mats and 20 resistance band sets');
      expect(answer.outcome.text).toMatch(/: 20 × Non-slip yoga mat \(\$45\.00\), 20 × Resistance bands set \(\$25\.00\)\. Total \$1,260\.00 including a 10% volume discount/);
      const retried = await agent(answer.input);
      expect(retried.facts).toEqual(answer.outcome.facts);
      expect(await database.db.getRepository(Quote).countBy({ chatId: chat.chatId })).toBe(1);
    });

    it('keeps the first acceptance when the same quote is accepted again', async () => {
      const agent = agents().quoteAgent;
      const chat = new Dialogue('quote', agent, 'quote_request');
      const quote = await chat.say('Quote for 12 foam rollers please');
      const accept = await chat.say('accept', { receivedAt: '2026-11-30T09:00:00Z' });
      expect(accept.outcome.text).toBe(`Thank you! Quote ${quote.outcome.facts.quoteId} is accepted (total $399.00). We'll email you the invoice and the delivery date within one business day.`);
      // The same "yes" arriving again an hour later (another device, a redelivery with a new id).
      const again = await agent({ ...accept.input, workflowId: 'msg:whatsapp:second-yes', receivedAt: '2026-11-30T10:00:00Z' });
      expect(again.facts).toMatchObject({ accepted: true, acceptedAt: '2026-11-30T09:00:00.000Z' });
      const stored = await database.db.getRepository(Quote).findOneByOrFail({ id: quote.outcome.facts.quoteId as string });
      expect(stored.status).toBe('accepted');
      expect(new Date(stored.acceptedAt!).toISOString()).toBe('2026-11-30T09:00:00.000Z');
    });

    it('offers a new quote when the one accepted is gone, and says little on a no to a quote that is gone (English and Spanish)', async () => {
      const chat = quoteChat();
      const quote = await chat.say('Quote for 12 foam rollers please');
      await database.db.getRepository(Quote).delete({ id: quote.outcome.facts.quoteId as string });
      const accept = await chat.say('accept');
      expect(accept.outcome.text).toBe(`I couldn't find quote ${quote.outcome.facts.quoteId} any more. Tell me what you need and I will prepare a new one.`);
      expect(accept.outcome.awaiting).toEqual({ kind: 'products' });
      const fresh = await chat.say('5 yoga mats');
      expect(fresh.outcome.facts).toMatchObject({ quoted: true, totalCents: 22500 });

      const es = quoteChat();
      const presupuesto = await es.say('Quiero un presupuesto de 10 rodillos de espuma');
      await database.db.getRepository(Quote).delete({ id: presupuesto.outcome.facts.quoteId as string });
      const acepto = await es.say('acepto');
      expect(acepto.outcome.text).toBe(`Ya no encuentro el presupuesto ${presupuesto.outcome.facts.quoteId}. Dime qué necesitas y preparo uno nuevo.`);

      const gone = quoteChat();
      const q = await gone.say('Quote for 12 foam rollers please');
      await database.db.getRepository(Quote).delete({ id: q.outcome.facts.quoteId as string });
      const no = await gone.say('no thanks');
      expect(no.outcome).toMatchObject({ text: 'No problem.', facts: { quoteId: q.outcome.facts.quoteId, accepted: false } });
    });
  });

  describe('recommendations', () => {
    it('apologises when the product picked sold out since it was suggested, and reserves nothing (English and Spanish)', async () => {
      const chat = recommendationChat();
      await chat.say('What do you recommend for recovery?');
      await database.db.getRepository(Product).update({ sku: 'MG-100' }, { stock: 0 });
      const gun = await chat.say('the massage gun');
      expect(gun.outcome).toMatchObject({ text: 'Sorry, that product is out of stock right now. Would you like another suggestion?', facts: { action: 'out_of_stock', sku: 'MG-100' } });
      expect(await database.db.getRepository(Order).countBy({ chatId: chat.chatId })).toBe(0);

      const es = recommendationChat();
      await es.say('¿Qué me recomiendas para la espalda?');
      await database.db.getRepository(Product).update({ sku: 'PC-300' }, { stock: 0 });
      const primera = await es.say('la primera');
      expect(primera.outcome.text).toBe('Lo siento, ese producto está agotado ahora mismo. ¿Quieres otra sugerencia?');
    });

    it('reserves once when the reserving turn races its retry', async () => {
      const agent = agents().recommendationAgent;
      const chat = new Dialogue('recommendation', agent, 'product_recommendation');
      await chat.say('What do you recommend for recovery?');
      const pick = await chat.say('the foam roller', { workflowId: 'msg:whatsapp:reserve-warmup' });
      const input: AgentInput = { ...pick.input, workflowId: `msg:whatsapp:reserve-race-${kind}` };
      const [a, b] = await raced(agent, input);
      expect(a.facts).toMatchObject({ action: 'reserved', sku: 'FR-200' });
      expect(b.facts).toEqual(a.facts);
      expect(await database.db.getRepository(Order).countBy({ id: a.facts.orderId as string })).toBe(1);
    });

    it('asks what it is for when nothing fits, and hands over to a person with the starting price when the answer fits nothing either (English and Spanish)', async () => {
      const chat = recommendationChat();
      const ask = await chat.say('Can you recommend a gift under $10?');
      expect(ask.outcome.text).toMatch(/^Tell me a little about what it is for/);
      expect(ask.outcome.awaiting).toEqual({ kind: 'details', context: { original: 'Can you recommend a gift under $10?' } });
      // The budget of the first message still holds for the answer.
      const yoga = await chat.say('she does yoga');
      expect(yoga.outcome.text).toBe("I couldn't find a product that fits that (our products start at $18.00). A member of our team can help you choose: just reply here.");
      expect(yoga.outcome.facts).toEqual({ recommended: [] });
      expect(yoga.outcome.awaiting).toBeUndefined();

      const es = recommendationChat();
      await es.say('¿Me recomiendas un regalo de menos de 10 dólares?');
      const nada = await es.say('le gusta el yoga');
      expect(nada.outcome.text).toMatch(new RegExp(`^No encontré un producto que encaje \\(nuestros productos empiezan en 18,00${SP}US\\$\\)\\. Una persona del equipo puede ayudarte a elegir: responde aquí\\.$`));
    });

    it('suggests again within the first budget when the answer fits something', async () => {
      const chat = recommendationChat();
      await chat.say('Can you recommend a gift under $40?');
      const back = await chat.say('something for back pain');
      expect(back.outcome.text).toMatch(/^My suggestions: Hot and cold gel pack \(\$18\.00\); High-density foam roller \(\$35\.00\); Posture corrector \(\$35\.00\)\. Want me to reserve one for you\?$/);
      expect(back.outcome.facts.recommended).toEqual(['HC-210', 'FR-200', 'PC-300']);
      expect(back.outcome.awaiting).toMatchObject({ kind: 'choice' });
    });

    it('names no starting price when everything is sold out', async () => {
      const chat = recommendationChat();
      await database.db.getRepository(Product).createQueryBuilder().update().set({ stock: 0 }).execute();
      const ask = await chat.say('What do you recommend?');
      expect(ask.outcome.awaiting).toMatchObject({ kind: 'details' });
      const answer = await chat.say('something for my knee');
      expect(answer.outcome.text).toBe("I couldn't find a product that fits that. A member of our team can help you choose: just reply here.");
    });

    it('suggests again for new wishes given instead of a pick, and asks which one when nothing new fits', async () => {
      const chat = recommendationChat();
      const first = await chat.say('What do you recommend for recovery?');
      expect(first.outcome.facts.recommended).toEqual(['HC-210', 'FR-200', 'MG-100']);
      const back = await chat.say('something for my back instead');
      expect(back.reading).toEqual({ kind: 'text' });
      expect(back.outcome.text).toBe('My suggestions: High-density foam roller ($35.00); Posture corrector ($35.00); Lumbar support cushion ($39.00). Want me to reserve one for you?');
      expect(back.outcome.facts.recommended).toEqual(['FR-200', 'PC-300', 'LS-320']);
      expect(back.outcome.awaiting?.options?.map((o) => o.value)).toEqual(back.outcome.facts.recommended);

      const cheap = recommendationChat();
      await cheap.say('What do you recommend for recovery?');
      const other = await cheap.say('something else?');
      expect(other.reading).toEqual({ kind: 'text' });
      expect(other.outcome.text).toBe('Which one would you like me to reserve? 1) Hot and cold gel pack ($18.00) 2) High-density foam roller ($35.00) 3) Pulse massage gun ($129.00)');
      expect(other.outcome.facts).toMatchObject({ action: 'asked_again' });
    });

    it('suggests within a budget given instead of a pick, and asks which one when nothing fits it', async () => {
      const chat = recommendationChat();
      await chat.say('What do you recommend for recovery?');
      // A number reads as no pick; the turn gives the words to the agent, whose business they are.
      const forty = await chat.say('anything for my back up to $40?', { readAs: { kind: 'text' } });
      expect(forty.outcome.text).toBe('My suggestions: High-density foam roller ($35.00); Posture corrector ($35.00); Lumbar support cushion ($39.00). Want me to reserve one for you?');

      const cheap = recommendationChat();
      await cheap.say('What do you recommend for recovery?');
      const five = await cheap.say('anything under $5?', { readAs: { kind: 'text' } });
      expect(five.outcome.text).toBe('Which one would you like me to reserve? 1) Hot and cold gel pack ($18.00) 2) High-density foam roller ($35.00) 3) Pulse massage gun ($129.00)');
    });

    it('chooses suggestions to go with what the customer already bought', async () => {
      const history = recommendationChat();
      const chatId = history.chatId;
      await database.db.getRepository(Order).insert({
        id: `H-${chatId.slice(0, 6)}`, chatId, status: 'delivered', items: [{ sku: 'YM-400', name: 'Non-slip yoga mat', quantity: 1, priceCents: 4500 }], totalCents: 4500, currency: 'USD',
        carrier: 'DHL', trackingNumber: 'JD1', orderedAt: new Date('2026-11-01T10:00:00Z'), shippedAt: new Date('2026-11-02T10:00:00Z'), deliveredAt: new Date('2026-11-04T10:00:00Z'), estimatedDelivery: null,
      });
      // The block and the bands share the mat's tags; the rest follow by price.
      const picks = await history.say('What else would you recommend?');
      expect(picks.outcome.text).toBe('My suggestions chosen to go with what you already have: Yoga block pair ($19.00); Resistance bands set ($25.00); Hot and cold gel pack ($18.00). Want me to reserve one for you?');
      expect(picks.outcome.facts).toEqual({ recommended: ['YB-420', 'RB-410', 'HC-210'], basedOnPurchases: ['YM-400'] });
    });

    it('answers a question about a suggested product instead of reserving it (English and Spanish)', async () => {
      const chat = recommendationChat();
      await chat.say('What do you recommend for recovery?');
      const price = await chat.say('how much is the foam roller?');
      expect(price.reading).toEqual({ kind: 'text' });
      expect(price.outcome.text).toBe('The High-density foam roller costs $35.00: Foam roller for myofascial release. Want me to reserve it?');
      expect(price.outcome.facts).toMatchObject({ action: 'described', sku: 'FR-200' });
      expect(await database.db.getRepository(Order).countBy({ chatId: chat.chatId })).toBe(0);
      // A yes now reserves the product asked about.
      const yes = await chat.say('yes please');
      expect(yes.outcome.facts).toMatchObject({ action: 'reserved', sku: 'FR-200' });

      // Without a question mark too.
      const mat = recommendationChat();
      await mat.say('What do you recommend for recovery?');
      const gun = await mat.say('what does the pulse massage gun do');
      expect(gun.outcome.text).toBe('The Pulse massage gun costs $129.00: Percussion massage gun with 4 interchangeable heads. Want me to reserve it?');

      const es = recommendationChat();
      await es.say('¿Qué me recomiendas para la recuperación?');
      const cuanto = await es.say('¿cuánto cuesta el rodillo de espuma?');
      expect(cuanto.outcome.text).toMatch(new RegExp(`^Rodillo de espuma de alta densidad cuesta 35,00${SP}US\\$\\. ¿Quieres que te haga la reserva\\?$`));
      expect(await database.db.getRepository(Order).countBy({ chatId: es.chatId })).toBe(0);
    });
  });
});
