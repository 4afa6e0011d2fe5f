import { randomUUID } from 'node:crypto';
import { conversationStateQuery, conversationWorkflowId } from '../../src/contracts';
import { Appointment, Conversation, OutboundMessage } from '../../src/persistence';
import { useGraphApiServer } from '../helpers/channel-servers/graph-api-server';
import { eventually, getJson, postJson } from '../helpers/api';
import { useApiHarness } from '../helpers/harness';

/**
 * A chat's conversation when something around it fails (Nest over HTTP + worker + dev
 * server + SQLite, replies through a local stand-in of the WhatsApp Graph API): the
 * provider down for a few seconds, a message workflow or the conversation itself
 * terminated mid-way, the chat's saved state unreadable for a moment. In each, the customer
 * is still answered and the chat is never left waiting.
 */
describe('conversation faults through the API', () => {
  const graph = useGraphApiServer();
  const h = useApiHarness({
    name: 'api-conv-faults',
    seed: true,
    // An idle conversation closes after 10 s (the smallest setting), so one test can see a chat restart from its saved state.
    env: () => ({ ...graph.whatsappEnv(), CONVERSATION_IDLE_SECONDS: '10' }),
  });
  const url = (path: string) => `${h.api.baseUrl}${path}`;
  const view = (workflowId: string) => getJson(url(`/api/messages/${encodeURIComponent(workflowId)}`));
  const newChat = () => `3460${Math.floor(Math.random() * 9e7 + 1e7)}@c.us`;
  const sentTo = (chatId: string) => graph.sentMessages.filter((m) => `${m.to}@c.us` === chatId);
  const conversation = (chatId: string) => h.ctx.client.workflow.getHandle(conversationWorkflowId(chatId, h.taskQueue));

  async function post(chatId: string, body: string): Promise<string> {
    const res = await postJson(url('/api/messages'), { chatId, id: `m-${randomUUID()}`, body, fromMe: false });
    expect(res.status).toBe(202);
    return res.body.workflowId as string;
  }
  const finished = (workflowId: string) => eventually(() => view(workflowId), (r) => r.body.status !== 'RUNNING', 30_000);

  /**
   * The Graph API answers 503 until `up()`: a turn's reply keeps being retried meanwhile (an
   * HTTP answer means the message was not taken, so each retry may send it again).
   */
  function providerDown(): { up: () => void } {
    graph.enqueue(...Array.from({ length: 100 }, () => ({ status: 503, error: { code: 2, message: 'Service temporarily unavailable' } })));
    return { up: () => graph.reset() };
  }

  it('skips a waiting message whose workflow was terminated: the message queued after it takes the turn and is answered', async () => {
    const chatId = newChat();
    const provider = providerDown();
    try {
      const holder = await post(chatId, 'What are your opening hours?');
      await eventually(() => conversation(chatId).query(conversationStateQuery), (s) => s.turn?.owner === holder);
      // Two more messages arrive while the first one's reply is being retried: they wait together.
      const gone = await post(chatId, 'Good morning!');
      const next = await post(chatId, 'Do you have parking?');
      await eventually(() => conversation(chatId).query(conversationStateQuery), (s) => s.queue.length === 2 && s.turn?.owner === holder);
      await h.ctx.client.workflow.getHandle(gone).terminate('withdrawn by an operator');

      provider.up();
      const held = await finished(holder);
      expect(held.body).toMatchObject({ status: 'COMPLETED', route: { agent: 'inquiry' } });
      // The turn went to the message after the terminated one, alone.
      const answered = await finished(next);
      expect(answered.body).toMatchObject({ status: 'COMPLETED', turn: { owner: next, messages: [next] } });
      expect(answered.body.answeredBy).toBeUndefined();
      expect((await view(gone)).body.status).toBe('TERMINATED');
      expect(await h.database.db.getRepository(OutboundMessage).countBy({ workflowId: gone })).toBe(0);
      expect(sentTo(chatId).map((m) => m.text.body)).toEqual([held.body.reply.text, answered.body.reply.text]);
      const state = await eventually(() => conversation(chatId).query(conversationStateQuery), (s) => s.turns === 2 && !s.turn);
      expect(state.queue).toEqual([]);
    } finally {
      provider.up();
    }
  });

  it('still answers a message whose conversation was terminated mid-turn; the next message starts the conversation again', async () => {
    const chatId = newChat();
    const provider = providerDown();
    try {
      const first = await post(chatId, 'What are your opening hours?');
      await eventually(async () => graph.requests.length, (n) => n >= 4);
      await conversation(chatId).terminate('terminated from the Web UI');
      provider.up();

      const done = await finished(first);
      expect(done.body).toMatchObject({ status: 'COMPLETED', step: 'completed', route: { agent: 'inquiry' } });
      expect(sentTo(chatId)).toHaveLength(1);

      const second = await post(chatId, 'Do you have parking?');
      const answered = await finished(second);
      expect(answered.body).toMatchObject({ status: 'COMPLETED', turn: { owner: second } });
      expect(sentTo(chatId)).toHaveLength(2);
      const runs = await h.ctx.client.workflow.list({ query: `WorkflowId = '${conversationWorkflowId(chatId, h.taskQueue)}'` });
      const statuses: string[] = [];
      for await (const run of runs) statuses.push(run.status.name);
      expect(statuses.sort()).toEqual(expect.arrayContaining(['TERMINATED']));
    } finally {
      provider.up();
    }
  });

  it('answers the next message when the saved row still names a person whose handoff has ended (closed while its conversation was terminated)', async () => {
    const chatId = newChat();
    const holder = await post(chatId, 'I want to talk to a real person please');
    await eventually(() => view(holder), (r) => r.body.step === 'waiting_for_human');
    const reply = await postJson(url(`/api/handoffs/${encodeURIComponent(holder)}/reply`), { text: 'Hi, Maria here.', operator: 'maria' });
    expect(reply.status).toBe(200);
    await eventually(() => h.database.db.getRepository(Conversation).findOneBy({ chatId }), (row) => row?.handoffStatus === 'answered');

    // The conversation is terminated from the Web UI; then Maria hands the chat back. Nobody hears of it.
    await conversation(chatId).terminate('terminated from the Web UI');
    const closed = await postJson(url(`/api/handoffs/${encodeURIComponent(holder)}/close`), { operator: 'maria' });
    expect(closed.status).toBe(200);
    expect((await finished(holder)).body.status).toBe('COMPLETED');
    expect((await getJson(url(`/api/conversations/${encodeURIComponent(chatId)}`))).body.handoff).toEqual({ workflowId: holder, status: 'answered' });

    // The customer writes again: the agents answer, not a person who has gone.
    const next = await post(chatId, 'What are your opening hours?');
    const answered = await finished(next);
    expect(answered.body).toMatchObject({ status: 'COMPLETED', route: { agent: 'inquiry' }, turn: { owner: next } });
    expect(answered.body.heldBy).toBeUndefined();
    expect(sentTo(chatId).map((m) => m.text.body)).toContain(answered.body.reply.text);
    const chat = await eventually(() => getJson(url(`/api/conversations/${encodeURIComponent(chatId)}`)), (r) => r.body.handoff === null);
    expect(chat.body.handoff).toBeNull();
  });

  it("answers the next message at once when the person's message workflow was terminated while it held the chat", async () => {
    const chatId = newChat();
    const holder = await post(chatId, 'I want to talk to a real person please');
    await eventually(() => view(holder), (r) => r.body.step === 'waiting_for_human');
    await eventually(() => conversation(chatId).query(conversationStateQuery), (s) => s.handoff?.workflowId === holder);
    await h.ctx.client.workflow.getHandle(holder).terminate('terminated from the Web UI');

    const next = await post(chatId, 'What are your opening hours?');
    const answered = await finished(next);
    expect(answered.body).toMatchObject({ status: 'COMPLETED', route: { agent: 'inquiry' }, turn: { owner: next } });
    expect(answered.body.heldBy).toBeUndefined();
    const state = await eventually(() => conversation(chatId).query(conversationStateQuery), (s) => s.turns === 2 && !s.turn);
    expect(state.handoff).toBeUndefined();
  });

  it('keeps the chat with a person who still holds it when the conversation is started again after a termination', async () => {
    const chatId = newChat();
    const holder = await post(chatId, 'I want to talk to a real person please');
    await eventually(() => view(holder), (r) => r.body.step === 'waiting_for_human');
    await eventually(() => h.database.db.getRepository(Conversation).findOneBy({ chatId }), (row) => row?.handoffWorkflowId === holder && row.handoffStatus === 'waiting');
    await conversation(chatId).terminate('terminated from the Web UI');

    // The next message starts the conversation again: it joins the person's handoff, as before.
    const held = await post(chatId, 'Hello? Anyone there?');
    const heldView = await finished(held);
    expect(heldView.body).toMatchObject({ status: 'COMPLETED', heldBy: holder });
    expect(heldView.body.reply).toBeUndefined();
    const reply = await postJson(url(`/api/handoffs/${encodeURIComponent(holder)}/reply`), { text: 'Sorry for the wait, Maria here.', operator: 'maria' });
    expect(reply.status).toBe(200);
    expect((await view(holder)).body).toMatchObject({ step: 'with_person', handoff: { status: 'answered', customerMessages: 1 } });
    await postJson(url(`/api/handoffs/${encodeURIComponent(holder)}/close`), { operator: 'maria' });
    expect((await finished(holder)).body.status).toBe('COMPLETED');
  });

  it('fails a message whose reply the provider refuses, without retrying it, and answers the next message of the chat', async () => {
    const chatId = newChat();
    graph.enqueue({ status: 400, error: { code: 131026, message: 'Message undeliverable' } });
    const refused = await post(chatId, 'What are your opening hours?');
    const failed = await finished(refused);
    expect(failed.body).toMatchObject({ status: 'FAILED', step: 'failed' });
    expect(failed.body.error).toMatch(/131026/);
    // Refused once: a 4xx is final; the ledger keeps any later attempt from sending it again.
    expect(sentTo(chatId)).toHaveLength(1);

    const next = await post(chatId, 'Do you have parking?');
    const answered = await finished(next);
    expect(answered.body).toMatchObject({ status: 'COMPLETED', turn: { owner: next } });
    expect(sentTo(chatId).map((m) => m.text.body)).toEqual([expect.any(String), answered.body.reply.text]);
  });

  it("starts a conversation without the chat's saved question when it cannot be read, answers anyway, and saves once the database is back", async () => {
    const chatId = newChat();
    const offer = await post(chatId, 'I want to book an appointment for next Monday');
    const offered = await finished(offer);
    expect(offered.body.pending).toMatchObject({ kind: 'choice', agent: 'appointment' });
    const saved = await eventually(() => h.database.db.getRepository(Conversation).findOneBy({ chatId }), (row) => row?.pending?.kind === 'choice' && row.turns === 1);
    expect(saved?.lastAgent).toBe('appointment');
    // Idle, the conversation closes: what it waited for is in the chat's row.
    const closed = await eventually(() => conversation(chatId).describe(), (d) => d.status.name !== 'RUNNING', 30_000);
    expect(closed.status.name).toBe('COMPLETED');

    // The chat's row cannot be read or written for a moment.
    const qr = h.database.db.createQueryRunner();
    await qr.query('ALTER TABLE conversations RENAME TO conversations_offline');
    let restored = false;
    try {
      const answer = await post(chatId, 'the second one please');
      // The conversation started again without what it had saved: no question, no turns.
      const state = await eventually(() => conversation(chatId).query(conversationStateQuery), (s) => s.turn?.owner === answer);
      expect(state).toMatchObject({ turns: 0 });
      expect(state.pending).toBeUndefined();
      await qr.query('ALTER TABLE conversations_offline RENAME TO conversations');
      restored = true;

      const done = await finished(answer);
      expect(done.body.status).toBe('COMPLETED');
      // Without the question, "the second one" is not read as the slot it chose: nothing is booked.
      expect(done.body.answer).toBeUndefined();
      expect(done.body.route.reason).not.toBe('answer');
      expect(await h.database.db.getRepository(Appointment).countBy({ chatId, status: 'booked' })).toBe(0);
      expect(sentTo(chatId)).toHaveLength(2);
      // Once the table is back, the conversation's projection is written again.
      const row = await eventually(() => h.database.db.getRepository(Conversation).findOneBy({ chatId }), (r) => r !== null && r.turns === 1 && r.pending === null && new Date(r.updatedAt!) > new Date(saved!.updatedAt!), 30_000);
      expect(row).toMatchObject({ turns: 1, pending: null });
    } finally {
      if (!restored) await qr.query('ALTER TABLE conversations_offline RENAME TO conversations');
      await qr.release();
    }
  }, 60_000);
});
