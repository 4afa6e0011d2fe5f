import { randomUUID } from 'node:crypto';
import { conversationStateQuery, conversationWorkflowId } from '../../src/contracts';
import { OutboundMessage } from '../../src/persistence';
import { eventually, getJson, postJson } from '../helpers/api';
import { useApiHarness } from '../helpers/harness';

/**
 * A chat's messages take turns, end to end (Nest over HTTP + worker + dev server + SQLite):
 * in arrival order, never two at once, a burst answered together, redeliveries ignored,
 * and a chat a person holds kept away from the agents until the person hands it back.
 */
describe('conversation turns through the API', () => {
  const h = useApiHarness({ name: 'api-turns', seed: true });
  const url = (path: string) => `${h.api.baseUrl}${path}`;
  const view = (workflowId: string) => getJson(url(`/api/messages/${encodeURIComponent(workflowId)}`));
  const transcript = (chatId: string) => getJson(url(`/api/conversations/${encodeURIComponent(chatId)}`));
  const newChat = () => `turns-${randomUUID().slice(0, 8)}@c.us`;

  async function post(chatId: string, body: string, id = `m-${randomUUID()}`) {
    const res = await postJson(url('/api/messages'), { chatId, id, body, fromMe: false });
    expect(res.status).toBe(202);
    return res.body.workflowId as string;
  }

  const finished = (workflowId: string) => eventually(() => view(workflowId), (r) => r.body.status === 'COMPLETED' || r.body.status === 'FAILED', 30_000);

  /** The distinct turns that answered these messages, each with its start and end. */
  async function turnsOf(workflowIds: string[]) {
    for (const v of await Promise.all(workflowIds.map(finished))) expect(v.body.status).toBe('COMPLETED');
    // Read again once all are done: a message answered by another's turn shows that turn's reply.
    const views = await Promise.all(workflowIds.map(view));
    const turns = new Map<string, { owner: string; messages: string[]; startedAt: string; finishedAt: string }>();
    for (const v of views) if (v.body.turn) turns.set(v.body.turn.owner, v.body.turn);
    return { views, turns: [...turns.values()].sort((a, b) => a.startedAt.localeCompare(b.startedAt)) };
  }

  it('answers a message in an idle chat in one turn of its own, and shows it in the transcript', async () => {
    const chatId = newChat();
    const workflowId = await post(chatId, 'What are your opening hours?');
    const done = await finished(workflowId);
    expect(done.body).toMatchObject({ status: 'COMPLETED', step: 'completed', route: { agent: 'inquiry' }, turn: { owner: workflowId, messages: [workflowId] } });
    expect(done.body.turn.finishedAt >= done.body.turn.startedAt).toBe(true);

    const t = await eventually(() => transcript(chatId), (r) => r.status === 200 && r.body.messages.length === 2);
    expect(t.body).toMatchObject({ chatId, channel: 'whatsapp', language: 'en', pending: null, handoff: null });
    expect(t.body.messages.map((m: { direction: string }) => m.direction)).toEqual(['in', 'out']);
    expect(t.body.messages[0]).toMatchObject({ text: 'What are your opening hours?', workflowId });
    expect(t.body.messages[1]).toMatchObject({ workflowId, agent: 'inquiry', status: 'recorded', text: done.body.reply.text });
  });

  it('takes a burst in arrival order: no two turns at once, and the messages that waited answered together', async () => {
    const chatId = newChat();
    const bodies = ['hi', 'I want to book an appointment', 'for tomorrow'];
    // One after the other, without waiting for answers: the order they arrive in is known.
    const ids: string[] = [];
    for (const body of bodies) ids.push(await post(chatId, body));

    const { views, turns } = await turnsOf(ids);
    for (let i = 1; i < turns.length; i += 1) expect(turns[i].startedAt >= turns[i - 1].finishedAt).toBe(true);
    // Every message was answered by exactly one turn, and the turns took them in arrival order.
    expect(turns.flatMap((t) => t.messages)).toEqual(ids);
    expect(turns.length).toBeLessThanOrEqual(3);
    for (const [i, v] of views.entries()) {
      const turn = turns.find((t) => t.messages.includes(ids[i]))!;
      if (turn.owner !== ids[i]) expect(v.body.answeredBy).toBe(turn.owner);
      expect(v.body.reply?.text).toEqual(expect.any(String));
    }
    // One reply per turn, and the booking was answered with tomorrow's times.
    const sent = await h.database.db.getRepository(OutboundMessage).findBy({ chatId });
    expect(sent).toHaveLength(turns.length);
    const last = views[2].body;
    expect(last.route.agent).toBe('appointment');
    expect(last.reply.text).toMatch(/Available times/);

    const t = await eventually(() => transcript(chatId), (r) => r.status === 200 && r.body.messages.length === 3 + turns.length);
    const inbound = t.body.messages.filter((m: { direction: string }) => m.direction === 'in');
    expect(inbound.map((m: { text: string }) => m.text)).toEqual(bodies);
  });

  it('never runs two turns of one chat at once when the messages are posted all at once', async () => {
    const chatId = newChat();
    const bodies = ['Hello', 'What are your opening hours?', 'Do you have parking?', 'Where are you located?'];
    const ids = await Promise.all(bodies.map((b) => post(chatId, b)));
    const { turns } = await turnsOf(ids);
    for (let i = 1; i < turns.length; i += 1) expect(turns[i].startedAt >= turns[i - 1].finishedAt).toBe(true);
    expect(turns.flatMap((t) => t.messages).sort()).toEqual([...ids].sort());
    const t = await eventually(() => transcript(chatId), (r) => r.status === 200 && r.body.messages.length === bodies.length + turns.length);
    const inbound = t.body.messages.filter((m: { direction: string }) => m.direction === 'in').map((m: { text: string }) => m.text);
    expect(inbound.sort()).toEqual([...bodies].sort());
  });

  it('gives five parallel deliveries of one message one turn, one transcript line and one reply', async () => {
    const chatId = newChat();
    const id = `dup-${randomUUID()}`;
    const results = await Promise.all(Array.from({ length: 5 }, () => postJson(url('/api/messages'), { chatId, id, body: 'What are your opening hours?', fromMe: false })));
    expect(results.map((r) => r.status)).toEqual([202, 202, 202, 202, 202]);
    expect(results.filter((r) => r.body.duplicate === false)).toHaveLength(1);
    const workflowId = results[0].body.workflowId as string;
    await finished(workflowId);
    // A sixth, late redelivery changes nothing either.
    expect((await postJson(url('/api/messages'), { chatId, id, body: 'What are your opening hours?', fromMe: false })).body.duplicate).toBe(true);
    const conversation = h.ctx.client.workflow.getHandle(conversationWorkflowId(chatId, h.taskQueue));
    const state = await eventually(() => conversation.query(conversationStateQuery), (s) => s.turns >= 1 && !s.turn && s.queue.length === 0);
    expect(state.turns).toBe(1);
    const t = await transcript(chatId);
    expect(t.body.messages.map((m: { direction: string; text: string; workflowId: string }) => `${m.direction}:${m.workflowId}:${m.text}`)).toEqual([`in:${workflowId}:What are your opening hours?`, expect.stringMatching(/^out:/)]);
  });

  it('keeps a chat with a person: new messages join the handoff, the person answers, and the agents come back after close', async () => {
    const chatId = newChat();
    const holder = await post(chatId, 'I want to talk to a real person please');
    await eventually(() => view(holder), (r) => r.body.step === 'waiting_for_human');

    // The customer writes again while nobody has answered: no agent replies.
    const held = await post(chatId, 'Hello? Is anyone there? My order never arrived');
    const heldView = await finished(held);
    expect(heldView.body).toMatchObject({ step: 'completed', heldBy: holder, handoff: { status: 'waiting', workflowId: holder } });
    expect(heldView.body.reply).toBeUndefined();
    expect(await h.database.db.getRepository(OutboundMessage).countBy({ workflowId: held })).toBe(0);
    const listed = await eventually(
      () => getJson(url('/api/handoffs')),
      (r) => (r.body.handoffs as Array<{ workflowId: string; messages: unknown[] }>).some((x) => x.workflowId === holder && x.messages.length === 2),
    );
    const handoff = listed.body.handoffs.find((x: { workflowId: string }) => x.workflowId === holder);
    expect(handoff.messages.map((m: { text: string }) => m.text)).toEqual(['I want to talk to a real person please', 'Hello? Is anyone there? My order never arrived']);

    // The person answers: the reply goes out, shows on the message and in the transcript; the chat stays theirs.
    const reply = await postJson(url(`/api/handoffs/${encodeURIComponent(holder)}/reply`), { text: 'Hi, Maria here. Let me look at your order.', operator: 'maria' });
    expect(reply.status).toBe(200);
    expect((await view(holder)).body).toMatchObject({ step: 'with_person', handoff: { status: 'answered', operator: 'maria', reply: { text: 'Hi, Maria here. Let me look at your order.' } } });
    const during = await post(chatId, 'Thanks Maria, it is order 45821');
    expect((await finished(during)).body).toMatchObject({ heldBy: holder, handoff: { status: 'answered', operator: 'maria' } });
    expect(await h.database.db.getRepository(OutboundMessage).countBy({ workflowId: during })).toBe(0);

    const closed = await postJson(url(`/api/handoffs/${encodeURIComponent(holder)}/close`), { operator: 'maria' });
    expect(closed.status).toBe(200);
    expect((await finished(holder)).body).toMatchObject({ step: 'completed', handoff: { status: 'closed', operator: 'maria' } });

    // Back with the agents: the next message is answered by one.
    const after = await post(chatId, 'What are your opening hours?');
    const answered = await finished(after);
    expect(answered.body).toMatchObject({ route: { agent: 'inquiry' }, reply: { text: expect.stringMatching(/Monday/) } });

    const t = await eventually(() => transcript(chatId), (r) => r.body.messages?.length === 7);
    expect(t.body.messages.map((m: { direction: string; operator?: string; agent?: string }) => `${m.direction}:${m.operator ?? m.agent ?? ''}`)).toEqual([
      'in:',
      'out:human_handoff',
      'in:',
      'out:maria',
      'in:',
      'in:',
      'out:inquiry',
    ]);
    expect(t.body.handoff).toBeNull();
  });
});
