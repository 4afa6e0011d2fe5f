import type { DataConverter } from '@temporalio/common';
import type { AppConfig } from '../config/config';
import { AesGcmPayloadCodec } from './aes-gcm-codec';
import { parseEncryptionKeys } from './keys';

/** The payload codec for the configured keys, or undefined when encryption is off. */
export function payloadCodecFor(config: Pick<AppConfig, 'payloadEncryptionKeys'>): AesGcmPayloadCodec | undefined {
  const keys = parseEncryptionKeys(config.payloadEncryptionKeys);
  return keys.length > 0 ? new AesGcmPayloadCodec(keys) : undefined;
}

/**
 * The data converter every Temporal client and worker of the project uses: payloads
 * encrypted when `PAYLOAD_ENCRYPTION_KEYS` is set, the SDK's default otherwise (undefined).
 */
export function dataConverterFor(config: Pick<AppConfig, 'payloadEncryptionKeys'>): DataConverter | undefined {
  const codec = payloadCodecFor(config);
  return codec ? { payloadCodecs: [codec] } : undefined;
}
