/**
 * `PAYLOAD_ENCRYPTION_KEYS`: comma-separated `keyId:base64-of-32-bytes`. The first key
 * encrypts; every key decrypts, so a rotation adds the new key in front and keeps the old
 * ones until no history still needs them. Parsed with the rest of the configuration (at
 * start, naming a bad entry); the codec encrypts with what this returns.
 */
export interface EncryptionKey {
  id: string;
  /** 32 bytes of AES-256 key material. */
  key: Buffer;
}

export class EncryptionKeysError extends Error {
  override name = 'EncryptionKeysError';
}

const VARIABLE = 'PAYLOAD_ENCRYPTION_KEYS';
/** Key ids travel in payload metadata and in logs: short and unambiguous. */
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Parses the variable, naming the entry and what is wrong with it; unset or empty: no keys. */
export function parseEncryptionKeys(value: string | undefined): EncryptionKey[] {
  if (value === undefined || value.trim() === '') return [];
  const seen = new Set<string>();
  return value.split(',').map((raw, i) => {
    const entry = raw.trim();
    const where = `${VARIABLE} entry ${i + 1}`;
    const colon = entry.indexOf(':');
    if (colon < 0) throw new EncryptionKeysError(`${where}: must look like keyId:base64-of-32-bytes`);
    const id = entry.slice(0, colon).trim();
    const material = entry.slice(colon + 1).trim();
    if (!KEY_ID.test(id)) {
      throw new EncryptionKeysError(`${where}: key id "${id}" must be 1-64 characters of letters, digits, ".", "_" or "-"`);
    }
    if (seen.has(id)) throw new EncryptionKeysError(`${where}: key id "${id}" appears twice; each key needs its own id`);
    seen.add(id);
    if (material === '' || !BASE64.test(material)) throw new EncryptionKeysError(`${where} ("${id}"): the key is not valid base64`);
    const key = Buffer.from(material, 'base64');
    if (key.length !== 32) {
      throw new EncryptionKeysError(`${where} ("${id}"): the key must be 32 bytes (AES-256), got ${key.length}; generate one with \`openssl rand -base64 32\``);
    }
    return { id, key };
  });
}
