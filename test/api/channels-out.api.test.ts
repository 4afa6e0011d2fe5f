import { randomUUID } from 'node:crypto';
import twilio from 'twilio';
import { messageWorkflowId } from '../../src/contracts';
import { OutboundMessage } from '../../src/persistence';
import { eventually, postJson, startTestApi, type TestApi } from '../helpers/api';
import { SmtpTestServer } from '../helpers/channel-servers/smtp';
import { TwilioServer } from '../helpers/channel-servers/twilio-server';
import { WebhookReceiver } from '../helpers/channel-servers/webhook-receiver';
import { openTestDatabase, type TestDatabase } from '../helpers/database';
import { connectTemporal, startTestWorker, uniqueTaskQueue, type RunningWorker, type TemporalTestContext } from '../helpers/temporal';

const WEBHOOK_SECRET = `whsec_${Buffer.from('switchboard-test-webhook-secret!').toString('base64')}`;
const PUBLIC_BASE_URL = 'https://switchboard.example.com';
const TWILIO_FROM = 'whatsapp:+14155238886';

describe('Twilio in and out, email out over SMTP, and signed outbound webhooks', () => {
  let ctx: TemporalTestContext;
  let database: TestDatabase;
  let worker: RunningWorker;
  let api: TestApi;
  const twilioServer = new TwilioServer();
  const smtp = new SmtpTestServer();
  const receiver = new WebhookReceiver(WEBHOOK_SECRET);
  const taskQueue = uniqueTaskQueue('api-channels');

  beforeAll(async () => {
    await Promise.all([twilioServer.start(), smtp.start(), receiver.start()]);
    const env = {
      TWILIO_ACCOUNT_SID: twilioServer.accountSid,
      TWILIO_AUTH_TOKEN: twilioServer.authToken,
      TWILIO_WHATSAPP_FROM: TWILIO_FROM,
      TWILIO_API_BASE_URL: twilioServer.url,
      PUBLIC_BASE_URL,
      SMTP_URL: smtp.url,
      MAIL_FROM: 'Harbour Wellness <hello@harbour.example>',
      OUTBOUND_WEBHOOK_URL: `${receiver.url}/hooks/switchboard`,
      OUTBOUND_WEBHOOK_SECRET: WEBHOOK_SECRET,
    };
    ctx = await connectTemporal();
    database = await openTestDatabase();
    worker = await startTestWorker(ctx, taskQueue, database.db, env);
    api = await startTestApi({ address: ctx.address, taskQueue, database, env });
  });

  afterAll(async () => {
    await api?.close();
    await worker?.stop();
    await database?.close();
    await ctx?.close();
    await Promise.all([twilioServer.stop(), smtp.stop(), receiver.stop()]);
  });

  function postTwilio(params: Record<string, string>, signature?: string) {
    const sig = signature ?? twilio.getExpectedTwilioSignature(twilioServer.authToken, `${PUBLIC_BASE_URL}/webhooks/twilio`, params);
    return fetch(`${api.baseUrl}/webhooks/twilio`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': sig },
      body: new URLSearchParams(params).toString(),
    });
  }

  it('starts a conversation from a signed Twilio delivery and replies through the Twilio REST API', async () => {
    const sid = `SM${randomUUID().replace(/-/g, '')}`;
    const params = { MessageSid: sid, AccountSid: twilioServer.accountSid, From: 'whatsapp:+85291234567', To: TWILIO_FROM, Body: 'What are your opening hours?', ProfileName: 'Wing', NumMedia: '0' };
    const res = await postTwilio(params);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<Response></Response>');
    const workflowId = messageWorkflowId('whatsapp', sid);
    await eventually(() => ctx.client.workflow.getHandle(workflowId).describe(), (d) => d.status.name === 'COMPLETED');
    const sent = twilioServer.sentMessages.filter((m) => m.To === 'whatsapp:+85291234567');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ From: TWILIO_FROM });
    expect(sent[0].Body).toMatch(/Monday to Friday/);
    expect(await database.db.getRepository(OutboundMessage).findOneByOrFail({ idempotencyKey: `${workflowId}:reply` })).toMatchObject({ provider: 'twilio', status: 'sent' });
  });

  it('refuses a Twilio delivery with a bad signature', async () => {
    const params = { MessageSid: `SM${randomUUID().replace(/-/g, '')}`, From: 'whatsapp:+85291234567', To: TWILIO_FROM, Body: 'hi', NumMedia: '0' };
    const res = await postTwilio(params, 'bm90IHRoZSBzaWduYXR1cmU=');
    expect(res.status).toBe(401);
  });

  it('answers an email-channel message by email, with a Message-ID derived from the idempotency key', async () => {
    const res = await postJson(`${api.baseUrl}/api/messages`, { chatId: 'ana.chan@example.com', id: `mail-${randomUUID()}`, body: 'Do you accept PayPal?', channel: 'email' });
    expect(res.status).toBe(202);
    await eventually(() => ctx.client.workflow.getHandle(res.body.workflowId).describe(), (d) => d.status.name === 'COMPLETED');
    const mail = await eventually(async () => smtp.messages.find((m) => m.envelope.to.includes('ana.chan@example.com')), (m) => m !== undefined);
    expect(mail!.envelope.from).toBe('hello@harbour.example');
    expect(mail!.body).toMatch(/PayPal/);
    expect(mail!.messageId).toMatch(/^<sb\.[0-9a-f]{32}@harbour\.example>$/);
  });

  it('posts web-chat replies to the outbound webhook, signed with the Standard Webhooks scheme', async () => {
    const res = await postJson(`${api.baseUrl}/api/messages`, { chatId: 'web-visitor-42', id: `web-${randomUUID()}`, body: 'Hello!', channel: 'webchat' });
    await eventually(() => ctx.client.workflow.getHandle(res.body.workflowId).describe(), (d) => d.status.name === 'COMPLETED');
    const hook = receiver.verified.find((h) => h.payload?.data?.workflowId === res.body.workflowId);
    expect(hook).toBeDefined();
    expect(hook!.payload).toMatchObject({ type: 'message.reply', data: { chatId: 'web-visitor-42', channel: 'webchat' } });
    expect(hook!.payload.data.text).toMatch(/Hello/);
    expect(hook!.id).toMatch(/^msg_[0-9a-f]{32}$/);
  });
});
