import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { EncryptionKey } from '../config/encryption-keys';
import { deserializePayload, serializePayload } from './payload-wire';

/** `encoding` of an encrypted payload (the name Temporal's encryption samples use). */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** Metadata key naming the key that encrypted a payload. */
export const KEY_ID_METADATA = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class PayloadDecryptionError extends Error {
  override name = 'PayloadDecryptionError';
}

const text = (bytes: Uint8Array | null | undefined): string | undefined => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);

export function isEncrypted(payload: Payload): boolean {
  return text(payload.metadata?.encoding) === ENCRYPTED_ENCODING;
}

/**
 * AES-256-GCM over each whole payload (its metadata and data, protobuf-encoded), so the
 * history holds only ciphertext: `data` is IV (12 bytes) ‖ ciphertext ‖ auth tag (16 bytes),
 * the metadata says `binary/encrypted` and which key id encrypted it. The first key
 * encrypts; any configured key decrypts. Payloads that are not encrypted pass through
 * decode untouched, so histories written before encryption was turned on still read.
 */
export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly encryptWith: EncryptionKey;
  private readonly byId: Map<string, Buffer>;

  constructor(keys: readonly EncryptionKey[]) {
    if (keys.length === 0) throw new Error('AesGcmPayloadCodec needs at least one key');
    this.encryptWith = keys[0];
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  get keyIds(): string[] {
    return [...this.byId.keys()];
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.encrypt(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => (isEncrypted(payload) ? this.decrypt(payload) : payload));
  }

  private encrypt(payload: Payload): Payload {
    const { id, key } = this.encryptWith;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    // The key id is authenticated too: relabelling a payload with another id fails decryption.
    cipher.setAAD(Buffer.from(id, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(serializePayload(payload)), cipher.final()]);
    return {
      metadata: {
        encoding: Buffer.from(ENCRYPTED_ENCODING, 'utf8'),
        [KEY_ID_METADATA]: Buffer.from(id, 'utf8'),
      },
      data: Buffer.concat([iv, ciphertext, cipher.getAuthTag()]),
    };
  }

  private decrypt(payload: Payload): Payload {
    const id = text(payload.metadata?.[KEY_ID_METADATA]);
    if (!id) throw new PayloadDecryptionError(`encrypted payload has no ${KEY_ID_METADATA} metadata`);
    const key = this.byId.get(id);
    if (!key) {
      throw new PayloadDecryptionError(
        `payload was encrypted with key id "${id}", which is not in PAYLOAD_ENCRYPTION_KEYS (configured: ${this.keyIds.join(', ')}); add that key back to read it`,
      );
    }
    const data = Buffer.from(payload.data ?? new Uint8Array(0));
    if (data.length < IV_BYTES + TAG_BYTES) throw new PayloadDecryptionError(`encrypted payload (key id "${id}") is too short to hold an IV and a tag`);
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(id, 'utf8'));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plaintext: Buffer;
    try {
      plaintext = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadDecryptionError(`encrypted payload (key id "${id}") failed authentication: it was altered, or the key with that id is not the one that encrypted it`);
    }
    return deserializePayload(plaintext);
  }
}
