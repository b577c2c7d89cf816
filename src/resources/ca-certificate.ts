/**
 * A registry's CA as dockhand installs it: PEM certificates (DER converted), LF line ends, a final
 * newline, one certificate per block; refused when it is not a CA certificate.
 */
import { X509Certificate } from 'node:crypto';

export interface CaBundle {
  /** Normalised PEM of every certificate, in order. */
  readonly certificates: readonly string[];
  /** The whole bundle, normalised. */
  readonly pem: string;
  /** Certificates that expire within 30 days, for a warning. */
  readonly expiringSoon: readonly { subject: string; validTo: string }[];
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
const SOON_MS = 30 * 24 * 3600 * 1000;

/** Parse a CA file's bytes; throws an Error whose message says what is wrong (the caller names the file). */
export function parseCaBundle(bytes: Uint8Array, now: Date = new Date()): CaBundle {
  const text = Buffer.from(bytes).toString('latin1');
  const blocks = [...text.matchAll(PEM_BLOCK)];
  let pems: string[];
  if (blocks.length === 0) {
    if (bytes.length === 0 || text.trim() === '') throw new Error('the file is empty');
    try {
      pems = [new X509Certificate(Buffer.from(bytes)).toString()];
    } catch {
      throw new Error('neither PEM nor DER: no certificate found');
    }
  } else {
    const kinds = blocks.map((block) => block[1]!);
    if (kinds.some((kind) => kind.includes('PRIVATE KEY'))) throw new Error('it holds a private key: give the CA certificate only');
    const others = kinds.filter((kind) => kind !== 'CERTIFICATE' && kind !== 'TRUSTED CERTIFICATE');
    if (others.length > 0) throw new Error(`it holds a ${others[0]} block, not a certificate`);
    pems = blocks.map((block) => block[0]);
  }

  const certificates: string[] = [];
  const expiringSoon: { subject: string; validTo: string }[] = [];
  pems.forEach((pem, index) => {
    const where = pems.length > 1 ? `certificate ${index + 1}: ` : '';
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(pem.replace(/\r\n?/g, '\n'));
    } catch (error) {
      throw new Error(`${where}not a valid certificate (${(error as Error).message})`);
    }
    const subject = cert.subject.replaceAll('\n', ', ');
    if (!cert.ca) throw new Error(`${where}"${subject}" is not a CA certificate (basicConstraints CA:TRUE missing): give the CA that signed the registry's certificate`);
    const validTo = new Date(cert.validTo);
    if (validTo.getTime() < now.getTime()) throw new Error(`${where}"${subject}" expired on ${validTo.toISOString().slice(0, 10)}`);
    if (validTo.getTime() - now.getTime() < SOON_MS) expiringSoon.push({ subject, validTo: validTo.toISOString().slice(0, 10) });
    certificates.push(cert.toString().replace(/\r\n?/g, '\n').trimEnd() + '\n');
  });
  return { certificates, pem: certificates.join(''), expiringSoon };
}
