import { randomUUID } from 'node:crypto';
import { agentForIntent, INTENTS, type Intent } from '../../src/domain';
import { eventually, getJson, postJson } from '../helpers/api';
import { useApiHarness } from '../helpers/harness';

/** One realistic message per intent; each must reach its agent through the API. */
const BY_INTENT: Record<Exclude<Intent, 'unknown'>, string> = {
  greeting: 'Good morning!',
  appointment_booking: 'I would like to book an appointment next Thursday at 10am',
  appointment_reschedule: 'Can I reschedule my appointment to Friday?',
  appointment_cancel: 'Please cancel my appointment',
  inquiry: 'What are your opening hours?',
  quote_request: 'Could you give me a quote for 15 foam rollers?',
  order_status: 'Where is my order #45821?',
  return_request: 'I want to return the resistance bands from order 45790',
  product_recommendation: 'What would you recommend for back pain at the office?',
  troubleshooting: 'My smart scale is not working, it shows wrong readings',
  profile_update: 'Please update my email to ana.new@example.com',
  lead: 'We are interested in your services for our company of 40 employees',
  document: 'Attached is my receipt.pdf for the refund',
  reminder: 'Remind me tomorrow at 8am to bring my receipt',
  human_handoff: 'I want to speak to a real person please',
};

describe('agents and handoffs through the API (Nest + worker + dev server + SQLite)', () => {
  const h = useApiHarness({ name: 'api-agents', seed: true });

  const view = (workflowId: string) => getJson(`${h.api.baseUrl}/api/messages/${encodeURIComponent(workflowId)}`);

  async function send(body: string, chatId = '85260552717@c.us') {
    const res = await postJson(`${h.api.baseUrl}/api/messages`, { chatId, id: `m-${randomUUID()}`, body, fromMe: false });
    expect(res.status).toBe(202);
    return res.body.workflowId as string;
  }

  it('lists every agent with the intents it handles; every intent has one', async () => {
    const res = await getJson(`${h.api.baseUrl}/api/agents`);
    expect(res.status).toBe(200);
    const agents = res.body.agents as Array<{ name: string; intents: string[]; capabilities: string[]; description: string }>;
    expect(agents.map((a) => a.name)).toEqual(
      expect.arrayContaining(['triage', 'appointment', 'inquiry', 'quote', 'order', 'returns', 'recommendation', 'troubleshooting', 'personalization', 'lead', 'document', 'reminder', 'human_handoff']),
    );
    const covered = new Set(agents.flatMap((a) => a.intents));
    for (const intent of INTENTS) expect(covered).toContain(intent);
    for (const agent of agents) expect(agent.capabilities.length).toBeGreaterThan(0);
  });

  it.each(Object.entries(BY_INTENT))('routes %s to its agent', async (intent, body) => {
    const workflowId = await send(body);
    const res = await eventually(() => view(workflowId), (r) => r.body?.route !== undefined && r.body?.step !== 'delegating' && r.body?.step !== 'replying');
    expect(res.body.triage.intent).toBe(intent);
    expect(res.body.route.agent).toBe(agentForIntent(intent as Intent).name);
  });

  it('lists a waiting conversation, sends the operator replies, and refuses one after the chat is handed back (409)', async () => {
    const workflowId = await send('I need to talk to a human about my bill', `handoff-${randomUUID().slice(0, 6)}@c.us`);
    const listed = await eventually(
      () => getJson(`${h.api.baseUrl}/api/handoffs`),
      (r) => (r.body.handoffs as Array<{ workflowId: string }>).some((h) => h.workflowId === workflowId),
    );
    expect(listed.body.handoffs.find((h: { workflowId: string }) => h.workflowId === workflowId)).toMatchObject({ status: 'open', reason: 'requested' });
    expect((await view(workflowId)).body.step).toBe('waiting_for_human');

    const reply = await postJson(`${h.api.baseUrl}/api/handoffs/${encodeURIComponent(workflowId)}/reply`, { text: 'Hello, Maria here. Let me check your bill.', operator: 'maria' });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ text: 'Hello, Maria here. Let me check your bill.', status: 'recorded' });
    // The chat is Maria's until she hands it back: her reply shows on the message.
    const withPerson = await view(workflowId);
    expect(withPerson.body).toMatchObject({ status: 'RUNNING', step: 'with_person', handoff: { status: 'answered', operator: 'maria', reply: { text: 'Hello, Maria here. Let me check your bill.' } } });
    const answered = await getJson(`${h.api.baseUrl}/api/handoffs?status=answered`);
    expect(answered.body.handoffs.find((h: { workflowId: string }) => h.workflowId === workflowId)).toMatchObject({ operator: 'maria' });

    const closed = await postJson(`${h.api.baseUrl}/api/handoffs/${encodeURIComponent(workflowId)}/close`, { operator: 'maria' });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ status: 'closed' });
    const done = await eventually(() => view(workflowId), (r) => r.body.status === 'COMPLETED');
    expect(done.body).toMatchObject({ step: 'completed', handoff: { status: 'closed', operator: 'maria' } });

    const again = await postJson(`${h.api.baseUrl}/api/handoffs/${encodeURIComponent(workflowId)}/reply`, { text: 'again', operator: 'maria' });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ statusCode: 409, error: 'Conflict' });
  });

  it('closes the handoff as cancelled when the waiting conversation is cancelled', async () => {
    const workflowId = await send('I need to talk to a human about my bill', `handoff-${randomUUID().slice(0, 6)}@c.us`);
    await eventually(
      () => getJson(`${h.api.baseUrl}/api/handoffs`),
      (r) => (r.body.handoffs as Array<{ workflowId: string }>).some((x) => x.workflowId === workflowId),
    );
    await h.ctx.client.workflow.getHandle(workflowId).cancel();
    const cancelled = await eventually(
      () => getJson(`${h.api.baseUrl}/api/handoffs?status=cancelled`),
      (r) => (r.body.handoffs as Array<{ workflowId: string }>).some((x) => x.workflowId === workflowId),
    );
    expect(cancelled.body.handoffs.find((x: { workflowId: string }) => x.workflowId === workflowId)).toMatchObject({ status: 'cancelled', closedAt: expect.any(String) });
    const open = await getJson(`${h.api.baseUrl}/api/handoffs`);
    expect((open.body.handoffs as Array<{ workflowId: string }>).some((x) => x.workflowId === workflowId)).toBe(false);
  });

  it('answers 409 for a conversation that never waited, 404 for an unknown one, 400 for a bad body', async () => {
    const workflowId = await send('Good morning!');
    await eventually(() => view(workflowId), (r) => r.body.status === 'COMPLETED');
    const notWaiting = await postJson(`${h.api.baseUrl}/api/handoffs/${encodeURIComponent(workflowId)}/reply`, { text: 'hi', operator: 'maria' });
    expect(notWaiting.status).toBe(409);

    const unknown = await postJson(`${h.api.baseUrl}/api/handoffs/${encodeURIComponent(`msg:whatsapp:none-${randomUUID()}`)}/reply`, { text: 'hi', operator: 'maria' });
    expect(unknown.status).toBe(404);

    const bad = await postJson(`${h.api.baseUrl}/api/handoffs/${encodeURIComponent(workflowId)}/reply`, { text: '   ' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/text: /);
    expect(bad.body.message).toMatch(/operator: is required/);
  });
});
