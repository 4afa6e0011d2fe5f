import type { Payload } from '@temporalio/common';

/**
 * A payload as protobuf bytes (`temporal.api.common.v1.Payload`: field 1 the metadata map,
 * field 2 the data), the plaintext the codec encrypts: the original encoding and data
 * survive inside the ciphertext, in the same layout Temporal's own codec samples use.
 * Hand-written because the generated protobuf classes are not a dependency of this project.
 */
export function serializePayload(payload: Payload): Buffer {
  const parts: Buffer[] = [];
  for (const [key, value] of Object.entries(payload.metadata ?? {})) {
    if (value === null || value === undefined) continue;
    const entry = Buffer.concat([field(1, Buffer.from(key, 'utf8')), field(2, Buffer.from(value))]);
    parts.push(field(1, entry));
  }
  if (payload.data && payload.data.length > 0) parts.push(field(2, Buffer.from(payload.data)));
  return Buffer.concat(parts);
}

export function deserializePayload(bytes: Uint8Array): Payload {
  const metadata: Record<string, Uint8Array> = {};
  let data: Uint8Array = new Uint8Array(0);
  for (const { number, value } of fields(bytes)) {
    if (number === 1 && value) {
      let key = '';
      let entryValue: Uint8Array = new Uint8Array(0);
      for (const f of fields(value)) {
        if (f.number === 1 && f.value) key = Buffer.from(f.value).toString('utf8');
        if (f.number === 2 && f.value) entryValue = f.value;
      }
      metadata[key] = entryValue;
    } else if (number === 2 && value) {
      data = value;
    }
  }
  return { metadata, data };
}

function varint(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}

/** A length-delimited field (wire type 2). */
function field(number: number, value: Buffer): Buffer {
  return Buffer.concat([varint((number << 3) | 2), varint(value.length), value]);
}

/** The fields of a message; length-delimited ones carry their bytes, others are skipped. */
function* fields(bytes: Uint8Array): Generator<{ number: number; value?: Uint8Array }> {
  let pos = 0;
  const readVarint = (): number => {
    let result = 0;
    let shift = 1;
    for (;;) {
      if (pos >= bytes.length) throw new Error('truncated protobuf varint');
      const b = bytes[pos++];
      result += (b & 0x7f) * shift;
      if ((b & 0x80) === 0) return result;
      shift *= 128;
    }
  };
  while (pos < bytes.length) {
    const tag = readVarint();
    const number = Math.floor(tag / 8);
    const wireType = tag & 7;
    if (wireType === 2) {
      const length = readVarint();
      if (pos + length > bytes.length) throw new Error('truncated protobuf field');
      yield { number, value: bytes.subarray(pos, pos + length) };
      pos += length;
    } else if (wireType === 0) {
      readVarint();
      yield { number };
    } else if (wireType === 1 || wireType === 5) {
      pos += wireType === 1 ? 8 : 4;
      yield { number };
    } else {
      throw new Error(`unsupported protobuf wire type ${wireType}`);
    }
  }
}
