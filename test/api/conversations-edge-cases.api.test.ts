import { randomUUID } from 'node:crypto';
import { Conversation, ConversationMessage } from '../../src/persistence';
import { conversationsPage, recentTranscript } from '../../src/persistence/transcript-queries';
import { getJson } from '../helpers/api';
import { databaseKinds } from '../helpers/database';
import { useApiHarness } from '../helpers/harness';

const T0 = Date.parse('2026-02-10T09:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

/**
 * Chats whose rows carry less than a conversation writes (Nest over HTTP + SQLite and
 * PostgreSQL, rows written directly): one the API only noted and whose transcript has since
 * been cleaned up, one known only from a clarifying question, a question saved without an
 * expiry by an older version; and the worker's context read with no earlier turns.
 */
describe.each(databaseKinds())('conversations with sparse rows on %s', (kind) => {
  const h = useApiHarness({ name: `api-conv-sparse-${kind}`, kind });
  const url = (path: string) => `${h.api.baseUrl}${path}`;
  const tag = () => `s${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  const insert = (chatId: string, fields: Partial<Conversation>) =>
    h.database.db.getRepository(Conversation).insert({ chatId, lastClarificationAt: null, lastClarificationWorkflowId: null, lastInboundAt: null, ...fields });

  it('shows a chat the API only noted, whose transcript the retention clean-up removed, with nothing known about it', async () => {
    const chatId = `${tag()}@c.us`;
    await insert(chatId, { lastInboundAt: at(0) });
    const res = await getJson(url(`/api/conversations/${encodeURIComponent(chatId)}`));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ chatId, channel: null, language: null, pending: null, handoff: null, messages: [], nextCursor: null });
    const list = await getJson(url(`/api/conversations?chatId=${encodeURIComponent(chatId)}`));
    expect(list.body.conversations).toEqual([{ chatId, channel: null, language: null, lastMessage: null, pending: null, handoff: null, turns: 0, updatedAt: at(0).toISOString() }]);
  });

  it('lists a chat known only from a clarifying question by that time, with no update time', async () => {
    const prefix = tag();
    await insert(`${prefix}-asked@c.us`, { lastClarificationAt: at(10), lastClarificationWorkflowId: 'msg:whatsapp:asked' });
    await insert(`${prefix}-earlier@c.us`, { lastInboundAt: at(5) });
    await insert(`${prefix}-later@c.us`, { lastInboundAt: at(15) });
    const list = await getJson(url(`/api/conversations?chatId=${prefix}`));
    expect(list.body.conversations.map((c: { chatId: string }) => c.chatId)).toEqual([`${prefix}-later@c.us`, `${prefix}-asked@c.us`, `${prefix}-earlier@c.us`]);
    expect(list.body.conversations[1]).toMatchObject({ updatedAt: null, lastMessage: null, turns: 0 });
  });

  it('never counts a question saved without an expiry as waiting for the customer', async () => {
    const chatId = `${tag()}@c.us`;
    const question = { kind: 'confirm', agent: 'order', intent: 'order_status', askedBy: 'msg:whatsapp:old', askedAt: at(0).toISOString() };
    await insert(chatId, { channel: 'whatsapp', pending: question as unknown as Conversation['pending'], updatedAt: at(1) });
    const filtered = (state: string) => getJson(url(`/api/conversations?state=${state}&chatId=${encodeURIComponent(chatId)}`));
    expect((await filtered('pending')).body.conversations).toEqual([]);
    expect((await filtered('idle')).body.conversations.map((c: { chatId: string }) => c.chatId)).toEqual([chatId]);
    expect((await getJson(url(`/api/conversations/${encodeURIComponent(chatId)}`))).body.pending).toBeNull();
  });

  it('gives the worker no earlier lines when it asks for none, and pages chats with no filters given', async () => {
    const chatId = `${tag()}@c.us`;
    const id = randomUUID();
    await h.database.db.getRepository(ConversationMessage).insert({
      id, messageKey: `test:${id}`, chatId, channel: 'whatsapp', direction: 'in', kind: 'message', text: 'hello', at: at(0), workflowId: `msg:whatsapp:${id}`,
      agent: null, operator: null, outboundId: null, senderName: null, media: null,
    });
    expect(await recentTranscript(h.database.db, chatId, { limit: 0 })).toEqual([]);
    expect((await recentTranscript(h.database.db, chatId, { limit: 5 })).map((m) => m.text)).toEqual(['hello']);

    await insert(chatId, { lastMessageAt: new Date(Date.now() + 60_000) });
    const page = await conversationsPage(h.database.db, { limit: 1 });
    expect(page.items.map((s) => s.conversation.chatId)).toEqual([chatId]);
    expect(page.items[0].lastMessage?.text).toBe('hello');
  });
});
