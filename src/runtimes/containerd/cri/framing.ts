/**
 * gRPC over HTTP/2 (grpc/grpc doc/PROTOCOL-HTTP2.md): each message is a 5-byte prefix (compressed flag,
 * big-endian length) and the bytes; the call's outcome is the `grpc-status` / `grpc-message` trailer pair.
 */

/** The largest response accepted (containerd's own default send limit is 16 MiB). */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

export class FramingError extends Error {
  constructor(message: string) {
    super(`gRPC framing: ${message}`);
    this.name = 'FramingError';
  }
}

/** One uncompressed length-prefixed message. */
export function encodeFrame(message: Uint8Array): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt8(0, 0);
  head.writeUInt32BE(message.length, 1);
  return Buffer.concat([head, message]);
}

/** Collects DATA chunks as they arrive (split anywhere) and yields whole messages. */
export class FrameDecoder {
  #pending: Buffer = Buffer.alloc(0);
  readonly #maxBytes: number;

  constructor(maxBytes = MAX_MESSAGE_BYTES) {
    this.#maxBytes = maxBytes;
  }

  /** Adds a chunk; returns the messages it completed. */
  push(chunk: Uint8Array): Buffer[] {
    this.#pending = this.#pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.#pending, chunk]);
    const out: Buffer[] = [];
    while (this.#pending.length >= 5) {
      const flag = this.#pending.readUInt8(0);
      const length = this.#pending.readUInt32BE(1);
      if (flag !== 0) throw new FramingError(`compressed message (flag ${flag}) but no compression was negotiated`);
      if (length > this.#maxBytes) throw new FramingError(`message of ${length} bytes exceeds the limit of ${this.#maxBytes}`);
      if (this.#pending.length < 5 + length) break;
      out.push(this.#pending.subarray(5, 5 + length));
      this.#pending = this.#pending.subarray(5 + length);
    }
    return out;
  }

  /** Bytes of an unfinished message left at the end of the stream. */
  get leftover(): number {
    return this.#pending.length;
  }
}

/** gRPC status codes (grpc/grpc doc/statuscodes.md). */
export const GRPC_STATUS_NAMES: readonly string[] = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS',
  'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED',
  'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED',
];

export const GrpcStatus = { OK: 0, DEADLINE_EXCEEDED: 4, UNIMPLEMENTED: 12, UNAVAILABLE: 14 } as const;

export function grpcStatusName(code: number): string {
  return GRPC_STATUS_NAMES[code] ?? `STATUS_${code}`;
}

/** `grpc-message` is percent-encoded UTF-8; a malformed escape is kept as written. */
export function decodeGrpcMessage(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw.replace(/%([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  }
}

/** The `grpc-timeout` header for a deadline in milliseconds (at most 8 digits). */
export function grpcTimeoutHeader(ms: number): string {
  const whole = Math.max(1, Math.ceil(ms));
  return whole < 1e8 ? `${whole}m` : `${Math.ceil(whole / 1000)}S`;
}

/** A call's outcome from its trailers (or from the headers of a Trailers-Only response). */
export interface GrpcOutcome {
  readonly code: number;
  readonly message: string;
}

/** Reads `grpc-status` / `grpc-message` from a header block; undefined when there is no status in it. */
export function outcomeFrom(headers: Readonly<Record<string, string | string[] | number | undefined>>): GrpcOutcome | undefined {
  const status = headers['grpc-status'];
  if (status === undefined) return undefined;
  const code = Number(Array.isArray(status) ? status[0] : status);
  const rawMessage = headers['grpc-message'];
  const message = rawMessage === undefined ? '' : decodeGrpcMessage(String(Array.isArray(rawMessage) ? rawMessage[0] : rawMessage));
  return { code: Number.isInteger(code) ? code : GRPC_STATUS_NAMES.indexOf('UNKNOWN'), message };
}
