/**
 * @module channels
 * Provider clients and webhook parsing for every channel (WhatsApp through Meta's Cloud
 * API or Twilio, email over SMTP, signed outbound webhooks), free of Temporal and NestJS.
 * Inbound deliveries become `NormalizedInbound`s and `DeliveryStatusUpdate`s; every send
 * either returns the provider's message ids or throws a `ChannelSendError` whose
 * `retryable` tells the activity layer whether trying again can help.
 */
export * from './types';
export { toChatId, phoneDigitsOf, requirePhoneDigits } from './chat-id';
export { splitText, WHATSAPP_TEXT_LIMIT } from './split-text';
export {
  verifyWhatsAppSignature,
  answerVerifyChallenge,
  parseWhatsAppWebhook,
  WhatsAppCloudClient,
  type ParsedWhatsAppWebhook,
  type WhatsAppCloudClientOptions,
  type TemplateMessage,
} from './whatsapp-cloud';
export {
  verifyTwilioSignature,
  parseTwilioWebhook,
  TwilioWhatsAppClient,
  TWILIO_BODY_LIMIT,
  type TwilioWhatsAppClientOptions,
  type TwilioContentTemplate,
} from './twilio';
export { EmailSender, messageIdFor, type EmailSenderOptions, type EmailMessage } from './email';
export { OutboundWebhook, webhookIdFor, type OutboundWebhookOptions, type OutboundWebhookEvent } from './outbound-webhook';
