import { DockhandError } from '../errors.ts';

/** gRPC status codes (grpc/grpc doc/statuscodes.md), by number. */
const GRPC_STATUS_NAMES: readonly string[] = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS',
  'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED',
  'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED',
];

export function grpcStatusName(code: number): string {
  return GRPC_STATUS_NAMES[code] ?? `STATUS_${code}`;
}

/**
 * A CRI call that did not succeed. `grpcCode` is the runtime's gRPC status when it answered
 * (12 UNIMPLEMENTED with "unknown service runtime.v1.ImageService" when containerd's CRI plugin did
 * not load); undefined when the call never got an answer (no socket, a broken stream, a timeout).
 */
export class CriError extends DockhandError {
  readonly method: string;
  readonly grpcCode: number | undefined;
  /** the runtime's own words (grpc-message), without the method and code around them */
  readonly grpcMessage: string;

  constructor(
    code: 'E_REMOTE' | 'E_CONNECT' | 'E_TIMEOUT',
    method: string,
    detail: { grpcCode?: number; grpcMessage?: string; reason?: string; target?: string },
    options?: { cause?: unknown },
  ) {
    const where = detail.target ? `${detail.target}: ` : '';
    const what = detail.grpcCode === undefined
      ? (detail.reason ?? 'failed')
      : `${grpcStatusName(detail.grpcCode)} (grpc-status ${detail.grpcCode})${detail.grpcMessage ? `: ${detail.grpcMessage}` : ''}`;
    super(code, `${where}CRI ${method}: ${what}`, options);
    this.name = 'CriError';
    this.method = method;
    this.grpcCode = detail.grpcCode;
    this.grpcMessage = detail.grpcMessage ?? '';
  }
}
