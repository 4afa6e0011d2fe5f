import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { Payload } from '@temporalio/common';
import type { AppConfig } from '../../config';
import { payloadCodecFor, PayloadDecryptionError, type AesGcmPayloadCodec } from '../../codec';
import { APP_CONFIG } from '../common/tokens';
import type { CodecPayloadJson } from './codec.dto';

function fromJson(p: CodecPayloadJson): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: Buffer.from(p.data ?? '', 'base64'),
  };
}

function toJson(p: Payload): Required<CodecPayloadJson> {
  return {
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {})
        .filter((entry): entry is [string, Uint8Array] => entry[1] !== null && entry[1] !== undefined)
        .map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
    ),
    data: Buffer.from(p.data ?? new Uint8Array(0)).toString('base64'),
  };
}

/** The project's payload codec over the codec server's JSON wire format. */
@Injectable()
export class CodecService {
  private readonly codec: AesGcmPayloadCodec | undefined;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.codec = payloadCodecFor(config);
  }

  async encode(payloads: CodecPayloadJson[]): Promise<{ payloads: Required<CodecPayloadJson>[] }> {
    const codec = this.requireCodec();
    return { payloads: (await codec.encode(payloads.map(fromJson))).map(toJson) };
  }

  async decode(payloads: CodecPayloadJson[]): Promise<{ payloads: Required<CodecPayloadJson>[] }> {
    const codec = this.requireCodec();
    const decoded: Payload[] = [];
    // One at a time, so a payload that cannot be decrypted is named by its index.
    for (const [i, payload] of payloads.entries()) {
      try {
        decoded.push(...(await codec.decode([fromJson(payload)])));
      } catch (err) {
        if (err instanceof PayloadDecryptionError) throw new BadRequestException(`payloads[${i}]: ${err.message}`);
        throw err;
      }
    }
    return { payloads: decoded.map(toJson) };
  }

  private requireCodec(): AesGcmPayloadCodec {
    if (!this.codec) {
      throw new NotFoundException('payload encryption is off (PAYLOAD_ENCRYPTION_KEYS is not set): histories hold plain payloads and need no codec');
    }
    return this.codec;
  }
}
