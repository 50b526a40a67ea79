// The few protobuf wire-format operations the graph rewrite needs: split a message into its
// fields (kept as bytes, so anything not understood is written back unchanged) and encode new ones.

export interface Field {
  number: number;
  wireType: number;
  /** The value: a varint's number, or the bytes of a length-delimited field. */
  value: number | Uint8Array;
  /** The field exactly as read, key included. */
  raw: Uint8Array;
}

function readVarint(buf: Uint8Array, pos: number): [number, number] {
  let result = 0;
  let factor = 1;
  for (;;) {
    const byte = buf[pos++];
    if (byte === undefined) throw new Error('Truncated protobuf varint.');
    result += (byte & 0x7f) * factor;
    if (byte < 0x80) return [result, pos];
    factor *= 128;
  }
}

export function readFields(buf: Uint8Array): Field[] {
  const fields: Field[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const start = pos;
    const [key, afterKey] = readVarint(buf, pos);
    pos = afterKey;
    const number = Math.floor(key / 8);
    const wireType = key & 7;
    let value: number | Uint8Array;
    if (wireType === 0) [value, pos] = readVarint(buf, pos);
    else if (wireType === 1) {
      value = buf.subarray(pos, pos + 8);
      pos += 8;
    } else if (wireType === 5) {
      value = buf.subarray(pos, pos + 4);
      pos += 4;
    } else if (wireType === 2) {
      const [length, afterLength] = readVarint(buf, pos);
      value = buf.subarray(afterLength, afterLength + length);
      pos = afterLength + length;
    } else throw new Error(`Unsupported protobuf wire type ${wireType}.`);
    if (pos > buf.length) throw new Error('Truncated protobuf field.');
    fields.push({ number, wireType, value, raw: buf.subarray(start, pos) });
  }
  return fields;
}

export const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

export function varintBytes(n: number): number[] {
  const out: number[] = [];
  // two's complement for negative int64, as protobuf writes them
  let v = n < 0 ? BigInt.asUintN(64, BigInt(n)) : BigInt(n);
  while (v > 0x7fn) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

export const varintField = (number: number, value: number) => [...varintBytes(number * 8), ...varintBytes(value)];
export const bytesField = (number: number, bytes: ArrayLike<number>) => [...varintBytes(number * 8 + 2), ...varintBytes(bytes.length), ...Array.from(bytes)];
export const stringField = (number: number, value: string) => bytesField(number, Buffer.from(value, 'utf8'));
export const floatField = (number: number, value: number) => {
  const b = Buffer.alloc(4);
  b.writeFloatLE(value);
  return [...varintBytes(number * 8 + 5), ...b];
};

/** The float of a fixed32 field. */
export const fixed32Float = (bytes: Uint8Array) => Buffer.from(bytes).readFloatLE(0);
