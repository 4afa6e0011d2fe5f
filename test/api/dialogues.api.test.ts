import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { Appointment, Customer, DocumentUpload, Lead, Order, Quote, Reminder } from '../../src/persistence';
import { eventually, getJson, postJson } from '../helpers/api';
import { useApiHarness } from '../helpers/harness';

/**
 * Dialogues that finish: every agent that asks a question gets the customer's answer in the
 * next message and completes its task, in English and Spanish, end to end (Nest over HTTP +
 * worker + dev server + SQLite with the demo shop). Each dialogue has a chat of its own.
 */
describe('dialogues through the API', () => {
  const h = useApiHarness({ name: 'api-dialogues', seed: true });
  const url = (path: string) => `${h.api.baseUrl}${path}`;
  const db = () => h.database.db;
  const newChat = (tag: string) => `${tag}-${randomUUID().slice(0, 8)}@c.us`;

  interface Turn {
    workflowId: string;
    reply: string;
    route: { agent: string; reason: string };
    triage: { intent: string; language: string };
    answer?: { question: string; agent: string; reading: string };
    pending?: { kind: string; agent: string; options?: Array<{ label: string }> };
  }

  /** The customer writes; the answer comes back once the turn is over. */
  async function say(chatId: string, body: string): Promise<Turn> {
    const posted = await postJson(url('/api/messages'), { chatId, id: `d-${randomUUID()}`, body, fromMe: false });
    expect(posted.status).toBe(202);
    const workflowId = posted.body.workflowId as string;
    const done = await eventually(() => getJson(url(`/api/messages/${encodeURIComponent(workflowId)}`)), (r) => r.body.status !== 'RUNNING', 30_000);
    expect(done.body).toMatchObject({ status: 'COMPLETED', step: 'completed' });
    return { workflowId, reply: done.body.reply.text, route: done.body.route, triage: done.body.triage, answer: done.body.answer, pending: done.body.pending };
  }

  async function order(chatId: string, id: string, status: Order['status'], daysAgo = 3) {
    const orderedAt = DateTime.now().minus({ days: daysAgo });
    await db().getRepository(Order).insert({
      id,
      chatId,
      status,
      items: [{ sku: 'YM-400', name: 'Yoga Mat', quantity: 1, priceCents: 4500 }],
      totalCents: 4500,
      currency: 'USD',
      carrier: status === 'processing' ? null : 'DHL',
      trackingNumber: status === 'processing' ? null : 'JD0146000099',
      orderedAt: orderedAt.toJSDate(),
      shippedAt: status === 'processing' ? null : orderedAt.plus({ days: 1 }).toJSDate(),
      deliveredAt: status === 'delivered' ? orderedAt.plus({ days: 2 }).toJSDate() : null,
      estimatedDelivery: orderedAt.plus({ days: 4 }).toJSDate(),
    });
  }

  /** The ISO start of the slot an offer listed at this position. */
  async function offeredSlot(chatId: string, index: number): Promise<string> {
    const chat = await getJson(url(`/api/conversations/${encodeURIComponent(chatId)}`));
    expect(chat.body.pending).toMatchObject({ kind: 'choice', agent: 'appointment' });
    return chat.body.pending.options[index].label as string;
  }

  async function bookedFor(chatId: string): Promise<Appointment[]> {
    return db().getRepository(Appointment).findBy({ chatId, status: 'booked' });
  }

  describe('appointments', () => {
    it('books the second offered time: "I need an appointment" → times → "the second one please" → booked, with a reference', async () => {
      const chatId = newChat('book-en');
      const offer = await say(chatId, 'I need an appointment');
      expect(offer.reply).toMatch(/Available times: .*Which one suits you\?/);
      expect(offer.pending).toMatchObject({ kind: 'choice', agent: 'appointment' });
      const second = offer.pending!.options![1].label;

      const booked = await say(chatId, 'the second one please');
      expect(booked.answer).toMatchObject({ question: 'choice', agent: 'appointment', reading: 'option' });
      expect(booked.route).toMatchObject({ agent: 'appointment', reason: 'answer' });
      expect(booked.reply).toMatch(/You're booked for a consultation on .*Booking reference [0-9A-F]{8}/);
      expect(booked.reply).toContain(second);
      expect(booked.pending).toBeUndefined();
      const rows = await bookedFor(chatId);
      expect(rows).toHaveLength(1);
      expect(rows[0].workflowId).toBe(booked.workflowId);

      const chat = await getJson(url(`/api/conversations/${encodeURIComponent(chatId)}`));
      expect(chat.body.messages.map((m: { direction: string }) => m.direction)).toEqual(['in', 'out', 'in', 'out']);
      expect(chat.body.pending).toBeNull();
    });

    it('reads a time among the offered ones: "09:00 works for me" books that slot', async () => {
      const chatId = newChat('book-time');
      const offer = await say(chatId, "Hi, I'd like to book an appointment please");
      const first = offer.pending!.options![0].label;
      expect(first).toMatch(/09:00$/);
      const booked = await say(chatId, '09:00 works for me');
      expect(booked.reply).toContain(first);
      expect(await bookedFor(chatId)).toHaveLength(1);
    });

    it('finishes a three-turn booking that changes day midway: another day → its times → "the 10am one"', async () => {
      const chatId = newChat('book-3');
      const offer = await say(chatId, 'Can I book an appointment?');
      expect(offer.pending).toMatchObject({ kind: 'choice' });
      const friday = await say(chatId, 'Do you have anything on Friday?');
      expect(friday.route).toMatchObject({ agent: 'appointment', reason: 'answer' });
      expect(friday.reply).toMatch(/Friday/);
      expect(friday.pending!.options!.every((o) => /^Friday/.test(o.label))).toBe(true);
      const booked = await say(chatId, 'the 10am one');
      expect(booked.reply).toMatch(/booked .*Friday .*10:00/);
      const rows = await bookedFor(chatId);
      expect(rows).toHaveLength(1);
      const start = DateTime.fromJSDate(new Date(rows[0].startsAt), { zone: 'UTC' });
      expect([start.weekday, start.toFormat('HH:mm')]).toEqual([5, '10:00']);
    });

    it('reserva en español: "Hola, quiero una cita" → horarios → "la primera" → reservada', async () => {
      const chatId = newChat('cita-es');
      const offer = await say(chatId, 'Hola, quiero una cita');
      expect(offer.reply).toMatch(/Horarios disponibles: .*¿Cuál te viene bien\?/);
      const first = await offeredSlot(chatId, 0);
      const booked = await say(chatId, 'la primera');
      expect(booked.triage.language).toBe('es');
      expect(booked.reply).toMatch(/Tu cita de consulta queda reservada para el .*Referencia [0-9A-F]{8}/);
      expect(booked.reply).toContain(first);
      expect(await bookedFor(chatId)).toHaveLength(1);
    });

    it('reserva a una hora ofrecida: "a las 10"', async () => {
      const chatId = newChat('cita-hora');
      const offer = await say(chatId, 'Necesito una cita para el lunes');
      // Other dialogues share the calendar: ask for an offered time on the hour, as "a las 10" does.
      const onTheHour = offer.pending!.options!.map((o) => o.label).find((l) => /, \d{2}:00$/.test(l))!;
      const hour = Number(onTheHour.slice(-5, -3));
      const booked = await say(chatId, `a las ${hour} por favor`);
      expect(booked.reply).toMatch(/queda reservada para el lunes/);
      expect(booked.reply).toContain(onTheHour);
      expect(await bookedFor(chatId)).toHaveLength(1);
    });

    it('offers to book when there is nothing to reschedule, and a yes goes on to the times ("sí" in Spanish too)', async () => {
      const en = newChat('resched-en');
      const asked = await say(en, 'I need to reschedule my appointment');
      expect(asked.reply).toMatch(/Would you like to book a new one\?/);
      expect(asked.pending).toMatchObject({ kind: 'confirm', agent: 'appointment' });
      const yes = await say(en, 'yes please');
      expect(yes.reply).toMatch(/Available times/);
      expect(yes.pending).toMatchObject({ kind: 'choice' });

      const es = newChat('resched-es');
      await say(es, 'Quiero cambiar mi cita');
      const si = await say(es, 'sí');
      expect(si.reply).toMatch(/Horarios disponibles/);
    });
  });

  describe('orders and returns', () => {
    it('looks up the number given after a wrong one (English)', async () => {
      const chatId = newChat('order-en');
      await order(chatId, '70001', 'shipped');
      const asked = await say(chatId, 'Where is my order #99999?');
      expect(asked.reply).toMatch(/couldn't find order 99999.*check the number/);
      expect(asked.pending).toMatchObject({ kind: 'order_number', agent: 'order' });
      const found = await say(chatId, "sorry, it's 70001");
      expect(found.reply).toMatch(/Order 70001 .*shipped .*DHL/);
    });

    it('pide el número y lo busca (español)', async () => {
      const chatId = newChat('pedido-es');
      await order(chatId, '70002', 'processing');
      await say(chatId, '¿Dónde está mi pedido 99998?');
      const found = await say(chatId, 'perdón, es el 70002');
      expect(found.triage.language).toBe('es');
      expect(found.reply).toMatch(/El pedido 70002 .*se está preparando/);
    });

    it('cancels an undelivered order the customer wanted to return, when they say yes (English and Spanish)', async () => {
      const en = newChat('return-en');
      await order(en, '70003', 'processing');
      const offer = await say(en, 'I want to return my order 70003');
      expect(offer.reply).toMatch(/hasn't been delivered yet.*cancel it before it ships/);
      expect(offer.pending).toMatchObject({ kind: 'confirm', agent: 'returns' });
      const done = await say(en, 'yes please cancel it');
      expect(done.route).toMatchObject({ agent: 'returns', reason: 'answer' });
      expect(done.reply).toMatch(/order 70003 is cancelled/);
      expect((await db().getRepository(Order).findOneByOrFail({ id: '70003' })).status).toBe('cancelled');

      const es = newChat('devolucion-es');
      await order(es, '70004', 'processing');
      await say(es, 'Quiero devolver mi pedido 70004');
      const cancelled = await say(es, 'sí, cancélalo');
      expect(cancelled.triage.language).toBe('es');
      expect((await db().getRepository(Order).findOneByOrFail({ id: '70004' })).status).toBe('cancelled');
    });

    it('keeps the order when the customer says no', async () => {
      const chatId = newChat('return-no');
      await order(chatId, '70005', 'processing');
      await say(chatId, 'I want to return my order 70005');
      const kept = await say(chatId, 'no, keep it');
      expect(kept.reply).toMatch(/order 70005 stays as it is/);
      expect((await db().getRepository(Order).findOneByOrFail({ id: '70005' })).status).toBe('processing');
    });
  });

  describe('quotes', () => {
    it('prices the products named in the answer, then records the acceptance (English)', async () => {
      const chatId = newChat('quote-en');
      const asked = await say(chatId, 'Can I get a quote please?');
      expect(asked.reply).toMatch(/Which products and how many of each\?/);
      const priced = await say(chatId, '20 yoga mats');
      expect(priced.reply).toMatch(/Quote Q-[0-9A-F]{8}: 20 × .*yoga mat.*Reply "accept"/i);
      expect(priced.pending).toMatchObject({ kind: 'confirm', agent: 'quote' });
      const accepted = await say(chatId, 'accept');
      expect(accepted.reply).toMatch(/Quote Q-[0-9A-F]{8} is accepted/);
      const quotes = await db().getRepository(Quote).findBy({ chatId });
      expect(quotes.map((q) => [q.status, q.lines[0].quantity])).toEqual([['accepted', 20]]);
    });

    it('presupuesto en español, aceptado con "acepto"', async () => {
      const chatId = newChat('presupuesto-es');
      const asked = await say(chatId, 'Quiero un presupuesto');
      expect(asked.reply).toMatch(/¿Qué productos y cuántas unidades/);
      const priced = await say(chatId, '20 esterillas de yoga y 10 bandas de resistencia');
      expect(priced.reply).toMatch(/Presupuesto Q-[0-9A-F]{8}/);
      await say(chatId, 'acepto');
      expect((await db().getRepository(Quote).findOneByOrFail({ chatId })).status).toBe('accepted');
    });
  });

  describe('recommendations', () => {
    it('asks what it is for, recommends, and reserves the one chosen (English and Spanish)', async () => {
      const en = newChat('reco-en');
      // Nothing costs under $5: the agent asks what it is for and the budget.
      const asked = await say(en, 'Can you recommend something under $5?');
      expect(asked.pending).toMatchObject({ kind: 'details', agent: 'recommendation' });
      const suggested = await say(en, 'for recovery after running, under $60');
      expect(suggested.reply).toMatch(/My suggestions: .*Want me to reserve one for you\?/);
      expect(suggested.pending).toMatchObject({ kind: 'choice', agent: 'recommendation' });
      const first = suggested.pending!.options![0].label.replace(/ \(.*$/, '');
      const reserved = await say(en, 'yes, the first one');
      expect(reserved.reply).toMatch(/reserved the .* reference RES-\d{8}/);
      expect(reserved.reply).toContain(first);
      expect(await db().getRepository(Order).findBy({ chatId: en, status: 'reserved' })).toHaveLength(1);

      const es = newChat('reco-es');
      await say(es, '¿Qué me recomiendas por menos de 5 dólares?');
      const sugerencias = await say(es, 'algo para la espalda en la oficina, hasta 100 dólares');
      expect(sugerencias.reply).toMatch(/Mis sugerencias: .*¿Quieres que te reserve alguna\?/);
      await say(es, 'la segunda');
      expect(await db().getRepository(Order).findBy({ chatId: es, status: 'reserved' })).toHaveLength(1);
    });
  });

  describe('profile, leads, documents, reminders and questions', () => {
    it('updates the field the customer names, asking for its value (four turns, English)', async () => {
      const chatId = newChat('profile-en');
      const asked = await say(chatId, 'I want to update my details');
      expect(asked.pending).toMatchObject({ kind: 'contact', agent: 'personalization' });
      const which = await say(chatId, 'my email');
      expect(which.reply).toMatch(/email/i);
      expect(which.pending).toMatchObject({ kind: 'contact' });
      const updated = await say(chatId, 'ana.new@example.com');
      expect(updated.reply).toMatch(/Updated your email/);
      expect((await db().getRepository(Customer).findOneByOrFail({ chatId })).email).toBe('ana.new@example.com');
    });

    it('actualiza el correo dado en la respuesta (español)', async () => {
      const chatId = newChat('perfil-es');
      await say(chatId, 'Quiero actualizar mis datos');
      const updated = await say(chatId, 'mi correo nuevo es lucia@ejemplo.es');
      expect(updated.reply).toMatch(/Actualizamos tu correo/);
      expect((await db().getRepository(Customer).findOneByOrFail({ chatId })).email).toBe('lucia@ejemplo.es');
    });

    it('re-scores a lead with the details the prospect gives (English and Spanish)', async () => {
      const en = newChat('lead-en');
      const asked = await say(en, 'We are interested in your services for our company');
      expect(asked.reply).toMatch(/how many people would use it, what budget/);
      const before = await db().getRepository(Lead).findOneByOrFail({ chatId: en });
      const answered = await say(en, "About 50 employees, budget around $30k, we'd like to start this month. I'm the owner.");
      expect(answered.route).toMatchObject({ agent: 'lead', reason: 'answer' });
      const after = await db().getRepository(Lead).findOneByOrFail({ chatId: en });
      expect(after.score).toBeGreaterThan(before.score);
      expect(answered.reply).toMatch(after.grade === 'hot' ? /call you today/ : /send you an offer/);

      const es = newChat('lead-es');
      await say(es, 'Nos interesa su servicio para nuestra empresa');
      const respuesta = await say(es, 'unas 40 personas, presupuesto de 20000 euros, queremos empezar el próximo mes');
      expect(respuesta.triage.language).toBe('es');
      expect(respuesta.reply).toMatch(/¡Gracias, eso nos ayuda!/);
    });

    it('records the file sent after it was asked for (English and Spanish)', async () => {
      const en = newChat('doc-en');
      const asked = await say(en, 'Here is my invoice');
      expect(asked.reply).toMatch(/I don't see a file attached/);
      const recorded = await say(en, 'invoice-2026-11.pdf');
      expect(recorded.reply).toMatch(/received your invoice/);
      expect(await db().getRepository(DocumentUpload).findBy({ chatId: en })).toHaveLength(1);

      const es = newChat('doc-es');
      await say(es, 'Te mando la factura');
      await say(es, 'factura.pdf');
      expect(await db().getRepository(DocumentUpload).findBy({ chatId: es })).toHaveLength(1);
    });

    it('schedules the reminder once it knows when (English and Spanish)', async () => {
      const en = newChat('remind-en');
      const asked = await say(en, 'Can you remind me to call the clinic?');
      expect(asked.pending).toMatchObject({ kind: 'when', agent: 'reminder' });
      const done = await say(en, 'tomorrow at 9am');
      expect(done.reply).toMatch(/I'll remind you on .* at 09:00/);
      const [reminder] = await db().getRepository(Reminder).findBy({ chatId: en });
      expect(reminder.text).toMatch(/call the clinic/);
      expect(DateTime.fromJSDate(new Date(reminder.remindAt), { zone: 'UTC' }).toFormat('HH:mm')).toBe('09:00');

      const es = newChat('recordar-es');
      await say(es, 'Recuérdame tomar las vitaminas');
      const listo = await say(es, 'mañana a las 9');
      expect(listo.reply).toMatch(/Listo, te lo recordaré el .* a las 09:00/);
      expect(await db().getRepository(Reminder).findBy({ chatId: es })).toHaveLength(1);
    });

    it('finds the guide once the customer says which product and what happens (English and Spanish)', async () => {
      const en = newChat('trouble-en');
      const asked = await say(en, 'Something is broken');
      expect(asked.reply).toMatch(/Which product is it, and what exactly happens\?/);
      const guide = await say(en, "It's the Pulse Band, it won't charge");
      expect(guide.route).toMatchObject({ agent: 'troubleshooting' });
      expect(guide.reply).toMatch(/\(Source: .*\)/);

      const es = newChat('problema-es');
      await say(es, 'Tengo un problema, algo no funciona');
      const guia = await say(es, 'la Pulse Band no carga');
      expect(guia.reply).toMatch(/\(Fuente: .*\)/);
    });
  });

  describe('a new topic in the middle of a question', () => {
    it('answers the new question, and the old one lapses', async () => {
      const chatId = newChat('switch');
      const offer = await say(chatId, 'I want to book an appointment for next Monday');
      expect(offer.pending).toMatchObject({ kind: 'choice' });
      const hours = await say(chatId, 'What are your opening hours?');
      expect(hours.route).toMatchObject({ agent: 'inquiry', reason: 'matched' });
      expect(hours.reply).toMatch(/Monday to Friday/);
      const chat = await getJson(url(`/api/conversations/${encodeURIComponent(chatId)}`));
      expect(chat.body.pending).toBeNull();
      // Nothing is pending any more: "the second one" is no answer to anything.
      const stray = await say(chatId, 'the second one please');
      expect(stray.route.agent).not.toBe('appointment');
      expect(await bookedFor(chatId)).toHaveLength(0);
    });

    it('keeps the question open through small talk', async () => {
      const chatId = newChat('smalltalk');
      await say(chatId, 'I want to book an appointment');
      const thanks = await say(chatId, 'thanks!');
      expect(thanks.route.agent).toBe('triage');
      const booked = await say(chatId, 'the last one');
      expect(booked.reply).toMatch(/You're booked/);
      expect(await bookedFor(chatId)).toHaveLength(1);
    });
  });
});
