import { ChannelSendError } from './types';

/** E.164 allows at most 15 digits; anything shorter than 6 is not a phone number anywhere. */
const PHONE_DIGITS = /^\d{6,15}$/;

/** `85260552717` → `85260552717@c.us`. */
export function toChatId(phoneDigits: string): string {
  return `${phoneDigits.replace(/^\+/, '')}@c.us`;
}

/**
 * The bare phone digits of a chat id, accepting the forms people paste: `85260552717@c.us`,
 * `+85260552717`, `whatsapp:+85260552717`. Returns undefined for anything else, including
 * group chats (`…@g.us`), which neither the Cloud API nor Twilio can address.
 */
export function phoneDigitsOf(chatId: string): string | undefined {
  const digits = chatId
    .trim()
    .replace(/^whatsapp:/i, '')
    .replace(/@c\.us$/i, '')
    .replace(/^\+/, '');
  return PHONE_DIGITS.test(digits) ? digits : undefined;
}

/** Like phoneDigitsOf, but a bad chat id is a send that can never succeed. */
export function requirePhoneDigits(chatId: string): string {
  const digits = phoneDigitsOf(chatId);
  if (digits === undefined) {
    throw new ChannelSendError(`not a WhatsApp phone chat id: ${JSON.stringify(chatId)} (expected <digits>@c.us)`, {
      retryable: false,
    });
  }
  return digits;
}
