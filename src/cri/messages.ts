/**
 * What dockhand reads from the CRI's answers, as plain objects: the generated messages (gen/, from
 * proto/runtime/v1/api.proto) carry their type name and unknown fields, and 64-bit integers as bigint.
 */
import type { Image, ImageStatusResponse, StatusResponse, VersionResponse } from './gen/runtime/v1/api_pb.ts';

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

export function criVersion(m: VersionResponse): CriVersion {
  return { version: m.version, runtimeName: m.runtimeName, runtimeVersion: m.runtimeVersion, runtimeApiVersion: m.runtimeApiVersion };
}

export function criStatus(m: StatusResponse): CriStatus {
  const conditions = (m.status?.conditions ?? []).map((c) => ({ type: c.type, status: c.status, reason: c.reason, message: c.message }));
  return { conditions, info: { ...m.info } };
}

function criImage(m: Image): CriImage {
  return {
    id: m.id,
    repoTags: [...m.repoTags],
    repoDigests: [...m.repoDigests],
    size: Number(m.size), // exact below 2^53 bytes
    uid: m.uid === undefined ? undefined : Number(m.uid.value),
    username: m.username,
    pinned: m.pinned,
  };
}

export function criImageStatus(m: ImageStatusResponse): CriImageStatus {
  return { image: m.image === undefined ? undefined : criImage(m.image), info: { ...m.info } };
}
