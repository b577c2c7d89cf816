/** connect's errors as CriErrors: the runtime's gRPC status when it sent one, otherwise what went wrong. */
import { Code, ConnectError } from '@connectrpc/connect';
import type { ConnectionState } from './connection.ts';
import { CriError } from './errors.ts';

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
    const code = err.code === Code.DeadlineExceeded ? 'E_TIMEOUT' : 'E_REMOTE';
    return new CriError(code, call.method, { grpcCode: err.code, grpcMessage: err.rawMessage, ...where }, { cause: err });
  }
  if (call.openFailure !== undefined) return fail('E_CONNECT', `cannot connect: ${errorText(call.openFailure)}`);
  if (err instanceof ConnectError && err.code === Code.DeadlineExceeded) {
    return fail('E_TIMEOUT', `no answer within ${call.timeoutMs} ms${call.opening ? ' while connecting' : ''}`);
  }
  const text = err instanceof ConnectError ? err.rawMessage : errorText(err);
  if (call.lost) return fail('E_CONNECT', `connection lost: ${text}`);
  return fail('E_REMOTE', text);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
