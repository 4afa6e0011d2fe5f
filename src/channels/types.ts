/** Which provider carried a WhatsApp message: Meta's Cloud API directly, or Twilio. */
export type WhatsAppProvider = 'whatsapp_cloud' | 'twilio';

/**
 * Message types the agents can act on. Everything else (location, sticker, reaction,
 * contacts, order, system, `unsupported`…) is still returned so it can be recorded and
 * acknowledged, but flagged `supported: false`.
 */
export const SUPPORTED_INBOUND_TYPES: readonly string[] = ['text', 'image', 'document', 'audio', 'video', 'button', 'interactive'];

export interface InboundMedia {
  /** Cloud API: the media id (resolved later with `GET /{media-id}`); Twilio: the `MediaUrl0` URL. */
  reference: string;
  mimeType?: string;
  filename?: string;
}

/** One customer message from a provider webhook, in the provider-neutral shape. */
export interface NormalizedInbound {
  provider: WhatsAppProvider;
  channel: 'whatsapp';
  /** `<digits>@c.us`, as everywhere in Switchboard. */
  chatId: string;
  /** The provider's id: a `wamid.…` for the Cloud API, an `SM…`/`MM…` sid for Twilio. */
  messageId: string;
  /** The text, the caption of a media message, or '' when there is none. */
  body: string;
  senderName?: string;
  /** Unix seconds. */
  timestamp?: number;
  /** The provider's type name: text, image, document, audio, video, location, sticker, button, interactive, reaction, unsupported… */
  type: string;
  supported: boolean;
  media?: InboundMedia;
}

export type DeliveryStatus = 'sent' | 'delivered' | 'read' | 'failed';

/** A provider's report on a message we sent. */
export interface DeliveryStatusUpdate {
  provider: WhatsAppProvider;
  providerMessageId: string;
  status: DeliveryStatus;
  /** Unix seconds. */
  timestamp?: number;
  /** Why it failed, with the provider's code first (e.g. `131047 Re-engagement message: …`). */
  error?: string;
  /** The chat the message was sent to, as `<digits>@c.us`. */
  recipient?: string;
  /** What we attached to the send (WhatsApp's `biz_opaque_callback_data`): our idempotency key. */
  callbackData?: string;
}

export interface SendResult {
  /** One id per provider message, in sending order (a long text may become several). */
  providerMessageIds: string[];
}

export interface ChannelSendErrorOptions {
  retryable: boolean;
  status?: number;
  providerCode?: string | number;
  /** Messages that did go out before the failure (a long text split into several). */
  providerMessageIds?: string[];
  cause?: unknown;
}

/**
 * What every channel client throws. `retryable` is the whole contract with the activity
 * layer: true means the same call may succeed later (network, timeout, 5xx, throttling),
 * false means it never will (bad number, closed 24 h window, bad credentials) and the
 * activity should fail with a non-retryable ApplicationFailure.
 */
export class ChannelSendError extends Error {
  readonly retryable: boolean;
  readonly status?: number;
  readonly providerCode?: string | number;
  readonly providerMessageIds?: string[];

  constructor(message: string, options: ChannelSendErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ChannelSendError';
    this.retryable = options.retryable;
    if (options.status !== undefined) this.status = options.status;
    if (options.providerCode !== undefined) this.providerCode = options.providerCode;
    if (options.providerMessageIds !== undefined) this.providerMessageIds = options.providerMessageIds;
  }
}

/** Tells the two things a provider webhook can carry apart. */
export function isDeliveryStatusUpdate(event: NormalizedInbound | DeliveryStatusUpdate): event is DeliveryStatusUpdate {
  return 'providerMessageId' in event;
}
