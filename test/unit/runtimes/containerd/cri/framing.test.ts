import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeGrpcMessage, encodeFrame, FrameDecoder, FramingError, grpcStatusName, grpcTimeoutHeader, outcomeFrom,
} from '../../../../../src/runtimes/containerd/cri/framing.ts';

describe('gRPC length-prefixed messages', () => {
  it('prefixes a message with a zero flag and its big-endian length', () => {
    expect(encodeFrame(Buffer.alloc(0)).toString('hex')).toBe('0000000000');
    expect(encodeFrame(Buffer.from('0801', 'hex')).toString('hex')).toBe('00000000020801');
    expect(encodeFrame(Buffer.alloc(300)).subarray(0, 5).toString('hex')).toBe('000000012c');
  });

  it('gives back the same messages however the stream is cut into chunks', () => {
    fc.assert(fc.property(
      fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 5 }),
      fc.array(fc.nat(), { maxLength: 10 }),
      (messages, cuts) => {
        const stream = Buffer.concat(messages.map((m) => encodeFrame(m)));
        const points = [...new Set(cuts.map((c) => (stream.length ? c % stream.length : 0)))].sort((a, b) => a - b);
        const decoder = new FrameDecoder();
        const out: Buffer[] = [];
        let at = 0;
        for (const p of [...points, stream.length]) {
          out.push(...decoder.push(stream.subarray(at, p)));
          at = p;
        }
        expect(out.map((b) => Buffer.from(b).toString('hex'))).toEqual(messages.map((m) => Buffer.from(m).toString('hex')));
        expect(decoder.leftover).toBe(0);
      },
    ));
  });

  it('keeps an unfinished message as leftover', () => {
    const decoder = new FrameDecoder();
    expect(decoder.push(encodeFrame(Buffer.from('abcdef')).subarray(0, 8))).toEqual([]);
    expect(decoder.leftover).toBe(8);
  });

  it('refuses compressed and oversized messages', () => {
    expect(() => new FrameDecoder().push(Buffer.from('0100000000', 'hex'))).toThrow(FramingError);
    expect(() => new FrameDecoder(10).push(Buffer.from('000000000b', 'hex'))).toThrow(/exceeds the limit of 10/);
  });
});

describe('gRPC status', () => {
  it('names status codes', () => {
    expect(grpcStatusName(0)).toBe('OK');
    expect(grpcStatusName(12)).toBe('UNIMPLEMENTED');
    expect(grpcStatusName(16)).toBe('UNAUTHENTICATED');
    expect(grpcStatusName(99)).toBe('STATUS_99');
  });

  it('percent-decodes grpc-message and keeps malformed escapes', () => {
    expect(decodeGrpcMessage('unknown service runtime.v1.ImageService')).toBe('unknown service runtime.v1.ImageService');
    expect(decodeGrpcMessage('failed%20to%20pull%3A%20x509')).toBe('failed to pull: x509');
    expect(decodeGrpcMessage('%E2%9C%93 ok')).toBe('✓ ok');
    expect(decodeGrpcMessage('100% sure %zz')).toBe('100% sure %zz');
  });

  it('reads the outcome from trailers or from a Trailers-Only header block', () => {
    expect(outcomeFrom({ ':status': 200 })).toBeUndefined();
    expect(outcomeFrom({ 'grpc-status': '0' })).toEqual({ code: 0, message: '' });
    expect(outcomeFrom({ 'grpc-status': '12', 'grpc-message': 'unknown%20service' })).toEqual({ code: 12, message: 'unknown service' });
    expect(outcomeFrom({ 'grpc-status': 'junk' })).toEqual({ code: 2, message: '' });
  });

  it('writes grpc-timeout in milliseconds, or seconds past eight digits', () => {
    expect(grpcTimeoutHeader(1500)).toBe('1500m');
    expect(grpcTimeoutHeader(0.2)).toBe('1m');
    expect(grpcTimeoutHeader(200_000_000)).toBe('200000S');
  });
});
