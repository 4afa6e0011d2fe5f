import { createHmac, hkdfSync } from 'node:crypto';
import { parseEncryptionKeys } from '../config/encryption-keys';

/**
 * Turns a chat id (a phone number, an e-mail address) into the value Temporal may see in
 * the clear: search attributes and workflow ids are indexed by the server, so the payload
 * codec cannot encrypt them. Without encryption keys the chat id is used as it is; with
 * them, a keyed hash `h:<22 base64url characters>` that is stable, so the same chat always
 * finds its follow-up campaigns, and tells nothing to someone reading the history.
 *
 * The hash key is derived from the *last* key in PAYLOAD_ENCRYPTION_KEYS, the oldest by the
 * rotation convention (new keys go in front), so adding a key does not change references.
 * Retiring that oldest key does: campaigns running then are no longer found by a reply.
 */
export type ChatReference = (chatId: string) => string;

export const plainChatReference: ChatReference = (chatId) => chatId;

export function chatReferenceFor(payloadEncryptionKeys: string | undefined): ChatReference {
  const keys = parseEncryptionKeys(payloadEncryptionKeys);
  const oldest = keys.at(-1);
  if (!oldest) return plainChatReference;
  const hashKey = Buffer.from(hkdfSync('sha256', oldest.key, Buffer.from('switchboard'), Buffer.from('chat-reference-v1'), 32));
  return (chatId) => `h:${createHmac('sha256', hashKey).update(chatId, 'utf8').digest('base64url').slice(0, 22)}`;
}
