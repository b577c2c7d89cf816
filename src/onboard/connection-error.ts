/**
 * What stopped a connection to a registry, by kind, in words a person can act on. Node's error codes are
 * read once, here.
 */
export type ConnectionFailureKind =
  | 'not-resolved'
  | 'refused'
  | 'unreachable'
  | 'timeout'
  | 'reset'
  | 'not-tls'
  | 'tls-untrusted'
  | 'tls-name'
  | 'tls-expired'
  | 'tls-handshake'
  | 'other';

export class ConnectionFailure extends Error {
  readonly kind: ConnectionFailureKind;
  /** Node's or OpenSSL's code (ECONNREFUSED, CERT_HAS_EXPIRED, ...). */
  readonly errorCode: string | undefined;

  constructor(kind: ConnectionFailureKind, message: string, errorCode?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConnectionFailure';
    this.kind = kind;
    this.errorCode = errorCode;
  }
}

/** The OpenSSL verification codes that mean "no trusted CA signs this chain". */
const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'INVALID_CA',
]);
const EXPIRED = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);
/** OpenSSL's way of saying the other side did not answer in TLS (it sent plain HTTP back). */
const NOT_TLS = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_HTTP_REQUEST', 'ERR_SSL_UNKNOWN_PROTOCOL']);

/** A TLS verification code (as tls.TLSSocket.authorizationError gives it) in words. */
export function describeVerifyCode(code: string): string {
  if (EXPIRED.has(code)) return code === 'CERT_HAS_EXPIRED' ? 'the certificate has expired' : 'the certificate is not valid yet';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return 'the certificate is not for this name';
  if (code === 'DEPTH_ZERO_SELF_SIGNED_CERT') return 'the certificate is self-signed and not trusted';
  if (code === 'SELF_SIGNED_CERT_IN_CHAIN') return 'the chain ends in a CA that is not trusted';
  if (UNTRUSTED.has(code)) return 'no trusted CA signs the certificate';
  return code;
}

/** The kind of a TLS verification code. */
export function verifyCodeKind(code: string): ConnectionFailureKind {
  if (EXPIRED.has(code)) return 'tls-expired';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return 'tls-name';
  if (UNTRUSTED.has(code)) return 'tls-untrusted';
  return 'tls-handshake';
}

/** A connection error as a ConnectionFailure; `where` names what was connected to (host:port). */
export function connectionFailure(error: unknown, where: string): ConnectionFailure {
  if (error instanceof ConnectionFailure) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const message = (error as Error).message;
  const fail = (kind: ConnectionFailureKind, text: string) => new ConnectionFailure(kind, text, code, { cause: error });
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NODATA':
    case 'EAI_NONAME':
      return fail('not-resolved', `${where}: the name does not resolve from this machine`);
    case 'ECONNREFUSED':
      return fail('refused', `${where}: nothing listens there (connection refused)`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
      return fail('unreachable', `${where}: no route to it (${code})`);
    case 'ETIMEDOUT':
      return fail('timeout', `${where}: no answer in time`);
    case 'ECONNRESET':
    case 'EPIPE':
      return fail('reset', `${where}: the connection was closed by the other side`);
    default:
      break;
  }
  if (code !== undefined && NOT_TLS.has(code)) return fail('not-tls', `${where}: the other side does not speak TLS there (it answered in plain text)`);
  if (code !== undefined && (UNTRUSTED.has(code) || EXPIRED.has(code) || code === 'ERR_TLS_CERT_ALTNAME_INVALID')) {
    return fail(verifyCodeKind(code), `${where}: ${describeVerifyCode(code)}`);
  }
  if (/before secure TLS connection was established/.test(message)) return fail('reset', `${where}: the connection closed during the TLS handshake`);
  if (code?.startsWith('ERR_SSL_') === true) return fail('tls-handshake', `${where}: the TLS handshake failed (${message})`);
  return fail('other', `${where}: ${message}`);
}
