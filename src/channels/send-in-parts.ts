import { splitText } from './split-text';
import { ChannelSendError, type SendResult } from './types';

/**
 * Sends a text as several provider messages, in order, each at most `limit` characters.
 * If a part fails after others went out, the error lists the ids already sent, so a caller
 * can tell a partial send from none.
 */
export async function sendInParts(text: string, limit: number, sendOne: (body: string) => Promise<string>): Promise<SendResult> {
  const chunks = splitText(text, limit).filter((chunk) => chunk.trim() !== '');
  if (chunks.length === 0) throw new ChannelSendError('refusing to send an empty WhatsApp text', { retryable: false });
  const providerMessageIds: string[] = [];
  for (const body of chunks) {
    try {
      providerMessageIds.push(await sendOne(body));
    } catch (err) {
      if (providerMessageIds.length === 0 || !(err instanceof ChannelSendError)) throw err;
      throw new ChannelSendError(`${err.message} (after ${providerMessageIds.length} of ${chunks.length} parts were sent)`, {
        retryable: err.retryable,
        status: err.status,
        providerCode: err.providerCode,
        providerMessageIds: [...providerMessageIds],
        cause: err,
      });
    }
  }
  return { providerMessageIds };
}
