import { randomUUID } from 'node:crypto';
import type { SendReminderInput } from '../../src/contracts';
import { ConversationMessage, Handoff } from '../../src/persistence';
import { eventually, getJson, postJson } from '../helpers/api';
import { useApiHarness } from '../helpers/harness';

const MINUTE = 60_000;

describe('handoffs: customer messages in the list, and closing a handoff (Nest + worker + dev server + SQLite)', () => {
  const started: string[] = [];
  const h = useApiHarness({
    name: 'api-handoffs-close',
    seed: true,
    beforeTeardown: async (harness) => {
      for (const id of started) await harness.ctx.client.workflow.getHandle(id).terminate('test over').catch(() => undefined);
    },
  });
  const url = (path: string) => `${h.api.baseUrl}${path}`;
  const close = (workflowId: string, body: unknown = {}) => postJson(url(`/api/handoffs/${encodeURIComponent(workflowId)}/close`), body);
  const view = (workflowId: string) => getJson(url(`/api/messages/${encodeURIComponent(workflowId)}`));

  async function send(body: string, chatId: string) {
    const res = await postJson(url('/api/messages'), { chatId, id: `m-${randomUUID()}`, body, fromMe: false });
    expect(res.status).toBe(202);
    return res.body.workflowId as string;
  }

  async function line(chatId: string, direction: 'in' | 'out', text: string, at: Date) {
    const id = randomUUID();
    const workflowId = `msg:whatsapp:${id}`;
    await h.database.db.getRepository(ConversationMessage).insert({
      id,
      messageKey: `test:${id}`,
      chatId,
      channel: 'whatsapp',
      direction,
      kind: direction === 'in' ? 'message' : 'reply',
      text,
      at,
      workflowId,
      agent: null,
      operator: null,
      outboundId: null,
      senderName: null,
      media: null,
    });
    return workflowId;
  }

  it("lists each handoff with the customer's messages since it opened, oldest first, at most 20", async () => {
    const chatId = `handoff-list-${randomUUID().slice(0, 8)}@c.us`;
    const workflowId = `msg:whatsapp:${randomUUID()}`;
    const openedAt = new Date(Math.floor((Date.now() - 60 * MINUTE) / 1000) * 1000);
    await h.database.db.getRepository(Handoff).insert({
      workflowId,
      chatId,
      channel: 'whatsapp',
      reason: 'requested',
      intent: 'human_handoff',
      status: 'open',
      operator: null,
      answer: null,
      dueAt: new Date(openedAt.getTime() + 24 * 60 * MINUTE),
      openedAt,
      closedAt: null,
    });
    const stored = await h.database.db.getRepository(Handoff).findOneByOrFail({ workflowId });
    expect(new Date(stored.openedAt).toISOString()).toBe(openedAt.toISOString());

    await line(chatId, 'in', 'before the handoff', new Date(openedAt.getTime() - MINUTE));
    const first = await line(chatId, 'in', 'at the moment it opened', openedAt);
    await line(chatId, 'out', 'an agent reply is not a customer message', new Date(openedAt.getTime() + MINUTE));
    for (let i = 0; i < 21; i++) await line(chatId, 'in', `waiting ${String(i).padStart(2, '0')}`, new Date(openedAt.getTime() + (i + 2) * MINUTE));
    await line(`other-${chatId}`, 'in', 'another chat', new Date(openedAt.getTime() + MINUTE));

    const res = await getJson(url('/api/handoffs'));
    expect(res.status).toBe(200);
    const item = res.body.handoffs.find((x: { workflowId: string }) => x.workflowId === workflowId);
    expect(item).toMatchObject({ workflowId, chatId, status: 'open' });
    expect(item.messages).toHaveLength(20);
    expect(item.messages[0]).toEqual({ text: 'at the moment it opened', at: openedAt.toISOString(), workflowId: first });
    expect(item.messages.slice(1).map((m: { text: string }) => m.text)).toEqual(Array.from({ length: 19 }, (_, i) => `waiting ${String(i).padStart(2, '0')}`));
  });

  it('answers 404 for an unknown workflow id', async () => {
    const res = await close(`msg:whatsapp:none-${randomUUID()}`, { operator: 'maria' });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found', message: expect.stringMatching(/^workflowId: /) });
    // No body at all is a close without a name, not a 400.
    const bare = await fetch(url(`/api/handoffs/${encodeURIComponent(`msg:whatsapp:none-${randomUUID()}`)}/close`), { method: 'POST' });
    expect(bare.status).toBe(404);
  });

  it('documents the close route with its body in OpenAPI', async () => {
    const doc = await getJson(url('/docs/openapi.json'));
    const route = doc.body.paths['/api/handoffs/{workflowId}/close']?.post;
    expect(route).toBeDefined();
    expect(Object.keys(route.responses)).toEqual(expect.arrayContaining(['200', '400', '404', '409']));
    expect(JSON.stringify(route.requestBody ?? {})).toMatch(/operator|HandoffCloseDto/);
  });

  it('answers 400 for an unknown field, an operator longer than 128 characters, or a workflow id that is not a message', async () => {
    const workflowId = `msg:whatsapp:${randomUUID()}`;
    const unknown = await close(workflowId, { operator: 'maria', reason: 'done' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toMatch(/reason: unknown field/);
    const long = await close(workflowId, { operator: 'x'.repeat(129) });
    expect(long.status).toBe(400);
    expect(long.body.message).toMatch(/^operator: /);
    const wrongType = await close(workflowId, { operator: 42 });
    expect(wrongType.status).toBe(400);
    const notMessage = await close('conversation:someone@c.us');
    expect(notMessage.status).toBe(400);
    expect(notMessage.body.message).toMatch(/^workflowId: /);
  });

  it('answers 409 for a message workflow that has finished', async () => {
    const workflowId = await send('Good morning!', `close-done-${randomUUID().slice(0, 6)}@c.us`);
    const done = await eventually(() => view(workflowId), (r) => r.body.status === 'COMPLETED');
    expect(done.body.status).toBe('COMPLETED');
    const res = await close(workflowId, { operator: 'maria' });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ statusCode: 409, error: 'Conflict', message: expect.stringMatching(/^workflowId: .*finished/) });
  });

  it('answers 409 "does not accept close requests" for a running workflow without the close handler', async () => {
    // A running workflow that predates close requests, standing in for an old conversation.
    const workflowId = `msg:whatsapp:legacy-${randomUUID()}`;
    const input: SendReminderInput = { reminderId: randomUUID(), chatId: 'legacy@c.us', channel: 'whatsapp', remindAt: new Date(Date.now() + 24 * 60 * MINUTE).toISOString(), language: 'en' };
    await h.ctx.client.workflow.start('sendReminder', { workflowId, taskQueue: h.taskQueue, args: [input] });
    started.push(workflowId);
    const res = await close(workflowId);
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ statusCode: 409, error: 'Conflict', message: 'workflowId: this conversation does not accept close requests' });
  });

  it('closes a handoff a person answered and hands the chat back to the agents (needs the conversation workflows)', async () => {
    const chatId = `close-ok-${randomUUID().slice(0, 6)}@c.us`;
    const workflowId = await send('I need to talk to a human about my bill', chatId);
    started.push(workflowId);
    const listed = await eventually(
      () => getJson(url('/api/handoffs')),
      (r) => (r.body.handoffs as Array<{ workflowId: string }>).some((x) => x.workflowId === workflowId),
    );
    expect(listed.body.handoffs.map((x: { workflowId: string }) => x.workflowId)).toContain(workflowId);
    const reply = await postJson(url(`/api/handoffs/${encodeURIComponent(workflowId)}/reply`), { text: 'Hello, Maria here.', operator: 'maria' });
    expect(reply.status).toBe(200);

    // A body is optional: none at all closes without naming the person.
    const res = await fetch(url(`/api/handoffs/${encodeURIComponent(workflowId)}/close`), { method: 'POST' });
    const body = await res.json();
    expect({ status: res.status, body }).toMatchObject({ status: 200, body: { status: 'closed', dueAt: expect.any(String) } });

    const again = await close(workflowId, { operator: 'maria' });
    expect(again.status).toBe(409);
    const closed = await eventually(
      () => getJson(url('/api/handoffs?status=closed')),
      (r) => (r.body.handoffs as Array<{ workflowId: string }>).some((x) => x.workflowId === workflowId),
    );
    expect(closed.body.handoffs.find((x: { workflowId: string }) => x.workflowId === workflowId)).toMatchObject({ status: 'closed', closedAt: expect.any(String) });

    // The next message is the agents' again.
    const next = await send('What are your opening hours?', chatId);
    const answered = await eventually(() => view(next), (r) => r.body.status === 'COMPLETED');
    expect(answered.body.status).toBe('COMPLETED');
    expect(answered.body.route.agent).toBe('inquiry');
  });
});
