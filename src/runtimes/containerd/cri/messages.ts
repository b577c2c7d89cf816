/**
 * The CRI v1 messages dockhand sends and reads (package runtime.v1, k8s.io/cri-api
 * pkg/apis/runtime/v1/api.proto), encoded by hand. Field numbers are the API's; fields dockhand
 * does not use are skipped when reading and never written.
 */
import {
  asBool, asBytes, asInt64, asString, asStringMapEntry, asUint53, ProtoWriter, readFields,
} from './wire.ts';

/** VersionResponse */
export interface CriVersion {
  /** version of the kubelet runtime API (field 1) */
  readonly version: string;
  /** e.g. "containerd" (field 2) */
  readonly runtimeName: string;
  /** e.g. "1.6.20~ds1" (field 3) */
  readonly runtimeVersion: string;
  /** e.g. "v1" (field 4) */
  readonly runtimeApiVersion: string;
}

/** RuntimeCondition */
export interface RuntimeCondition {
  readonly type: string;
  readonly status: boolean;
  readonly reason: string;
  readonly message: string;
}

/** StatusResponse: RuntimeStatus.conditions and, when asked for (verbose), `info` (containerd: "config" is JSON). */
export interface CriStatus {
  readonly conditions: readonly RuntimeCondition[];
  readonly info: Readonly<Record<string, string>>;
}

/** AuthConfig: registry credentials for one pull; they travel only in the request body. */
export interface CriAuth {
  readonly username?: string;
  readonly password?: string;
  /** base64 of "username:password" */
  readonly auth?: string;
  readonly serverAddress?: string;
  readonly identityToken?: string;
  readonly registryToken?: string;
}

/** Image (ImageStatusResponse.image) */
export interface CriImage {
  readonly id: string;
  readonly repoTags: readonly string[];
  readonly repoDigests: readonly string[];
  readonly size: number;
  /** Int64Value uid, when the image's user is numeric */
  readonly uid: number | undefined;
  readonly username: string;
  readonly pinned: boolean;
}

export interface CriImageStatus {
  /** undefined when the runtime does not have the image */
  readonly image: CriImage | undefined;
  readonly info: Readonly<Record<string, string>>;
}

// --- requests -------------------------------------------------------------------------------------

/** VersionRequest { string version = 1 } */
export function encodeVersionRequest(version: string): Buffer {
  return new ProtoWriter().string(1, version).finish();
}

/** StatusRequest { bool verbose = 1 } */
export function encodeStatusRequest(verbose: boolean): Buffer {
  return new ProtoWriter().bool(1, verbose).finish();
}

/** ImageSpec { string image = 1; map<string,string> annotations = 2 } */
export function encodeImageSpec(image: string, annotations?: Readonly<Record<string, string>>): Buffer {
  return new ProtoWriter().string(1, image).stringMap(2, annotations).finish();
}

/** AuthConfig { username = 1; password = 2; auth = 3; server_address = 4; identity_token = 5; registry_token = 6 } */
export function encodeAuthConfig(a: CriAuth): Buffer {
  return new ProtoWriter()
    .string(1, a.username)
    .string(2, a.password)
    .string(3, a.auth)
    .string(4, a.serverAddress)
    .string(5, a.identityToken)
    .string(6, a.registryToken)
    .finish();
}

/** PullImageRequest { ImageSpec image = 1; AuthConfig auth = 2 } (sandbox_config = 3 is never sent) */
export function encodePullImageRequest(image: string, auth?: CriAuth): Buffer {
  return new ProtoWriter()
    .message(1, encodeImageSpec(image))
    .message(2, auth ? encodeAuthConfig(auth) : undefined)
    .finish();
}

/** ImageStatusRequest { ImageSpec image = 1; bool verbose = 2 } */
export function encodeImageStatusRequest(image: string, verbose = false): Buffer {
  return new ProtoWriter().message(1, encodeImageSpec(image)).bool(2, verbose).finish();
}

/** RemoveImageRequest { ImageSpec image = 1 } */
export function encodeRemoveImageRequest(image: string): Buffer {
  return new ProtoWriter().message(1, encodeImageSpec(image)).finish();
}

// --- responses ------------------------------------------------------------------------------------

export function decodeVersionResponse(buf: Uint8Array): CriVersion {
  let version = '';
  let runtimeName = '';
  let runtimeVersion = '';
  let runtimeApiVersion = '';
  for (const f of readFields(buf)) {
    if (f.field === 1) version = asString(f);
    else if (f.field === 2) runtimeName = asString(f);
    else if (f.field === 3) runtimeVersion = asString(f);
    else if (f.field === 4) runtimeApiVersion = asString(f);
  }
  return { version, runtimeName, runtimeVersion, runtimeApiVersion };
}

/** RuntimeCondition { string type = 1; bool status = 2; string reason = 3; string message = 4 } */
function decodeRuntimeCondition(buf: Uint8Array): RuntimeCondition {
  let type = '';
  let status = false;
  let reason = '';
  let message = '';
  for (const f of readFields(buf)) {
    if (f.field === 1) type = asString(f);
    else if (f.field === 2) status = asBool(f);
    else if (f.field === 3) reason = asString(f);
    else if (f.field === 4) message = asString(f);
  }
  return { type, status, reason, message };
}

/** StatusResponse { RuntimeStatus status = 1; map<string,string> info = 2 }, RuntimeStatus { repeated RuntimeCondition conditions = 1 } */
export function decodeStatusResponse(buf: Uint8Array): CriStatus {
  let conditions: RuntimeCondition[] = [];
  const info: Record<string, string> = {};
  for (const f of readFields(buf)) {
    if (f.field === 1) {
      conditions = [];
      for (const c of readFields(asBytes(f))) if (c.field === 1) conditions.push(decodeRuntimeCondition(asBytes(c)));
    } else if (f.field === 2) {
      const [k, v] = asStringMapEntry(f);
      info[k] = v;
    }
  }
  return { conditions, info };
}

/** PullImageResponse { string image_ref = 1 } */
export function decodePullImageResponse(buf: Uint8Array): string {
  let imageRef = '';
  for (const f of readFields(buf)) if (f.field === 1) imageRef = asString(f);
  return imageRef;
}

/** Image { id = 1; repeated repo_tags = 2; repeated repo_digests = 3; uint64 size = 4; Int64Value uid = 5; username = 6; pinned = 8 } */
function decodeImage(buf: Uint8Array): CriImage {
  let id = '';
  const repoTags: string[] = [];
  const repoDigests: string[] = [];
  let size = 0;
  let uid: number | undefined;
  let username = '';
  let pinned = false;
  for (const f of readFields(buf)) {
    if (f.field === 1) id = asString(f);
    else if (f.field === 2) repoTags.push(asString(f));
    else if (f.field === 3) repoDigests.push(asString(f));
    else if (f.field === 4) size = asUint53(f);
    else if (f.field === 5) {
      uid = 0; // Int64Value { int64 value = 1 }: present with its default when empty
      for (const v of readFields(asBytes(f))) if (v.field === 1) uid = Number(asInt64(v));
    } else if (f.field === 6) username = asString(f);
    else if (f.field === 8) pinned = asBool(f);
  }
  return { id, repoTags, repoDigests, size, uid, username, pinned };
}

/** ImageStatusResponse { Image image = 1; map<string,string> info = 2 } */
export function decodeImageStatusResponse(buf: Uint8Array): CriImageStatus {
  let image: CriImage | undefined;
  const info: Record<string, string> = {};
  for (const f of readFields(buf)) {
    if (f.field === 1) image = decodeImage(asBytes(f));
    else if (f.field === 2) {
      const [k, v] = asStringMapEntry(f);
      info[k] = v;
    }
  }
  return { image, info };
}

/** RemoveImageResponse {}: nothing to read, but the bytes must still be a well-formed message. */
export function decodeEmptyResponse(buf: Uint8Array): void {
  for (const _ of readFields(buf)) {
    // unknown fields of a newer API are fine
  }
}
