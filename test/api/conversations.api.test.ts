import { randomUUID } from 'node:crypto';
import type { PendingQuestion } from '../../src/domain/questions';
import { Conversation, ConversationMessage, OutboundMessage, type MessageDirection, type OutboundStatus, type TranscriptKind } from '../../src/persistence';
import { deleteTranscriptsBefore, recentTranscript } from '../../src/persistence/transcript-queries';
import { getJson } from '../helpers/api';
import { databaseKinds } from '../helpers/database';
import { useApiHarness } from '../helpers/harness';

const HOUR = 3_600_000;
/** A fixed past morning: rows are placed around it, so their order never depends on the clock. */
const T0 = Date.parse('2026-01-05T09:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

describe.each(databaseKinds())('conversations API on %s (transcript and chat rows written directly)', (kind) => {
  const h = useApiHarness({ name: `api-conversations-${kind}`, kind });
  const url = (path: string) => `${h.api.baseUrl}${path}`;
  const chat = (path: string) => getJson(url(`/api/conversations/${encodeURIComponent(path)}`));
  /** A chat id prefix of one test, so list assertions only see that test's chats. */
  const tag = () => `c${randomUUID().replace(/-/g, '').slice(0, 10)}`;

  async function line(chatId: string, fields: { direction: MessageDirection; text: string; at: Date; kind?: TranscriptKind; agent?: string; operator?: string; outboundId?: string; channel?: string; workflowId?: string; id?: string }) {
    const id = fields.id ?? randomUUID();
    await h.database.db.getRepository(ConversationMessage).insert({
      id,
      messageKey: `test:${id}`,
      chatId,
      channel: fields.channel ?? 'whatsapp',
      direction: fields.direction,
      kind: fields.kind ?? (fields.direction === 'in' ? 'message' : 'reply'),
      text: fields.text,
      at: fields.at,
      workflowId: fields.workflowId ?? `msg:whatsapp:${id}`,
      agent: fields.agent ?? null,
      operator: fields.operator ?? null,
      outboundId: fields.outboundId ?? null,
      senderName: null,
      media: null,
    });
    return id;
  }

  async function outbound(chatId: string, body: string, status: OutboundStatus) {
    const id = randomUUID();
    await h.database.db.getRepository(OutboundMessage).insert({
      id,
      idempotencyKey: `test:${id}`,
      workflowId: `msg:whatsapp:${id}`,
      chatId,
      channel: 'whatsapp',
      body,
      status,
      providerMessageId: null,
      error: null,
      provider: null,
      attempts: 0,
      sendingSince: null,
      template: null,
    });
    return id;
  }

  async function conversation(chatId: string, fields: Partial<Conversation> = {}) {
    await h.database.db.getRepository(Conversation).insert({
      chatId,
      lastClarificationAt: null,
      lastClarificationWorkflowId: null,
      lastInboundAt: null,
      channel: 'whatsapp',
      language: 'en',
      lastAgent: null,
      pending: null,
      handoffWorkflowId: null,
      handoffStatus: null,
      turns: 0,
      lastMessageAt: null,
      updatedAt: null,
      ...fields,
    });
  }

  function question(expiresAt: Date, extra: Partial<PendingQuestion> = {}): PendingQuestion {
    return {
      kind: 'choice',
      agent: 'appointment',
      intent: 'appointment_booking',
      askedBy: `msg:whatsapp:${randomUUID()}`,
      askedAt: new Date(expiresAt.getTime() - HOUR).toISOString(),
      expiresAt: expiresAt.toISOString(),
      attempts: 0,
      options: [
        { value: '2026-01-06T09:00:00Z', label: 'Tuesday 6 January, 09:00' },
        { value: '2026-01-06T10:00:00Z', label: 'Tuesday 6 January, 10:00' },
      ],
      ...extra,
    };
  }

  it('returns a chat oldest first, with who wrote each line and the ledger status of outbound lines only', async () => {
    const chatId = `${tag()}@c.us`;
    const outId = await outbound(chatId, 'We are open 9 to 18.', 'sent');
    await conversation(chatId, { language: 'es', turns: 2, lastMessageAt: at(3), updatedAt: at(3) });
    // Written out of order: the answer sorts them.
    await line(chatId, { direction: 'out', kind: 'operator', text: 'Maria here.', at: at(3), operator: 'maria' });
    await line(chatId, { direction: 'in', text: 'What are your hours?', at: at(1) });
    await line(chatId, { direction: 'out', text: 'We are open 9 to 18.', at: at(2), agent: 'inquiry', outboundId: outId });

    const res = await chat(chatId);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ chatId, channel: 'whatsapp', language: 'es', pending: null, handoff: null, nextCursor: null });
    expect(res.body.messages).toEqual([
      { direction: 'in', text: 'What are your hours?', at: at(1).toISOString(), workflowId: expect.stringMatching(/^msg:whatsapp:/), kind: 'message' },
      { direction: 'out', text: 'We are open 9 to 18.', at: at(2).toISOString(), workflowId: expect.any(String), kind: 'reply', agent: 'inquiry', status: 'sent' },
      // An outbound line without a ledger row has no status; absent fields are left out, not null.
      { direction: 'out', text: 'Maria here.', at: at(3).toISOString(), workflowId: expect.any(String), kind: 'operator', operator: 'maria' },
    ]);

    // The status is the ledger's, read at request time: a delivery receipt shows at once.
    await h.database.db.getRepository(OutboundMessage).update({ id: outId }, { status: 'read' });
    const again = await chat(chatId);
    expect(again.body.messages[1].status).toBe('read');
  });

  it('pages a transcript by cursor with no duplicates or gaps, ties broken by id, and a new line at the end', async () => {
    const chatId = `${tag()}@c.us`;
    await conversation(chatId);
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      // Lines 2 and 3 share an instant: the id orders them, the same way on every page.
      ids.push(await line(chatId, { direction: i % 2 === 0 ? 'in' : 'out', text: `line ${i}`, at: at(i === 3 ? 2 : i) }));
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    const pages: number[] = [];
    do {
      const res: { status: number; body: any } = await getJson(url(`/api/conversations/${encodeURIComponent(chatId)}?limit=3${cursor ? `&cursor=${cursor}` : ''}`));
      expect(res.status).toBe(200);
      pages.push(res.body.messages.length);
      seen.push(...res.body.messages.map((m: { text: string }) => m.text));
      if (pages.length === 2) {
        // A message arriving between pages is picked up by a later page, not lost or repeated.
        await line(chatId, { direction: 'in', text: 'line 7', at: at(10) });
      }
      cursor = res.body.nextCursor;
    } while (cursor && pages.length < 10);
    expect(pages).toEqual([3, 3, 2]);
    const tied = [`line 2`, `line 3`].sort((a, b) => (ids[Number(a.slice(5))] < ids[Number(b.slice(5))] ? -1 : 1));
    expect(seen).toEqual(['line 0', 'line 1', ...tied, 'line 4', 'line 5', 'line 6', 'line 7']);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('lists recent chats newest activity first with last message, open question and handoff, paged without repeats', async () => {
    const t = tag();
    const a = `${t}-a@c.us`;
    const b = `${t}-b@c.us`;
    const c = `${t}-c@c.us`;
    const d = `${t}-d@c.us`;
    await conversation(a, { lastMessageAt: at(10), updatedAt: at(10), turns: 3, pending: question(new Date(Date.now() + HOUR)) });
    await conversation(b, { lastMessageAt: at(30), updatedAt: at(31), handoffWorkflowId: `msg:whatsapp:${t}-b`, handoffStatus: 'answered', channel: 'webchat', language: 'es' });
    await conversation(c, { lastMessageAt: at(20), updatedAt: at(20), pending: question(new Date(Date.now() - HOUR)) });
    // No message time at all: sorts by its last inbound time.
    await conversation(d, { lastInboundAt: at(5), channel: null, language: null });
    await line(a, { direction: 'in', text: 'Tuesday please', at: at(9) });
    await line(a, { direction: 'out', text: 'Which time?', at: at(10), agent: 'appointment' });
    await line(b, { direction: 'out', kind: 'operator', text: 'Hola, soy Maria', at: at(30), operator: 'maria', channel: 'webchat' });

    const list = await getJson(url(`/api/conversations?chatId=${encodeURIComponent(t)}`));
    expect(list.status).toBe(200);
    expect(list.body.nextCursor).toBeNull();
    expect(list.body.conversations.map((x: { chatId: string }) => x.chatId)).toEqual([b, c, a, d]);
    const [rb, rc, ra, rd] = list.body.conversations;
    expect(rb).toEqual({
      chatId: b,
      channel: 'webchat',
      language: 'es',
      lastMessage: { direction: 'out', text: 'Hola, soy Maria', at: at(30).toISOString(), workflowId: expect.any(String), operator: 'maria' },
      pending: null,
      handoff: { workflowId: `msg:whatsapp:${t}-b`, status: 'answered' },
      turns: 0,
      updatedAt: at(31).toISOString(),
    });
    // An expired question is no question.
    expect(rc).toMatchObject({ pending: null, handoff: null, lastMessage: null });
    expect(ra.pending).toEqual({
      kind: 'choice',
      agent: 'appointment',
      intent: 'appointment_booking',
      askedAt: expect.any(String),
      expiresAt: expect.any(String),
      options: [{ label: 'Tuesday 6 January, 09:00' }, { label: 'Tuesday 6 January, 10:00' }],
    });
    expect(ra).toMatchObject({ turns: 3, lastMessage: { direction: 'out', text: 'Which time?', agent: 'appointment' } });
    expect(rd).toMatchObject({ channel: null, language: null, lastMessage: null, updatedAt: at(5).toISOString() });

    // Two at a time, with a chat becoming the newest between pages: no repeats, no gaps.
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { status: number; body: any } = await getJson(url(`/api/conversations?chatId=${encodeURIComponent(t)}&limit=2${cursor ? `&cursor=${cursor}` : ''}`));
      expect(res.status).toBe(200);
      seen.push(...res.body.conversations.map((x: { chatId: string }) => x.chatId));
      if (++pages === 1) await conversation(`${t}-e@c.us`, { lastMessageAt: at(60) });
      cursor = res.body.nextCursor;
    } while (cursor && pages < 10);
    expect(seen).toEqual([b, c, a, d]);
  });

  it('filters by state (an expired question is not pending), channel and chat id', async () => {
    const t = tag();
    await conversation(`${t}-pending@c.us`, { lastMessageAt: at(1), pending: question(new Date(Date.now() + HOUR)) });
    await conversation(`${t}-expired@c.us`, { lastMessageAt: at(2), pending: question(new Date(Date.now() - 60_000)) });
    await conversation(`${t}-handoff@c.us`, { lastMessageAt: at(3), handoffWorkflowId: `msg:webchat:${t}`, handoffStatus: 'waiting', channel: 'webchat' });
    await conversation(`${t}-idle@c.us`, { lastMessageAt: at(4), channel: 'email' });
    const ids = async (query: string) => {
      const res = await getJson(url(`/api/conversations?chatId=${encodeURIComponent(t)}&${query}`));
      expect(res.status).toBe(200);
      return (res.body.conversations as Array<{ chatId: string }>).map((x) => x.chatId.slice(t.length + 1, -'@c.us'.length)).sort();
    };
    expect(await ids('state=pending')).toEqual(['pending']);
    expect(await ids('state=handoff')).toEqual(['handoff']);
    expect(await ids('state=idle')).toEqual(['expired', 'idle']);
    expect(await ids('channel=webchat')).toEqual(['handoff']);
    expect(await ids('channel=email&state=idle')).toEqual(['idle']);
    expect(await ids('channel=whatsapp')).toEqual(['expired', 'pending']);
    // The chat id filter is a case-insensitive substring, with LIKE's wildcards taken literally.
    const upper = await getJson(url(`/api/conversations?chatId=${encodeURIComponent(`${t.toUpperCase()}-HAND`)}`));
    expect(upper.body.conversations.map((x: { chatId: string }) => x.chatId)).toEqual([`${t}-handoff@c.us`]);
    const wildcard = await getJson(url(`/api/conversations?chatId=${encodeURIComponent(`${t}-%`)}`));
    expect(wildcard.body.conversations).toEqual([]);
  });

  it("serves chat ids with '@', '+' and '.', encoded or not, and a chat known only from its transcript", async () => {
    const chatId = `+${Date.now()}${Math.floor(Math.random() * 1000)}@s.whatsapp.net`;
    await line(chatId, { direction: 'in', text: 'hola', at: at(1), channel: 'whatsapp' });
    const encoded = await chat(chatId);
    expect(encoded.status).toBe(200);
    expect(encoded.body).toMatchObject({ chatId, channel: 'whatsapp', language: null, pending: null, handoff: null });
    expect(encoded.body.messages).toHaveLength(1);
    // A raw '+' in a path is a plus, not a space.
    const raw = await getJson(url(`/api/conversations/${chatId}`));
    expect(raw.status).toBe(200);
    expect(raw.body.chatId).toBe(chatId);
  });

  it('answers 404 for a chat with neither a conversation row nor a transcript line', async () => {
    const res = await chat(`${tag()}@c.us`);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', message: expect.stringMatching(/^chatId: no conversation/) });
    // A chat with a row but no transcript yet is not a 404.
    const known = `${tag()}@c.us`;
    await conversation(known);
    const empty = await chat(known);
    expect(empty.status).toBe(200);
    expect(empty.body).toMatchObject({ messages: [], nextCursor: null });
  });

  it('answers 400 naming the field for a bad limit, cursor, state, channel or an unknown parameter', async () => {
    const known = `${tag()}@c.us`;
    await conversation(known);
    const listCursor = (await getJson(url('/api/conversations?limit=1'))).body.nextCursor as string | null;
    const cases: Array<[string, RegExp]> = [
      ['/api/conversations?limit=0', /^limit: /],
      ['/api/conversations?limit=1000', /^limit: /],
      ['/api/conversations?limit=ten', /^limit: /],
      ['/api/conversations?cursor=garbage!', /^cursor: /],
      [`/api/conversations?cursor=${Buffer.from('{"k":"c","a":"yesterday","c":"x"}').toString('base64url')}`, /^cursor: /],
      ['/api/conversations?state=busy', /^state: /],
      ['/api/conversations?channel=fax', /^channel: /],
      ['/api/conversations?sort=asc', /sort: unknown field/],
      [`/api/conversations/${encodeURIComponent(known)}?limit=0`, /^limit: /],
      [`/api/conversations/${encodeURIComponent(known)}?limit=201`, /^limit: /],
      [`/api/conversations/${encodeURIComponent(known)}?cursor=bm90LWpzb24`, /^cursor: /],
    ];
    // A list's cursor is not a transcript's.
    if (listCursor) cases.push([`/api/conversations/${encodeURIComponent(known)}?cursor=${listCursor}`, /^cursor: /]);
    for (const [path, message] of cases) {
      const res = await getJson(url(path));
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.stringMatching(message) });
    }
    expect((await getJson(url(`/api/conversations/${encodeURIComponent(known)}?limit=200`))).status).toBe(200);
  });

  it('documents both routes in OpenAPI', async () => {
    const doc = await getJson(url('/docs/openapi.json'));
    expect(doc.body.paths['/api/conversations']?.get).toBeDefined();
    expect(doc.body.paths['/api/conversations/{chatId}']?.get).toBeDefined();
    const params = (doc.body.paths['/api/conversations']!.get.parameters as Array<{ name: string }>).map((p) => p.name);
    expect(params).toEqual(expect.arrayContaining(['channel', 'state', 'chatId', 'limit', 'cursor']));
  });

  it('gives the worker the last lines oldest first, leaving out given workflows, and deletes old lines', async () => {
    const chatId = `${tag()}@c.us`;
    const skip = `msg:whatsapp:${randomUUID()}`;
    for (let i = 0; i < 5; i++) await line(chatId, { direction: i % 2 === 0 ? 'in' : 'out', text: `turn ${i}`, at: at(i) });
    await line(chatId, { direction: 'in', text: 'this turn', at: at(5), workflowId: skip });
    const recent = await recentTranscript(h.database.db, chatId, { limit: 3, excludeWorkflowIds: [skip] });
    expect(recent.map((m) => m.text)).toEqual(['turn 2', 'turn 3', 'turn 4']);
    expect((await recentTranscript(h.database.db, chatId, { limit: 2 })).map((m) => m.text)).toEqual(['turn 4', 'this turn']);

    // Only lines strictly before the cutoff go; every chat's, so the count covers this file's older rows too.
    const before = await h.database.db.getRepository(ConversationMessage).countBy({ chatId });
    const deleted = await deleteTranscriptsBefore(h.database.db, at(2));
    expect(deleted).toBeGreaterThanOrEqual(2);
    const left = await chat(chatId);
    expect(left.body.messages.map((m: { text: string }) => m.text)).toEqual(['turn 2', 'turn 3', 'turn 4', 'this turn']);
    expect(before - left.body.messages.length).toBe(2);
    expect(await deleteTranscriptsBefore(h.database.db, at(2))).toBe(0);
  });
});
