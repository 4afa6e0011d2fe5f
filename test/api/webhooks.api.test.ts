import { randomInt, randomUUID } from 'node:crypto';
import { messageWorkflowId } from '../../src/contracts';
import { InboundEvent, OutboundMessage } from '../../src/persistence';
import { eventually, getJson, startTestApi, type TestApi } from '../helpers/api';
import { GraphApiServer } from '../helpers/channel-servers/graph-api-server';
import { APP_SECRET, changeValue, messages, signWhatsAppBody, statuses, webhookPayload, type Customer } from '../helpers/channel-servers/whatsapp-payloads';
import { openTestDatabase, type TestDatabase } from '../helpers/database';
import { connectTemporal, startTestWorker, uniqueTaskQueue, type RunningWorker, type TemporalTestContext } from '../helpers/temporal';

const VERIFY_TOKEN = 'verify-me-9d2c';

function customer(): Customer {
  return { waId: `852${randomInt(10_000_000, 99_999_999)}`, name: 'Test Customer' };
}

describe('WhatsApp Cloud API in and out (signed webhook → workflow → Graph API stand-in)', () => {
  let ctx: TemporalTestContext;
  let database: TestDatabase;
  let worker: RunningWorker;
  let api: TestApi;
  const graph = new GraphApiServer();
  const taskQueue = uniqueTaskQueue('api-webhooks');

  beforeAll(async () => {
    await graph.start();
    const channelEnv = {
      WHATSAPP_APP_SECRET: APP_SECRET,
      WHATSAPP_VERIFY_TOKEN: VERIFY_TOKEN,
      ...graph.whatsappEnv(),
    };
    ctx = await connectTemporal();
    database = await openTestDatabase();
    worker = await startTestWorker(ctx, taskQueue, database.db, channelEnv);
    api = await startTestApi({ address: ctx.address, taskQueue, database, env: channelEnv });
  });

  afterAll(async () => {
    await api?.close();
    await worker?.stop();
    await database?.close();
    await ctx?.close();
    await graph.stop();
  });

  async function deliver(payload: unknown, signature?: string | null, raw?: string) {
    const body = raw ?? JSON.stringify(payload);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (signature !== null) headers['x-hub-signature-256'] = signature ?? signWhatsAppBody(body);
    const res = await fetch(`${api.baseUrl}/webhooks/whatsapp`, { method: 'POST', headers, body });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  const sentTo = (c: Customer) => graph.sentMessages.filter((m) => m.to === c.waId);
  const completed = (wamid: string) =>
    eventually(() => ctx.client.workflow.getHandle(messageWorkflowId('whatsapp', wamid)).describe(), (d) => d.status.name !== 'RUNNING');

  it("answers Meta's verification challenge only with the right token", async () => {
    const ok = await fetch(`${api.baseUrl}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1158201444');
    const wrong = await fetch(`${api.baseUrl}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1158201444`);
    expect(wrong.status).toBe(403);
  });

  it('turns a signed delivery into one reply at the Graph API, and a duplicate delivery into none', async () => {
    const ana = customer();
    const text = messages.text(ana.waId, 'What are your opening hours?');
    const payload = webhookPayload([changeValue({ customers: [ana], messages: [text] })]);
    const first = await deliver(payload);
    expect(first).toEqual({ status: 200, body: { messages: 1, started: 1, duplicates: 0, unsupported: 0, statuses: 0 } });
    expect((await completed(text.id as string)).status.name).toBe('COMPLETED');

    const sent = sentTo(ana);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ messaging_product: 'whatsapp', type: 'text', to: ana.waId, biz_opaque_callback_data: `${messageWorkflowId('whatsapp', text.id as string)}:reply` });
    expect(sent[0].text.body).toMatch(/Monday to Friday/);
    const row = await database.db.getRepository(OutboundMessage).findOneByOrFail({ idempotencyKey: `${messageWorkflowId('whatsapp', text.id as string)}:reply` });
    expect(row).toMatchObject({ status: 'sent', provider: 'whatsapp_cloud', attempts: 1 });
    expect(row.providerMessageId).toMatch(/^wamid\./);

    const again = await deliver(payload);
    expect(again.body).toMatchObject({ started: 0, duplicates: 1 });
    await new Promise((r) => setTimeout(r, 500));
    expect(sentTo(ana)).toHaveLength(1);
  });

  it('starts one workflow and sends one reply for the same delivery five times in sequence and five in parallel', async () => {
    const bruno = customer();
    const text = messages.text(bruno.waId, 'hello');
    const payload = webhookPayload([changeValue({ customers: [bruno], messages: [text] })]);
    for (let i = 0; i < 5; i += 1) expect((await deliver(payload)).status).toBe(200);
    const parallel = await Promise.all(Array.from({ length: 5 }, () => deliver(payload)));
    expect(parallel.every((r) => r.status === 200 && r.body.duplicates === 1)).toBe(true);
    await completed(text.id as string);
    await new Promise((r) => setTimeout(r, 500));
    expect(sentTo(bruno)).toHaveLength(1);
  });

  it('walks every message of a batch across entries, and records unsupported types instead of dropping them', async () => {
    const a = customer();
    const b = customer();
    const m1 = messages.text(a.waId, 'hi');
    const m2 = messages.text(b.waId, 'Where is my order #45821?');
    const m3 = messages.text(a.waId, 'thanks!');
    const weird = messages.unsupported(b.waId);
    const payload = webhookPayload([changeValue({ customers: [a, b], messages: [m1, m2] })], [changeValue({ customers: [a, b], messages: [m3, weird] })]);
    const res = await deliver(payload);
    expect(res.body).toEqual({ messages: 4, started: 3, duplicates: 0, unsupported: 1, statuses: 0 });
    for (const m of [m1, m2, m3]) expect((await completed(m.id as string)).status.name).toBe('COMPLETED');
    expect(sentTo(a)).toHaveLength(2);
    expect(sentTo(b)).toHaveLength(1);
    const recorded = await database.db.getRepository(InboundEvent).findOneByOrFail({ messageId: weird.id as string });
    expect(recorded).toMatchObject({ kind: 'unsupported', provider: 'whatsapp_cloud', chatId: `${b.waId}@c.us` });
    await expect(ctx.client.workflow.getHandle(messageWorkflowId('whatsapp', weird.id as string)).describe()).rejects.toThrow();
  });

  it('moves the ledger forward on status-only deliveries and never backwards', async () => {
    const c = customer();
    const text = messages.text(c.waId, 'Good morning!');
    await deliver(webhookPayload([changeValue({ customers: [c], messages: [text] })]));
    await completed(text.id as string);
    const key = `${messageWorkflowId('whatsapp', text.id as string)}:reply`;
    const { providerMessageId } = await database.db.getRepository(OutboundMessage).findOneByOrFail({ idempotencyKey: key });
    const status = (s: Record<string, unknown>) => webhookPayload([changeValue({ statuses: [s] })]);
    expect((await deliver(status(statuses.delivered(providerMessageId!, c.waId)))).body).toMatchObject({ messages: 0, statuses: 1 });
    expect((await deliver(status(statuses.read(providerMessageId!, c.waId)))).status).toBe(200);
    expect((await deliver(status(statuses.sent(providerMessageId!, c.waId)))).status).toBe(200);
    expect(await database.db.getRepository(OutboundMessage).findOneByOrFail({ idempotencyKey: key })).toMatchObject({ status: 'read' });
  });

  it('retries a Graph API 5xx until the message is accepted; a 4xx that retrying cannot fix fails the message visibly', async () => {
    const d = customer();
    graph.enqueue({ status: 500 });
    const ok = messages.text(d.waId, 'What are your opening hours?');
    await deliver(webhookPayload([changeValue({ customers: [d], messages: [ok] })]));
    expect((await completed(ok.id as string)).status.name).toBe('COMPLETED');
    expect(sentTo(d)).toHaveLength(2); // the refused attempt and the delivered one
    expect(graph.requests.filter((r) => r.body?.to === d.waId).length).toBe(2);

    const e = customer();
    graph.enqueue({ status: 400, error: { code: 131047, message: 'Re-engagement message' } });
    const refused = messages.text(e.waId, 'hello');
    await deliver(webhookPayload([changeValue({ customers: [e], messages: [refused] })]));
    const wf = await completed(refused.id as string);
    expect(wf.status.name).toBe('FAILED');
    const row = await database.db.getRepository(OutboundMessage).findOneByOrFail({ idempotencyKey: `${messageWorkflowId('whatsapp', refused.id as string)}:reply` });
    expect(row.status).toBe('failed');
    expect(row.error).toMatch(/131047/);
    const view = await getJson(`${api.baseUrl}/api/messages/${encodeURIComponent(messageWorkflowId('whatsapp', refused.id as string))}`);
    expect(view.body).toMatchObject({ status: 'FAILED', step: 'failed' });
    expect(view.body.error).toMatch(/131047/);
  });

  it.each([
    ['a wrong secret', (raw: string) => ({ raw, signature: signWhatsAppBody(raw, 'not-the-secret') })],
    ['the same JSON re-serialized', (raw: string) => ({ raw: JSON.stringify(JSON.parse(raw), null, 2), signature: signWhatsAppBody(raw) })],
    ['one byte flipped', (raw: string) => ({ raw: raw.replace('"hi"', '"hj"'), signature: signWhatsAppBody(raw) })],
    ['no signature header', (raw: string) => ({ raw, signature: null })],
  ])('refuses %s with a 401 and starts nothing', async (_name, tamper) => {
    const f = customer();
    const text = messages.text(f.waId, 'hi');
    const raw = JSON.stringify(webhookPayload([changeValue({ customers: [f], messages: [text] })]));
    const { raw: sentRaw, signature } = tamper(raw);
    const res = await deliver(undefined, signature, sentRaw);
    expect(res.status).toBe(401);
    expect(res.body.message).toMatch(/X-Hub-Signature-256/);
    await expect(ctx.client.workflow.getHandle(messageWorkflowId('whatsapp', text.id as string)).describe()).rejects.toThrow();
  });

  it('answers a signed but malformed envelope with a 400 naming the field', async () => {
    const res = await deliver({ object: 'page', entry: 'nope' });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/object|entry/);
  });

  it('a reply whose answer was lost is confirmed by its status webhook and never sent twice', async () => {
    const g = customer();
    // The Graph API takes the message but its answer never arrives (the connection drops).
    graph.enqueue({ destroy: true });
    const text = messages.text(g.waId, 'Good evening!');
    await deliver(webhookPayload([changeValue({ customers: [g], messages: [text] })]));
    const key = `${messageWorkflowId('whatsapp', text.id as string)}:reply`;
    // The row goes `sending` just before the request leaves: wait for both.
    await eventually(
      async () => ({ row: await database.db.getRepository(OutboundMessage).findOneBy({ idempotencyKey: key }), requests: sentTo(g).length }),
      ({ row, requests }) => row?.status === 'sending' && requests === 1,
    );
    expect(sentTo(g)).toHaveLength(1);
    // Meta's status webhook echoes our key back (biz_opaque_callback_data): the send happened.
    const wamidOfLostAnswer = `wamid.lost-answer-${randomUUID()}`;
    const sent = { ...statuses.sent(wamidOfLostAnswer, g.waId), biz_opaque_callback_data: key };
    await deliver(webhookPayload([changeValue({ statuses: [sent] })]));
    expect((await completed(text.id as string)).status.name).toBe('COMPLETED');
    expect(sentTo(g)).toHaveLength(1);
    expect(await database.db.getRepository(OutboundMessage).findOneByOrFail({ idempotencyKey: key })).toMatchObject({ status: 'sent', providerMessageId: wamidOfLostAnswer });
  });
});
