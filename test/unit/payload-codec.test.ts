import { randomBytes } from 'node:crypto';
import { ActivityFailure, ApplicationFailure, defaultPayloadConverter, RetryState, type Payload } from '@temporalio/common';
import { decodeOptionalFailureToOptionalError, encodeErrorToFailure, loadDataConverter } from '@temporalio/common/lib/internal-non-workflow';
// The generated protobuf classes, to check the codec's hand-written wire format against them.
import { temporal } from '@temporalio/proto';
import {
  AesGcmPayloadCodec,
  dataConverterFor,
  ENCRYPTED_ENCODING,
  KEY_ID_METADATA,
  parseEncryptionKeys,
  PayloadDecryptionError,
} from '../../src/codec';
import { deserializePayload, serializePayload } from '../../src/codec/payload-wire';
import { chatReferenceFor } from '../../src/codec';
import { ConfigError, loadConfig } from '../../src/config';

const keyText = () => randomBytes(32).toString('base64');
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array(0)).toString('utf8');

describe('AES-256-GCM payload codec', () => {
  const oldKey = keyText();
  const newKey = keyText();
  const secret = { body: 'my card ends 4242, call me on +85260552717', chatId: '85260552717@c.us' };
  const plain = (): Payload => defaultPayloadConverter.toPayload(secret);

  it('encrypts each payload so neither its data nor its encoding shows, and decrypts it back', async () => {
    const codec = new AesGcmPayloadCodec(parseEncryptionKeys(`k1:${oldKey}`));
    const [encrypted] = await codec.encode([plain()]);
    expect(text(encrypted.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(encrypted.metadata![KEY_ID_METADATA])).toBe('k1');
    expect(Object.keys(encrypted.metadata!).sort()).toEqual(['encoding', KEY_ID_METADATA].sort());
    const raw = Buffer.from(encrypted.data!).toString('latin1');
    expect(raw).not.toContain('85260552717');
    expect(raw).not.toContain('json/plain');

    const [decoded] = await codec.decode([encrypted]);
    expect(text(decoded.metadata!.encoding)).toBe('json/plain');
    expect(defaultPayloadConverter.fromPayload(decoded)).toEqual(secret);
  });

  it('uses a fresh IV per payload: the same value never encrypts to the same bytes', async () => {
    const codec = new AesGcmPayloadCodec(parseEncryptionKeys(`k1:${oldKey}`));
    const [a, b] = await codec.encode([plain(), plain()]);
    expect(Buffer.from(a.data!).equals(Buffer.from(b.data!))).toBe(false);
    expect(Buffer.from(a.data!).subarray(0, 12).equals(Buffer.from(b.data!).subarray(0, 12))).toBe(false);
  });

  it('rotates: a new key in front encrypts, and data from the old key still decrypts', async () => {
    const before = new AesGcmPayloadCodec(parseEncryptionKeys(`old:${oldKey}`));
    const [written] = await before.encode([plain()]);

    const after = new AesGcmPayloadCodec(parseEncryptionKeys(`new:${newKey},old:${oldKey}`));
    const [fresh] = await after.encode([plain()]);
    expect(text(fresh.metadata![KEY_ID_METADATA])).toBe('new');
    const decoded = await after.decode([written, fresh]);
    expect(decoded.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([secret, secret]);
  });

  it('refuses a payload whose ciphertext, tag or key id was altered', async () => {
    const codec = new AesGcmPayloadCodec(parseEncryptionKeys(`a:${oldKey},b:${newKey}`));
    const [encrypted] = await codec.encode([plain()]);
    const flipped = (at: number): Payload => {
      const data = Buffer.from(encrypted.data!);
      data[at] ^= 0x01;
      return { metadata: encrypted.metadata, data };
    };
    await expect(codec.decode([flipped(20)])).rejects.toThrow(/key id "a"\) failed authentication/);
    await expect(codec.decode([flipped(encrypted.data!.length - 1)])).rejects.toThrow(PayloadDecryptionError);
    const relabelled = { metadata: { ...encrypted.metadata, [KEY_ID_METADATA]: Buffer.from('b') }, data: encrypted.data };
    await expect(codec.decode([relabelled])).rejects.toThrow(/key id "b"\) failed authentication/);
    await expect(codec.decode([{ metadata: encrypted.metadata, data: Buffer.alloc(10) }])).rejects.toThrow(/too short/);
  });

  it('names an unknown key id and the configured ones', async () => {
    const [encrypted] = await new AesGcmPayloadCodec(parseEncryptionKeys(`retired:${oldKey}`)).encode([plain()]);
    const codec = new AesGcmPayloadCodec(parseEncryptionKeys(`current:${newKey}`));
    await expect(codec.decode([encrypted])).rejects.toThrow(
      'payload was encrypted with key id "retired", which is not in PAYLOAD_ENCRYPTION_KEYS (configured: current); add that key back to read it',
    );
  });

  it('passes payloads that were never encrypted through decode unchanged (histories from before)', async () => {
    const codec = new AesGcmPayloadCodec(parseEncryptionKeys(`k1:${oldKey}`));
    const old = plain();
    const empty = defaultPayloadConverter.toPayload(undefined);
    const decoded = await codec.decode([old, empty]);
    expect(decoded[0]).toBe(old);
    expect(decoded[1]).toBe(empty);
    expect(defaultPayloadConverter.fromPayload(decoded[0])).toEqual(secret);
  });

  it('keeps the inner payload in the Temporal Payload protobuf layout', () => {
    const payload = defaultPayloadConverter.toPayload(secret);
    const ours = serializePayload(payload);
    const theirs = temporal.api.common.v1.Payload.decode(ours);
    expect(text(theirs.metadata.encoding)).toBe('json/plain');
    expect(JSON.parse(text(theirs.data))).toEqual(secret);
    const back = deserializePayload(temporal.api.common.v1.Payload.encode(theirs).finish());
    expect(defaultPayloadConverter.fromPayload(back)).toEqual(secret);
    // Empty data and a binary null payload survive too.
    const nul = deserializePayload(serializePayload(defaultPayloadConverter.toPayload(undefined)));
    expect(defaultPayloadConverter.fromPayload(nul)).toBeUndefined();
  });

  it('gives a data converter only when keys are configured', async () => {
    expect(dataConverterFor({ payloadEncryptionKeys: undefined })).toBeUndefined();
    const converter = dataConverterFor({ payloadEncryptionKeys: `k1:${oldKey}` });
    expect(converter?.payloadCodecs).toHaveLength(1);
    const [encrypted] = await converter!.payloadCodecs![0].encode([plain()]);
    expect(text(encrypted.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
  });

  it('with keys, encodes failure messages and stack traces into an encrypted payload that every reader decodes back', async () => {
    const converter = loadDataConverter(dataConverterFor({ payloadEncryptionKeys: `k1:${oldKey}` }));
    const secret = 'provider refused: +85291234567 is not on WhatsApp';
    const cause = ApplicationFailure.nonRetryable(secret, 'Refused');
    const failure = await encodeErrorToFailure(converter, new ActivityFailure('Activity task failed', 'send', '1', RetryState.NON_RETRYABLE_FAILURE, 'x', cause));
    // What Temporal stores: no message or stack trace in the clear, at any level of the chain.
    const stored = JSON.stringify(failure);
    expect(stored).not.toContain('+85291234567');
    expect(stored).not.toContain('provider refused');
    expect(failure).toMatchObject({ message: 'Encoded failure', stackTrace: '', cause: { message: 'Encoded failure', stackTrace: '' } });
    expect(text(failure.cause!.encodedAttributes!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);

    const back = await decodeOptionalFailureToOptionalError(converter, failure);
    expect(back).toBeInstanceOf(ActivityFailure);
    expect((back as ActivityFailure).cause).toMatchObject({ message: secret, type: 'Refused', nonRetryable: true });
    expect((back as ActivityFailure).cause?.stack).toContain('payload-codec.test');
    // A reader without the converter (the SDK's default) decodes them back too, given the keys.
    const plainReader = loadDataConverter({ payloadCodecs: converter.payloadCodecs });
    expect(((await decodeOptionalFailureToOptionalError(plainReader, failure)) as ActivityFailure).cause?.message).toBe(secret);
  });

  it('without keys, failures are the SDK default: message and stack trace in the clear, nothing encoded', async () => {
    const failure = await encodeErrorToFailure(loadDataConverter(dataConverterFor({ payloadEncryptionKeys: undefined })), ApplicationFailure.nonRetryable('plain text', 'T'));
    expect(failure.message).toBe('plain text');
    expect(failure.stackTrace).toContain('payload-codec.test');
    expect(failure.encodedAttributes).toBeUndefined();
  });
});

describe('PAYLOAD_ENCRYPTION_KEYS validation at config load', () => {
  const load = (value: string) => loadConfig({ SWITCHBOARD_CONFIG: '', PAYLOAD_ENCRYPTION_KEYS: value });

  it('accepts keys with ids and keeps encryption off when unset or blank', () => {
    expect(load(`2025-01:${keyText()}, 2024_q4.b:${keyText()}`).payloadEncryptionKeys).toBeDefined();
    expect(loadConfig({ SWITCHBOARD_CONFIG: '' }).payloadEncryptionKeys).toBeUndefined();
    expect(load('  ').payloadEncryptionKeys).toBeUndefined();
    expect(dataConverterFor(load(''))).toBeUndefined();
  });

  it.each([
    ['no key id separator', () => keyText(), /PAYLOAD_ENCRYPTION_KEYS entry 1: must look like keyId:base64-of-32-bytes/],
    ['bad base64', () => 'k1:not*base64!', /PAYLOAD_ENCRYPTION_KEYS entry 1 \("k1"\): the key is not valid base64/],
    ['a 16-byte key', () => `k1:${randomBytes(16).toString('base64')}`, /PAYLOAD_ENCRYPTION_KEYS entry 1 \("k1"\): the key must be 32 bytes \(AES-256\), got 16/],
    ['an empty key', () => 'k1:', /PAYLOAD_ENCRYPTION_KEYS entry 1 \("k1"\): the key is not valid base64/],
    ['a duplicate id', () => `k1:${keyText()},k1:${keyText()}`, /PAYLOAD_ENCRYPTION_KEYS entry 2: key id "k1" appears twice/],
    ['an id with spaces', () => `my key:${keyText()}`, /PAYLOAD_ENCRYPTION_KEYS entry 1: key id "my key" must be 1-64 characters/],
    ['an empty id', () => `:${keyText()}`, /PAYLOAD_ENCRYPTION_KEYS entry 1: key id "" must be/],
    ['a bad second entry', () => `k1:${keyText()},k2:abc`, /PAYLOAD_ENCRYPTION_KEYS entry 2 \("k2"\): the key is not valid base64/],
  ])('refuses %s with a ConfigError naming the variable', (_name, value, expected) => {
    const v = value();
    expect(() => load(v)).toThrow(ConfigError);
    expect(() => load(v)).toThrow(expected);
  });

  it('never echoes the key material in the error', () => {
    const short = randomBytes(31).toString('base64');
    expect(() => load(`k1:${short}`)).toThrow(ConfigError);
    try {
      load(`k1:${short}`);
    } catch (err) {
      expect((err as Error).message).not.toContain(short);
    }
  });
});

describe('chat references (what Temporal indexes in the clear)', () => {
  const chatId = '85260552717@c.us';

  it('is the chat id itself without encryption keys', () => {
    expect(chatReferenceFor(undefined)(chatId)).toBe(chatId);
  });

  it('is a stable keyed hash with keys, that a rotation (a new key in front) does not change', () => {
    const old = `k1:${keyText()}`;
    const ref = chatReferenceFor(old)(chatId);
    expect(ref).toMatch(/^h:[A-Za-z0-9_-]{22}$/);
    expect(ref).not.toContain('85260552717');
    expect(chatReferenceFor(old)(chatId)).toBe(ref);
    expect(chatReferenceFor(`k2:${keyText()},${old}`)(chatId)).toBe(ref);
    expect(chatReferenceFor(old)('85260552718@c.us')).not.toBe(ref);
    // Someone without the key cannot recompute it.
    expect(chatReferenceFor(`k1:${keyText()}`)(chatId)).not.toBe(ref);
  });
});
