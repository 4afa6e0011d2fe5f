import { createCustomerAgents } from '../../src/activities/agents/customer-agents';
import type { AgentInput } from '../../src/contracts';
import { Customer, DocumentUpload, Lead, Reminder } from '../../src/persistence';
import { BUSINESS, Dialogue, raced } from '../helpers/agent-dialogue';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../helpers/database';

/**
 * Profile changes, leads, documents and reminders: deletion and opt-out requests, the
 * language, short phone numbers and names that are not names, a lead that declines or is
 * gone, files without a kind, reminders at a bare time or on a bare day, and turns retried
 * while their first attempt still runs. "Now" is Monday 30 November 2026, 08:00 UTC.
 */
describe.each(databaseKinds())('customer agents on %s', (kind) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.close();
  });

  const agents = () => createCustomerAgents(database.db, BUSINESS);
  const customer = (chatId: string) => database.db.getRepository(Customer).findOneByOrFail({ chatId });

  describe('personalization', () => {
    const profile = (chatId?: string) => new Dialogue('personalization', agents().personalizationAgent, 'profile_update', chatId);

    it('records a request to delete the data once, opting the customer out (English and Spanish)', async () => {
      const chat = profile();
      const first = await chat.say('Please delete my data');
      expect(first.outcome).toMatchObject({
        text: 'We have recorded your request to delete your data; it will be completed within 30 days and we will stop all marketing messages now.',
        facts: { updated: ['deletion_requested'] },
      });
      expect(first.outcome.awaiting).toBeUndefined();
      expect(await customer(chat.chatId)).toMatchObject({ optedOut: true });
      expect(new Date((await customer(chat.chatId)).deletionRequestedAt!).toISOString()).toBe('2026-11-30T08:00:00.000Z');

      // Asked again a day later: the request keeps the date it was first made.
      await chat.say('I said: remove my account information', { receivedAt: '2026-12-01T08:00:00Z' });
      expect(new Date((await customer(chat.chatId)).deletionRequestedAt!).toISOString()).toBe('2026-11-30T08:00:00.000Z');

      const es = await profile().say('Quiero borrar mis datos');
      expect(es.outcome.text).toBe('Hemos registrado tu solicitud de borrar tus datos; se completará en un plazo de 30 días y dejamos de enviarte mensajes comerciales desde ahora.');
    });

    it('opts the customer out of follow-ups and marketing (English and Spanish)', async () => {
      const chat = profile();
      const stop = await chat.say('Please stop sending me messages');
      expect(stop.outcome).toMatchObject({ text: "You won't receive any more follow-up or marketing messages from us.", facts: { updated: ['opted_out'] } });
      expect(await customer(chat.chatId)).toMatchObject({ optedOut: true, deletionRequestedAt: null });

      const es = profile();
      const baja = await es.say('quiero darme de baja');
      expect(baja.outcome.text).toBe('No recibirás más mensajes de seguimiento ni comerciales.');
      expect(await customer(es.chatId)).toMatchObject({ optedOut: true });
    });

    it('changes the language asked for in a sentence (English and Spanish)', async () => {
      const chat = profile();
      const spanish = await chat.say('Please write to me in Spanish');
      expect(spanish.outcome).toMatchObject({ text: 'Updated your language.', facts: { updated: ['language'] } });
      expect(await customer(chat.chatId)).toMatchObject({ language: 'es' });

      const es = profile();
      const ingles = await es.say('escríbeme en inglés, por favor');
      expect(ingles.outcome.text).toBe('Actualizamos tu idioma.');
      expect(await customer(es.chatId)).toMatchObject({ language: 'en' });
    });

    it('asks which language, takes a bare "Spanish" or "English", and asks again for one it does not write in', async () => {
      const chat = profile();
      const ask = await chat.say('I want to change my language');
      expect(ask.outcome).toMatchObject({ text: 'Which language would you like us to write in: English or Spanish?', awaiting: { kind: 'contact', context: { field: 'language' } } });
      const french = await chat.say('French');
      expect(french.outcome.text).toBe("Sorry, I couldn't read that. Which language would you like us to write in: English or Spanish?");
      expect(french.outcome.awaiting).toEqual({ kind: 'contact', context: { field: 'language' } });
      const spanish = await chat.say('Spanish');
      expect(spanish.outcome.text).toBe('Updated your language.');
      expect(await customer(chat.chatId)).toMatchObject({ language: 'es' });

      const back = profile(chat.chatId);
      await back.say('I want to change my language');
      await back.say('English');
      expect(await customer(chat.chatId)).toMatchObject({ language: 'en' });

      const es = profile();
      const idioma = await es.say('Quiero cambiar el idioma');
      expect(idioma.outcome.text).toBe('¿En qué idioma prefieres que te escribamos: español o inglés?');
      const espanol = await es.say('español');
      expect(espanol.outcome.text).toBe('Actualizamos tu idioma.');
      expect(await customer(es.chatId)).toMatchObject({ language: 'es' });
    });

    it('takes a short local phone number once it asked for the phone, and asks again for digits that are no number', async () => {
      const chat = profile();
      await chat.say('I want to change my phone');
      const short = await chat.say('555 0123');
      expect(short.outcome).toMatchObject({ text: 'Updated your phone.', facts: { updated: ['phone'] } });
      expect(await customer(chat.chatId)).toMatchObject({ phone: '5550123' });

      const bad = profile();
      await bad.say('I want to change my phone');
      const twelve = await bad.say('12');
      expect(twelve.outcome.text).toBe("Sorry, I couldn't read that. What is your new phone number?");
      expect(twelve.outcome.awaiting).toEqual({ kind: 'contact', context: { field: 'phone' } });
    });

    it('does not take digits or a whole sentence for a name, and asks again', async () => {
      const chat = profile();
      await chat.say('I want to change my name');
      const digits = await chat.say('42');
      expect(digits.outcome.text).toBe("Sorry, I couldn't read that. What name should we use for you?");
      const sentence = await chat.say('I would rather you used my nickname here');
      expect(sentence.outcome.text).toBe("Sorry, I couldn't read that. What name should we use for you?");
      const name = await chat.say("it's Ana");
      expect(name.outcome.text).toBe('Updated your name.');
      expect(await customer(chat.chatId)).toMatchObject({ name: 'Ana' });
    });

    it('asks what to update again when the answer names no field and no value (English and Spanish)', async () => {
      const chat = profile();
      await chat.say('I want to update my details');
      const hmm = await chat.say('hmm');
      expect(hmm.outcome.text).toBe('Sure. What would you like to update: your name, email, phone, language, or contact preferences?');
      expect(hmm.outcome.awaiting).toEqual({ kind: 'contact' });

      const es = profile();
      await es.say('Quiero actualizar mis datos');
      const eh = await es.say('eh');
      expect(eh.outcome.text).toBe('Claro. ¿Qué quieres actualizar: tu nombre, correo, teléfono, idioma o preferencias de contacto?');
    });
  });

  describe('lead', () => {
    const leadChat = () => new Dialogue('lead', agents().leadAgent, 'lead');

    it('keeps the grade and promises the offer when the prospect prefers not to answer (English and Spanish)', async () => {
      const chat = leadChat();
      const ask = await chat.say('We are interested in your corporate wellness packages');
      const no = await chat.say('no thanks');
      expect(no.outcome.text).toBe('No problem. Our sales team will send you an offer within one business day.');
      expect(no.outcome.facts).toEqual({ leadId: ask.outcome.facts.leadId, score: ask.outcome.facts.score, grade: 'cold', answered: false });
      expect(no.outcome.awaiting).toBeUndefined();
      expect(await database.db.getRepository(Lead).findOneByOrFail({ id: ask.outcome.facts.leadId as string })).toMatchObject({ grade: 'cold', score: ask.outcome.facts.score });

      const es = leadChat();
      await es.say('Nos interesa su programa de bienestar para empresas');
      const nada = await es.say('no gracias');
      expect(nada.outcome.text).toBe('Sin problema. Nuestro equipo comercial te enviará una oferta en un día hábil.');
    });

    it('scores the answer with the budget the first message gave', async () => {
      const chat = leadChat();
      const ask = await chat.say("We'd like a wellness program for our team, budget $20k");
      expect(ask.outcome.facts).toMatchObject({ grade: 'cold', breakdown: { budget: 25 } });
      const answer = await chat.say('about 40 people, we want to start next month');
      expect(answer.outcome.facts).toMatchObject({ previousGrade: 'cold', breakdown: { budget: 25, timeline: 17 } });
      expect(answer.outcome.facts.score).toBeGreaterThan(ask.outcome.facts.score as number);
      const lead = await database.db.getRepository(Lead).findOneByOrFail({ id: ask.outcome.facts.leadId as string });
      expect(lead.score).toBe(answer.outcome.facts.score);
    });

    it('takes the answer as a new lead when the one asked about is gone', async () => {
      const chat = leadChat();
      const ask = await chat.say('We are interested in your corporate wellness packages');
      await database.db.getRepository(Lead).delete({ id: ask.outcome.facts.leadId as string });
      const answer = await chat.say('About 60 people, budget around $15k, we need to start this month.');
      expect(answer.outcome.text).toMatch(/^Thanks for your interest in Harbour Wellness!/);
      expect(answer.outcome.facts.leadId).not.toBe(ask.outcome.facts.leadId);
      expect(await database.db.getRepository(Lead).findOneByOrFail({ id: answer.outcome.facts.leadId as string })).toMatchObject({ chatId: chat.chatId, workflowId: answer.workflowId });
    });

    it('records one lead when the turn races its retry', async () => {
      const agent = agents().leadAgent;
      const first = await new Dialogue('lead', agent, 'lead').say('We are interested in your corporate wellness packages', { workflowId: 'msg:whatsapp:lead-warmup' });
      const input: AgentInput = { ...first.input, workflowId: `msg:whatsapp:lead-race-${kind}` };
      const [a, b] = await raced(agent, input);
      expect(b.facts).toEqual(a.facts);
      expect(await database.db.getRepository(Lead).countBy({ workflowId: input.workflowId })).toBe(1);
    });
  });

  describe('document', () => {
    const documentChat = () => new Dialogue('document', agents().documentAgent, 'document');

    it('calls a file of no named kind a file (English and Spanish)', async () => {
      const file = await documentChat().say('here you go', { media: { reference: 'wamid.media.100', mimeType: 'image/jpeg' } });
      expect(file.outcome.text).toMatch(/^Got it — we've received your file and will process it within one business day \(reference [0-9A-F]{8}\)\.$/);
      expect(file.outcome.facts).toMatchObject({ recorded: true, kind: 'file', reference: 'wamid.media.100' });

      const es = await documentChat().say('aquí lo tienes: escaneo.pdf');
      expect(es.outcome.text).toMatch(/^Recibido: tenemos tu archivo y lo procesaremos en un día hábil \(referencia [0-9A-F]{8}\)\.$/);
      expect(await database.db.getRepository(DocumentUpload).findOneByOrFail({ workflowId: es.workflowId })).toMatchObject({ reference: 'escaneo.pdf', kind: 'file', mimeType: null });
    });

    it('remembers the kind of document announced when the file comes without words', async () => {
      const chat = documentChat();
      const ask = await chat.say('I want to send you my contract');
      expect(ask.outcome.text).toBe("I don't see a file attached. Could you send it again as a document or photo?");
      expect(ask.outcome.awaiting).toEqual({ kind: 'attachment', context: { documentKind: 'contract' } });
      const file = await chat.say('', { media: { reference: 'wamid.media.200', mimeType: 'application/pdf' } });
      expect(file.outcome.text).toMatch(/^Got it — we've received your contract/);
      expect(await database.db.getRepository(DocumentUpload).findOneByOrFail({ workflowId: file.workflowId })).toMatchObject({ kind: 'contract', chatId: chat.chatId });

      const es = documentChat();
      const sinArchivo = await es.say('Te quiero mandar un documento');
      expect(sinArchivo.outcome.text).toBe('No veo ningún archivo adjunto. ¿Puedes enviarlo de nuevo como documento o foto?');
      expect(sinArchivo.outcome.awaiting).toEqual({ kind: 'attachment' });
    });
  });

  describe('reminder', () => {
    const reminderChat = () => new Dialogue('reminder', agents().reminderAgent, 'reminder');

    it('reads a bare time as today, or tomorrow once it has passed', async () => {
      const later = await reminderChat().say('Remind me at 6pm to call the bank');
      expect(later.outcome.text).toBe("Done — I'll remind you on Monday 30 November at 18:00.");
      expect(later.outcome.next).toEqual({ kind: 'reminder', reminderId: later.outcome.facts.reminderId, remindAt: '2026-11-30T18:00:00.000Z', text: 'call the bank' });

      const early = await reminderChat().say('Remind me at 7am to stretch');
      expect(early.outcome.text).toBe("Done — I'll remind you on Tuesday 1 December at 07:00.");
      expect(await database.db.getRepository(Reminder).findOneByOrFail({ id: early.outcome.facts.reminderId as string })).toMatchObject({ text: 'stretch', status: 'scheduled' });
    });

    it('asks again for a time that has already passed today', async () => {
      const chat = reminderChat();
      await chat.say('Remind me to take my vitamins');
      const past = await chat.say('today at 7am');
      expect(past.outcome.text).toBe('Sorry, I need a day or time for the reminder — for example "tomorrow at 9am" or "in 2 hours".');
      expect(past.outcome.awaiting).toEqual({ kind: 'when', context: { about: 'take my vitamins' } });
      expect(await database.db.getRepository(Reminder).countBy({ chatId: chat.chatId })).toBe(0);
    });

    it('reads "in 30 minutes" and "en 2 días" from now', async () => {
      const soon = reminderChat();
      await soon.say('Remind me to check the oven');
      const thirty = await soon.say('in 30 minutes');
      expect(thirty.outcome.facts).toMatchObject({ scheduled: true, remindAt: '2026-11-30T08:30:00.000Z' });
      expect(thirty.outcome.text).toBe("Done — I'll remind you on Monday 30 November at 08:30.");

      const dias = reminderChat();
      await dias.say('Recuérdame renovar el seguro');
      const dos = await dias.say('en 2 días');
      expect(dos.outcome.text).toBe('Listo, te lo recordaré el miércoles 2 de diciembre a las 08:00.');
    });

    it('reads a bare day as 09:00 that day (Spanish)', async () => {
      const viernes = await reminderChat().say('recuérdame el viernes que pague la luz');
      expect(viernes.outcome.text).toBe('Listo, te lo recordaré el viernes 4 de diciembre a las 09:00.');
      expect(viernes.outcome.next).toMatchObject({ remindAt: '2026-12-04T09:00:00.000Z', text: 'pague la luz' });
    });

    it('keeps the first 200 characters of a very long reminder', async () => {
      const what = `of the shopping list: ${'milk, eggs, bread, apples, rice, coffee, olive oil, tomatoes, '.repeat(4)}and soap`;
      const chat = reminderChat();
      const ask = await chat.say(`Remind me ${what}`);
      expect(ask.outcome.awaiting).toEqual({ kind: 'when', context: { about: what.slice(0, 200) } });
      const when = await chat.say('tomorrow at 9');
      expect(when.outcome.next).toMatchObject({ remindAt: '2026-12-01T09:00:00.000Z' });
      const row = await database.db.getRepository(Reminder).findOneByOrFail({ id: when.outcome.facts.reminderId as string });
      expect(row.text).toBe(what.slice(0, 200));
    });

    it('schedules one reminder when the turn races its retry', async () => {
      const agent = agents().reminderAgent;
      const first = await new Dialogue('reminder', agent, 'reminder').say('Remind me tomorrow at 10am to water the plants', { workflowId: 'msg:whatsapp:reminder-warmup' });
      const input: AgentInput = { ...first.input, workflowId: `msg:whatsapp:reminder-race-${kind}` };
      const [a, b] = await raced(agent, input);
      expect(b.facts).toEqual(a.facts);
      expect(a.facts).toMatchObject({ scheduled: true, remindAt: '2026-12-01T10:00:00.000Z' });
      expect(await database.db.getRepository(Reminder).countBy({ workflowId: input.workflowId })).toBe(1);
    });
  });
});
