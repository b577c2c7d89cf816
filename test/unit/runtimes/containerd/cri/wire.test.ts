import fc from 'fast-check';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import {
  asBigUint, asInt64, asString, decodeVarint, encodeVarint, ProtoWriter, readFields, WireFormatError, WireType,
} from '../../../../../src/runtimes/containerd/cri/wire.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const UINT64_MAX = (1n << 64n) - 1n;

describe('varint', () => {
  it.each([
    [0n, '00'],
    [1n, '01'],
    [127n, '7f'],
    [128n, '8001'],
    [300n, 'ac02'],
    [16384n, '808001'],
    [0xffffffffn, 'ffffffff0f'],
    [UINT64_MAX, 'ffffffffffffffffff01'],
  ])('%s is %s', (value, bytes) => {
    expect(hex(encodeVarint(value))).toBe(bytes);
    expect(decodeVarint(Buffer.from(bytes, 'hex'), 0)).toEqual({ value, next: bytes.length / 2 });
  });

  it('writes a negative int64 as ten bytes of two\'s complement', () => {
    expect(hex(encodeVarint(-1n))).toBe('ffffffffffffffffff01');
    expect(BigInt.asIntN(64, decodeVarint(encodeVarint(-2n), 0).value)).toBe(-2n);
  });

  it('round-trips every unsigned 64-bit value, at any offset', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: UINT64_MAX }), fc.uint8Array({ maxLength: 4 }), (v, prefix) => {
      const buf = Buffer.concat([prefix, encodeVarint(v)]);
      expect(decodeVarint(buf, prefix.length)).toEqual({ value: v, next: buf.length });
    }));
  });

  it('agrees with protobufjs on 32-bit values', () => {
    fc.assert(fc.property(fc.nat({ max: 0xffffffff }), (v) => {
      expect(hex(encodeVarint(v))).toBe(hex(protobuf.Writer.create().uint32(v).finish()));
    }));
  });

  it('refuses truncated, overlong and out-of-range varints', () => {
    expect(() => decodeVarint(Buffer.from('80', 'hex'), 0)).toThrow(WireFormatError);
    expect(() => decodeVarint(Buffer.from('ffffffffffffffffffff01', 'hex'), 0)).toThrow(/longer than 10 bytes/);
    expect(() => decodeVarint(Buffer.from('ffffffffffffffffff7f', 'hex'), 0)).toThrow(/overflows 64 bits/);
    expect(() => encodeVarint(UINT64_MAX + 1n)).toThrow(WireFormatError);
  });
});

describe('ProtoWriter and readFields', () => {
  it('leaves out proto3 defaults but writes present empty messages', () => {
    const buf = new ProtoWriter().string(1, '').bool(2, false).varint(3, 0).message(4, Buffer.alloc(0)).message(5, undefined).finish();
    expect(hex(buf)).toBe('2200');
  });

  it('writes length-delimited strings that protobufjs reads back, for any text and field number', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 0x1fffffff }), fc.string({ unit: 'grapheme', minLength: 1 }), (field, text) => {
      const buf = new ProtoWriter().string(field, text).finish();
      const reader = protobuf.Reader.create(buf);
      const t = reader.uint32();
      expect(t >>> 3).toBe(field);
      expect(t & 7).toBe(WireType.lengthDelimited);
      expect(reader.string()).toBe(text);
      expect(reader.pos).toBe(buf.length);
    }));
  });

  it('reads what protobufjs writes, every wire type in order', () => {
    fc.assert(fc.property(
      fc.array(fc.oneof(
        fc.record({ kind: fc.constant('string' as const), field: fc.integer({ min: 1, max: 2000 }), value: fc.string() }),
        fc.record({ kind: fc.constant('uint32' as const), field: fc.integer({ min: 1, max: 2000 }), value: fc.nat({ max: 0xffffffff }) }),
        fc.record({ kind: fc.constant('fixed32' as const), field: fc.integer({ min: 1, max: 2000 }), value: fc.nat({ max: 0xffffffff }) }),
        fc.record({ kind: fc.constant('double' as const), field: fc.integer({ min: 1, max: 2000 }), value: fc.double({ noNaN: true }) }),
      ), { maxLength: 12 }),
      (fields) => {
        const w = protobuf.Writer.create();
        for (const f of fields) {
          if (f.kind === 'string') w.uint32((f.field << 3) | 2).string(f.value);
          else if (f.kind === 'uint32') w.uint32((f.field << 3) | 0).uint32(f.value);
          else if (f.kind === 'fixed32') w.uint32((f.field << 3) | 5).fixed32(f.value);
          else w.uint32((f.field << 3) | 1).double(f.value);
        }
        const read = [...readFields(w.finish())];
        expect(read.map((r) => r.field)).toEqual(fields.map((f) => f.field));
        read.forEach((r, i) => {
          const f = fields[i]!;
          if (f.kind === 'string') expect(asString(r)).toBe(f.value);
          else if (f.kind === 'uint32') expect(asBigUint(r)).toBe(BigInt(f.value));
          else if (f.kind === 'fixed32') expect(r.data).toEqual({ wireType: WireType.fixed32, value: expect.any(Buffer) });
          else expect(r.data.wireType).toBe(WireType.fixed64);
        });
      },
    ));
  });

  it('reads int64 values as signed', () => {
    const [f] = [...readFields(new ProtoWriter().varint(1, -42n).finish())];
    expect(asInt64(f!)).toBe(-42n);
  });

  it('throws only WireFormatError on any cut-short or corrupted message', () => {
    const whole = new ProtoWriter().string(1, 'harbor.lab.local/library/tiny:1').varint(2, 300).string(3, 'x').finish();
    fc.assert(fc.property(fc.nat({ max: whole.length }), fc.uint8Array({ maxLength: 3 }), (cut, junk) => {
      const buf = Buffer.concat([whole.subarray(0, cut), junk]);
      try {
        [...readFields(buf)].forEach(() => undefined);
      } catch (err) {
        expect(err).toBeInstanceOf(WireFormatError);
      }
    }));
  });

  it('names the field whose length runs past the end', () => {
    expect(() => [...readFields(Buffer.from('0a05616263', 'hex'))]).toThrow(/field 1: length 5 runs past the end/);
    expect(() => [...readFields(Buffer.from('0b', 'hex'))]).toThrow(/unsupported wire type 3/);
  });
});
