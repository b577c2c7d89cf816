/**
 * Certificates as a registry's TLS chain shows them, and SHA-256 fingerprints as people pass them around
 * (`openssl x509 -fingerprint -sha256` prints `sha256 Fingerprint=51:D0:...`; colons and case optional).
 */
import type { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { InputError } from '../errors.ts';

export interface CertificateFacts {
  readonly subject: string;
  readonly issuer: string;
  /** As openssl prints it: upper-case hex pairs joined by colons. */
  readonly sha256: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly expired: boolean;
  readonly ca: boolean;
  readonly selfSigned: boolean;
  /** Its subjectAltName entries (DNS:..., IP Address:...). */
  readonly names: readonly string[];
}

const oneLine = (name: string): string => name.split('\n').join(', ');
const iso = (date: string): string => new Date(date).toISOString().replace('.000Z', 'Z');

/** Whether a certificate signed itself (its own issuer, its own key). */
export function isSelfSigned(cert: X509Certificate): boolean {
  return cert.checkIssued(cert) && cert.verify(cert.publicKey);
}

export function certificateFacts(cert: X509Certificate, now: Date = new Date()): CertificateFacts {
  return {
    subject: oneLine(cert.subject),
    issuer: oneLine(cert.issuer),
    sha256: cert.fingerprint256,
    notBefore: iso(cert.validFrom),
    notAfter: iso(cert.validTo),
    expired: new Date(cert.validTo).getTime() < now.getTime() || new Date(cert.validFrom).getTime() > now.getTime(),
    ca: cert.ca,
    selfSigned: isSelfSigned(cert),
    names: (cert.subjectAltName ?? '').split(/,\s*/).filter((n) => n !== ''),
  };
}

/** Whether the certificate is for `name` (a DNS name, or an IP address in its IP entries). */
export function certificateHolds(cert: X509Certificate, name: string): boolean {
  return isIP(name) === 0 ? cert.checkHost(name) !== undefined : cert.checkIP(name) !== undefined;
}

/** A fingerprint as 64 upper-case hex digits, from any of the ways it is written. */
export function readFingerprint(value: string, option = '--ca-fingerprint'): string {
  const hex = value.trim().replace(/^(?:sha-?256\s+)?fingerprint\s*=\s*/i, '').replace(/^sha-?256[:=]\s*/i, '').replace(/[:\s]/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) {
    throw new InputError('E_USAGE', option, undefined, `"${value}" is not a SHA-256 fingerprint: 64 hex digits, colons optional (as openssl x509 -noout -fingerprint -sha256 prints it)`);
  }
  return hex;
}

/** The fingerprint as openssl prints it, from 64 hex digits (or one already in that form). */
export function formatFingerprint(hex: string): string {
  return hex.replace(/:/g, '').toUpperCase().match(/../g)?.join(':') ?? hex;
}

/** Whether a certificate's SHA-256 fingerprint is the one given (64 hex digits, see readFingerprint). */
export function fingerprintMatches(cert: Pick<CertificateFacts, 'sha256'>, hex: string): boolean {
  return cert.sha256.replace(/:/g, '').toUpperCase() === hex;
}
