
import type { ToolCallOutcome } from '../../src/contracts';
import { ToolCallRecord } from '../../src/persistence/entities/tool-call.entity';
import { getKnowledgeBase } from '../../src/knowledge';
import { databaseKinds } from '../helpers/database';
import { toolCallsOf, useToolDatabase } from '../helpers/tool-calls';

/**
 * The inquiry and troubleshooting agents' tool, search_articles: the knowledge base's
 * passages with their article's id and title (what a reply may cite), in the customer's
 * language, among the articles of the calling agent's kind; nothing found said plainly.
 */
describe.each(databaseKinds())('knowledge tool on %s', (kind) => {
  const tools = useToolDatabase(kind);
  const { callTool } = tools;


  const input = toolCallsOf('inquiry');

  const parsed = (outcome: ToolCallOutcome) => JSON.parse(outcome.content);
  function done(outcome: ToolCallOutcome) {
    if (outcome.status !== 'done') throw new Error(`expected done, got ${outcome.status}: ${outcome.summary}`);
    return outcome;
  }
  const ids = (outcome: ToolCallOutcome) => parsed(outcome).articles.map((a: { id: string }) => a.id);

  it('answers a question with the passage of the right article, its id and title, and what the reply may state', async () => {
    const outcome = done(await callTool(input({ name: 'search_articles', arguments: { query: 'What are your opening hours on Saturday?' } })));
    expect(outcome.effect).toBe(false);
    const { articles } = parsed(outcome);
    expect(articles[0]).toMatchObject({ id: 'opening-hours', title: 'Opening hours', language: 'en' });
    expect(articles[0].text).toContain('Saturday 10:00–14:00');
    expect(articles.length).toBeLessThanOrEqual(3);
    expect(outcome.summary).toBe(`search_articles: What are your opening hours on Saturday? → ${ids(outcome).join(', ')}`);
    expect(outcome.evidence.references).toEqual(expect.arrayContaining(['opening-hours']));
    // The hours the article gives are what a reply may name.
    expect(outcome.evidence.times).toEqual(expect.arrayContaining(['10:00', '14:00']));
    expect(outcome.facts).toEqual({ articles: articles.map((a: { id: string; title: string }) => ({ id: a.id, title: a.title, score: expect.any(Number) })) });
    // Reading changes nothing: no ledger row.
    expect(await tools.database.db.getRepository(ToolCallRecord).countBy({ tool: 'search_articles' })).toBe(0);
  });

  it("searches in the customer's language first", async () => {
    const outcome = done(await callTool(input({ name: 'search_articles', arguments: { query: '¿A qué hora abren los sábados?' } }, { language: 'es-ES' })));
    const { articles } = parsed(outcome);
    expect(articles[0]).toMatchObject({ id: 'opening-hours', title: 'Horario de apertura', language: 'es' });
    expect(articles[0].text).toMatch(/sábados de 10:00 a 14:00/);
  });

  it('gives the troubleshooting agent the guides, and the inquiry agent only the inquiry articles', async () => {
    const query = "my Pulse Band won't charge";
    const fix = done(await callTool(input({ name: 'search_articles', arguments: { query } }, { agent: 'troubleshooting' })));
    expect(ids(fix)[0]).toBe('pulse-band-charging');
    expect(parsed(fix).articles[0]).toMatchObject({ title: "Pulse Band won't charge" });
    expect(parsed(fix).articles[0].text).toMatch(/contacts/);

    const inquiry = done(await callTool(input({ name: 'search_articles', arguments: { query } })));
    expect(ids(inquiry)).not.toContain('pulse-band-charging');
    const guides = getKnowledgeBase().articles.filter((a) => a.intent === 'troubleshooting').map((a) => a.id);
    for (const id of ids(inquiry)) expect(guides).not.toContain(id);
  });

  it('says when no article answers, so the model asks or offers a person instead of inventing', async () => {
    const outcome = done(await callTool(input({ name: 'search_articles', arguments: { query: 'xylophone zeppelin quasar' } })));
    expect(parsed(outcome)).toEqual({ articles: [], note: 'no article answers this; ask for details, or offer a person' });
    expect(outcome.summary).toBe('search_articles: xylophone zeppelin quasar → nothing found');
    expect(outcome.facts).toEqual({ articles: [] });
    expect(outcome.evidence.references ?? []).toEqual([]);
  });

  it('refuses a query too short or too long, and agents without the knowledge base', async () => {
    expect(await callTool(input({ name: 'search_articles', arguments: { query: ' a ' } }))).toMatchObject({ status: 'invalid', error: expect.stringMatching(/^query: /) });
    expect(await callTool(input({ name: 'search_articles', arguments: { query: 'x'.repeat(501) } }))).toMatchObject({ status: 'invalid', error: expect.stringMatching(/^query: /) });
    expect(await callTool(input({ name: 'search_articles', arguments: {} }))).toMatchObject({ status: 'invalid', error: 'query: required' });
    const foreign = await callTool(input({ name: 'search_articles', arguments: { query: 'opening hours' } }, { agent: 'appointment' }));
    expect(foreign).toMatchObject({ status: 'invalid', error: 'search_articles is not a tool of the appointment agent' });
  });

  it('cuts a long question in the summary line', async () => {
    const query = `Where can I park near the shop ${'please '.repeat(20)}`.trim();
    const outcome = done(await callTool(input({ name: 'search_articles', arguments: { query } })));
    expect(outcome.summary.startsWith(`search_articles: ${query.slice(0, 80)} → `)).toBe(true);
    expect(ids(outcome)).toContain('location-and-parking');
  });
});
