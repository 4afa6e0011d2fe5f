import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

const base64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'must be base64');

/** One payload in the codec server's JSON form (protobuf JSON: bytes as base64). */
export const codecPayloadSchema = z.object({
  metadata: z.record(z.string(), base64).optional(),
  data: base64.optional(),
});

/** The body the Temporal Web UI and CLI send to `{endpoint}/encode` and `{endpoint}/decode`. */
export const codecRequestSchema = z.object({
  payloads: z.array(codecPayloadSchema).max(1000),
});
export class CodecRequestDto extends createZodDto(codecRequestSchema) {}

export type CodecPayloadJson = z.infer<typeof codecPayloadSchema>;
