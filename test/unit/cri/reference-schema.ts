/**
 * An independent encoder/decoder for the CRI messages the client speaks: protobufjs with the fields of
 * k8s.io/cri-api pkg/apis/runtime/v1/api.proto (package runtime.v1), written out by name and number.
 * Tests check the hand-written codecs against it in both directions.
 */
import protobuf from 'protobufjs';

const s = (id: number) => ({ type: 'string', id });
const map = (id: number) => ({ keyType: 'string', type: 'string', id });

const root = protobuf.Root.fromJSON({
  nested: {
    runtime: {
      nested: {
        v1: {
          nested: {
            VersionRequest: { fields: { version: s(1) } },
            VersionResponse: { fields: { version: s(1), runtimeName: s(2), runtimeVersion: s(3), runtimeApiVersion: s(4) } },
            StatusRequest: { fields: { verbose: { type: 'bool', id: 1 } } },
            RuntimeCondition: { fields: { type: s(1), status: { type: 'bool', id: 2 }, reason: s(3), message: s(4) } },
            RuntimeStatus: { fields: { conditions: { rule: 'repeated', type: 'RuntimeCondition', id: 1 } } },
            StatusResponse: { fields: { status: { type: 'RuntimeStatus', id: 1 }, info: map(2) } },
            ImageSpec: { fields: { image: s(1), annotations: map(2), userSpecifiedImage: s(18), runtimeHandler: s(19) } },
            AuthConfig: {
              fields: { username: s(1), password: s(2), auth: s(3), serverAddress: s(4), identityToken: s(5), registryToken: s(6) },
            },
            PullImageRequest: { fields: { image: { type: 'ImageSpec', id: 1 }, auth: { type: 'AuthConfig', id: 2 } } },
            PullImageResponse: { fields: { imageRef: s(1) } },
            ImageStatusRequest: { fields: { image: { type: 'ImageSpec', id: 1 }, verbose: { type: 'bool', id: 2 } } },
            Int64Value: { fields: { value: { type: 'int64', id: 1 } } },
            Image: {
              fields: {
                id: s(1),
                repoTags: { rule: 'repeated', type: 'string', id: 2 },
                repoDigests: { rule: 'repeated', type: 'string', id: 3 },
                size: { type: 'uint64', id: 4 },
                uid: { type: 'Int64Value', id: 5 },
                username: s(6),
                spec: { type: 'ImageSpec', id: 7 },
                pinned: { type: 'bool', id: 8 },
              },
            },
            ImageStatusResponse: { fields: { image: { type: 'Image', id: 1 }, info: map(2) } },
            RemoveImageRequest: { fields: { image: { type: 'ImageSpec', id: 1 } } },
            RemoveImageResponse: { fields: {} },
          },
        },
      },
    },
  },
});

export function referenceType(name: string): protobuf.Type {
  return root.lookupType(`runtime.v1.${name}`);
}

/** Encodes a plain object with the reference schema. */
export function referenceEncode(name: string, value: Record<string, unknown>): Buffer {
  const type = referenceType(name);
  return Buffer.from(type.encode(type.fromObject(value)).finish());
}

/** Decodes bytes with the reference schema into a plain object (64-bit integers as strings, defaults omitted). */
export function referenceDecode(name: string, bytes: Uint8Array): Record<string, unknown> {
  const type = referenceType(name);
  return type.toObject(type.decode(bytes), { longs: String, defaults: false }) as Record<string, unknown>;
}
