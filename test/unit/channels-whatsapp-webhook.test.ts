import { ZodError } from 'zod';
import { answerVerifyChallenge, parseWhatsAppWebhook, verifyWhatsAppSignature } from '../../src/channels';
import {
  ANA,
  APP_SECRET,
  BRUNO,
  CHEN,
  changeValue,
  messages,
  signWhatsAppBody,
  wamid,
  webhookPayload,
  whatsAppFixtures,
} from '../helpers/channel-servers';

describe('verifyWhatsAppSignature', () => {
  const raw = Buffer.from(JSON.stringify(whatsAppFixtures.text('Olá, tudo bem? 👋')));
  const header = signWhatsAppBody(raw, APP_SECRET);

  it('accepts the HMAC-SHA256 of the raw bytes with the app secret', () => {
    expect(header).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyWhatsAppSignature(raw, header, APP_SECRET)).toBe(true);
    expect(verifyWhatsAppSignature(raw, header.toUpperCase().replace('SHA256=', 'sha256='), APP_SECRET)).toBe(true);
  });

  it('refuses a signature made with another secret', () => {
    expect(verifyWhatsAppSignature(raw, signWhatsAppBody(raw, 'another-secret'), APP_SECRET)).toBe(false);
    expect(verifyWhatsAppSignature(raw, header, '')).toBe(false);
  });

  it('refuses the same JSON re-serialized with other whitespace', () => {
    const reserialized = Buffer.from(JSON.stringify(JSON.parse(raw.toString('utf8')), null, 2));
    expect(JSON.parse(reserialized.toString('utf8'))).toEqual(JSON.parse(raw.toString('utf8')));
    expect(verifyWhatsAppSignature(reserialized, header, APP_SECRET)).toBe(false);
  });

  it('refuses a body with one byte flipped', () => {
    for (const position of [0, Math.floor(raw.length / 2), raw.length - 1]) {
      const tampered = Buffer.from(raw);
      tampered[position] ^= 0x01;
      expect(verifyWhatsAppSignature(tampered, header, APP_SECRET)).toBe(false);
    }
  });

  it('refuses a missing or malformed header', () => {
    const hex = header.slice('sha256='.length);
    const sha1 = `sha1=${hex.slice(0, 40)}`;
    for (const bad of [undefined, '', hex, sha1, `sha256=${hex.slice(0, 63)}`, `sha256=${hex}00`, `sha256=${'z'.repeat(64)}`, `sha256= ${hex}`, 'sha256=']) {
      expect(verifyWhatsAppSignature(raw, bad, APP_SECRET)).toBe(false);
    }
  });
});

describe('answerVerifyChallenge', () => {
  const query = { 'hub.mode': 'subscribe', 'hub.verify_token': 'let-me-in', 'hub.challenge': '1158201444' };

  it('echoes the challenge for a subscribe with the right token', () => {
    expect(answerVerifyChallenge(query, 'let-me-in')).toBe('1158201444');
    expect(answerVerifyChallenge({ hub: { mode: 'subscribe', verify_token: 'let-me-in', challenge: '42' } }, 'let-me-in')).toBe('42');
  });

  it('answers nothing for a wrong token, a missing or other mode, or no configured token', () => {
    expect(answerVerifyChallenge({ ...query, 'hub.verify_token': 'let-me-inn' }, 'let-me-in')).toBeUndefined();
    expect(answerVerifyChallenge({ ...query, 'hub.verify_token': '' }, 'let-me-in')).toBeUndefined();
    expect(answerVerifyChallenge({ 'hub.verify_token': 'let-me-in', 'hub.challenge': '1' }, 'let-me-in')).toBeUndefined();
    expect(answerVerifyChallenge({ ...query, 'hub.mode': 'unsubscribe' }, 'let-me-in')).toBeUndefined();
    expect(answerVerifyChallenge({ ...query, 'hub.challenge': undefined }, 'let-me-in')).toBeUndefined();
    expect(answerVerifyChallenge({ ...query, 'hub.verify_token': '' }, '')).toBeUndefined();
  });
});

describe('parseWhatsAppWebhook', () => {
  it('finds every message of a batch across entries and changes, in order, with profile names', () => {
    const { messages: found, statuses } = parseWhatsAppWebhook(whatsAppFixtures.batchAcrossEntries());
    expect(found.map((m) => [m.chatId, m.body, m.senderName])).toEqual([
      [`${ANA.waId}@c.us`, 'Hi, are you open on Sunday?', 'Ana'],
      [`${BRUNO.waId}@c.us`, 'Quero um orçamento', 'Bruno Silva'],
      [`${CHEN.waId}@c.us`, '这个多少钱?', '陈伟'],
      [`${ANA.waId}@c.us`, 'And on Monday?', 'Ana'],
    ]);
    for (const m of found) {
      expect(m).toMatchObject({ provider: 'whatsapp_cloud', channel: 'whatsapp', supported: true });
      expect(m.messageId).toMatch(/^wamid\./);
      expect(Number.isInteger(m.timestamp)).toBe(true);
    }
    expect(new Set(found.map((m) => m.messageId)).size).toBe(4);
    expect(statuses).toHaveLength(1);
    expect(statuses[0]).toMatchObject({ status: 'read', recipient: `${ANA.waId}@c.us` });
  });

  it('reads a text message exactly: wamid, chat id, body, unix timestamp', () => {
    const payload = webhookPayload([changeValue({ customers: [ANA], messages: [messages.text(ANA.waId, 'I want to book', 'wamid.ABC=')] })]);
    ((payload.entry as any[])[0].changes[0].value.messages[0] as { timestamp: string }).timestamp = '1767139200';
    expect(parseWhatsAppWebhook(payload).messages).toEqual([
      {
        provider: 'whatsapp_cloud',
        channel: 'whatsapp',
        chatId: '85260552717@c.us',
        messageId: 'wamid.ABC=',
        body: 'I want to book',
        senderName: 'Ana',
        timestamp: 1767139200,
        type: 'text',
        supported: true,
      },
    ]);
  });

  it('maps a status-only delivery to statuses and no messages', () => {
    const ids = { sent: wamid(), delivered: wamid(), read: wamid(), failed: wamid() };
    const { messages: found, statuses } = parseWhatsAppWebhook(whatsAppFixtures.statusOnly(ids));
    expect(found).toEqual([]);
    expect(statuses.map((s) => [s.providerMessageId, s.status])).toEqual([
      [ids.sent, 'sent'],
      [ids.delivered, 'delivered'],
      [ids.read, 'read'],
      [ids.failed, 'failed'],
    ]);
    for (const s of statuses) {
      expect(s.provider).toBe('whatsapp_cloud');
      expect(s.recipient).toBe(`${ANA.waId}@c.us`);
      expect(Number.isInteger(s.timestamp)).toBe(true);
    }
    expect(statuses.slice(0, 3).every((s) => s.error === undefined)).toBe(true);
    expect(statuses[3].error).toMatch(/^131047 Re-engagement message: Message failed to send because more than 24 hours/);
  });

  it('reads media with caption, filename and MIME type; the caption is the body', () => {
    const image = parseWhatsAppWebhook(whatsAppFixtures.imageWithCaption('Is this in stock?')).messages[0];
    expect(image).toMatchObject({ type: 'image', body: 'Is this in stock?', supported: true, media: { reference: '1003383421387256', mimeType: 'image/jpeg' } });
    expect(image.media?.filename).toBeUndefined();

    const doc = parseWhatsAppWebhook(whatsAppFixtures.document('quotation.pdf')).messages[0];
    expect(doc).toMatchObject({
      type: 'document',
      body: '',
      supported: true,
      media: { reference: '2095583377523186', mimeType: 'application/pdf', filename: 'quotation.pdf' },
    });

    const audio = parseWhatsAppWebhook(webhookPayload([changeValue({ customers: [ANA], messages: [messages.audio(ANA.waId)] })])).messages[0];
    expect(audio).toMatchObject({ type: 'audio', body: '', supported: true, media: { mimeType: 'audio/ogg; codecs=opus' } });
  });

  it('returns unsupported types flagged supported: false', () => {
    const found = parseWhatsAppWebhook(whatsAppFixtures.unsupportedAndReaction()).messages;
    expect(found.map((m) => [m.type, m.supported, m.body])).toEqual([
      ['unsupported', false, ''],
      ['reaction', false, '👍'],
      ['sticker', false, ''],
    ]);
    expect(found[2].media).toMatchObject({ mimeType: 'image/webp' });
    const location = parseWhatsAppWebhook(webhookPayload([changeValue({ customers: [ANA], messages: [messages.location(ANA.waId)] })])).messages[0];
    expect(location).toMatchObject({ type: 'location', supported: false, body: '' });
  });

  it('reads template quick-reply buttons and interactive replies as their visible text', () => {
    const context = wamid();
    const payload = webhookPayload([
      changeValue({
        customers: [ANA],
        messages: [
          messages.button(ANA.waId, 'Yes, confirm', 'CONFIRM_BOOKING', context),
          messages.buttonReply(ANA.waId, 'slot-2', 'Tuesday 10:00', context),
          messages.listReply(ANA.waId, 'svc-haircut', 'Haircut'),
        ],
      }),
    ]);
    expect(parseWhatsAppWebhook(payload).messages.map((m) => [m.type, m.body, m.supported])).toEqual([
      ['button', 'Yes, confirm', true],
      ['interactive', 'Tuesday 10:00', true],
      ['interactive', 'Haircut', true],
    ]);
  });

  it('takes the profile name of the matching contact, or of a lone contact whose wa_id differs', () => {
    const twoContacts = webhookPayload([changeValue({ customers: [BRUNO, ANA], messages: [messages.text(ANA.waId, 'hi')] })]);
    expect(parseWhatsAppWebhook(twoContacts).messages[0].senderName).toBe('Ana');
    const normalized = webhookPayload([changeValue({ customers: [{ waId: '551187654321', name: 'Bia' }], messages: [messages.text('5511987654321', 'oi')] })]);
    expect(parseWhatsAppWebhook(normalized).messages[0].senderName).toBe('Bia');
    const none = webhookPayload([changeValue({ messages: [messages.text(ANA.waId, 'hi')] })]);
    expect(parseWhatsAppWebhook(none).messages[0].senderName).toBeUndefined();
  });

  it('tolerates well-formed but unexpected content without throwing', () => {
    const odd = {
      object: 'whatsapp_business_account',
      entry: [
        {},
        { id: '1', changes: 'nope' },
        { id: '2', changes: [{}, { field: 'account_update', value: { event: 'VERIFIED_ACCOUNT' } }, { value: null }] },
        {
          id: '3',
          changes: [
            {
              field: 'messages',
              value: {
                contacts: 'x',
                messages: [null, 7, { id: 'wamid.no-from' }, { from: ANA.waId, id: 'wamid.ok', type: 'text', text: { body: 'still here' }, timestamp: 'soon' }],
                statuses: [{ id: 'wamid.s', status: 'deleted' }, { status: 'sent' }, { id: 'wamid.t', status: 'delivered', timestamp: '1767139300' }],
              },
            },
          ],
        },
      ],
      extra: true,
    };
    const { messages: found, statuses } = parseWhatsAppWebhook(odd);
    expect(found).toEqual([
      { provider: 'whatsapp_cloud', channel: 'whatsapp', chatId: `${ANA.waId}@c.us`, messageId: 'wamid.ok', body: 'still here', type: 'text', supported: true },
    ]);
    expect(statuses).toEqual([{ provider: 'whatsapp_cloud', providerMessageId: 'wamid.t', status: 'delivered', timestamp: 1767139300 }]);
    expect(parseWhatsAppWebhook({ object: 'whatsapp_business_account', entry: [] })).toEqual({ messages: [], statuses: [] });
  });

  it('throws a validation error naming the field when the top level is not a WhatsApp delivery', () => {
    const issuePaths = (payload: unknown): string[] => {
      try {
        parseWhatsAppWebhook(payload);
      } catch (err) {
        expect(err).toBeInstanceOf(ZodError);
        return (err as ZodError).issues.map((i) => i.path.join('.'));
      }
      throw new Error('expected a validation error');
    };
    expect(issuePaths({ object: 'page', entry: [] })).toEqual(['object']);
    expect(issuePaths({ object: 'whatsapp_business_account' })).toEqual(['entry']);
    expect(issuePaths({ object: 'whatsapp_business_account', entry: {} })).toEqual(['entry']);
    expect(issuePaths('{"object":"whatsapp_business_account"}')).toEqual(['']);
    expect(issuePaths(null)).toEqual(['']);
    expect(() => parseWhatsAppWebhook({ object: 'instagram', entry: [] })).toThrow(/object/);
  });
});
