import twilio from 'twilio';
import RequestClient from 'twilio/lib/base/RequestClient';
import type { MessageListInstanceCreateOptions } from 'twilio/lib/rest/api/v2010/account/message';
import { z } from 'zod';
import { phoneDigitsOf, requirePhoneDigits, toChatId } from './chat-id';
import { describeCauses, isRetryableStatus } from './http-support';
import { sendInParts } from './send-in-parts';
import { ChannelSendError, SUPPORTED_INBOUND_TYPES, type DeliveryStatusUpdate, type NormalizedInbound, type SendResult } from './types';

// ---------------------------------------------------------------- webhook verification

/**
 * Checks `X-Twilio-Signature` with the library's own algorithm (HMAC-SHA1 of the full
 * public URL followed by the sorted POST parameters). `url` must be the URL exactly as
 * Twilio called it (scheme, host, path and query, i.e. `PUBLIC_BASE_URL` + the path),
 * not the one the server saw behind a proxy.
 */
export function verifyTwilioSignature(url: string, params: Record<string, string>, signature: string | undefined, authToken: string): boolean {
  if (!signature || !authToken) return false;
  try {
    return twilio.validateRequest(authToken, signature, url, params);
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------- webhook parsing

const WHATSAPP_ADDRESS = /^whatsapp:\+?\d{6,15}$/;

/** The fields every Twilio messaging webhook carries; the rest depends on the event. */
const twilioWebhookSchema = z.looseObject({
  MessageSid: z.string().min(1),
  From: z.string().min(1),
});

/** Statuses that say where a message is on its way but nothing a conversation acts on. */
const INTERMEDIATE_STATUSES = new Set(['accepted', 'scheduled', 'queued', 'sending', 'receiving', 'received', 'partially_delivered']);

/**
 * Reads a Twilio WhatsApp webhook (the form fields, already decoded): an inbound message,
 * or a status callback (it carries `MessageStatus`). Returns null for a status callback in
 * an intermediate state (queued, sending…) which has no place in `DeliveryStatusUpdate`.
 * Throws a ZodError naming the field when `MessageSid` or `From` is missing, or when an
 * inbound message's `From` is not a `whatsapp:+<digits>` address.
 */
export function parseTwilioWebhook(params: Record<string, string>): NormalizedInbound | DeliveryStatusUpdate | null {
  const fields = twilioWebhookSchema.parse(params) as Record<string, unknown>;
  const get = (key: string): string | undefined => (typeof fields[key] === 'string' && fields[key] !== '' ? (fields[key] as string) : undefined);
  const messageSid = get('MessageSid') as string;

  const messageStatus = get('MessageStatus')?.toLowerCase();
  if (messageStatus !== undefined && messageStatus !== 'received' && messageStatus !== 'receiving') {
    return statusUpdate(messageSid, messageStatus, get);
  }

  const from = get('From') as string;
  if (!WHATSAPP_ADDRESS.test(from)) {
    throw new z.ZodError([
      { code: 'custom', path: ['From'], message: `expected a whatsapp:+<digits> address, got ${JSON.stringify(from)}`, input: from },
    ]);
  }
  const digits = phoneDigitsOf(from) as string;
  const numMedia = Number(get('NumMedia') ?? '0');
  const mediaUrl = numMedia > 0 ? get('MediaUrl0') : undefined;
  const mediaType = mediaUrl ? get('MediaContentType0') : undefined;
  const type = get('MessageType')?.toLowerCase() ?? (mediaUrl ? typeFromMime(mediaType) : 'text');

  const message: NormalizedInbound = {
    provider: 'twilio',
    channel: 'whatsapp',
    chatId: toChatId(digits),
    messageId: messageSid,
    body: get('Body') ?? '',
    type,
    supported: SUPPORTED_INBOUND_TYPES.includes(type),
  };
  const senderName = get('ProfileName');
  if (senderName) message.senderName = senderName;
  if (mediaUrl) message.media = mediaType ? { reference: mediaUrl, mimeType: mediaType } : { reference: mediaUrl };
  return message;
}

function statusUpdate(messageSid: string, status: string, get: (key: string) => string | undefined): DeliveryStatusUpdate | null {
  if (INTERMEDIATE_STATUSES.has(status)) return null;
  const mapped = status === 'sent' || status === 'delivered' || status === 'read' ? status : 'failed';
  const update: DeliveryStatusUpdate = { provider: 'twilio', providerMessageId: messageSid, status: mapped };
  const recipient = phoneDigitsOf(get('To') ?? '');
  if (recipient) update.recipient = toChatId(recipient);
  if (mapped === 'failed') {
    // `undelivered` and `canceled` are failures too; say which, with Twilio's code (63016: outside the 24 h window).
    const detail = [get('ErrorCode'), get('ErrorMessage')].filter((p): p is string => p !== undefined).join(' ');
    update.error = detail === '' ? status : status === 'failed' ? detail : `${status}: ${detail}`;
  }
  return update;
}

/** Twilio's own MessageType is preferred; older callbacks only give the media's MIME type. */
function typeFromMime(mime: string | undefined): string {
  if (mime?.startsWith('image/')) return 'image';
  if (mime?.startsWith('video/')) return 'video';
  if (mime?.startsWith('audio/')) return 'audio';
  return 'document';
}

// ---------------------------------------------------------------- sending

/** Twilio refuses a WhatsApp `Body` over 1600 characters (error 21617), stricter than Meta's 4096. */
export const TWILIO_BODY_LIMIT = 1600;

export interface TwilioWhatsAppClientOptions {
  accountSid: string;
  authToken: string;
  /** The sender, e.g. `whatsapp:+14155238886` (the `whatsapp:` prefix is added when missing). */
  from: string;
  /**
   * Where the REST API lives; defaults to `https://api.twilio.com`. Requests the library
   * builds for any `*.twilio.com` host are re-addressed here, path and query kept.
   */
  baseUrl?: string;
  /** Per request; defaults to 15 s. */
  timeoutMs?: number;
  /** Where Twilio posts status callbacks for what we send (`PUBLIC_BASE_URL` + path). */
  statusCallbackUrl?: string;
}

export interface TwilioContentTemplate {
  /** An approved Content API template (`HX…`): Twilio's form of a WhatsApp template. */
  contentSid: string;
  /** Values for `{{1}}`, `{{2}}`…, keyed by position. */
  variables: Record<string, string>;
}

/** Twilio codes that mean "later" even if the status alone would not say so. */
const RETRYABLE_TWILIO_CODES = new Set<number>([20429, 20500, 20503]);

/**
 * The `twilio` library's HTTP client, re-addressed to another base URL. It is the library's
 * documented `httpClient` extension point; everything else (form encoding, basic auth,
 * error parsing into RestException) stays the library's.
 */
class RebasedRequestClient extends RequestClient {
  private readonly base: URL;

  constructor(baseUrl: string, options: RequestClient.RequestClientOptions) {
    super(options);
    this.base = new URL(baseUrl);
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const target = new URL(opts.uri);
    if (!/(^|\.)twilio\.com$/i.test(target.hostname)) return super.request(opts);
    const prefix = this.base.pathname.replace(/\/+$/, '');
    return super.request({ ...opts, uri: `${this.base.origin}${prefix}${target.pathname}${target.search}` });
  }
}

/**
 * Sends WhatsApp messages through Twilio's Messages API with the official library. The
 * library's own 429 auto-retry stays off: the activity retry policy owns retries.
 */
export class TwilioWhatsAppClient {
  private readonly client: twilio.Twilio;
  private readonly from: string;
  private readonly timeoutMs: number;
  private readonly statusCallbackUrl?: string;

  constructor(options: TwilioWhatsAppClientOptions) {
    if (!options.authToken) throw new Error('TwilioWhatsAppClient: authToken is required');
    this.timeoutMs = options.timeoutMs ?? 15_000;
    const requestOptions: RequestClient.RequestClientOptions = { timeout: this.timeoutMs, autoRetry: false };
    const httpClient = options.baseUrl ? new RebasedRequestClient(options.baseUrl, requestOptions) : new RequestClient(requestOptions);
    this.client = twilio(options.accountSid, options.authToken, { httpClient, autoRetry: false });
    this.from = options.from.startsWith('whatsapp:') ? options.from : `whatsapp:${options.from}`;
    if (options.statusCallbackUrl) this.statusCallbackUrl = options.statusCallbackUrl;
  }

  /**
   * Sends a free-form text; over 1600 characters it goes out as several messages, in
   * order. If one fails, the error's `providerMessageIds` lists those already sent.
   */
  async sendText(chatId: string, text: string): Promise<SendResult> {
    const to = `whatsapp:+${requirePhoneDigits(chatId)}`;
    return sendInParts(text, TWILIO_BODY_LIMIT, (body) => this.create({ to, body }));
  }

  /** Sends an approved Content API template, the only kind allowed outside the 24 h window. */
  async sendTemplate(chatId: string, template: TwilioContentTemplate): Promise<SendResult> {
    const to = `whatsapp:+${requirePhoneDigits(chatId)}`;
    const sid = await this.create({ to, contentSid: template.contentSid, contentVariables: JSON.stringify(template.variables) });
    return { providerMessageIds: [sid] };
  }

  private async create(params: Omit<MessageListInstanceCreateOptions, 'from'>): Promise<string> {
    try {
      const message = await this.client.messages.create({
        ...params,
        from: this.from,
        ...(this.statusCallbackUrl ? { statusCallback: this.statusCallbackUrl } : {}),
      });
      return message.sid;
    } catch (err) {
      throw twilioError(err, this.timeoutMs);
    }
  }
}

interface TwilioErrorShape {
  status?: unknown;
  code?: unknown;
  message?: unknown;
  moreInfo?: unknown;
  isAxiosError?: unknown;
}

/**
 * The library throws RestException (or, for RFC 9457 answers, TwilioServiceException),
 * both with the HTTP `status` and Twilio's `code`; a request that got no answer surfaces
 * as the underlying axios error.
 */
function twilioError(err: unknown, timeoutMs: number): ChannelSendError {
  const e: TwilioErrorShape = typeof err === 'object' && err !== null ? (err as TwilioErrorShape) : {};
  const message = typeof e.message === 'string' ? e.message : String(err);
  if (typeof e.status === 'number') {
    const code = typeof e.code === 'number' ? e.code : undefined;
    const retryable = isRetryableStatus(e.status) || (code !== undefined && RETRYABLE_TWILIO_CODES.has(code));
    const more = typeof e.moreInfo === 'string' ? ` (${e.moreInfo})` : '';
    return new ChannelSendError(`Twilio ${e.status}${code !== undefined ? ` code ${code}` : ''}: ${message}${more}`, {
      retryable,
      status: e.status,
      providerCode: code,
      cause: err,
    });
  }
  if (e.isAxiosError === true) {
    const timedOut = e.code === 'ECONNABORTED' || e.code === 'ETIMEDOUT';
    const text = timedOut ? `Twilio did not answer within ${timeoutMs} ms` : `Twilio unreachable: ${describeCauses(err)}`;
    return new ChannelSendError(text, { retryable: true, cause: err });
  }
  // Anything else is the library refusing our input or configuration before sending.
  return new ChannelSendError(`Twilio client error: ${message}`, { retryable: false, cause: err });
}
