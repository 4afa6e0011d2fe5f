import { randomUUID } from 'node:crypto';
import type { ToolCallOutcome } from '../../src/contracts';
import { Customer } from '../../src/persistence';
import { ToolCallRecord } from '../../src/persistence/entities/tool-call.entity';
import { DEMO_CHAT_EN, DEMO_CHAT_ES } from '../../src/persistence/seed/demo-data';
import { NOW } from '../helpers/agent-dialogue';
import { databaseKinds } from '../helpers/database';
import { toolCallsOf, useToolDatabase } from '../helpers/tool-calls';

/**
 * The personalization agent's tools: the chat's own profile read and changed. Bad contact
 * details are refused naming the field, opting out and asking for deletion take effect at
 * once, a change happens once per call id, and no other chat's profile is ever touched.
 */
describe.each(databaseKinds())('profile tools on %s', (kind) => {
  const tools = useToolDatabase(kind, { seed: true });
  const { callTool } = tools;


  const newChat = () => `${randomUUID().slice(0, 8)}@c.us`;

  const input = toolCallsOf('personalization');

  const parsed = (outcome: ToolCallOutcome) => JSON.parse(outcome.content);
  const customer = (chatId: string) => tools.database.db.getRepository(Customer).findOneBy({ chatId });
  /** The demo customers as seeded, to check nothing else changed them. */
  const demo = async () => [await customer(DEMO_CHAT_EN), await customer(DEMO_CHAT_ES)].map((c) => ({ ...c, updatedAt: undefined, createdAt: undefined }));

  describe('read_profile', () => {
    it("shows the chat's own profile, and the contact details a reply may repeat", async () => {
      const outcome = await callTool(input({ name: 'read_profile', arguments: {} }, { chatId: DEMO_CHAT_EN }));
      expect(outcome).toMatchObject({ status: 'done', effect: false, summary: 'read_profile: this chat', evidence: { references: ['ana.chan@example.com', '+85260552717'] } });
      expect(parsed(outcome)).toEqual({
        profile: { name: 'Ana Chan', email: 'ana.chan@example.com', phone: '+85260552717', language: 'en', marketing_opt_in: true, data_deletion_requested: false },
      });
    });

    it('shows an empty profile for a chat never seen, without creating one', async () => {
      const chat = newChat();
      const outcome = await callTool(input({ name: 'read_profile', arguments: {} }, { chatId: chat }));
      expect(outcome).toMatchObject({ status: 'done' });
      expect(outcome).toHaveProperty('evidence', {});
      expect(parsed(outcome)).toEqual({ profile: { name: null, email: null, phone: null, language: null, marketing_opt_in: true, data_deletion_requested: false } });
      expect(await customer(chat)).toBeNull();
      expect(await callTool(input({ name: 'read_profile', arguments: { chat_id: DEMO_CHAT_EN } }, { chatId: chat }))).toMatchObject({ status: 'invalid', error: 'chat_id: unknown field' });
      expect(await callTool(input({ name: 'read_profile', arguments: {} }, { chatId: DEMO_CHAT_EN, agent: 'lead' }))).toMatchObject({ status: 'invalid', error: 'read_profile is not a tool of the lead agent' });
    });
  });

  describe('update_profile', () => {
    it("creates the chat's profile on a first change, once however often the call runs, and touches no other", async () => {
      const before = await demo();
      const chat = newChat();
      const call = input({ name: 'update_profile', arguments: { email: 'sam@example.org', phone: '+34 (600) 123-456', name: 'Sam Ruiz' } }, { chatId: chat });
      const first = await callTool(call);
      const again = await Promise.all([callTool(call), callTool(call)]);
      for (const o of again) expect(o).toEqual(first);

      expect(first).toMatchObject({
        status: 'done',
        effect: true,
        summary: 'update_profile: name, email, phone → email, phone, name',
        evidence: { references: ['sam@example.org', '+34600123456'] },
        facts: { updated: ['email', 'phone', 'name'] },
        confirmation: 'Updated your email, phone, name.',
      });
      // The phone is stored as digits, whatever the customer wrote around them.
      expect(parsed(first)).toEqual({
        updated: ['email', 'phone', 'name'],
        profile: { name: 'Sam Ruiz', email: 'sam@example.org', phone: '+34600123456', language: null, marketing_opt_in: true, data_deletion_requested: false },
      });
      expect(await customer(chat)).toMatchObject({ name: 'Sam Ruiz', email: 'sam@example.org', phone: '+34600123456', optedOut: false, deletionRequestedAt: null });
      expect(await tools.database.db.getRepository(Customer).countBy({ chatId: chat })).toBe(1);
      expect(await tools.database.db.getRepository(ToolCallRecord).countBy({ key: `${call.workflowId}:${call.call.id}` })).toBe(1);
      expect(await demo()).toEqual(before);
    });

    it('changes only the fields given, and answers in Spanish', async () => {
      const before = await customer(DEMO_CHAT_EN);
      const chat = DEMO_CHAT_ES;
      const outcome = await callTool(input({ name: 'update_profile', arguments: { email: 'lucia@nuevo.es' } }, { chatId: chat, language: 'es' }));
      expect(outcome).toMatchObject({ status: 'done', confirmation: 'Actualizamos tu correo.' });
      expect(await customer(chat)).toMatchObject({ name: 'Lucía Pérez', email: 'lucia@nuevo.es', phone: '+34600111222', language: 'es', optedOut: false });
      const lang = await callTool(input({ name: 'update_profile', arguments: { language: 'en' } }, { chatId: chat, language: 'es' }));
      expect(lang).toMatchObject({ status: 'done', confirmation: 'Actualizamos tu idioma.' });
      expect(await customer(chat)).toMatchObject({ email: 'lucia@nuevo.es', language: 'en' });
      expect({ ...(await customer(DEMO_CHAT_EN)), updatedAt: undefined }).toEqual({ ...before, updatedAt: undefined });
    });

    it('refuses a bad email, phone or language naming the field, and writes nothing', async () => {
      const chat = newChat();
      const cases: Array<[unknown, RegExp]> = [
        [{ email: 'sam at example dot org' }, /^email: expected an email address$/],
        [{ phone: 'call me maybe' }, /^phone: expected a phone number such as \+34 600 111 222$/],
        [{ phone: '12' }, /^phone: expected a phone number/],
        [{ name: 'Sam', email: 'nope' }, /^email: expected an email address$/],
        [{ language: 'fr' }, /^language: /],
        [{ marketing_opt_in: 'no' }, /^marketing_opt_in: /],
        [{ request_data_deletion: false }, /^request_data_deletion: /],
        [{}, /^arguments: give at least one field to change$/],
        [{ chat_id: DEMO_CHAT_EN, email: 'x@example.org' }, /chat_id: unknown field/],
      ];
      for (const [args, expected] of cases) {
        const outcome = await callTool(input({ name: 'update_profile', arguments: args }, { chatId: chat }));
        expect(outcome).toMatchObject({ status: 'invalid', error: expect.stringMatching(expected) });
        expect(parsed(outcome).hint).toBe('fix the arguments and call the tool again');
      }
      expect(await customer(chat)).toBeNull();
      expect(await tools.database.db.getRepository(ToolCallRecord).countBy({ chatId: chat })).toBe(0);
      expect((await customer(DEMO_CHAT_EN))!.email).toBe('ana.chan@example.com');
    });

    it('stops and restarts marketing messages at once', async () => {
      const chat = newChat();
      await callTool(input({ name: 'update_profile', arguments: { name: 'Kim' } }, { chatId: chat }));
      const out = await callTool(input({ name: 'update_profile', arguments: { marketing_opt_in: false } }, { chatId: chat }));
      expect(out).toMatchObject({ status: 'done', summary: 'update_profile: marketing_opt_in → opted_out', confirmation: "You won't receive any more follow-up or marketing messages from us." });
      expect(out).toHaveProperty('evidence', {});
      expect(parsed(out).profile).toMatchObject({ name: 'Kim', marketing_opt_in: false });
      expect(await customer(chat)).toMatchObject({ name: 'Kim', optedOut: true });

      const back = await callTool(input({ name: 'update_profile', arguments: { marketing_opt_in: true } }, { chatId: chat }));
      expect(back).toMatchObject({ status: 'done', facts: { updated: ['opted_in'] }, confirmation: 'You will receive our follow-up and marketing messages again.' });
      expect(await customer(chat)).toMatchObject({ optedOut: false });
    });

    it('records a deletion request once, stops marketing, and refuses opting in afterwards', async () => {
      const chat = newChat();
      const request = await callTool(input({ name: 'update_profile', arguments: { request_data_deletion: true } }, { chatId: chat }));
      expect(request).toMatchObject({
        status: 'done',
        facts: { updated: ['deletion_requested'] },
        confirmation: 'We have recorded your request to delete your data; it will be completed within 30 days and we will stop all marketing messages now.',
      });
      expect(parsed(request).profile).toMatchObject({ marketing_opt_in: false, data_deletion_requested: true });
      const stored = await customer(chat);
      expect(stored).toMatchObject({ optedOut: true });
      expect(new Date(stored!.deletionRequestedAt!).toISOString()).toBe(new Date(NOW).toISOString());

      // Asked again a day later: the first request's date stands.
      await callTool(input({ name: 'update_profile', arguments: { request_data_deletion: true } }, { chatId: chat, receivedAt: '2026-12-01T08:00:00Z' }));
      expect(new Date((await customer(chat))!.deletionRequestedAt!).toISOString()).toBe(new Date(NOW).toISOString());

      const optIn = await callTool(input({ name: 'update_profile', arguments: { marketing_opt_in: true } }, { chatId: chat }));
      expect(optIn).toMatchObject({ status: 'failed', error: 'the customer asked for their data to be deleted: they cannot opt in to marketing messages' });
      const both = await callTool(input({ name: 'update_profile', arguments: { marketing_opt_in: true, request_data_deletion: true } }));
      expect(both).toMatchObject({ status: 'failed', error: 'the customer asked for their data to be deleted: they cannot opt in to marketing messages' });
      expect(await customer(chat)).toMatchObject({ optedOut: true });
    });
  });
});
