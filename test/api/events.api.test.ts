import { randomUUID } from 'node:crypto';
import { EventFeed } from '../../src/api/events/event-feed.service';
import { EventRecord, publishEvent } from '../../src/persistence';
import { eventually, getJson, postJson, startTestApi } from '../helpers/api';
import { databaseKinds } from '../helpers/database';
import { useApiHarness } from '../helpers/harness';
import { openEvents, type EventsConnection, type SseEvent } from '../helpers/sse';

const MINUTE = 60_000;
const chatOf = (tag: string) => `${tag}-${randomUUID().slice(0, 8)}@c.us`;
const types = (events: SseEvent[]) => events.map((e) => e.event);

describe.each(databaseKinds())('GET /api/events: the live feed over Server-Sent Events on %s (open API)', (kind) => {
  const streams: EventsConnection[] = [];
  const started: string[] = [];
  const h = useApiHarness({
    name: `api-events-${kind}`,
    kind,
    seed: true,
    beforeTeardown: async (harness) => {
      for (const s of streams) s.close();
      for (const id of started) await harness.ctx.client.workflow.getHandle(id).terminate('test over').catch(() => undefined);
    },
  });
  const url = (path: string) => `${h.api.baseUrl}${path}`;
  async function follow(query = '', options: { lastEventId?: string | number } = {}): Promise<EventsConnection> {
    const conn = await openEvents(url(`/api/events${query}`), options);
    streams.push(conn);
    return conn;
  }
  async function send(chatId: string, body: string): Promise<string> {
    const res = await postJson(url('/api/messages'), { chatId, id: `m-${randomUUID()}`, body, fromMe: false });
    expect(res.status).toBe(202);
    return res.body.workflowId as string;
  }
  const view = (workflowId: string) => getJson(url(`/api/messages/${encodeURIComponent(workflowId)}`));
  const finished = (workflowId: string) => (e: SseEvent) => e.event === 'turn.finished' && e.json.workflowId === workflowId;

  it("streams a customer message's accepted, received, reply sent and turn finished, in order, for that chat only", async () => {
    const chatId = chatOf('feed');
    const other = chatOf('other');
    const mine = await follow(`?chatId=${encodeURIComponent(chatId)}`);
    const everything = await follow();
    expect(mine.status).toBe(200);
    expect(mine.headers.get('content-type')).toBe('text/event-stream');
    expect(mine.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(mine.headers.get('x-accel-buffering')).toBe('no');

    const otherId = await send(other, 'What are your opening hours?');
    const workflowId = await send(chatId, 'What are your opening hours?');
    const events = await mine.until(finished(workflowId));
    expect(types(events)).toEqual(['message.accepted', 'message.received', 'reply.sent', 'turn.finished']);
    expect(mine.retry).toBe(2000);
    for (const e of events) {
      expect(e.json).toMatchObject({ id: Number(e.id), type: e.event, chatId, channel: 'whatsapp', workflowId, at: expect.any(String) });
    }
    const ids = events.map((e) => Number(e.id));
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    const done = await eventually(() => view(workflowId), (r) => r.body.status === 'COMPLETED');
    expect(events[0].json.data).toEqual({ messageId: workflowId.slice('msg:whatsapp:'.length) });
    expect(events[1].json.data).toEqual({ text: 'What are your opening hours?', kind: 'message' });
    expect(events[2].json.data).toMatchObject({ text: done.body.reply.text, kind: 'reply', agent: 'inquiry', status: 'recorded', outboundId: expect.any(String) });
    expect(events[3].json.data).toEqual({ intent: 'inquiry', agent: 'inquiry', status: 'completed' });

    // The unfiltered stream has both chats; the filtered one never had the other's.
    await everything.until(finished(otherId));
    await eventually(
      async () => everything.received.filter((e) => e.event === 'turn.finished').map((e) => e.json.workflowId),
      (done) => done.includes(workflowId),
    );
    expect(types(everything.received.filter((e) => e.json.chatId === other))).toEqual(['message.accepted', 'message.received', 'reply.sent', 'turn.finished']);
    expect(types(everything.received.filter((e) => e.json.chatId === chatId))).toEqual(types(events));
    expect(mine.received.every((e) => e.json.chatId === chatId)).toBe(true);
  });

  it('filters by types', async () => {
    const chatId = chatOf('types');
    const replies = await follow(`?chatId=${encodeURIComponent(chatId)}&types=reply.sent,turn.finished`);
    const workflowId = await send(chatId, 'What are your opening hours?');
    const events = await replies.until(finished(workflowId));
    expect(types(events)).toEqual(['reply.sent', 'turn.finished']);
  });

  it('streams a handoff: opened, a person answers from the API (reply sent, answered), closed, then the turn ends', async () => {
    const chatId = chatOf('handoff');
    const stream = await follow(`?chatId=${encodeURIComponent(chatId)}`);
    const workflowId = await send(chatId, 'I want to talk to a human');
    started.push(workflowId);
    const opening = await stream.until((e) => e.event === 'handoff.opened');
    expect(types(opening).slice(0, 2)).toEqual(['message.accepted', 'message.received']);
    expect(opening.at(-1)!.json).toMatchObject({ workflowId, chatId, data: { reason: expect.any(String), intent: 'human_handoff', dueAt: expect.any(String) } });

    const reply = await postJson(url(`/api/handoffs/${encodeURIComponent(workflowId)}/reply`), { text: 'Hello, Maria here. How can I help?', operator: 'maria' });
    expect(reply.status).toBe(200);
    const answering = await stream.until((e) => e.event === 'handoff.answered');
    const sent = answering.find((e) => e.event === 'reply.sent' && e.json.data.kind === 'operator');
    expect(sent?.json.data).toMatchObject({ text: 'Hello, Maria here. How can I help?', kind: 'operator', operator: 'maria', outboundId: reply.body.outboundId });
    expect(answering.at(-1)!.json.data).toEqual({ operator: 'maria' });

    const closed = await postJson(url(`/api/handoffs/${encodeURIComponent(workflowId)}/close`), { operator: 'maria' });
    expect(closed.status).toBe(200);
    const closing = await stream.until(finished(workflowId));
    expect(types(closing)).toEqual(['handoff.closed', 'turn.finished']);
    expect(closing[0].json.data).toEqual({ status: 'closed' });
    expect(closing[1].json.data).toMatchObject({ agent: 'human_handoff', status: 'completed' });
  });

  it('resumes from Last-Event-ID: what happened while disconnected comes first, nothing twice, then live events', async () => {
    const chatId = chatOf('resume');
    const first = await follow(`?chatId=${encodeURIComponent(chatId)}`);
    const one = await send(chatId, 'What are your opening hours?');
    const seen = await first.until(finished(one));
    first.close();
    const resumeFrom = first.lastEventId!;
    expect(resumeFrom).toBe(seen.at(-1)!.id);

    // Two messages while nobody listens.
    const two = await send(chatId, 'Where are you located?');
    await eventually(() => view(two), (r) => r.body.status === 'COMPLETED');
    const three = await send(chatId, 'Do you open on Sundays?');
    await eventually(() => view(three), (r) => r.body.status === 'COMPLETED');

    const again = await follow(`?chatId=${encodeURIComponent(chatId)}`, { lastEventId: resumeFrom });
    const missed = await again.until(finished(three));
    expect(missed.map((e) => [e.event, e.json.workflowId])).toEqual([
      ['message.accepted', two],
      ['message.received', two],
      ['reply.sent', two],
      ['turn.finished', two],
      ['message.accepted', three],
      ['message.received', three],
      ['reply.sent', three],
      ['turn.finished', three],
    ]);
    expect(missed.every((e) => Number(e.id) > Number(resumeFrom))).toBe(true);
    // Then live, after the replay, with no gap.
    const four = await send(chatId, 'What are your opening hours?');
    const live = await again.until(finished(four));
    expect(live.map((e) => e.json.workflowId)).toEqual([four, four, four, four]);
    const ids = again.received.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);

    // The query parameter does the same for clients that cannot send the header.
    const byQuery = await follow(`?chatId=${encodeURIComponent(chatId)}&types=turn.finished&lastEventId=${resumeFrom}`);
    const replayed = await byQuery.until(finished(four));
    expect(replayed.map((e) => e.json.workflowId)).toEqual([two, three, four]);
  });

  it('refuses a bad types list, Last-Event-ID or query field with a 400 naming it', async () => {
    const unknown = await follow('?types=reply.sent,message.exploded');
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.stringMatching(/^types: unknown event type "message.exploded"/) });
    const empty = await follow('?types=');
    expect(empty.status).toBe(400);
    expect(empty.body.message).toMatch(/^types: /);
    const header = await follow('', { lastEventId: 'abc' });
    expect(header.status).toBe(400);
    expect(header.body.message).toMatch(/^Last-Event-ID: must be a non-negative integer/);
    const negative = await follow('', { lastEventId: '-4' });
    expect(negative.status).toBe(400);
    const query = await follow('?lastEventId=1.5');
    expect(query.status).toBe(400);
    expect(query.body.message).toMatch(/^lastEventId: must be a non-negative integer/);
    const field = await follow('?since=2026-01-01');
    expect(field.status).toBe(400);
    expect(field.body.message).toMatch(/since: unknown field/);
  });

  it('documents the route in OpenAPI and counts connected clients in /metrics', async () => {
    const doc = await getJson(url('/docs/openapi.json'));
    const route = doc.body.paths['/api/events']?.get;
    expect(route).toBeDefined();
    expect(route.tags).toEqual(['events']);
    expect(Object.keys(route.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403']));
    expect(JSON.stringify(route.responses['200'])).toContain('text/event-stream');
    expect(JSON.stringify(route.parameters)).toMatch(/Last-Event-ID/);

    const open = await follow();
    expect(open.status).toBe(200);
    const metrics = await fetch(url('/metrics')).then((r) => r.text());
    const line = metrics.split('\n').find((l) => l.startsWith('switchboard_event_clients '));
    expect(Number(line?.split(' ')[1])).toBeGreaterThanOrEqual(1);
  });

  it('ends open streams when the API shuts down, without holding it up', async () => {
    const second = await startTestApi({ address: h.ctx.address, taskQueue: h.taskQueue, database: h.database });
    const conn = await openEvents(`${second.baseUrl}/api/events`);
    expect(conn.status).toBe(200);
    await second.close();
    await conn.ended;
    expect(conn.received).toEqual([]);
  });

  it('joins the replay and the live events without a gap or a repeat while events keep coming', async () => {
    const chatId = chatOf('seam');
    const publish = (n: number) => publishEvent(h.database.db, { key: `test:${chatId}:${n}`, type: 'reply.status', chatId, data: { outboundId: `o${n}`, status: 'sent' } });
    for (let n = 0; n < 50; n++) await publish(n);
    const resumeFrom = (await h.database.db.getRepository(EventRecord).findOneByOrFail({ eventKey: `test:${chatId}:9` })).id;
    let n = 50;
    const writer = (async () => {
      for (; n < 600; n++) await publish(n);
    })();
    const stream = await follow(`?chatId=${encodeURIComponent(chatId)}`, { lastEventId: Number(resumeFrom) });
    await writer;
    const got = await stream.until((e) => e.json.data.outboundId === 'o599', 30_000);
    expect(got.map((e) => e.json.data.outboundId)).toEqual(Array.from({ length: 590 }, (_, i) => `o${i + 10}`));
  });

  it('forgets clients that leave', async () => {
    const feed = h.api.app.get(EventFeed);
    const conn = await follow();
    expect(feed.clients).toBeGreaterThanOrEqual(1);
    for (const s of streams) s.close();
    await conn.ended;
    const left = await eventually(async () => feed.clients, (n) => n === 0);
    expect(left).toBe(0);
  });

  // Last: the retention deletes events of every chat.
  it('sends a reset and then what is kept when the client resumes from before the retention; and from an id it never gave', async () => {
    const chatId = chatOf('reset');
    const publish = (n: number, minutesAgo: number) =>
      publishEvent(h.database.db, { key: `test:${chatId}:${n}`, type: 'reply.status', chatId, at: new Date(Date.now() - minutesAgo * MINUTE), data: { outboundId: `o${n}`, status: 'sent' } });
    await publish(1, 45);
    await publish(2, 40);
    await publish(3, 35);
    // Ahead of the clock, so the retention below (run as if half an hour from now) keeps it.
    await publish(4, -5);
    const before = await follow(`?chatId=${encodeURIComponent(chatId)}`, { lastEventId: 0 });
    const all = await before.until((e) => e.json?.data?.outboundId === 'o4');
    expect(all.map((e) => e.json.data.outboundId)).toEqual(['o1', 'o2', 'o3', 'o4']);
    const firstId = all[0].id!;

    const deleted = await h.api.app.get(EventFeed).trim(new Date(Date.now() + h.api.config.events.retentionMinutes * MINUTE));
    expect(deleted).toBeGreaterThanOrEqual(3);
    const resumed = await follow(`?chatId=${encodeURIComponent(chatId)}`, { lastEventId: firstId });
    const afterReset = await resumed.until((e) => e.json?.data?.outboundId === 'o4');
    expect(types(afterReset)).toEqual(['reset', 'reply.status']);
    expect(afterReset[0].json.message).toMatch(/may have been missed/);

    // Resuming from the newest id kept: nothing was missed, no reset.
    const current = await follow(`?chatId=${encodeURIComponent(chatId)}`, { lastEventId: all[3].id });
    await publish(5, -5);
    const next = await current.next();
    expect(next.json.data.outboundId).toBe('o5');

    const ahead = await follow('', { lastEventId: 999_999_999 });
    const first = await ahead.next();
    expect(first.event).toBe('reset');
    expect(first.json.message).toMatch(/newer than any event/);
  });
});

const KEYS = {
  admin: 'admin-key-events-0123456789',
  operator: 'operator-key-events-0123456789',
  ingest: 'ingest-key-events-0123456789',
};

describe('GET /api/events: who may follow what (API keys)', () => {
  const streams: EventsConnection[] = [];
  const started: string[] = [];
  const h = useApiHarness({
    name: 'api-events-keys',
    seed: true,
    env: () => ({ API_KEYS: Object.entries(KEYS).map(([role, key]) => `${role}:${key}`).join(',') }),
    beforeTeardown: async (harness) => {
      for (const s of streams) s.close();
      for (const id of started) await harness.ctx.client.workflow.getHandle(id).terminate('test over').catch(() => undefined);
    },
  });
  const url = (path: string) => `${h.api.baseUrl}${path}`;
  async function follow(query: string, key: string | undefined): Promise<EventsConnection> {
    const conn = await openEvents(url(`/api/events${query}`), { headers: key ? { 'x-api-key': key } : {} });
    streams.push(conn);
    return conn;
  }

  it('refuses a missing or wrong key with 401', async () => {
    const none = await follow('', undefined);
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ statusCode: 401, message: expect.stringMatching(/^X-API-Key: missing/) });
    const wrong = await follow('', 'not-a-key-0123456789abcdef');
    expect(wrong.status).toBe(401);
    const inQuery = await openEvents(url(`/api/events?api_key=${KEYS.admin}`));
    expect(inQuery.status).toBe(400);
  });

  it('gives an ingest key one chat only, and only its message events; operators see the rest', async () => {
    const whole = await follow('', KEYS.ingest);
    expect(whole.status).toBe(403);
    expect(whole.body).toMatchObject({ statusCode: 403, message: expect.stringMatching(/^chatId: an ingest key may follow one chat only/) });
    const chatId = chatOf('widget');
    const handoffs = await follow(`?chatId=${encodeURIComponent(chatId)}&types=message.received,handoff.opened`, KEYS.ingest);
    expect(handoffs.status).toBe(403);
    expect(handoffs.body.message).toMatch(/^types: an ingest key may follow only .*; not handoff\.opened$/);

    const widget = await follow(`?chatId=${encodeURIComponent(chatId)}`, KEYS.ingest);
    const operator = await follow(`?chatId=${encodeURIComponent(chatId)}`, KEYS.operator);
    const admin = await follow('', KEYS.admin);
    expect([widget.status, operator.status, admin.status]).toEqual([200, 200, 200]);

    const otherChat = chatOf('elsewhere');
    const sentOther = await postJson(url('/api/messages'), { chatId: otherChat, id: `m-${randomUUID()}`, body: 'What are your opening hours?' }, { 'x-api-key': KEYS.ingest });
    expect(sentOther.status).toBe(202);
    const res = await postJson(url('/api/messages'), { chatId, id: `m-${randomUUID()}`, body: 'I want to talk to a human' }, { 'x-api-key': KEYS.ingest });
    expect(res.status).toBe(202);
    const workflowId = res.body.workflowId as string;
    started.push(workflowId);

    await operator.until((e) => e.event === 'handoff.opened');
    await admin.until((e) => e.event === 'handoff.opened' && e.json.chatId === chatId);
    const reply = await postJson(url(`/api/handoffs/${encodeURIComponent(workflowId)}/reply`), { text: 'Maria here, hello!', operator: 'maria' }, { 'x-api-key': KEYS.operator });
    expect(reply.status).toBe(200);
    const closed = await postJson(url(`/api/handoffs/${encodeURIComponent(workflowId)}/close`), {}, { 'x-api-key': KEYS.operator });
    expect(closed.status).toBe(200);

    const seen = await widget.until((e) => e.event === 'turn.finished');
    expect(seen.map((e) => e.event)).toEqual(expect.arrayContaining(['message.accepted', 'message.received', 'reply.sent', 'turn.finished']));
    expect(seen.find((e) => e.event === 'reply.sent' && e.json.data.kind === 'operator')?.json.data.text).toBe('Maria here, hello!');
    expect(seen.every((e) => ['message.accepted', 'message.received', 'reply.sent', 'turn.finished'].includes(e.event))).toBe(true);
    expect(seen.every((e) => e.json.chatId === chatId)).toBe(true);
    const operatorSaw = await operator.until((e) => e.event === 'turn.finished');
    expect(operator.received.map((e) => e.event)).toEqual(expect.arrayContaining(['handoff.opened', 'handoff.answered', 'handoff.closed']));
    expect(operatorSaw.length).toBeGreaterThan(0);
  });
});
