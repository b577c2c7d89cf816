/**
 * Certificates in a diff: a CA file's PEM says nothing to a reader, so each certificate block is shown
 * as one line with its subject, SHA-256 fingerprint and expiry, and the diff is taken over those lines.
 */
import { X509Certificate } from 'node:crypto';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----\r?\n[\s\S]*?-----END CERTIFICATE-----\r?\n?/g;

/** Whether a file's content holds a PEM certificate. */
export function holdsCertificate(text: string | null): boolean {
  return text !== null && text.includes('-----BEGIN CERTIFICATE-----');
}

/** One line for one certificate: subject, fingerprint, expiry (or why it could not be read). */
export function describeCertificate(pem: string): string {
  try {
    const cert = new X509Certificate(pem);
    const subject = cert.subject.split('\n').join(', ');
    const expires = new Date(cert.validTo).toISOString().replace('.000Z', 'Z');
    return `certificate subject="${subject}" sha256=${cert.fingerprint256} expires=${expires}`;
  } catch {
    return 'certificate (unreadable PEM)';
  }
}

/** The text with every PEM certificate block replaced by its one-line description. */
export function summariseCertificates(text: string): string {
  return text.replace(PEM_CERTIFICATE, (block) => `${describeCertificate(block)}\n`);
}
