/**
 * The protobuf wire format, as far as the CRI messages dockhand speaks need it: varints, length-delimited
 * fields (strings, nested messages, map entries) and skipping every other wire type. Proto3 rules: a
 * scalar holding its default value is not written; when reading, the last occurrence of a field wins.
 */

export const WireType = { varint: 0, fixed64: 1, lengthDelimited: 2, startGroup: 3, endGroup: 4, fixed32: 5 } as const;
export type WireType = (typeof WireType)[keyof typeof WireType];

const MAX_VARINT_BYTES = 10;
const UINT64_MAX = (1n << 64n) - 1n;

export class WireFormatError extends Error {
  constructor(message: string) {
    super(`protobuf: ${message}`);
    this.name = 'WireFormatError';
  }
}

/** Base-128 varint of an unsigned 64-bit value; a negative int64 is written as its two's complement (10 bytes). */
export function encodeVarint(value: bigint | number): Buffer {
  let v = BigInt(value);
  if (v < 0n) v = BigInt.asUintN(64, v);
  if (v > UINT64_MAX) throw new WireFormatError(`varint out of range: ${v}`);
  const bytes: number[] = [];
  while (v > 0x7fn) {
    bytes.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  bytes.push(Number(v));
  return Buffer.from(bytes);
}

/** Reads a varint at `offset`: the unsigned value and the offset after it. */
export function decodeVarint(buf: Uint8Array, offset: number): { value: bigint; next: number } {
  let value = 0n;
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    const at = offset + i;
    const byte = buf[at];
    if (byte === undefined) throw new WireFormatError(`truncated varint at byte ${offset}`);
    value |= BigInt(byte & 0x7f) << BigInt(7 * i);
    if ((byte & 0x80) === 0) {
      if (value > UINT64_MAX) throw new WireFormatError(`varint at byte ${offset} overflows 64 bits`);
      return { value, next: at + 1 };
    }
  }
  throw new WireFormatError(`varint at byte ${offset} is longer than ${MAX_VARINT_BYTES} bytes`);
}

function tag(field: number, wireType: WireType): Buffer {
  if (!Number.isInteger(field) || field < 1 || field > 0x1fffffff) throw new WireFormatError(`bad field number ${field}`);
  return encodeVarint((BigInt(field) << 3n) | BigInt(wireType));
}

/** Builds one message, field by field, in the order written. */
export class ProtoWriter {
  readonly #parts: Buffer[] = [];

  /** A varint field (bool, int32/64, uint32/64); zero is the default and is not written. */
  varint(field: number, value: bigint | number | boolean): this {
    const v = typeof value === 'boolean' ? (value ? 1n : 0n) : BigInt(value);
    if (v !== 0n) this.#parts.push(tag(field, WireType.varint), encodeVarint(v));
    return this;
  }

  bool(field: number, value: boolean | undefined): this {
    return value ? this.varint(field, true) : this;
  }

  /** A length-delimited field, written even when empty (a present, empty sub-message means something). */
  bytes(field: number, value: Uint8Array): this {
    this.#parts.push(tag(field, WireType.lengthDelimited), encodeVarint(value.length), Buffer.from(value));
    return this;
  }

  /** A string field; the empty string is the default and is not written. */
  string(field: number, value: string | undefined): this {
    return value ? this.bytes(field, Buffer.from(value, 'utf8')) : this;
  }

  repeatedString(field: number, values: readonly string[] | undefined): this {
    for (const v of values ?? []) this.bytes(field, Buffer.from(v, 'utf8'));
    return this;
  }

  /** A nested message; absent (undefined) is not written, an empty one is. */
  message(field: number, value: Uint8Array | undefined): this {
    return value === undefined ? this : this.bytes(field, value);
  }

  /** A map<string, string>: one entry message {key = 1, value = 2} per pair. */
  stringMap(field: number, map: Readonly<Record<string, string>> | undefined): this {
    for (const [k, v] of Object.entries(map ?? {})) this.bytes(field, new ProtoWriter().string(1, k).string(2, v).finish());
    return this;
  }

  finish(): Buffer {
    return Buffer.concat(this.#parts);
  }
}

export type FieldValue =
  | { readonly wireType: typeof WireType.varint; readonly value: bigint }
  | { readonly wireType: typeof WireType.lengthDelimited; readonly value: Buffer }
  | { readonly wireType: typeof WireType.fixed64 | typeof WireType.fixed32; readonly value: Buffer };

export interface Field {
  readonly field: number;
  readonly data: FieldValue;
}

/** Every field of a message in wire order; groups (deprecated) and unknown wire types are errors. */
export function* readFields(buf: Uint8Array): Generator<Field> {
  const bytes = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  let at = 0;
  while (at < bytes.length) {
    const t = decodeVarint(bytes, at);
    const field = Number(t.value >> 3n);
    const wireType = Number(t.value & 7n);
    if (field < 1) throw new WireFormatError(`field number 0 at byte ${at}`);
    at = t.next;
    switch (wireType) {
      case WireType.varint: {
        const v = decodeVarint(bytes, at);
        at = v.next;
        yield { field, data: { wireType, value: v.value } };
        break;
      }
      case WireType.lengthDelimited: {
        const len = decodeVarint(bytes, at);
        const end = len.next + Number(len.value);
        if (len.value > BigInt(bytes.length) || end > bytes.length) {
          throw new WireFormatError(`field ${field}: length ${len.value} runs past the end of the message`);
        }
        yield { field, data: { wireType, value: bytes.subarray(len.next, end) } };
        at = end;
        break;
      }
      case WireType.fixed64:
      case WireType.fixed32: {
        const end = at + (wireType === WireType.fixed64 ? 8 : 4);
        if (end > bytes.length) throw new WireFormatError(`field ${field}: truncated fixed-width value`);
        yield { field, data: { wireType, value: bytes.subarray(at, end) } };
        at = end;
        break;
      }
      default:
        throw new WireFormatError(`field ${field}: unsupported wire type ${wireType}`);
    }
  }
}

/** Field readers that check the wire type a schema expects. */
export function asString(f: Field): string {
  return asBytes(f).toString('utf8');
}

export function asBytes(f: Field): Buffer {
  if (f.data.wireType !== WireType.lengthDelimited) throw mismatch(f, 'length-delimited');
  return f.data.value;
}

export function asBigUint(f: Field): bigint {
  if (f.data.wireType !== WireType.varint) throw mismatch(f, 'varint');
  return f.data.value;
}

export function asBool(f: Field): boolean {
  return asBigUint(f) !== 0n;
}

export function asInt64(f: Field): bigint {
  return BigInt.asIntN(64, asBigUint(f));
}

/** A uint64 as a number; exact below 2^53 (sizes in bytes). */
export function asUint53(f: Field): number {
  return Number(asBigUint(f));
}

/** One map<string, string> entry {key = 1, value = 2}. */
export function asStringMapEntry(f: Field): [string, string] {
  let key = '';
  let value = '';
  for (const e of readFields(asBytes(f))) {
    if (e.field === 1) key = asString(e);
    else if (e.field === 2) value = asString(e);
  }
  return [key, value];
}

function mismatch(f: Field, expected: string): WireFormatError {
  return new WireFormatError(`field ${f.field}: expected ${expected}, got wire type ${f.data.wireType}`);
}
