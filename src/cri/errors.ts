import { ConnectError } from '@connectrpc/connect';
import { DockhandError } from '../errors.ts';
import type { ConnectionState } from './connection.ts';

/** gRPC status codes (grpc/grpc doc/statuscodes.md), by number. */
const GRPC_STATUS_NAMES: readonly string[] = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS',
  'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED',
  'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED',
];

const DEADLINE_EXCEEDED = 4;

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

/** How the call went when it failed, beyond the error itself. */
export interface CallContext extends ConnectionState {
  readonly method: string;
  readonly target: string | undefined;
  readonly timeoutMs: number;
}

/**
 * A failed call as a CriError: the runtime's status when it sent one (connect marks those as wire
 * errors); otherwise a timeout, a connection that could not be opened or was lost, or an answer that
 * was not a well-formed gRPC reply (in connect's words).
 */
export function criErrorFrom(err: unknown, call: CallContext): CriError {
  const where = call.target === undefined ? {} : { target: call.target };
  const fail = (code: 'E_REMOTE' | 'E_CONNECT' | 'E_TIMEOUT', reason: string): CriError =>
    new CriError(code, call.method, { reason, ...where }, { cause: err });
  if (err instanceof ConnectError && err.isWireError) {
    const code = err.code === DEADLINE_EXCEEDED ? 'E_TIMEOUT' : 'E_REMOTE';
    return new CriError(code, call.method, { grpcCode: err.code, grpcMessage: err.rawMessage, ...where }, { cause: err });
  }
  if (call.openFailure !== undefined) return fail('E_CONNECT', `cannot connect: ${errorText(call.openFailure)}`);
  if (err instanceof ConnectError && err.code === DEADLINE_EXCEEDED) {
    return fail('E_TIMEOUT', `no answer within ${call.timeoutMs} ms${call.opening ? ' while connecting' : ''}`);
  }
  const text = err instanceof ConnectError ? err.rawMessage : errorText(err);
  if (call.lost) return fail('E_CONNECT', `connection lost: ${text}`);
  return fail('E_REMOTE', text);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
