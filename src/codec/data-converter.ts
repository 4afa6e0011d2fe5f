import { defaultPayloadConverter, type DataConverter } from '@temporalio/common';
import type { AppConfig } from '../config/config';
import { AesGcmPayloadCodec, isEncrypted } from './aes-gcm-codec';
import { parseEncryptionKeys } from '../config/encryption-keys';

/** The payload codec for the configured keys, or undefined when encryption is off. */
export function payloadCodecFor(config: Pick<AppConfig, 'payloadEncryptionKeys'>): AesGcmPayloadCodec | undefined {
  const keys = parseEncryptionKeys(config.payloadEncryptionKeys);
  return keys.length > 0 ? new AesGcmPayloadCodec(keys) : undefined;
}

/**
 * The module exporting the failure converter that moves failure messages and stack traces
 * into an (encrypted) payload. Clients and workers load it by this path; the worker bundles
 * it into the workflow sandbox, so a prebuilt workflow bundle cannot carry it (see createWorker).
 */
export const ENCRYPTED_FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

/**
 * The data converter every Temporal client and worker of the project uses: when
 * `PAYLOAD_ENCRYPTION_KEYS` is set, payloads encrypted and failure messages and stack traces
 * encoded into an encrypted payload too; the SDK's default otherwise (undefined), so without
 * keys failures read in the clear exactly as before.
 */
export function dataConverterFor(config: Pick<AppConfig, 'payloadEncryptionKeys'>): DataConverter | undefined {
  const codec = payloadCodecFor(config);
  return codec ? { payloadCodecs: [codec], failureConverterPath: ENCRYPTED_FAILURE_CONVERTER_PATH } : undefined;
}

/**
 * For listings that show many workflows' or schedules' metadata at once: decodes what the
 * configured keys can, and turns any payload they cannot (encrypted with a key no longer
 * configured, or by a deployment with encryption on when this one has it off) into a JSON
 * `{ undecodable: reason }`, so one such entry does not fail the whole list. Never use it
 * where a payload's content matters (workflow inputs, results, updates).
 */
export function lenientDataConverterFor(config: Pick<AppConfig, 'payloadEncryptionKeys'>): DataConverter {
  const codec = payloadCodecFor(config);
  return {
    ...(codec ? { failureConverterPath: ENCRYPTED_FAILURE_CONVERTER_PATH } : {}),
    payloadCodecs: [
      {
        encode: async (payloads) => (codec ? codec.encode(payloads) : payloads),
        decode: (payloads) =>
          Promise.all(
            payloads.map(async (payload) => {
              try {
                const [decoded] = codec ? await codec.decode([payload]) : [payload];
                if (isEncrypted(decoded)) throw new Error('encrypted, and encryption is off here');
                return decoded;
              } catch (err) {
                return defaultPayloadConverter.toPayload({ undecodable: (err as Error).message });
              }
            }),
          ),
      },
    ],
  };
}
