import { EmailSender, messageIdFor } from '../../src/channels';
import { closedPort, SmtpTestServer, caughtSendError } from '../helpers/channel-servers';

const FROM = 'Switchboard Support <support@acme.example>';

describe('messageIdFor', () => {
  it('is a deterministic RFC 5322 Message-ID on the sender’s domain', () => {
    const id = messageIdFor('msg:email:abc:reply', FROM);
    expect(id).toMatch(/^<sb\.[0-9a-f]{32}@acme\.example>$/);
    expect(messageIdFor('msg:email:abc:reply', 'support@acme.example')).toBe(id);
    expect(messageIdFor('msg:email:abc:reply2', FROM)).not.toBe(id);
    expect(messageIdFor('k', 'no-address')).toMatch(/@switchboard\.invalid>$/);
  });
});

describe('EmailSender against an in-process SMTP server', () => {
  const smtp = new SmtpTestServer();
  let sender: EmailSender;

  beforeAll(async () => {
    await smtp.start();
    sender = new EmailSender({ smtpUrl: smtp.url, from: FROM, timeoutMs: 5_000 });
  });
  afterEach(() => smtp.reset());
  afterAll(async () => {
    sender.close();
    await smtp.stop();
  });

  it('delivers the message with the Message-ID derived from the idempotency key', async () => {
    const result = await sender.send({
      to: 'ana@customer.example',
      subject: 'Your quotation Q-2026-001 — ready',
      text: 'Hello Ana,\n\nYour quotation is attached. Precio: 1.200 € por unidad.\n',
      idempotencyKey: 'msg:email:abc:reply',
    });
    const expectedId = messageIdFor('msg:email:abc:reply', FROM);
    expect(result).toEqual({ providerMessageIds: [expectedId] });
    expect(smtp.messages).toHaveLength(1);
    const [mail] = smtp.messages;
    expect(mail.envelope).toEqual({ from: 'support@acme.example', to: ['ana@customer.example'] });
    expect(mail.messageId).toBe(expectedId);
    expect(mail.subject).toBe('Your quotation Q-2026-001 — ready');
    expect(mail.headers.from).toBe('Switchboard Support <support@acme.example>');
    expect(mail.headers.to).toBe('ana@customer.example');
    expect(mail.body).toBe('Hello Ana,\r\n\r\nYour quotation is attached. Precio: 1.200 € por unidad.');
  });

  it('sends the same Message-ID again for the same key, and threads a reply', async () => {
    await sender.send({ to: 'ana@customer.example', subject: 'Re: booking', text: 'Confirmed.', idempotencyKey: 'k-1', inReplyTo: '<original@customer.example>' });
    await sender.send({ to: 'ana@customer.example', subject: 'Re: booking', text: 'Confirmed.', idempotencyKey: 'k-1' });
    expect(smtp.messages.map((m) => m.messageId)).toEqual([messageIdFor('k-1', FROM), messageIdFor('k-1', FROM)]);
    expect(smtp.messages[0].headers['in-reply-to']).toBe('<original@customer.example>');
    expect(smtp.messages[0].headers.references).toBe('<original@customer.example>');
  });

  it('a 4xx rejection is retryable', async () => {
    smtp.reject({ stage: 'rcpt', code: 451, message: '4.7.1 Greylisted, try again later' });
    const err = await caughtSendError(sender.send({ to: 'ana@customer.example', subject: 's', text: 't', idempotencyKey: 'k-2' }));
    expect(err).toMatchObject({ retryable: true, status: 451 });
    expect(err.message).toMatch(/Greylisted/);
    expect(smtp.messages).toHaveLength(0);

    smtp.reject({ stage: 'data', code: 452, message: '4.3.1 Insufficient system storage' });
    expect(await caughtSendError(sender.send({ to: 'ana@customer.example', subject: 's', text: 't', idempotencyKey: 'k-2' }))).toMatchObject({
      retryable: true,
      status: 452,
    });
  });

  it('a 5xx rejection is permanent', async () => {
    smtp.reject({ stage: 'rcpt', code: 550, message: '5.1.1 No such user here' });
    const err = await caughtSendError(sender.send({ to: 'nobody@customer.example', subject: 's', text: 't', idempotencyKey: 'k-3' }));
    expect(err).toMatchObject({ retryable: false, status: 550 });
    expect(err.message).toMatch(/No such user/);

    smtp.reject({ stage: 'data', code: 554, message: '5.7.1 Message rejected as spam' });
    expect(await caughtSendError(sender.send({ to: 'ana@customer.example', subject: 's', text: 't', idempotencyKey: 'k-3' }))).toMatchObject({
      retryable: false,
      status: 554,
    });

    smtp.reject({ stage: 'mail', code: 553, message: '5.1.8 Sender address rejected' });
    expect(await caughtSendError(sender.send({ to: 'ana@customer.example', subject: 's', text: 't', idempotencyKey: 'k-3' }))).toMatchObject({
      retryable: false,
      status: 553,
    });
  });

  it('a recipient that is not an address is refused before any SMTP exchange, non-retryable', async () => {
    const err = await caughtSendError(sender.send({ to: '', subject: 's', text: 't', idempotencyKey: 'k-4' }));
    expect(err.retryable).toBe(false);
    expect(smtp.messages).toHaveLength(0);
  });

  it('a server that is down is retryable, and the same sender works once it is back', async () => {
    const down = new EmailSender({ smtpUrl: `smtp://127.0.0.1:${await closedPort()}`, from: FROM, timeoutMs: 2_000 });
    const err = await caughtSendError(down.send({ to: 'ana@customer.example', subject: 's', text: 't', idempotencyKey: 'k-5' }));
    expect(err.retryable).toBe(true);
    expect(String(err.providerCode)).toMatch(/^E[A-Z]+$/);
    expect(err.message).toMatch(/ECONNREFUSED/);
    down.close();

    await smtp.stop();
    const whileDown = await caughtSendError(sender.send({ to: 'ana@customer.example', subject: 's', text: 't', idempotencyKey: 'k-6' }));
    expect(whileDown.retryable).toBe(true);
    await smtp.start();
    await sender.send({ to: 'ana@customer.example', subject: 's', text: 't', idempotencyKey: 'k-6' });
    expect(smtp.messages).toHaveLength(1);
  });
});
