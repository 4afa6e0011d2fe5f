import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { requirePhoneDigits, toChatId } from './chat-id';
import { brief, isRecord, isRetryableStatus, networkError, parseJson, readBody } from './http-support';
import { sendInParts } from './send-in-parts';
import { WHATSAPP_TEXT_LIMIT } from './split-text';
import {
  ChannelSendError,
  SUPPORTED_INBOUND_TYPES,
  type DeliveryStatus,
  type DeliveryStatusUpdate,
  type InboundMedia,
  type NormalizedInbound,
  type SendResult,
} from './types';

// ---------------------------------------------------------------- webhook verification

const SIGNATURE_HEADER = /^sha256=([0-9a-fA-F]{64})$/;

/**
 * Checks `X-Hub-Signature-256: sha256=<hex>`, Meta's HMAC-SHA256 of the raw request bytes
 * with the app secret. It must be computed over the bytes as received: a body parsed and
 * re-serialized (other whitespace, other escaping) no longer matches.
 */
export function verifyWhatsAppSignature(rawBody: Buffer, header: string | undefined, appSecret: string): boolean {
  if (typeof header !== 'string' || appSecret === '') return false;
  const match = SIGNATURE_HEADER.exec(header.trim());
  if (!match) return false;
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  const given = Buffer.from(match[1], 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Answers Meta's subscription handshake (`GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`):
 * the challenge to echo back, or undefined when the request is not ours to confirm.
 * Accepts both the flat keys Express's simple parser gives and a nested `hub` object.
 */
export function answerVerifyChallenge(query: Record<string, unknown>, verifyToken: string): string | undefined {
  const nested = isRecord(query.hub) ? query.hub : {};
  const mode = firstString(query['hub.mode'] ?? nested.mode);
  const token = firstString(query['hub.verify_token'] ?? nested.verify_token);
  const challenge = firstString(query['hub.challenge'] ?? nested.challenge);
  if (mode !== 'subscribe' || token === undefined || challenge === undefined || verifyToken === '') return undefined;
  return constantTimeEqual(token, verifyToken) ? challenge : undefined;
}

/** Hashing first gives equal-length buffers, so neither the content nor the length leaks. */
function constantTimeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}

function firstString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return undefined;
}

// ---------------------------------------------------------------- webhook parsing

/**
 * Only the envelope is validated strictly: a delivery that is not a WhatsApp Business
 * Account notification is the caller's mistake. Inside it, Meta adds fields and types
 * over time, so everything else is read tolerantly.
 */
const webhookEnvelopeSchema = z.looseObject({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(z.unknown()),
});

export interface ParsedWhatsAppWebhook {
  messages: NormalizedInbound[];
  statuses: DeliveryStatusUpdate[];
}

const MEDIA_TYPES = new Set(['image', 'document', 'audio', 'video', 'sticker']);
const DELIVERY_STATUSES = new Set<string>(['sent', 'delivered', 'read', 'failed']);

/**
 * Reads a Cloud API webhook delivery: every `entry[].changes[].value` with its
 * `messages[]`, `statuses[]` and `contacts[]`, in delivery order. Throws a ZodError (whose
 * issues name the field) only when the top level is not `{object: 'whatsapp_business_account', entry: […]}`;
 * items it cannot use (no id, no sender, an unknown status) are skipped, not fatal, so one
 * odd item never makes Meta redeliver the whole batch forever.
 */
export function parseWhatsAppWebhook(payload: unknown): ParsedWhatsAppWebhook {
  const envelope = webhookEnvelopeSchema.parse(payload);
  const messages: NormalizedInbound[] = [];
  const statuses: DeliveryStatusUpdate[] = [];
  for (const entry of envelope.entry) {
    for (const change of arrayAt(entry, 'changes')) {
      const value = isRecord(change) ? change.value : undefined;
      if (!isRecord(value)) continue;
      const contacts = arrayAt(value, 'contacts').filter(isRecord);
      for (const raw of arrayAt(value, 'messages')) {
        const message = normalizeMessage(raw, contacts);
        if (message) messages.push(message);
      }
      for (const raw of arrayAt(value, 'statuses')) {
        const status = normalizeStatus(raw);
        if (status) statuses.push(status);
      }
    }
  }
  return { messages, statuses };
}

function normalizeMessage(raw: unknown, contacts: Record<string, unknown>[]): NormalizedInbound | undefined {
  if (!isRecord(raw)) return undefined;
  const id = nonEmptyString(raw.id);
  const from = nonEmptyString(raw.from);
  if (!id || !from) return undefined;
  const type = nonEmptyString(raw.type) ?? 'unknown';
  const content = isRecord(raw[type]) ? raw[type] : {};

  const message: NormalizedInbound = {
    provider: 'whatsapp_cloud',
    channel: 'whatsapp',
    chatId: toChatId(from),
    messageId: id,
    body: bodyOf(type, content),
    type,
    supported: SUPPORTED_INBOUND_TYPES.includes(type),
  };
  const senderName = profileName(from, contacts);
  if (senderName !== undefined) message.senderName = senderName;
  const timestamp = unixSeconds(raw.timestamp);
  if (timestamp !== undefined) message.timestamp = timestamp;
  if (MEDIA_TYPES.has(type)) {
    const reference = nonEmptyString(content.id);
    if (reference) {
      const media: InboundMedia = { reference };
      const mimeType = nonEmptyString(content.mime_type);
      if (mimeType) media.mimeType = mimeType;
      const filename = nonEmptyString(content.filename);
      if (filename) media.filename = filename;
      message.media = media;
    }
  }
  return message;
}

/** What the customer wrote or picked; a caption for media; '' when the type has no text. */
function bodyOf(type: string, content: Record<string, unknown>): string {
  switch (type) {
    case 'text':
      return stringOr(content.body);
    case 'image':
    case 'document':
    case 'video':
    case 'audio':
      return stringOr(content.caption);
    case 'button':
      // A quick-reply button of a template: the text is what the customer saw and tapped.
      return stringOr(content.text);
    case 'interactive': {
      const reply = isRecord(content.button_reply) ? content.button_reply : isRecord(content.list_reply) ? content.list_reply : undefined;
      return reply ? stringOr(reply.title) : '';
    }
    case 'reaction':
      return stringOr(content.emoji);
    default:
      return '';
  }
}

/**
 * `contacts[].wa_id` usually equals the message's `from`, but Meta may normalize a number
 * (Brazil's and Mexico's mobile prefixes) so they differ; a lone contact is then still the sender.
 */
function profileName(from: string, contacts: Record<string, unknown>[]): string | undefined {
  const contact = contacts.find((c) => c.wa_id === from) ?? (contacts.length === 1 ? contacts[0] : undefined);
  const profile = contact && isRecord(contact.profile) ? contact.profile : undefined;
  return profile ? nonEmptyString(profile.name) : undefined;
}

function normalizeStatus(raw: unknown): DeliveryStatusUpdate | undefined {
  if (!isRecord(raw)) return undefined;
  const id = nonEmptyString(raw.id);
  const status = nonEmptyString(raw.status);
  // `deleted` and `warning` exist too; they carry nothing a conversation acts on.
  if (!id || !status || !DELIVERY_STATUSES.has(status)) return undefined;
  const update: DeliveryStatusUpdate = { provider: 'whatsapp_cloud', providerMessageId: id, status: status as DeliveryStatus };
  const timestamp = unixSeconds(raw.timestamp);
  if (timestamp !== undefined) update.timestamp = timestamp;
  const recipient = nonEmptyString(raw.recipient_id);
  if (recipient) update.recipient = toChatId(recipient);
  const error = describeStatusErrors(raw.errors);
  if (error) update.error = error;
  const callbackData = nonEmptyString(raw.biz_opaque_callback_data);
  if (callbackData) update.callbackData = callbackData;
  return update;
}

/** `131047 Re-engagement message: Message failed to send because more than 24 hours…`. */
function describeStatusErrors(errors: unknown): string | undefined {
  if (!Array.isArray(errors)) return undefined;
  const parts = errors.filter(isRecord).map((e) => {
    const details = isRecord(e.error_data) ? nonEmptyString(e.error_data.details) : undefined;
    const title = nonEmptyString(e.title) ?? nonEmptyString(e.message);
    const head = [e.code, title].filter((p) => p !== undefined && p !== '').join(' ');
    return details && details !== title ? `${head}: ${details}` : head;
  });
  const text = parts.filter((p) => p !== '').join('; ');
  return text === '' ? undefined : text;
}

function arrayAt(value: unknown, key: string): unknown[] {
  if (!isRecord(value)) return [];
  const field = value[key];
  return Array.isArray(field) ? field : [];
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function stringOr(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Meta sends unix seconds as a string. */
function unixSeconds(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : typeof value === 'number' ? value : NaN;
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

// ---------------------------------------------------------------- sending

export interface WhatsAppCloudClientOptions {
  /** Defaults to Meta's Graph API; tests point it at a local stand-in. */
  baseUrl?: string;
  apiVersion?: string;
  phoneNumberId: string;
  accessToken: string;
  /** Per request; defaults to 15 s. */
  timeoutMs?: number;
}

export interface TemplateMessage {
  name: string;
  /** E.g. `en_US`, `es`; must match an approved translation of the template. */
  languageCode: string;
  /** Values for `{{1}}`, `{{2}}`… of the template body, in order. */
  bodyParams: string[];
}

/**
 * Graph error codes that say "later" rather than "never", whatever the HTTP status:
 * 1/2 temporary API failures, 4/17/80007/130429/131056 rate limits, 131000/131016
 * service-side failures Meta documents as retryable.
 */
const RETRYABLE_GRAPH_CODES = new Set<number>([1, 2, 4, 17, 80007, 130429, 131000, 131016, 131056]);

interface GraphErrorBody {
  message?: string;
  type?: string;
  code?: number;
  error_subcode?: number;
  error_data?: { details?: string };
  fbtrace_id?: string;
}

/**
 * Sends through Meta's WhatsApp Cloud API. It never retries by itself: it throws a
 * ChannelSendError saying whether a retry can help, and the activity retry policy decides.
 */
export interface SendOptions {
  /**
   * Echoed back by Meta in this message's status webhooks (`biz_opaque_callback_data`):
   * the ledger's idempotency key, so a send whose answer was lost can still be confirmed.
   */
  callbackData?: string;
}

export class WhatsAppCloudClient {
  private readonly endpoint: string;
  private readonly accessToken: string;
  private readonly timeoutMs: number;

  constructor(options: WhatsAppCloudClientOptions) {
    if (!options.phoneNumberId) throw new Error('WhatsAppCloudClient: phoneNumberId is required');
    if (!options.accessToken) throw new Error('WhatsAppCloudClient: accessToken is required');
    const baseUrl = (options.baseUrl ?? 'https://graph.facebook.com').replace(/\/+$/, '');
    const apiVersion = (options.apiVersion ?? 'v21.0').replace(/^\/+|\/+$/g, '');
    this.endpoint = `${baseUrl}/${apiVersion}/${encodeURIComponent(options.phoneNumberId)}/messages`;
    this.accessToken = options.accessToken;
    this.timeoutMs = options.timeoutMs ?? 15_000;
  }

  /**
   * Sends a free-form text (allowed within 24 h of the customer's last message). A text
   * over 4096 characters goes out as several messages, in order; if one of them fails, the
   * error's `providerMessageIds` lists those already sent.
   */
  async sendText(chatId: string, text: string, options: SendOptions = {}): Promise<SendResult> {
    const to = requirePhoneDigits(chatId);
    const tracking = options.callbackData ? { biz_opaque_callback_data: options.callbackData } : {};
    return sendInParts(text, WHATSAPP_TEXT_LIMIT, (body) =>
      this.post({ messaging_product: 'whatsapp', recipient_type: 'individual', to, type: 'text', text: { preview_url: false, body }, ...tracking }),
    );
  }

  /** Sends an approved template: the only kind of message allowed outside the 24 h window. */
  async sendTemplate(chatId: string, template: TemplateMessage, options: SendOptions = {}): Promise<SendResult> {
    const to = requirePhoneDigits(chatId);
    const components =
      template.bodyParams.length > 0 ? [{ type: 'body', parameters: template.bodyParams.map((text) => ({ type: 'text', text })) }] : undefined;
    const id = await this.post({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to,
      type: 'template',
      template: { name: template.name, language: { code: template.languageCode }, ...(components ? { components } : {}) },
      ...(options.callbackData ? { biz_opaque_callback_data: options.callbackData } : {}),
    });
    return { providerMessageIds: [id] };
  }

  /** POSTs one message and returns its wamid. */
  private async post(payload: Record<string, unknown>): Promise<string> {
    let response: Response;
    try {
      response = await fetch(this.endpoint, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw networkError('WhatsApp Cloud API', err, this.timeoutMs);
    }
    const text = await readBody(response);
    const json = parseJson(text);
    if (!response.ok) throw graphError(response.status, json, text);
    const id = isRecord(json) && Array.isArray(json.messages) && isRecord(json.messages[0]) ? nonEmptyString(json.messages[0].id) : undefined;
    if (!id) {
      // The message may well have gone out: retrying could send it twice.
      throw new ChannelSendError(`WhatsApp Cloud API answered ${response.status} without a message id: ${brief(text)}`, {
        retryable: false,
        status: response.status,
      });
    }
    return id;
  }
}

function graphError(status: number, json: unknown, text: string): ChannelSendError {
  const error: GraphErrorBody | undefined = isRecord(json) && isRecord(json.error) ? (json.error as GraphErrorBody) : undefined;
  const code = typeof error?.code === 'number' ? error.code : undefined;
  const retryable = isRetryableStatus(status) || (code !== undefined && RETRYABLE_GRAPH_CODES.has(code));
  const details = error?.error_data?.details;
  const what = error?.message ? `${error.message}${details && details !== error.message ? ` (${details})` : ''}` : brief(text) || 'no body';
  const codePart = code !== undefined ? ` code ${code}${error?.error_subcode !== undefined ? `/${error.error_subcode}` : ''}` : '';
  return new ChannelSendError(`WhatsApp Cloud API ${status}${codePart}: ${what}`, { retryable, status, providerCode: code });
}
