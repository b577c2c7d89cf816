// The CRI messages as the generated code (src/cri/gen/, from the trimmed api.proto) writes and reads them:
// golden bytes with the API's field numbers, and both directions against an independent protobuf
// implementation (protobufjs, reference-schema.ts), unknown fields of a newer API included.
import { create, fromBinary, toBinary, type DescMessage, type MessageInitShape } from '@bufbuild/protobuf';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ImageStatusRequestSchema, ImageStatusResponseSchema, PullImageRequestSchema, PullImageResponseSchema, RemoveImageRequestSchema,
  RemoveImageResponseSchema, StatusRequestSchema, StatusResponseSchema, VersionRequestSchema, VersionResponseSchema,
} from '../../../src/cri/gen/runtime/v1/api_pb.ts';
import { criImageStatus, criStatus, criVersion, type CriAuth } from '../../../src/cri/messages.ts';
import { referenceDecode, referenceEncode } from './reference-schema.ts';

function encode<D extends DescMessage>(schema: D, init: MessageInitShape<D>): Uint8Array {
  return toBinary(schema, create(schema, init));
}
const encodeVersionRequest = (version: string) => encode(VersionRequestSchema, { version });
const encodeStatusRequest = (verbose: boolean) => encode(StatusRequestSchema, { verbose });
const encodePullImageRequest = (image: string, auth?: CriAuth) =>
  encode(PullImageRequestSchema, { image: { image }, ...(auth === undefined ? {} : { auth: { ...auth } }) });
const encodeImageStatusRequest = (image: string, verbose = false) => encode(ImageStatusRequestSchema, { image: { image }, verbose });
const encodeRemoveImageRequest = (image: string) => encode(RemoveImageRequestSchema, { image: { image } });
const decodeVersionResponse = (b: Uint8Array) => criVersion(fromBinary(VersionResponseSchema, b));
const decodeStatusResponse = (b: Uint8Array) => criStatus(fromBinary(StatusResponseSchema, b));
const decodePullImageResponse = (b: Uint8Array) => fromBinary(PullImageResponseSchema, b).imageRef;
const decodeImageStatusResponse = (b: Uint8Array) => criImageStatus(fromBinary(ImageStatusResponseSchema, b));
const decodeEmptyResponse = (b: Uint8Array) => fromBinary(RemoveImageResponseSchema, b);

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
/** a length-delimited field: tag, one-byte length, bytes (the strings here are shorter than 128 bytes) */
const ld = (tag: string, body: string): string => `${tag}${(body.length / 2).toString(16).padStart(2, '0')}${body}`;
const str = (s: string): string => Buffer.from(s, 'utf8').toString('hex');

const IMAGE = 'harbor.lab.local/library/tiny:1';

describe('requests: golden bytes', () => {
  it('VersionRequest { version: "v1" }', () => {
    expect(hex(encodeVersionRequest('v1'))).toBe('0a027631');
  });

  it('StatusRequest { verbose }', () => {
    expect(hex(encodeStatusRequest(true))).toBe('0801');
    expect(hex(encodeStatusRequest(false))).toBe('');
  });

  it('PullImageRequest { image: ImageSpec, auth: AuthConfig }', () => {
    const spec = ld('0a', str(IMAGE));
    const auth = ld('0a', str('dockhand')) + ld('12', str('s3cret'));
    expect(hex(encodePullImageRequest(IMAGE, { username: 'dockhand', password: 's3cret' }))).toBe(ld('0a', spec) + ld('12', auth));
    expect(hex(encodePullImageRequest(IMAGE))).toBe(ld('0a', spec));
  });

  it('AuthConfig fields 3 to 6', () => {
    const auth: CriAuth = { auth: 'YTpi', serverAddress: 'harbor.lab.local', identityToken: 'i', registryToken: 'r' };
    const body = ld('1a', str('YTpi')) + ld('22', str('harbor.lab.local')) + ld('2a', str('i')) + ld('32', str('r'));
    expect(hex(encodePullImageRequest('x', auth))).toBe(ld('0a', ld('0a', str('x'))) + ld('12', body));
  });

  it('ImageStatusRequest and RemoveImageRequest { image: ImageSpec }', () => {
    expect(hex(encodeImageStatusRequest('x'))).toBe('0a030a0178');
    expect(hex(encodeImageStatusRequest('x', true))).toBe('0a030a01781001');
    expect(hex(encodeRemoveImageRequest('x'))).toBe('0a030a0178');
  });
});

describe('responses: golden bytes', () => {
  it('VersionResponse as containerd 1.7 sends it', () => {
    const bytes = ld('0a', str('0.1.0')) + ld('12', str('containerd')) + ld('1a', str('1.7.24~ds1')) + ld('22', str('v1'));
    expect(decodeVersionResponse(Buffer.from(bytes, 'hex'))).toEqual({
      version: '0.1.0', runtimeName: 'containerd', runtimeVersion: '1.7.24~ds1', runtimeApiVersion: 'v1',
    });
  });

  it('StatusResponse with conditions and the verbose config info', () => {
    const ready = ld('0a', str('RuntimeReady')) + '1001';
    const net = ld('0a', str('NetworkReady')) + ld('1a', str('NetworkPluginNotReady')) + ld('22', str('cni'));
    const status = ld('0a', ld('0a', ready) + ld('0a', net));
    const config = '{"registry":{"configPath":"/etc/containerd/certs.d"}}';
    const info = ld('12', ld('0a', str('config')) + ld('12', str(config)));
    expect(decodeStatusResponse(Buffer.from(status + info, 'hex'))).toEqual({
      conditions: [
        { type: 'RuntimeReady', status: true, reason: '', message: '' },
        { type: 'NetworkReady', status: false, reason: 'NetworkPluginNotReady', message: 'cni' },
      ],
      info: { config },
    });
  });

  it('PullImageResponse { image_ref }', () => {
    expect(decodePullImageResponse(Buffer.from(ld('0a', str('sha256:ab')), 'hex'))).toBe('sha256:ab');
  });

  it('ImageStatusResponse with an image, and without one', () => {
    const image = ld('0a', str('sha256:ab')) + ld('12', str(IMAGE)) + ld('1a', str('h/r@sha256:cd')) + '20d209' +
      ld('2a', '0800') + ld('32', str('')) + '4001';
    expect(decodeImageStatusResponse(Buffer.from(ld('0a', image), 'hex'))).toEqual({
      image: { id: 'sha256:ab', repoTags: [IMAGE], repoDigests: ['h/r@sha256:cd'], size: 1234, uid: 0, username: '', pinned: true },
      info: {},
    });
    expect(decodeImageStatusResponse(Buffer.alloc(0))).toEqual({ image: undefined, info: {} });
  });

  it('RemoveImageResponse is empty', () => {
    expect(() => decodeEmptyResponse(Buffer.alloc(0))).not.toThrow();
  });
});

// --- against the reference schema (protobufjs), both directions ------------------------------------

const text = fc.string({ unit: 'grapheme', maxLength: 40 });
const stringMap = fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), text, { maxKeys: 4 })
  .map((d) => Object.fromEntries(Object.entries(d).filter(([k]) => k !== '__proto__')));
const auth = fc.record(
  { username: text, password: text, auth: text, serverAddress: text, identityToken: text, registryToken: text },
  { requiredKeys: [] },
);

/** what protobufjs gives back for a message: fields at their default are absent */
function withoutDefaults(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) =>
    v !== '' && v !== false && v !== undefined && !(Array.isArray(v) && v.length === 0) &&
    !(typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0)));
}

/** Unknown fields of every wire type, as a newer API version might send them. */
const unknownFields = fc.array(fc.oneof(
  fc.tuple(fc.integer({ min: 100, max: 999 }), text).map(([f, v]) => new BinaryWriter().tag(f, WireType.LengthDelimited).string(v).finish()),
  fc.tuple(fc.integer({ min: 100, max: 999 }), fc.bigInt({ min: 1n, max: (1n << 64n) - 1n })).map(([f, v]) => new BinaryWriter().tag(f, WireType.Varint).uint64(v).finish()),
  fc.integer({ min: 100, max: 999 }).map((f) => new BinaryWriter().tag(f, WireType.Bit64).fixed64(0x0707070707070707n).finish()),
), { maxLength: 3 });

describe('requests read back by the reference schema', () => {
  it('PullImageRequest', () => {
    fc.assert(fc.property(text, fc.option(auth, { nil: undefined }), (image, a) => {
      const decoded = referenceDecode('PullImageRequest', encodePullImageRequest(image, a));
      const expected: Record<string, unknown> = { image: withoutDefaults({ image }) };
      if (a !== undefined) expected['auth'] = withoutDefaults({ ...a });
      expect(decoded).toEqual(expected);
    }));
  });

  it('VersionRequest, StatusRequest, ImageStatusRequest, RemoveImageRequest', () => {
    fc.assert(fc.property(text, fc.boolean(), (s, b) => {
      expect(referenceDecode('VersionRequest', encodeVersionRequest(s))).toEqual(withoutDefaults({ version: s }));
      expect(referenceDecode('StatusRequest', encodeStatusRequest(b))).toEqual(withoutDefaults({ verbose: b }));
      expect(referenceDecode('ImageStatusRequest', encodeImageStatusRequest(s, b))).toEqual({ image: withoutDefaults({ image: s }), ...(b ? { verbose: true } : {}) });
      expect(referenceDecode('RemoveImageRequest', encodeRemoveImageRequest(s))).toEqual({ image: withoutDefaults({ image: s }) });
    }));
  });
});

describe('responses written by the reference schema', () => {
  it('VersionResponse, with unknown fields mixed in', () => {
    const version = fc.record({ version: text, runtimeName: text, runtimeVersion: text, runtimeApiVersion: text });
    fc.assert(fc.property(version, unknownFields, (v, extra) => {
      const bytes = Buffer.concat([referenceEncode('VersionResponse', v), ...extra]);
      expect(decodeVersionResponse(bytes)).toEqual(v);
    }));
  });

  it('StatusResponse', () => {
    const condition = fc.record({ type: text, status: fc.boolean(), reason: text, message: text });
    fc.assert(fc.property(fc.array(condition, { maxLength: 4 }), stringMap, unknownFields, (conditions, info, extra) => {
      const bytes = Buffer.concat([referenceEncode('StatusResponse', { status: { conditions }, info }), ...extra]);
      expect(decodeStatusResponse(bytes)).toEqual({ conditions, info });
    }));
  });

  it('PullImageResponse', () => {
    fc.assert(fc.property(text, (imageRef) => {
      expect(decodePullImageResponse(referenceEncode('PullImageResponse', { imageRef }))).toBe(imageRef);
    }));
  });

  it('ImageStatusResponse', () => {
    const image = fc.record({
      id: text,
      repoTags: fc.array(text, { maxLength: 3 }),
      repoDigests: fc.array(text, { maxLength: 3 }),
      size: fc.nat(),
      uid: fc.option(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { nil: undefined }),
      username: text,
      pinned: fc.boolean(),
    });
    fc.assert(fc.property(fc.option(image, { nil: undefined }), stringMap, unknownFields, (img, info, extra) => {
      const message: Record<string, unknown> = { info };
      if (img) message['image'] = { ...img, uid: img.uid === undefined ? undefined : { value: img.uid }, spec: { image: 'x' } };
      const bytes = Buffer.concat([referenceEncode('ImageStatusResponse', message), ...extra]);
      expect(decodeImageStatusResponse(bytes)).toEqual({ image: img, info });
    }));
  });
});
