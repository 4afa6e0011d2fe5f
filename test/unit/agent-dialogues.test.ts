import { randomUUID } from 'node:crypto';
import { createAppointmentAgent } from '../../src/activities/agents/appointment-agent';
import { createCatalogAgents } from '../../src/activities/agents/catalog-agents';
import { createCustomerAgents } from '../../src/activities/agents/customer-agents';
import { createKnowledgeAgents } from '../../src/activities/agents/knowledge-agents';
import { createOrderAgents } from '../../src/activities/agents/order-agents';
import type { BusinessSettings } from '../../src/activities/deps';
import type { AgentInput, AgentOutcome, MessageMedia } from '../../src/contracts';
import { interpretAnswer } from '../../src/domain/answers';
import type { AgentName } from '../../src/domain/agent-registry';
import { DEFAULT_OPENING_HOURS } from '../../src/domain/business-calendar';
import { extractEntities } from '../../src/domain/entities';
import type { Intent } from '../../src/domain/intents';
import { pendingFrom, type AnswerReading, type PendingQuestion, type ResolvedAnswer } from '../../src/domain/questions';
import { detectLanguage } from '../../src/domain/text';
import { getKnowledgeBase } from '../../src/knowledge';
import { Appointment, Customer, DocumentUpload, Lead, Order, Quote, Reminder, ReturnRequest } from '../../src/persistence';
import { DEMO_CHAT_EN, DEMO_CHAT_ES, seedDemoData } from '../../src/persistence/seed/demo-data';
import { openTestDatabase, type TestDatabase } from '../helpers/database';

/**
 * Agents finishing the dialogues they start. Each dialogue is driven the way the message
 * workflow drives it: the first message goes to the agent alone; the question in its outcome
 * becomes the chat's pending question; the next message is read against it and given back to
 * the same agent, with the asking turn's intent and a new workflow id.
 */

/** A Monday: the first offered slots are Monday 30 November from 09:00. */
const NOW = '2026-11-30T08:00:00Z';
const BUSINESS: BusinessSettings = { timezone: 'UTC', openingHours: DEFAULT_OPENING_HOURS, handoffTimeoutSeconds: 86400, clarificationWindowSeconds: 86400 };

type Agent = (input: AgentInput) => Promise<AgentOutcome>;

interface Turn {
  outcome: AgentOutcome;
  workflowId: string;
  reading?: AnswerReading;
  /** The question the conversation holds after this turn. */
  pending?: PendingQuestion;
}

interface SayOptions {
  media?: MessageMedia;
  /** The message's workflow id; a fresh one when absent. */
  workflowId?: string;
  receivedAt?: string;
}

/** One chat talking to one agent, turn by turn. */
class Dialogue {
  private pending?: PendingQuestion;
  private language?: string;

  constructor(
    private readonly agentName: AgentName,
    private readonly agent: Agent,
    private readonly intent: Intent,
    readonly chatId: string = `${randomUUID().slice(0, 8)}@c.us`,
  ) {}

  get question(): PendingQuestion | undefined {
    return this.pending;
  }

  async say(text: string, options: SayOptions = {}): Promise<Turn> {
    const workflowId = options.workflowId ?? `msg:whatsapp:${randomUUID()}`;
    const receivedAt = options.receivedAt ?? NOW;
    const entities = extractEntities(text);
    // The conversation's language: a short answer ("no", "45821") keeps the language it was in.
    this.language ??= detectLanguage(text);
    let answer: ResolvedAnswer | undefined;
    if (this.pending) {
      const reading = interpretAnswer(text, this.pending, { now: receivedAt, timezone: BUSINESS.timezone, hasMedia: Boolean(options.media), entities });
      answer = { question: this.pending, reading };
    }
    const outcome = await this.agent({
      workflowId,
      chatId: this.chatId,
      channel: 'whatsapp',
      body: text,
      intent: this.pending?.intent ?? this.intent,
      senderName: 'Ana',
      triage: { entities, language: this.language, urgency: 'normal', confidence: 0.9 },
      routeReason: 'matched',
      receivedAt,
      media: options.media,
      answer,
    });
    expect(outcome.agent).toBe(this.agentName);
    const asking = this.pending;
    this.pending = outcome.awaiting
      ? pendingFrom(outcome.awaiting, { agent: this.agentName, intent: asking?.intent ?? this.intent, askedBy: workflowId, askedAt: receivedAt, ttlSeconds: 86400, answered: answer })
      : undefined;
    return { outcome, workflowId, reading: answer?.reading, pending: this.pending };
  }
}

describe('agents finish the dialogues they start', () => {
  let database: TestDatabase;

  beforeEach(async () => {
    database = await openTestDatabase();
    await seedDemoData(database.db, new Date(NOW));
  });

  afterEach(async () => {
    await database?.close();
  });

  function agents() {
    const { db } = database;
    const { orderAgent, returnsAgent } = createOrderAgents(db);
    const { quoteAgent, recommendationAgent } = createCatalogAgents(db);
    const { personalizationAgent, leadAgent, documentAgent, reminderAgent } = createCustomerAgents(db, BUSINESS);
    const { inquiryAgent, troubleshootingAgent } = createKnowledgeAgents(getKnowledgeBase());
    return { appointmentAgent: createAppointmentAgent(db, BUSINESS), orderAgent, returnsAgent, quoteAgent, recommendationAgent, personalizationAgent, leadAgent, documentAgent, reminderAgent, inquiryAgent, troubleshootingAgent };
  }

  function booked(chatId: string): Promise<Appointment[]> {
    return database.db.getRepository(Appointment).find({ where: { chatId, status: 'booked' } });
  }

  describe('appointment', () => {
    function dialogue(intent: Intent = 'appointment_booking', chatId?: string) {
      return new Dialogue('appointment', agents().appointmentAgent, intent, chatId);
    }

    it('books a time on the offered day that was not in the list: "la de las 11 por favor"', async () => {
      const chat = dialogue();
      const offer = await chat.say('Necesito una cita el jueves');
      expect(offer.outcome.awaiting!.options!.map((o) => o.time)).toEqual(['09:00', '09:30', '10:00']);
      const booked = await chat.say('la de las 11 por favor');
      expect(booked.outcome.facts).toMatchObject({ action: 'booked', startsAt: '2026-12-03T11:00:00.000Z' });
      expect(booked.outcome.text).toMatch(/jueves 3 de diciembre, 11:00/);
    });

    it('offers the part of the day asked for: Friday afternoon, el jueves por la tarde, in the morning', async () => {
      const afternoon = await dialogue().say('can I book something for Friday afternoon?');
      expect(afternoon.outcome.awaiting!.options!.map((o) => o.label)).toEqual(['Friday 4 December, 12:00', 'Friday 4 December, 12:30', 'Friday 4 December, 13:00']);
      const tarde = await new Dialogue('appointment', agents().appointmentAgent, 'appointment_booking').say('quiero una cita el jueves por la tarde');
      expect(tarde.outcome.awaiting!.options!.every((o) => o.time! >= '12:00' && o.label.startsWith('jueves'))).toBe(true);
      // "mañana" alone is tomorrow, not the morning; "más tarde" is later, not the afternoon.
      const tomorrow = await new Dialogue('appointment', agents().appointmentAgent, 'appointment_booking').say('quiero una cita mañana');
      expect(tomorrow.outcome.awaiting!.options![0]).toMatchObject({ date: '2026-12-01', time: '09:00' });
      const morning = await dialogue().say('I need an appointment on Wednesday morning');
      expect(morning.outcome.awaiting!.options!.every((o) => o.time! < '12:00' && o.date === '2026-12-02')).toBe(true);
    });

    it('offers slots as a choice and books the one the customer picks (English)', async () => {
      const chat = dialogue();
      const offer = await chat.say('I want to book an appointment');
      expect(offer.outcome.text).toMatch(/Available times: Monday 30 November, 09:00; Monday 30 November, 09:30; Monday 30 November, 10:00/);
      expect(offer.outcome.next).toMatchObject({ kind: 'follow_up', purpose: 'booking_unconfirmed' });
      expect(offer.outcome.awaiting).toEqual({
        kind: 'choice',
        context: { mode: 'book' },
        options: [
          { value: '2026-11-30T09:00:00.000Z', label: 'Monday 30 November, 09:00', date: '2026-11-30', time: '09:00' },
          { value: '2026-11-30T09:30:00.000Z', label: 'Monday 30 November, 09:30', date: '2026-11-30', time: '09:30' },
          { value: '2026-11-30T10:00:00.000Z', label: 'Monday 30 November, 10:00', date: '2026-11-30', time: '10:00' },
        ],
      });

      const answer = await chat.say('the second one please');
      expect(answer.reading).toMatchObject({ kind: 'option', index: 1 });
      expect(answer.outcome.facts).toMatchObject({ action: 'booked', startsAt: '2026-11-30T09:30:00.000Z' });
      expect(answer.outcome.text).toMatch(/You're booked for a consultation on Monday 30 November, 09:30/);
      expect(answer.outcome.awaiting).toBeUndefined();
      const rows = await booked(chat.chatId);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ id: answer.outcome.facts.appointmentId, workflowId: answer.workflowId });
      expect(new Date(rows[0].startsAt).toISOString()).toBe('2026-11-30T09:30:00.000Z');
    });

    it('books "la primera" in Spanish', async () => {
      const chat = dialogue();
      const offer = await chat.say('Quiero reservar una cita');
      expect(offer.outcome.text).toMatch(/Horarios disponibles: lunes 30 de noviembre, 09:00/);
      expect(offer.outcome.awaiting?.options?.[0].label).toBe('lunes 30 de noviembre, 09:00');

      const answer = await chat.say('la primera');
      expect(answer.outcome.text).toMatch(/Tu cita de consulta queda reservada para el lunes 30 de noviembre, 09:00/);
      const rows = await booked(chat.chatId);
      expect(rows.map((r) => new Date(r.startsAt).toISOString())).toEqual(['2026-11-30T09:00:00.000Z']);
    });

    it('answers a slot taken meanwhile with alternatives, as a new question', async () => {
      const chat = dialogue();
      await chat.say('I want to book an appointment');
      // Another customer takes 09:30 before this one answers.
      await new Dialogue('appointment', agents().appointmentAgent, 'appointment_booking').say('Book me today at 9:30am please');

      const answer = await chat.say('the 2nd');
      expect(answer.outcome.facts).toMatchObject({ action: 'taken' });
      expect(answer.outcome.text).toMatch(/^Sorry, Monday 30 November, 09:30 was just taken\. Available times: Monday 30 November, 09:00; Monday 30 November, 10:00; Monday 30 November, 10:30/);
      expect(answer.outcome.awaiting?.options?.map((o) => o.time)).toEqual(['09:00', '10:00', '10:30']);
      expect(await booked(chat.chatId)).toHaveLength(0);

      const again = await chat.say('10:30 then');
      expect(again.outcome.facts).toMatchObject({ action: 'booked', startsAt: '2026-11-30T10:30:00.000Z' });
    });

    it('reads a time of its own as the offered day, and a day of its own as a request for that day', async () => {
      const chat = dialogue();
      await chat.say('I want to book an appointment');
      const fourPm = await chat.say('how about 4pm?');
      expect(fourPm.reading).toEqual({ kind: 'text' });
      expect(fourPm.outcome.facts).toMatchObject({ action: 'booked', startsAt: '2026-11-30T16:00:00.000Z' });

      const other = dialogue();
      await other.say('I want to book an appointment');
      const wednesday = await other.say('do you have something on Wednesday?');
      expect(wednesday.outcome.text).toMatch(/Available times: Wednesday 2 December, 09:00/);
      expect(wednesday.outcome.awaiting).toMatchObject({ kind: 'choice', context: { mode: 'book' } });
      const eleven = await other.say('11:00 works');
      expect(eleven.outcome.facts).toMatchObject({ action: 'booked', startsAt: '2026-12-02T11:00:00.000Z' });
    });

    it('asks which day suits better after a no, and books the answer (English and Spanish)', async () => {
      const chat = dialogue();
      await chat.say('I want to book an appointment');
      const no = await chat.say('no, none of those');
      expect(no.reading).toEqual({ kind: 'no' });
      expect(no.outcome.text).toBe('No problem. Which day and time would suit you better?');
      expect(no.outcome.awaiting).toEqual({ kind: 'when', context: { mode: 'book' } });
      const thursday = await chat.say('Thursday at 4pm');
      expect(thursday.outcome.facts).toMatchObject({ action: 'booked', startsAt: '2026-12-03T16:00:00.000Z' });

      const es = dialogue();
      await es.say('Quiero una cita por favor');
      const nada = await es.say('no');
      expect(nada.outcome.text).toBe('Sin problema. ¿Qué día y hora te vendrían mejor?');
      const jueves = await es.say('el jueves a las 10');
      expect(jueves.outcome.text).toMatch(/reservada para el jueves 3 de diciembre, 10:00/);
      expect((await booked(es.chatId)).map((r) => new Date(r.startsAt).toISOString())).toEqual(['2026-12-03T10:00:00.000Z']);
    });

    it('asks again with the options numbered when the answer picks nothing', async () => {
      const chat = dialogue();
      const offer = await chat.say('I want to book an appointment');
      const unclear = await chat.say('hmm, not sure');
      expect(unclear.reading).toEqual({ kind: 'unclear' });
      expect(unclear.outcome.text).toMatch(/1\) Monday 30 November, 09:00 2\) Monday 30 November, 09:30 3\) Monday 30 November, 10:00/);
      expect(unclear.outcome.awaiting?.options).toEqual(offer.outcome.awaiting?.options);
      expect(unclear.pending?.attempts).toBe(1);

      const three = await chat.say('3');
      expect(three.outcome.facts).toMatchObject({ action: 'booked', startsAt: '2026-11-30T10:00:00.000Z' });

      const es = dialogue();
      await es.say('Quiero reservar una cita');
      const otra = await es.say('mmm no sé');
      expect(otra.outcome.text).toMatch(/Responde con su número: 1\) lunes 30 de noviembre, 09:00 2\)/);
    });

    it('moves the appointment to the offered slot the customer picks', async () => {
      const chatId = `${randomUUID().slice(0, 8)}@c.us`;
      const first = await dialogue('appointment_booking', chatId).say('Book me Tuesday at 11am');
      expect(first.outcome.facts).toMatchObject({ action: 'booked', startsAt: '2026-12-01T11:00:00.000Z' });

      const chat = dialogue('appointment_reschedule', chatId);
      const offer = await chat.say('I need to reschedule my appointment');
      expect(offer.outcome.awaiting).toMatchObject({ kind: 'choice', context: { mode: 'reschedule', appointmentId: first.outcome.facts.appointmentId } });
      const moved = await chat.say('the first one');
      expect(moved.outcome.facts).toMatchObject({ action: 'moved', appointmentId: first.outcome.facts.appointmentId, startsAt: '2026-11-30T09:00:00.000Z' });
      expect(moved.outcome.text).toMatch(/Done: your appointment is now on Monday 30 November, 09:00/);
      const rows = await booked(chatId);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ id: first.outcome.facts.appointmentId, workflowId: moved.workflowId });
      expect(new Date(rows[0].startsAt).toISOString()).toBe('2026-11-30T09:00:00.000Z');
    });

    it('offers to book a new appointment when there is none to reschedule', async () => {
      const chat = dialogue('appointment_reschedule');
      const none = await chat.say('I need to reschedule my appointment');
      expect(none.outcome.text).toMatch(/Would you like to book a new one\?/);
      expect(none.outcome.awaiting).toEqual({ kind: 'confirm', context: { offer: 'book_new' } });
      const yes = await chat.say('yes please, Tuesday at 11');
      expect(yes.reading).toEqual({ kind: 'yes' });
      expect(yes.outcome.facts).toMatchObject({ action: 'booked', startsAt: '2026-12-01T11:00:00.000Z' });

      const es = dialogue('appointment_reschedule');
      await es.say('quiero cambiar mi cita');
      const si = await es.say('sí');
      expect(si.outcome.text).toMatch(/Horarios disponibles: lunes 30 de noviembre, 09:00/);
      expect(si.outcome.awaiting).toMatchObject({ kind: 'choice', context: { mode: 'book' } });
      const segunda = await es.say('la segunda');
      expect(segunda.outcome.facts).toMatchObject({ action: 'booked', startsAt: '2026-11-30T09:30:00.000Z' });

      const no = dialogue('appointment_reschedule');
      await no.say('I need to reschedule my appointment');
      const declined = await no.say('no thanks');
      expect(declined.outcome).toMatchObject({ facts: { action: 'declined' }, text: 'No problem. Write to us whenever you would like to book.' });
      expect(declined.outcome.awaiting).toBeUndefined();
      expect(await booked(no.chatId)).toHaveLength(0);
    });

    it('acts once when the finishing step is retried with the same workflow id', async () => {
      const agent = agents().appointmentAgent;
      const chat = new Dialogue('appointment', agent, 'appointment_booking');
      const offer = await chat.say('I want to book an appointment');
      const question = pendingFrom(offer.outcome.awaiting!, { agent: 'appointment', intent: 'appointment_booking', askedBy: offer.workflowId, askedAt: NOW, ttlSeconds: 86400 });
      const text = 'the second one please';
      const input: AgentInput = {
        workflowId: 'msg:whatsapp:retried-answer',
        chatId: chat.chatId,
        channel: 'whatsapp',
        body: text,
        intent: 'appointment_booking',
        triage: { entities: extractEntities(text), language: 'en', urgency: 'normal', confidence: 0.9 },
        routeReason: 'matched',
        receivedAt: NOW,
        answer: { question, reading: interpretAnswer(text, question, { now: NOW, timezone: 'UTC' }) },
      };
      const first = await agent(input);
      const retry = await agent(input);
      expect(retry.facts).toEqual(first.facts);
      expect(first.facts).toMatchObject({ action: 'booked', startsAt: '2026-11-30T09:30:00.000Z' });
      expect(await database.db.getRepository(Appointment).countBy({ chatId: chat.chatId })).toBe(1);
    });
  });

  describe('order status', () => {
    it('asks for the number and answers with the status of the chat’s own order', async () => {
      const chat = new Dialogue('order', agents().orderAgent, 'order_status', DEMO_CHAT_EN);
      const ask = await chat.say('Where is my order 99999?');
      expect(ask.outcome.text).toMatch(/couldn't find order 99999/);
      expect(ask.outcome.awaiting).toEqual({ kind: 'order_number' });
      const answer = await chat.say('45821');
      expect(answer.reading).toEqual({ kind: 'value', value: '45821' });
      expect(answer.outcome.text).toMatch(/Order 45821 .*shipped.*DHL.*JD014600006281230/);
      expect(answer.outcome.facts).toMatchObject({ found: true, orderId: '45821', status: 'shipped' });
      expect(answer.outcome.awaiting).toBeUndefined();
    });

    it('answers in Spanish, never discloses another chat’s order, and closes on no', async () => {
      const chat = new Dialogue('order', agents().orderAgent, 'order_status', DEMO_CHAT_ES);
      await chat.say('¿Dónde está mi pedido 12345?');
      const other = await chat.say('45821');
      expect(other.outcome.facts).toMatchObject({ found: false, asked: '45821' });
      expect(other.outcome.text).not.toMatch(/JD014600006281230/);
      expect(other.outcome.awaiting).toEqual({ kind: 'order_number' });
      const mine = await chat.say('es el 45900');
      expect(mine.outcome.text).toMatch(/El pedido 45900 \(1 × Smart body-composition scale\) se entregó el 21 de octubre/);

      const lost = new Dialogue('order', agents().orderAgent, 'order_status', DEMO_CHAT_EN);
      await lost.say('Where is order 11111?');
      const no = await lost.say("I don't have it");
      expect(no.reading).toEqual({ kind: 'no' });
      expect(no.outcome.text).toMatch(/find the order number in your confirmation email; write to us when you have it/);
      expect(no.outcome.awaiting).toBeUndefined();
    });
  });

  describe('returns', () => {
    it('asks which order when the chat has several and no number was given, and reads the item named', async () => {
      const chat = new Dialogue('returns', agents().returnsAgent, 'return_request', DEMO_CHAT_EN);
      const ask = await chat.say('I want to return something');
      expect(ask.outcome.text).toMatch(/^Which order is it about\? 1\) ORD-1234 .* 2\) 45821 .* 3\) 45790 \(1 × .*yoga mat/i);
      expect(ask.outcome.awaiting).toMatchObject({ kind: 'choice', context: { reason: 'I want to return something' } });
      const mat = await chat.say("the yoga mat, it's too small");
      expect(mat.outcome.facts).toMatchObject({ eligible: true, orderId: '45790' });
      expect(mat.outcome.text).toMatch(/I've opened return RMA-[0-9A-F]{8} for order 45790/);

      // Naming the item in the first message is enough.
      const direct = await new Dialogue('returns', agents().returnsAgent, 'return_request', DEMO_CHAT_EN).say('I want to return the resistance bands');
      expect(direct.outcome.facts).toMatchObject({ eligible: true, orderId: '45790' });

      const es = new Dialogue('returns', agents().returnsAgent, 'return_request', DEMO_CHAT_ES);
      const pregunta = await es.say('Quiero devolver algo');
      expect(pregunta.outcome.text).toMatch(/^¿De qué pedido se trata\? 1\) 45955 .* 2\) 45900/);
      const segunda = await es.say('el primero');
      expect(segunda.outcome.facts).toMatchObject({ eligible: true, orderId: '45955' });
    });

    it('asks for the number and opens the return for it, keeping the original reason', async () => {
      const chat = new Dialogue('returns', agents().returnsAgent, 'return_request', DEMO_CHAT_EN);
      const ask = await chat.say('I want to return order 11111, I want my money back');
      expect(ask.outcome.awaiting).toEqual({ kind: 'order_number', context: { reason: 'I want to return order 11111, I want my money back' } });
      const answer = await chat.say('sorry, it is 45790');
      expect(answer.outcome.facts).toMatchObject({ eligible: true, orderId: '45790', kind: 'refund' });
      expect(answer.outcome.text).toMatch(/I've opened return RMA-[0-9A-F]{8} for order 45790 \(refund\)/);
      const row = await database.db.getRepository(ReturnRequest).findOneByOrFail({ workflowId: answer.workflowId });
      expect(row).toMatchObject({ id: answer.outcome.facts.returnId, orderId: '45790', kind: 'refund', reason: 'I want to return order 11111, I want my money back' });

      const es = new Dialogue('returns', agents().returnsAgent, 'return_request', DEMO_CHAT_ES);
      await es.say('Quiero devolver el pedido 99999, quiero cambiarlo por otra talla');
      const cambio = await es.say('45955');
      expect(cambio.outcome.text).toMatch(/He abierto la devolución RMA-[0-9A-F]{8} del pedido 45955 \(cambio\)/);
      expect(await database.db.getRepository(ReturnRequest).findOneByOrFail({ workflowId: cambio.workflowId })).toMatchObject({ kind: 'exchange' });
    });

    it('cancels an order not shipped yet when the customer says yes', async () => {
      const chat = new Dialogue('returns', agents().returnsAgent, 'return_request', DEMO_CHAT_EN);
      const ask = await chat.say('I want to return order ORD-1234');
      expect(ask.outcome.text).toMatch(/we can cancel it before it ships/);
      expect(ask.outcome.awaiting).toEqual({ kind: 'confirm', context: { action: 'cancel_order', orderId: 'ORD-1234' } });
      const yes = await chat.say('yes please');
      expect(yes.outcome.text).toMatch(/order ORD-1234 is cancelled\. The refund goes back to your original payment method within 5–10 business days/);
      expect(await database.db.getRepository(Order).findOneByOrFail({ id: 'ORD-1234' })).toMatchObject({ status: 'cancelled' });
    });

    it('keeps the order on no, and does not cancel one that already shipped (Spanish)', async () => {
      const keep = new Dialogue('returns', agents().returnsAgent, 'return_request', DEMO_CHAT_EN);
      await keep.say('I want to return order ORD-1234');
      const no = await keep.say('no, keep it');
      expect(no.outcome.text).toBe('OK, order ORD-1234 stays as it is.');
      expect(await database.db.getRepository(Order).findOneByOrFail({ id: 'ORD-1234' })).toMatchObject({ status: 'processing' });

      const shipped = new Dialogue('returns', agents().returnsAgent, 'return_request', DEMO_CHAT_EN);
      const ask = await shipped.say('Quiero devolver el pedido 45821');
      expect(ask.outcome.text).toMatch(/aún no se ha entregado/);
      const si = await shipped.say('sí');
      expect(si.outcome.text).toMatch(/El pedido 45821 ya salió, así que ya no se puede cancelar/);
      expect(await database.db.getRepository(Order).findOneByOrFail({ id: '45821' })).toMatchObject({ status: 'shipped' });
    });

    it('opens a warranty claim with what is wrong, past the return window', async () => {
      const chat = new Dialogue('returns', agents().returnsAgent, 'return_request', DEMO_CHAT_ES);
      const ask = await chat.say('Quiero devolver el pedido 45900');
      expect(ask.outcome.facts).toMatchObject({ reason: 'window_passed' });
      expect(ask.outcome.awaiting).toEqual({ kind: 'details', context: { action: 'warranty', orderId: '45900' } });
      const fault = await chat.say('la báscula no enciende desde ayer');
      expect(fault.outcome.text).toMatch(/He abierto la reclamación de garantía RMA-[0-9A-F]{8} del pedido 45900/);
      const row = await database.db.getRepository(ReturnRequest).findOneByOrFail({ workflowId: fault.workflowId });
      expect(row).toMatchObject({ orderId: '45900', kind: 'warranty', reason: 'la báscula no enciende desde ayer', status: 'requested' });
      expect(row.id).toBe(fault.outcome.facts.returnId);

      const en = new Dialogue('returns', agents().returnsAgent, 'return_request', DEMO_CHAT_ES);
      await en.say('I want to return order 45900');
      const wrong = await en.say('The scale shows a different weight every time');
      expect(wrong.outcome.text).toMatch(/I've opened warranty claim RMA-[0-9A-F]{8} for order 45900/);
    });
  });

  describe('quote', () => {
    it('asks which products, prices the answer and records the acceptance', async () => {
      const chat = new Dialogue('quote', agents().quoteAgent, 'quote_request');
      const ask = await chat.say('I need a quote');
      expect(ask.outcome.awaiting).toEqual({ kind: 'products' });
      const priced = await chat.say('20 yoga mats and 20 resistance band sets');
      expect(priced.outcome.facts).toMatchObject({ quoted: true, totalCents: 126000, discountPercent: 10 });
      expect(priced.outcome.text).toMatch(/\$1,260\.00 .*Reply "accept" to go ahead/);
      expect(priced.outcome.next).toMatchObject({ kind: 'follow_up', purpose: 'quote', reference: priced.outcome.facts.quoteId });
      expect(priced.outcome.awaiting).toEqual({ kind: 'confirm', context: { quoteId: priced.outcome.facts.quoteId } });

      const accepted = await chat.say('accept', { receivedAt: '2026-11-30T09:15:00Z' });
      expect(accepted.outcome.text).toMatch(/Quote Q-[0-9A-F]{8} is accepted .*invoice and the delivery date within one business day/);
      expect(accepted.outcome.awaiting).toBeUndefined();
      const quote = await database.db.getRepository(Quote).findOneByOrFail({ id: priced.outcome.facts.quoteId as string });
      expect(quote.status).toBe('accepted');
      expect(new Date(quote.acceptedAt!).toISOString()).toBe('2026-11-30T09:15:00.000Z');
    });

    it('accepts with "sí" in Spanish, and a no leaves the quote open', async () => {
      const chat = new Dialogue('quote', agents().quoteAgent, 'quote_request');
      const priced = await chat.say('Necesito un presupuesto para 20 esterillas de yoga');
      expect(priced.outcome.text).toMatch(/Responde "acepto" para seguir/);
      const si = await chat.say('sí, acepto');
      expect(si.outcome.text).toMatch(/El presupuesto Q-[0-9A-F]{8} queda aceptado/);
      expect(await database.db.getRepository(Quote).findOneByOrFail({ id: priced.outcome.facts.quoteId as string })).toMatchObject({ status: 'accepted' });

      const later = new Dialogue('quote', agents().quoteAgent, 'quote_request');
      const quote = await later.say('Can I get a quote for 10 foam rollers?');
      const no = await later.say('no, not now');
      expect(no.outcome.text).toBe(`No problem, quote ${quote.outcome.facts.quoteId} stays valid until 14 December if you change your mind.`);
      expect(await database.db.getRepository(Quote).findOneByOrFail({ id: quote.outcome.facts.quoteId as string })).toMatchObject({ status: 'open', acceptedAt: null });
    });

    it('prices a changed list as a new quote, and asks again when the answer says neither', async () => {
      const chat = new Dialogue('quote', agents().quoteAgent, 'quote_request');
      const first = await chat.say('I need a quote for 20 yoga mats');
      const unclear = await chat.say('hmm let me think');
      expect(unclear.outcome.text).toMatch(/Reply "accept" to go ahead with quote Q-[0-9A-F]{8}, or tell me what to change/);
      expect(unclear.outcome.awaiting).toEqual({ kind: 'confirm', context: { quoteId: first.outcome.facts.quoteId } });
      const changed = await chat.say('what about 30 foam rollers instead?');
      expect(changed.outcome.facts).toMatchObject({ quoted: true, totalCents: 94500 });
      expect(changed.outcome.facts.quoteId).not.toBe(first.outcome.facts.quoteId);
      expect(changed.outcome.awaiting).toEqual({ kind: 'confirm', context: { quoteId: changed.outcome.facts.quoteId } });
      await chat.say('ok');
      expect(await database.db.getRepository(Quote).findOneByOrFail({ id: changed.outcome.facts.quoteId as string })).toMatchObject({ status: 'accepted' });
      expect(await database.db.getRepository(Quote).findOneByOrFail({ id: first.outcome.facts.quoteId as string })).toMatchObject({ status: 'open' });

      const es = new Dialogue('quote', agents().quoteAgent, 'quote_request');
      await es.say('Quiero un presupuesto');
      const nada = await es.say('algo bonito');
      expect(nada.outcome.text).toMatch(/no reconocí ninguno de nuestros productos/);
      expect(nada.outcome.awaiting).toEqual({ kind: 'products' });
    });
  });

  describe('recommendation', () => {
    it('asks what it is for, recommends from both messages and reserves the pick', async () => {
      const chat = new Dialogue('recommendation', agents().recommendationAgent, 'product_recommendation');
      const ask = await chat.say('Can you recommend something for my back under $20?');
      expect(ask.outcome.awaiting).toEqual({ kind: 'details', context: { original: 'Can you recommend something for my back under $20?' } });
      const picks = await chat.say('for recovery after running, up to 40 dollars');
      expect(picks.outcome.text).toMatch(/My suggestions: High-density foam roller \(\$35\.00\).*Want me to reserve one for you\?/);
      expect(picks.outcome.awaiting?.kind).toBe('choice');
      expect(picks.outcome.awaiting?.options?.[0]).toEqual({ value: 'FR-200', label: 'High-density foam roller ($35.00)', keywords: ['foam', 'roller', 'rodillo', 'espuma'] });

      const reserved = await chat.say('yes, the foam roller');
      expect(reserved.reading).toMatchObject({ kind: 'option', option: { value: 'FR-200' } });
      expect(reserved.outcome.text).toMatch(/reserved the High-density foam roller \(\$35\.00\) for you, reference RES-\d{8}\. It is held at the shop.* for 48 hours/);
      const order = await database.db.getRepository(Order).findOneByOrFail({ id: reserved.outcome.facts.orderId as string });
      expect(order).toMatchObject({ chatId: chat.chatId, status: 'reserved', items: [{ sku: 'FR-200', quantity: 1, priceCents: 3500 }], totalCents: 3500 });

      // The reservation reads well as an order, by its reference too.
      const status = await new Dialogue('order', agents().orderAgent, 'order_status', chat.chatId).say(`What is the status of ${order.id}?`);
      expect(status.outcome.text).toMatch(new RegExp(`Order ${order.id} \\(1 × High-density foam roller\\) is reserved for you at the shop`));
    });

    it('asks which one when the answer is only yes, and reserves in Spanish', async () => {
      const chat = new Dialogue('recommendation', agents().recommendationAgent, 'product_recommendation');
      await chat.say('What do you recommend for recovery?');
      const yes = await chat.say('yes');
      expect(yes.reading).toEqual({ kind: 'unclear' });
      expect(yes.outcome.text).toBe('Which one would you like me to reserve? 1) Hot and cold gel pack ($18.00) 2) High-density foam roller ($35.00) 3) Pulse massage gun ($129.00)');
      const roller = await chat.say('the roller');
      expect(roller.outcome.facts).toMatchObject({ action: 'reserved', sku: 'FR-200' });

      const es = new Dialogue('recommendation', agents().recommendationAgent, 'product_recommendation');
      const sugerencias = await es.say('¿Qué me recomiendas para la espalda?');
      expect(sugerencias.outcome.text).toMatch(/Mis sugerencias: Corrector de postura \(35,00\sUS\$\)/);
      const primera = await es.say('la primera');
      expect(primera.outcome.text).toMatch(/Reserva hecha: Corrector de postura \(35,00\sUS\$\), referencia RES-\d{8}\. .*48 horas/);
      expect(await database.db.getRepository(Order).findOneByOrFail({ id: primera.outcome.facts.orderId as string })).toMatchObject({ status: 'reserved', chatId: es.chatId });
    });

    it('closes on no without reserving anything, and reserves once on a retry', async () => {
      const chat = new Dialogue('recommendation', agents().recommendationAgent, 'product_recommendation');
      await chat.say('What do you recommend for recovery?');
      const no = await chat.say('no thanks');
      expect(no.outcome).toMatchObject({ facts: { action: 'declined' } });
      expect(no.outcome.awaiting).toBeUndefined();
      expect(await database.db.getRepository(Order).countBy({ chatId: chat.chatId })).toBe(0);

      const again = new Dialogue('recommendation', agents().recommendationAgent, 'product_recommendation');
      const picks = await again.say('What do you recommend for recovery?');
      const question = pendingFrom(picks.outcome.awaiting!, { agent: 'recommendation', intent: 'product_recommendation', askedBy: picks.workflowId, askedAt: NOW, ttlSeconds: 86400 });
      const reading = interpretAnswer('the massage gun', question, { now: NOW, timezone: 'UTC' });
      const input: AgentInput = {
        workflowId: 'msg:whatsapp:reserve-retry',
        chatId: again.chatId,
        channel: 'whatsapp',
        body: 'the massage gun',
        intent: 'product_recommendation',
        triage: { entities: extractEntities('the massage gun'), language: 'en', urgency: 'normal', confidence: 0.9 },
        routeReason: 'matched',
        receivedAt: NOW,
        answer: { question, reading },
      };
      const recommendationAgent = agents().recommendationAgent;
      const first = await recommendationAgent(input);
      const retry = await recommendationAgent(input);
      expect(retry.facts).toEqual(first.facts);
      expect(first.facts).toMatchObject({ action: 'reserved', sku: 'MG-100' });
      expect(await database.db.getRepository(Order).countBy({ chatId: again.chatId })).toBe(1);
    });
  });

  describe('personalization', () => {
    it('asks for the field the customer names and updates it (English)', async () => {
      const chat = new Dialogue('personalization', agents().personalizationAgent, 'profile_update', DEMO_CHAT_EN);
      const ask = await chat.say('I want to update my details');
      expect(ask.outcome.text).toMatch(/What would you like to update/);
      expect(ask.outcome.awaiting).toEqual({ kind: 'contact' });
      const field = await chat.say('my email');
      expect(field.outcome.text).toBe('What is your new email address?');
      expect(field.outcome.awaiting).toEqual({ kind: 'contact', context: { field: 'email' } });
      const value = await chat.say('ana@example.com');
      expect(value.outcome).toMatchObject({ text: 'Updated your email.', facts: { updated: ['email'] } });
      expect(await database.db.getRepository(Customer).findOneByOrFail({ chatId: DEMO_CHAT_EN })).toMatchObject({ email: 'ana@example.com', name: 'Ana Chan' });
    });

    it('takes a bare name or phone once it asked for it (Spanish), and leaves the data on no', async () => {
      const chat = new Dialogue('personalization', agents().personalizationAgent, 'profile_update', DEMO_CHAT_ES);
      await chat.say('Quiero actualizar mis datos');
      const field = await chat.say('mi nombre');
      expect(field.outcome.text).toBe('¿Qué nombre quieres que usemos?');
      const name = await chat.say('Lucía Gómez');
      expect(name.outcome.text).toBe('Actualizamos tu nombre.');
      expect(await database.db.getRepository(Customer).findOneByOrFail({ chatId: DEMO_CHAT_ES })).toMatchObject({ name: 'Lucía Gómez' });

      const phone = new Dialogue('personalization', agents().personalizationAgent, 'profile_update', DEMO_CHAT_ES);
      const ask = await phone.say('Quiero cambiar mi teléfono');
      // The field is named: its new value is asked for at once.
      expect(ask.outcome.text).toMatch(/teléfono/);
      expect(ask.outcome.text).not.toMatch(/Qué quieres actualizar/);
      expect(ask.outcome.awaiting).toEqual({ kind: 'contact', context: { field: 'phone' } });
      const number = await phone.say('+34 600 999 888');
      expect(number.outcome.facts).toMatchObject({ updated: ['phone'] });
      expect(await database.db.getRepository(Customer).findOneByOrFail({ chatId: DEMO_CHAT_ES })).toMatchObject({ phone: '+34600999888' });

      const no = new Dialogue('personalization', agents().personalizationAgent, 'profile_update', DEMO_CHAT_EN);
      await no.say('I want to update my details');
      const left = await no.say('no');
      expect(left.outcome).toMatchObject({ text: 'OK, I have left your details as they are.', facts: { updated: [] } });
      expect(left.outcome.awaiting).toBeUndefined();
    });
  });

  describe('lead', () => {
    it('scores the lead again with the answer: hot gets a call today', async () => {
      const chat = new Dialogue('lead', agents().leadAgent, 'lead');
      const ask = await chat.say('We are interested in your corporate wellness packages');
      expect(ask.outcome.facts).toMatchObject({ grade: 'cold' });
      expect(ask.outcome.awaiting).toEqual({ kind: 'details', context: { leadId: ask.outcome.facts.leadId } });
      const answer = await chat.say("About 60 people, budget around $15k, we need to start this month. I'm the HR director.");
      expect(answer.outcome.text).toBe('Thank you, that helps! Someone from our sales team will call you today.');
      expect(answer.outcome.facts).toMatchObject({ leadId: ask.outcome.facts.leadId, grade: 'hot', previousGrade: 'cold' });
      const lead = await database.db.getRepository(Lead).findOneByOrFail({ id: ask.outcome.facts.leadId as string });
      expect(lead).toMatchObject({ grade: 'hot', score: 100, workflowId: ask.workflowId });
      expect(lead.details).toMatchObject({ answer: expect.stringContaining('60 people'), previous: { grade: 'cold', score: 20 } });
      expect(await database.db.getRepository(Lead).countBy({ chatId: chat.chatId })).toBe(1);
    });

    it('promises an offer within a business day when the answer makes it warm (Spanish)', async () => {
      const chat = new Dialogue('lead', agents().leadAgent, 'lead');
      const ask = await chat.say('Nos interesa su programa de bienestar para empresas');
      const answer = await chat.say('Somos 12 personas, presupuesto de 3000 euros, para el próximo trimestre');
      expect(answer.outcome.text).toBe('¡Gracias, eso nos ayuda! Nuestro equipo comercial te enviará una oferta en un día hábil.');
      expect(await database.db.getRepository(Lead).findOneByOrFail({ id: ask.outcome.facts.leadId as string })).toMatchObject({ grade: 'warm', score: 50 });
    });
  });

  describe('document', () => {
    it('records the file that comes with the answer', async () => {
      const chat = new Dialogue('document', agents().documentAgent, 'document');
      const ask = await chat.say('I want to send you my invoice');
      expect(ask.outcome.awaiting).toMatchObject({ kind: 'attachment' });
      const file = await chat.say('', { media: { reference: 'wamid.media.777', mimeType: 'application/pdf' } });
      expect(file.reading).toEqual({ kind: 'text' });
      expect(file.outcome.facts).toMatchObject({ recorded: true, reference: 'wamid.media.777', kind: 'invoice' });
      expect(await database.db.getRepository(DocumentUpload).findOneByOrFail({ workflowId: file.workflowId })).toMatchObject({ reference: 'wamid.media.777', mimeType: 'application/pdf', chatId: chat.chatId });

      const es = new Dialogue('document', agents().documentAgent, 'document');
      await es.say('Te envío la factura');
      const named = await es.say('aquí está: factura_noviembre.pdf');
      expect(named.outcome.text).toMatch(/^Recibido: tenemos tu factura/);
    });

    it('asks again when nothing came, and closes on no', async () => {
      const chat = new Dialogue('document', agents().documentAgent, 'document');
      await chat.say('I want to send you my invoice');
      const nothing = await chat.say('hmm');
      expect(nothing.outcome.text).toMatch(/I still don't see a file/);
      expect(nothing.outcome.awaiting).toMatchObject({ kind: 'attachment' });
      const no = await chat.say('no');
      expect(no.outcome.text).toBe('OK. Send it here whenever you are ready.');
      expect(no.outcome.awaiting).toBeUndefined();
      expect(await database.db.getRepository(DocumentUpload).countBy({ chatId: chat.chatId })).toBe(0);
    });
  });

  describe('reminder', () => {
    it('schedules the reminder asked about for the time in the answer', async () => {
      const chat = new Dialogue('reminder', agents().reminderAgent, 'reminder');
      const ask = await chat.say('Remind me to take my vitamins');
      expect(ask.outcome.awaiting).toEqual({ kind: 'when', context: { about: 'take my vitamins' } });
      const when = await chat.say('tomorrow at 9');
      expect(when.outcome.text).toBe("Done — I'll remind you on Tuesday 1 December at 09:00.");
      expect(when.outcome.next).toEqual({ kind: 'reminder', reminderId: when.outcome.facts.reminderId, remindAt: '2026-12-01T09:00:00.000Z', text: 'take my vitamins' });
      const row = await database.db.getRepository(Reminder).findOneByOrFail({ id: when.outcome.facts.reminderId as string });
      expect(row).toMatchObject({ text: 'take my vitamins', status: 'scheduled', workflowId: when.workflowId });
      expect(new Date(row.remindAt).toISOString()).toBe('2026-12-01T09:00:00.000Z');

      const later = new Dialogue('reminder', agents().reminderAgent, 'reminder');
      await later.say('Remind me to call mum');
      const hours = await later.say('in 2 hours');
      expect(hours.outcome.facts).toMatchObject({ scheduled: true, remindAt: '2026-11-30T10:00:00.000Z' });
    });

    it('schedules in Spanish, asks again when the answer has no time, and drops it on no', async () => {
      const chat = new Dialogue('reminder', agents().reminderAgent, 'reminder');
      const ask = await chat.say('Recuérdame llamar a la clínica');
      expect(ask.outcome.awaiting).toEqual({ kind: 'when', context: { about: 'llamar a la clínica' } });
      const manana = await chat.say('mañana a las 9');
      expect(manana.outcome.text).toBe('Listo, te lo recordaré el martes 1 de diciembre a las 09:00.');
      expect(await database.db.getRepository(Reminder).findOneByOrFail({ workflowId: manana.workflowId })).toMatchObject({ text: 'llamar a la clínica' });

      const vague = new Dialogue('reminder', agents().reminderAgent, 'reminder');
      await vague.say('Remind me to call mum');
      const whenever = await vague.say('whenever');
      expect(whenever.outcome.text).toMatch(/I need a day or time for the reminder/);
      expect(whenever.outcome.awaiting).toEqual({ kind: 'when', context: { about: 'call mum' } });
      const no = await vague.say('no');
      expect(no.outcome.text).toBe('OK, no reminder then.');
      expect(await database.db.getRepository(Reminder).countBy({ chatId: vague.chatId })).toBe(0);
    });
  });

  describe('inquiry and troubleshooting', () => {
    it('searches again with the original question and the answer', async () => {
      const chat = new Dialogue('inquiry', agents().inquiryAgent, 'inquiry');
      const ask = await chat.say('I have a question');
      expect(ask.outcome.awaiting).toEqual({ kind: 'details', context: { original: 'I have a question' } });
      const hours = await chat.say('what are your opening hours on saturday?');
      expect(hours.outcome.facts).toMatchObject({ article: 'opening-hours' });
      expect(hours.outcome.text).toMatch(/\(Source: Opening hours\)/);

      const es = new Dialogue('inquiry', agents().inquiryAgent, 'inquiry');
      await es.say('tengo una pregunta');
      const sabado = await es.say('¿a qué hora abren el sábado?');
      expect(sabado.outcome.text).toMatch(/\(Fuente: Horario de apertura\)/);

      const fix = new Dialogue('troubleshooting', agents().troubleshootingAgent, 'troubleshooting');
      await fix.say('something is broken');
      const band = await fix.say('my Pulse Band does not charge');
      expect(band.outcome.facts).toMatchObject({ article: 'pulse-band-charging' });
    });

    it('hands the question to a person when the answer finds nothing either', async () => {
      const chat = new Dialogue('troubleshooting', agents().troubleshootingAgent, 'troubleshooting');
      const ask = await chat.say('algo no va bien');
      expect(ask.outcome.text).toMatch(/¿Qué producto es y qué ocurre exactamente\?/);
      const still = await chat.say('el color de la caja es feo');
      expect(still.outcome.text).toMatch(/una persona del equipo revisará tu pregunta/);
      expect(still.outcome.facts).toMatchObject({ articles: [], needsPerson: true });
      expect(still.outcome.awaiting).toBeUndefined();
    });
  });
});
