import { createHmac, randomBytes } from 'node:crypto';

/**
 * Builders of WhatsApp Cloud API webhook deliveries in the shapes Meta documents
 * (https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/payload-examples),
 * so parsing is tested against what Meta sends rather than against our own types.
 */

export const WABA_ID = '102290129340398';
export const PHONE_NUMBER_ID = '106540352242922';
export const DISPLAY_PHONE_NUMBER = '15550783881';
export const APP_SECRET = 'test-app-secret-3f9c2a';

/** `X-Hub-Signature-256` for a raw body, as Meta computes it. */
export function signWhatsAppBody(raw: string | Buffer, secret: string = APP_SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
}

export interface Customer {
  waId: string;
  name?: string;
}

type Json = Record<string, unknown>;

/** A wamid in Meta's style (base64 of an opaque id). */
export function wamid(): string {
  return `wamid.${Buffer.from(`HBgL${randomBytes(18).toString('hex')}`).toString('base64')}`;
}

let clock = 1767139200;
function nextTimestamp(): string {
  clock += 7;
  return String(clock);
}

function message(from: string, type: string, content: Json | undefined, id?: string): Json {
  return { from, id: id ?? wamid(), timestamp: nextTimestamp(), type, ...(content ? { [type]: content } : {}) };
}

export const messages = {
  text: (from: string, body: string, id?: string): Json => message(from, 'text', { body }, id),
  image: (from: string, caption?: string): Json =>
    message(from, 'image', {
      ...(caption !== undefined ? { caption } : {}),
      mime_type: 'image/jpeg',
      sha256: 'Bd4nB6pLwFYoeNmwTwS4IxzSCEEXdxv9Tf4i2U2UPJo=',
      id: '1003383421387256',
    }),
  document: (from: string, filename: string, caption?: string): Json =>
    message(from, 'document', {
      ...(caption !== undefined ? { caption } : {}),
      filename,
      mime_type: 'application/pdf',
      sha256: 'u6xFcT+8rB2DS7EVK7h0F5hT2dY0yBLNdIhiEQ6jLHY=',
      id: '2095583377523186',
    }),
  audio: (from: string): Json =>
    message(from, 'audio', { mime_type: 'audio/ogg; codecs=opus', sha256: 'rD9mFq9L3U8kqA+f8T0ZTVQiXkqvVg3Y3N3rC3f0Z2w=', id: '1185379426224513', voice: true }),
  location: (from: string): Json =>
    message(from, 'location', { latitude: 22.2793, longitude: 114.1628, name: 'Central', address: 'Des Voeux Rd Central, Hong Kong' }),
  sticker: (from: string): Json =>
    message(from, 'sticker', { mime_type: 'image/webp', sha256: 'Z9HkHSDFc1yVhA6nNaj4M2vZDqwVJ1w2eJUVwXKyH6M=', id: '1218617732345674', animated: false }),
  reaction: (from: string, reactedTo: string, emoji: string): Json => message(from, 'reaction', { message_id: reactedTo, emoji }),
  button: (from: string, text: string, payload: string, contextId: string): Json => ({
    ...message(from, 'button', { text, payload }),
    context: { from: DISPLAY_PHONE_NUMBER, id: contextId },
  }),
  buttonReply: (from: string, replyId: string, title: string, contextId: string): Json => ({
    ...message(from, 'interactive', { type: 'button_reply', button_reply: { id: replyId, title } }),
    context: { from: DISPLAY_PHONE_NUMBER, id: contextId },
  }),
  listReply: (from: string, replyId: string, title: string): Json =>
    message(from, 'interactive', { type: 'list_reply', list_reply: { id: replyId, title, description: 'From the list' } }),
  unsupported: (from: string): Json => ({
    ...message(from, 'unsupported', undefined),
    errors: [
      {
        code: 131051,
        title: 'Message type unknown',
        message: 'Message type unknown',
        error_data: { details: 'Message type is currently not supported.' },
      },
    ],
  }),
};

export const statuses = {
  sent: (id: string, recipient: string): Json => ({
    id,
    status: 'sent',
    timestamp: nextTimestamp(),
    recipient_id: recipient,
    conversation: { id: 'b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6', expiration_timestamp: '1767225600', origin: { type: 'service' } },
    pricing: { billable: false, pricing_model: 'CBP', category: 'service' },
  }),
  delivered: (id: string, recipient: string): Json => ({
    id,
    status: 'delivered',
    timestamp: nextTimestamp(),
    recipient_id: recipient,
    conversation: { id: 'b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6', origin: { type: 'service' } },
    pricing: { billable: false, pricing_model: 'CBP', category: 'service' },
  }),
  read: (id: string, recipient: string): Json => ({ id, status: 'read', timestamp: nextTimestamp(), recipient_id: recipient }),
  failed: (id: string, recipient: string): Json => ({
    id,
    status: 'failed',
    timestamp: nextTimestamp(),
    recipient_id: recipient,
    errors: [
      {
        code: 131047,
        title: 'Re-engagement message',
        message: 'Re-engagement message',
        error_data: { details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.' },
        href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
      },
    ],
  }),
};

/** One `changes[].value`: what one business phone number received. */
export function changeValue(parts: { customers?: Customer[]; messages?: Json[]; statuses?: Json[] }): Json {
  return {
    messaging_product: 'whatsapp',
    metadata: { display_phone_number: DISPLAY_PHONE_NUMBER, phone_number_id: PHONE_NUMBER_ID },
    ...(parts.customers ? { contacts: parts.customers.map((c) => ({ profile: c.name !== undefined ? { name: c.name } : {}, wa_id: c.waId })) } : {}),
    ...(parts.messages ? { messages: parts.messages } : {}),
    ...(parts.statuses ? { statuses: parts.statuses } : {}),
  };
}

/** The whole delivery: one entry per array of values, each value one change. */
export function webhookPayload(...entries: Json[][]): Json {
  return {
    object: 'whatsapp_business_account',
    entry: entries.map((values, i) => ({
      id: i === 0 ? WABA_ID : `${WABA_ID.slice(0, -1)}${i}`,
      changes: values.map((value) => ({ value, field: 'messages' })),
    })),
  };
}

export const ANA: Customer = { waId: '85260552717', name: 'Ana' };
export const BRUNO: Customer = { waId: '5511987654321', name: 'Bruno Silva' };
export const CHEN: Customer = { waId: '8613812345678', name: '陈伟' };

/** Ready-made deliveries for the common cases. */
export const whatsAppFixtures = {
  text: (body = 'I want to book an appointment', customer: Customer = ANA): Json =>
    webhookPayload([changeValue({ customers: [customer], messages: [messages.text(customer.waId, body)] })]),
  imageWithCaption: (caption = 'Is this the model you have in stock?', customer: Customer = ANA): Json =>
    webhookPayload([changeValue({ customers: [customer], messages: [messages.image(customer.waId, caption)] })]),
  document: (filename = 'quotation-2026-01.pdf', caption?: string, customer: Customer = ANA): Json =>
    webhookPayload([changeValue({ customers: [customer], messages: [messages.document(customer.waId, filename, caption)] })]),
  /** Four messages from three customers over two entries, plus a status riding along. */
  batchAcrossEntries: (): Json =>
    webhookPayload(
      [
        changeValue({
          customers: [ANA, BRUNO],
          messages: [messages.text(ANA.waId, 'Hi, are you open on Sunday?'), messages.text(BRUNO.waId, 'Quero um orçamento')],
        }),
      ],
      [
        changeValue({ customers: [CHEN], messages: [messages.image(CHEN.waId, '这个多少钱?')] }),
        changeValue({ customers: [ANA], messages: [messages.text(ANA.waId, 'And on Monday?')], statuses: [statuses.read(wamid(), ANA.waId)] }),
      ],
    ),
  statusOnly: (ids: { sent: string; delivered: string; read: string; failed: string }, recipient: string = ANA.waId): Json =>
    webhookPayload([
      changeValue({
        statuses: [
          statuses.sent(ids.sent, recipient),
          statuses.delivered(ids.delivered, recipient),
          statuses.read(ids.read, recipient),
          statuses.failed(ids.failed, recipient),
        ],
      }),
    ]),
  unsupportedAndReaction: (customer: Customer = ANA): Json =>
    webhookPayload([
      changeValue({
        customers: [customer],
        messages: [messages.unsupported(customer.waId), messages.reaction(customer.waId, wamid(), '👍'), messages.sticker(customer.waId)],
      }),
    ]),
};
