/**
 * The registry's CA, found rather than asked for: the one Harbor serves, else the root of the chain the
 * server sends, else a self-signed certificate that is its own CA. A candidate counts only once a TLS
 * handshake that trusts it alone accepts the server's chain for the registry's name.
 */
import { X509Certificate } from 'node:crypto';
import { parseCaBundle } from '../resources/ca-certificate.ts';
import { certificateFacts, isSelfSigned, type CertificateFacts } from './certificates.ts';
import { describeVerifyCode, verifyCodeKind } from './connection-error.ts';
import { handshake, type Endpoint } from './endpoint.ts';

export type CaSource = 'harbor' | 'chain-root' | 'self-signed' | 'file';

/** Whether a CA makes a client accept the server's chain for its name, and if not, what failed. */
export type ChainCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly kind: 'untrusted' | 'expired' | 'name' | 'other'; readonly code: string; readonly reason: string };

export interface CaCandidate {
  readonly source: CaSource;
  /** Where it came from, in words. */
  readonly where: string;
  /** The certificates, normalised PEM (empty when they could not be read as a CA). */
  readonly pem: string;
  readonly certificates: readonly CertificateFacts[];
  /** Why it cannot be a registry's CA (not CA:TRUE, expired, not a certificate), if so. */
  readonly unusable: string | undefined;
  readonly check: ChainCheck | undefined;
}

/** A TLS handshake with `caPem` as the only trusted CA. */
export async function checkChain(endpoint: Endpoint, caPem: string, timeoutMs: number): Promise<ChainCheck> {
  const result = await handshake(endpoint, [caPem], timeoutMs);
  if (result.authorized) return { ok: true };
  const code = result.authorizationError ?? 'unknown';
  const kind = verifyCodeKind(code);
  return {
    ok: false,
    kind: kind === 'tls-expired' ? 'expired' : kind === 'tls-name' ? 'name' : kind === 'tls-untrusted' ? 'untrusted' : 'other',
    code,
    reason: describeVerifyCode(code),
  };
}

/** A candidate from PEM or DER bytes, checked as a CA (parseCaBundle) but not yet against the server. */
export function candidateFrom(source: CaSource, where: string, bytes: Uint8Array, now: Date): Omit<CaCandidate, 'check'> {
  try {
    const bundle = parseCaBundle(bytes, now);
    return { source, where, pem: bundle.pem, certificates: bundle.certificates.map((pem) => certificateFacts(new X509Certificate(pem), now)), unusable: undefined };
  } catch (error) {
    return { source, where, pem: '', certificates: [], unusable: (error as Error).message };
  }
}

/** What the chain itself offers as its CA: its self-signed root, or a self-signed leaf. */
export function chainCandidate(chain: readonly X509Certificate[], now: Date): Omit<CaCandidate, 'check'> | undefined {
  const last = chain.at(-1);
  if (last === undefined || !isSelfSigned(last)) return undefined;
  const pem = Buffer.from(last.toString());
  return chain.length === 1
    ? candidateFrom('self-signed', 'the server\'s own certificate (self-signed)', pem, now)
    : candidateFrom('chain-root', 'the root of the chain the server sends', pem, now);
}

/** Each candidate checked against the server (those that are no CA at all are not tried). */
export async function checkCandidates(endpoint: Endpoint, candidates: readonly Omit<CaCandidate, 'check'>[], timeoutMs: number): Promise<CaCandidate[]> {
  return Promise.all(candidates.map(async (candidate) => ({
    ...candidate,
    check: candidate.unusable === undefined ? await checkChain(endpoint, candidate.pem, timeoutMs).catch((error: unknown) => ({ ok: false as const, kind: 'other' as const, code: 'handshake', reason: (error as Error).message })) : undefined,
  })));
}
