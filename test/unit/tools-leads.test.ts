import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createToolActivities } from '../../src/activities/tools';
import type { ToolCallOutcome } from '../../src/contracts';
import { Lead } from '../../src/persistence';
import { stableUuid } from '../../src/persistence/stable-id';
import { ToolCallRecord } from '../../src/persistence/entities/tool-call.entity';
import { getKnowledgeBase } from '../../src/knowledge';
import { BUSINESS, NOW } from '../helpers/agent-dialogue';
import { databaseKinds } from '../helpers/database';
import { toolCallsOf, useToolDatabase } from '../helpers/tool-calls';

/**
 * The lead agent's tools: scoring this chat's prospect (BANT) and recording the lead once,
 * looking their company up (a website only on an allow-listed host, else the company
 * directory), and the chat's own leads with the directory's companies. Other chats' leads
 * are never shown.
 */
describe.each(databaseKinds())('lead tools on %s', (kind) => {
  // No allowed hosts: as deployed by default.
  const tools = useToolDatabase(kind, { seed: true });
  const { callTool } = tools;
  /** A company website on 127.0.0.1 that counts the requests it gets. */
  let site: Server;
  let siteHost: string;
  let siteHits: string[] = [];

  beforeAll(async () => {
    site = createServer((req, res) => {
      siteHits.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<html><head><title>Brightside Dental — Home</title><meta property="og:site_name" content="Brightside Dental"><meta name="description" content="Family dental clinics in Leeds."></head><body>Hi</body></html>');
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteHost = `127.0.0.1:${(site.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => site?.close(resolve));
  });
  beforeEach(() => {
    siteHits = [];
  });

  const newChat = () => `${randomUUID().slice(0, 8)}@c.us`;

  const input = toolCallsOf('lead');

  const parsed = (outcome: ToolCallOutcome) => JSON.parse(outcome.content);
  function evidenceOf(outcome: ToolCallOutcome) {
    if (outcome.status !== 'done') throw new Error(`expected done, got ${outcome.status}: ${outcome.summary}`);
    return outcome.evidence;
  }
  const leadsOf = (chatId: string) => tools.database.db.getRepository(Lead).findBy({ chatId });

  /** A CEO with $20,000 for 60 staff: budget 25, authority 25, need 25 (team of 60), no timeline yet. */
  const hotProspect = { budget: 20000, authority: 'CEO', need: 'We need a booking system for our 60 staff', company: 'Acme Corp', email: 'jane@acmecorp.com' };

  describe('score_lead', () => {
    it('scores the prospect and records the lead once, however often the call runs', async () => {
      const chat = newChat();
      const call = input({ name: 'score_lead', arguments: hotProspect }, { chatId: chat });
      const first = await callTool(call);
      const again = await Promise.all([callTool(call), callTool(call)]);
      for (const o of again) expect(o).toEqual(first);

      const id = stableUuid(`${call.workflowId}:${call.call.id}`);
      expect(first).toMatchObject({
        status: 'done',
        effect: true,
        summary: 'score_lead: budget, authority, need, company, email → hot 75',
        facts: { leadId: id, score: 75, grade: 'hot', breakdown: { budget: 25, authority: 25, need: 25, timeline: 0 } },
        confirmation: "Thank you, I've passed your details to our sales team. Someone from our sales team will call you today.",
      });
      expect(evidenceOf(first)).toEqual({});
      expect(parsed(first)).toEqual({
        lead: { score: 75, grade: 'hot', budget: 25, authority: 25, need: 25, timeline: 0, signals: ['budget 20000', 'decision maker', 'need, team of 60'], updated: false },
        next_step: 'Someone from our sales team will call you today.',
      });
      const leads = await leadsOf(chat);
      expect(leads).toEqual([
        expect.objectContaining({ id, email: 'jane@acmecorp.com', score: 75, grade: 'hot', message: 'We need a booking system for our 60 staff\ncompany: Acme Corp', workflowId: `${call.workflowId}:${call.call.id}` }),
      ]);
      expect(leads[0].details).toMatchObject({ company: 'Acme Corp', source: 'llm', total: 75 });
      expect(new Date(leads[0].createdAt).toISOString()).toBe(new Date(NOW).toISOString());
      expect(await tools.database.db.getRepository(ToolCallRecord).countBy({ chatId: chat, tool: 'score_lead' })).toBe(1);
    });

    it('scores the same lead again when the prospect tells more, keeping the first score, email and company', async () => {
      const chat = newChat();
      await callTool(input({ name: 'score_lead', arguments: hotProspect }, { chatId: chat }));
      const more = await callTool(input({ name: 'score_lead', arguments: { need: 'Also reminders by SMS', email: 'other@acmecorp.com' } }, { chatId: chat }));
      expect(more).toMatchObject({ status: 'done', effect: true });
      expect(parsed(more).lead.updated).toBe(true);
      const leads = await leadsOf(chat);
      expect(leads).toHaveLength(1);
      expect(leads[0].email).toBe('jane@acmecorp.com');
      expect(leads[0].details).toMatchObject({ company: 'Acme Corp', previous: { score: 75, grade: 'hot' }, answer: 'Also reminders by SMS' });
      expect(leads[0].score).toBe(parsed(more).lead.score);
      // Another chat's prospect is a lead of its own.
      const other = newChat();
      await callTool(input({ name: 'score_lead', arguments: { need: 'We are exploring options' } }, { chatId: other }));
      expect(await leadsOf(other)).toHaveLength(1);
      expect(await leadsOf(chat)).toHaveLength(1);
    });

    it('does not lower a lead when the prospect adds their timeline', async () => {
      const chat = newChat();
      const first = await callTool(input({ name: 'score_lead', arguments: hotProspect }, { chatId: chat }));
      expect(parsed(first).lead).toMatchObject({ score: 75, grade: 'hot' });
      const later = await callTool(input({ name: 'score_lead', arguments: { timeline: 'this month' } }, { chatId: chat }));
      expect(parsed(later).lead).toMatchObject({ budget: 25, authority: 25, timeline: 25, grade: 'hot' });
      expect(parsed(later).lead.score).toBeGreaterThanOrEqual(75);
    });

    it('records a cold lead from a role and a timeline alone, and promises an offer rather than a call', async () => {
      const chat = newChat();
      const outcome = await callTool(input({ name: 'score_lead', arguments: { authority: 'purchasing manager', timeline: 'next quarter' } }, { chatId: chat, language: 'es' }));
      expect(outcome).toMatchObject({
        status: 'done',
        summary: 'score_lead: authority, timeline → cold 32',
        confirmation: 'Gracias, he pasado tus datos a nuestro equipo comercial. Nuestro equipo comercial te enviará una oferta en un día hábil.',
      });
      expect(parsed(outcome).lead).toMatchObject({ score: 32, grade: 'cold', budget: 0, authority: 15, need: 0, timeline: 17 });
      expect(await leadsOf(chat)).toEqual([expect.objectContaining({ message: 'purchasing manager\nnext quarter', email: null, grade: 'cold' })]);
    });

    it('refuses empty or bad details naming the field, and records nothing', async () => {
      const chat = newChat();
      const cases: Array<[unknown, RegExp]> = [
        [{}, /^arguments: give at least one of budget, authority, need, timeline, company, company_size, email$/],
        [{ email: 'jane(at)acme' }, /^email: expected an email address$/],
        [{ budget: -5 }, /^budget: /],
        [{ budget: '20k' }, /^budget: /],
        [{ company_size: 2.5 }, /^company_size: /],
        [{ need: 'x', chat_id: 'a@c.us' }, /chat_id: unknown field/],
      ];
      for (const [args, expected] of cases) {
        expect(await callTool(input({ name: 'score_lead', arguments: args }, { chatId: chat }))).toMatchObject({ status: 'invalid', error: expect.stringMatching(expected) });
      }
      expect(await leadsOf(chat)).toHaveLength(0);
      expect(await callTool(input({ name: 'score_lead', arguments: { need: 'x' } }, { chatId: chat, agent: 'quote' }))).toMatchObject({ status: 'invalid', error: 'score_lead is not a tool of the quote agent' });
      expect(await leadsOf(chat)).toHaveLength(0);
    });
  });

  describe('enrich_lead', () => {
    it("reads the company from the directory by the prospect's work email", async () => {
      const outcome = await callTool(input({ name: 'enrich_lead', arguments: { email: 'jane@acmecorp.com' } }));
      expect(outcome).toMatchObject({ status: 'done', effect: false, summary: 'enrich_lead: acmecorp.com → directory' });
      expect(evidenceOf(outcome)).toEqual({ references: ['acmecorp.com'] });
      expect(parsed(outcome)).toEqual({
        domain: 'acmecorp.com',
        company: { name: 'Acme Corp', industry: 'Manufacturing', size: '201-500', country: 'US', description: 'Industrial equipment maker modernising its customer support.', website: 'https://acmecorp.com' },
        source: 'directory',
        notes: [],
      });
      expect(await tools.database.db.getRepository(ToolCallRecord).countBy({ tool: 'enrich_lead' })).toBe(0);
    });

    it('finds a company of the directory by its name alone, and says so when it is unknown', async () => {
      const byName = await callTool(input({ name: 'enrich_lead', arguments: { company: 'Globex' } }));
      expect(byName).toMatchObject({ status: 'done', summary: 'enrich_lead: Globex → directory' });
      expect(parsed(byName)).toMatchObject({ domain: 'globex.com', source: 'directory', company: { name: 'Globex Corporation', industry: 'Energy', website: 'https://globex.com' } });

      const unknown = await callTool(input({ name: 'enrich_lead', arguments: { company: 'Nobody Ltd' } }));
      expect(unknown).toMatchObject({ status: 'done', summary: 'enrich_lead: Nobody Ltd → none' });
      expect(evidenceOf(unknown)).toEqual({});
      expect(parsed(unknown)).toEqual({
        domain: null,
        company: { name: 'Nobody Ltd', industry: null, size: null, country: null, description: null, website: null },
        source: 'none',
        notes: ['lead has neither an email domain nor a website'],
      });
      // A free-mail address names no company.
      const gmail = await callTool(input({ name: 'enrich_lead', arguments: { email: 'jane@gmail.com' } }));
      expect(parsed(gmail)).toMatchObject({ domain: 'gmail.com', source: 'none', notes: ['gmail.com is not in the company directory'] });
    });

    it('never fetches a website when no host is allowed, falling back to the directory', async () => {
      const local = await callTool(input({ name: 'enrich_lead', arguments: { website: `http://${siteHost}/` } }));
      expect(local).toMatchObject({ status: 'done', summary: `enrich_lead: http://${siteHost}/ → none` });
      expect(parsed(local)).toMatchObject({
        domain: '127.0.0.1',
        source: 'none',
        notes: [`website host ${siteHost} is not on the allow-list (WORKFLOW_HTTP_ALLOWED_HOSTS)`, '127.0.0.1 is not in the company directory'],
      });
      expect(local.content).not.toContain('Brightside');
      expect(siteHits).toEqual([]);

      const listed = await callTool(input({ name: 'enrich_lead', arguments: { website: 'acmecorp.com' } }));
      expect(parsed(listed)).toMatchObject({
        domain: 'acmecorp.com',
        source: 'directory',
        company: { name: 'Acme Corp', website: 'https://acmecorp.com/' },
        notes: ['website host acmecorp.com is not on the allow-list (WORKFLOW_HTTP_ALLOWED_HOSTS)'],
      });
    });

    it('reads what the website says when its host is allowed', async () => {
      const allowed = createToolActivities({ db: tools.database.db, knowledgeBase: getKnowledgeBase(), business: BUSINESS, httpAllowedHosts: [siteHost] }).callTool;
      const outcome = await allowed(input({ name: 'enrich_lead', arguments: { website: `http://${siteHost}/about`, company: 'Brightside' } }));
      expect(outcome).toMatchObject({ status: 'done', summary: `enrich_lead: http://${siteHost}/about → website` });
      expect(parsed(outcome)).toEqual({
        domain: '127.0.0.1',
        company: { name: 'Brightside Dental', industry: null, size: null, country: null, description: 'Family dental clinics in Leeds.', website: `http://${siteHost}/about` },
        source: 'website',
        notes: [],
      });
      expect(siteHits).toEqual(['/about']);
    });

    it('refuses a call naming no company, website or email', async () => {
      expect(await callTool(input({ name: 'enrich_lead', arguments: {} }))).toMatchObject({ status: 'invalid', error: 'arguments: give company, website or email' });
      expect(await callTool(input({ name: 'enrich_lead', arguments: { email: 'not-an-email' } }))).toMatchObject({ status: 'invalid', error: 'email: expected an email address' });
      expect(siteHits).toEqual([]);
    });
  });

  describe('fetch_leads', () => {
    it("lists the chat's own leads and the directory's companies, by name", async () => {
      const chat = newChat();
      const empty = await callTool(input({ name: 'fetch_leads', arguments: {} }, { chatId: chat }));
      expect(empty).toMatchObject({ status: 'done', effect: false, summary: 'fetch_leads: all → 0 leads, 5 companies' });
      const { my_leads, companies } = parsed(empty);
      expect(my_leads).toEqual([]);
      expect(companies.map((c: { name: string }) => c.name)).toEqual(['Acme Corp', 'Globex Corporation', 'Initech', 'Tienda Sol', 'Umbrella Health']);
      expect(companies[0]).toEqual({ domain: 'acmecorp.com', name: 'Acme Corp', industry: 'Manufacturing', size: '201-500', country: 'US', description: 'Industrial equipment maker modernising its customer support.' });
      expect(evidenceOf(empty)).toEqual({ references: ['acmecorp.com', 'globex.com', 'initech.com', 'tiendasol.es', 'umbrella.co.uk'] });

      await callTool(input({ name: 'score_lead', arguments: hotProspect }, { chatId: chat }));
      await callTool(input({ name: 'score_lead', arguments: { need: 'We are a secret competitor', company: 'Hidden Co' } }));
      const mine = await callTool(input({ name: 'fetch_leads', arguments: { query: 'software' } }, { chatId: chat }));
      expect(mine).toMatchObject({ status: 'done', summary: 'fetch_leads: software → 1 leads, 1 companies' });
      expect(parsed(mine)).toEqual({
        my_leads: [{ score: 75, grade: 'hot', company: 'Acme Corp', created_on: '2026-11-30' }],
        companies: [{ domain: 'initech.com', name: 'Initech', industry: 'Software', size: '51-200', country: 'US', description: 'Business software for banks and insurers.' }],
      });
      expect(mine.content).not.toContain('Hidden Co');
    });

    it('matches the query against industry and country, and keeps to the limit', async () => {
      const health = await callTool(input({ name: 'fetch_leads', arguments: { query: 'HEALTHCARE' } }));
      expect(parsed(health).companies.map((c: { domain: string }) => c.domain)).toEqual(['umbrella.co.uk']);
      const two = await callTool(input({ name: 'fetch_leads', arguments: { limit: 2 } }));
      expect(parsed(two).companies.map((c: { domain: string }) => c.domain)).toEqual(['acmecorp.com', 'globex.com']);
      const none = await callTool(input({ name: 'fetch_leads', arguments: { query: 'zeppelin' } }));
      expect(parsed(none).companies).toEqual([]);
      expect(evidenceOf(none)).toEqual({});
      expect(await callTool(input({ name: 'fetch_leads', arguments: { limit: 50 } }))).toMatchObject({ status: 'invalid', error: expect.stringMatching(/^limit: /) });
    });
  });
});
