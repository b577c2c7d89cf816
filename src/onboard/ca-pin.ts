/**
 * Deciding which CA a registry's entry pins, never silently: the CA found (Harbor's, the chain's root, a
 * self-signed certificate) is taken only when `--ca-fingerprint` matches it or a person at the terminal
 * says yes after seeing it; a CA file given with `--ca` is taken as given. Either way the CA must make a
 * TLS client accept the server's chain for the registry's name. Every refusal says what to do.
 */
import { RegistryError } from '../errors.ts';
import { describeCertificate } from '../report/certificate-summary.ts';
import { isYes, type Ask } from './ask.ts';
import type { CaCandidate } from './ca-discovery.ts';
import { fingerprintMatches, formatFingerprint, type CertificateFacts } from './certificates.ts';
import type { ProbeReport, TlsReport } from './probe.ts';

export type CaChoice =
  /** This machine's trust store already accepts the registry: no `ca:` (nodes with the same CAs need none). */
  | { readonly kind: 'system' }
  | { readonly kind: 'pinned'; readonly candidate: CaCandidate; readonly how: 'fingerprint' | 'file' | 'terminal' };

export interface CaRequest {
  /** `--ca-fingerprint`: 64 hex digits. */
  readonly fingerprint?: string | undefined;
  /** `--ca FILE` was given: its candidate is among the report's (source `file`). */
  readonly file?: boolean | undefined;
  readonly ask: Ask;
}

const NOTHING = 'nothing written';

/** A CA in a line: subject, fingerprint, expiry (as diffs show certificates). */
export function describeCa(candidate: Pick<CaCandidate, 'pem' | 'certificates'>): string {
  const blocks = candidate.pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n?/g) ?? [];
  return blocks.map((pem) => describeCertificate(pem)).join('; ');
}

function fingerprints(certificates: readonly CertificateFacts[]): string {
  return certificates.map((c) => c.sha256).join(', ');
}

/** Why a candidate that does not make the chain trusted is refused. */
function candidateRefusal(candidate: CaCandidate, name: string, leaf: CertificateFacts | undefined): RegistryError {
  const ca = `the CA "${candidate.certificates[0]?.subject ?? '?'}" (sha256 ${fingerprints(candidate.certificates)}) from ${candidate.where}`;
  if (candidate.unusable !== undefined) return new RegistryError(`${candidate.where}: ${candidate.unusable}; ${NOTHING}`);
  const check = candidate.check;
  if (check !== undefined && !check.ok && check.kind === 'untrusted') {
    return new RegistryError(`${ca} does not sign ${name}'s certificate (issued by "${leaf?.issuer ?? '?'}"): give the CA that issued it; ${NOTHING}`);
  }
  return new RegistryError(`${ca} does not make ${name}'s certificate trusted (${check !== undefined && !check.ok ? check.reason : 'not checked'}); ${NOTHING}`);
}

/** Picks the CA to pin for an https registry (the report of its probe), or refuses. */
export async function chooseCa(report: ProbeReport, tls: TlsReport, request: CaRequest): Promise<CaChoice> {
  const candidates = report.ca?.candidates ?? [];
  const leaf = tls.chain[0];
  if (request.file === true) {
    const given = candidates.find((c) => c.source === 'file')!;
    if (given.check?.ok !== true) throw candidateRefusal(given, report.name, leaf);
    return { kind: 'pinned', candidate: given, how: 'file' };
  }
  if (request.fingerprint !== undefined) {
    const wanted = request.fingerprint;
    const match = candidates.find((c) => c.certificates.some((cert) => fingerprintMatches(cert, wanted)));
    if (match === undefined) {
      const own = tls.chain.find((cert) => fingerprintMatches(cert, wanted) && !cert.ca);
      if (own !== undefined) {
        throw new RegistryError(`${formatFingerprint(wanted)} is the fingerprint of the server's own certificate "${own.subject}", not of a CA: give the fingerprint of the CA that issued it; ${NOTHING}`);
      }
      const offered = candidates.filter((c) => c.unusable === undefined).map((c) => `${c.where}: ${describeCa(c)}`);
      throw new RegistryError(
        `no CA ${report.name} offers has the SHA-256 fingerprint ${formatFingerprint(wanted)}${offered.length > 0 ? ` (it offers ${offered.join('; ')})` : ' (it offers none)'}: check the fingerprint with the registry's administrator (openssl x509 -noout -fingerprint -sha256 -in ca.crt), or give the CA file with --ca FILE; ${NOTHING}`,
      );
    }
    if (match.check?.ok !== true) throw candidateRefusal(match, report.name, leaf);
    return { kind: 'pinned', candidate: match, how: 'fingerprint' };
  }
  if (tls.trustedHere) return { kind: 'system' };
  const found = report.ca?.chosen === undefined ? undefined : candidates[report.ca.chosen];
  if (found === undefined) {
    const refused = candidates.find((c) => c.unusable === undefined);
    if (refused !== undefined) throw candidateRefusal(refused, report.name, leaf);
    throw new RegistryError(
      `${report.name}'s certificate is not trusted here (${tls.trustProblem ?? 'untrusted'}) and the registry offers no CA (no Harbor CA endpoint, no root in the chain it sends): give the CA file with --ca FILE; ${NOTHING}`,
    );
  }
  const shown = `${found.where}: ${describeCa(found)}`;
  const answer = await request.ask(`The registry ${report.name} offers this CA, which signs its certificate:\n  ${shown}\nTrust it for ${report.name} on every node? [y/N] `);
  if (answer === undefined) {
    throw new RegistryError(
      `found ${report.name}'s CA (${shown}); compare its fingerprint with one you trust (the registry's administrator, Harbor's "Registry Certificate" download), then run again with --ca-fingerprint ${found.certificates[0]?.sha256 ?? ''}; ${NOTHING}`,
    );
  }
  if (!isYes(answer)) throw new RegistryError(`the CA was not trusted; ${NOTHING}`);
  return { kind: 'pinned', candidate: found, how: 'terminal' };
}
