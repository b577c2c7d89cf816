/**
 * The plays of a run as reports name them: which nodes each selected, and its subjects (each registry,
 * extra insecure registry and mirror). A change or a missing effect is about a subject when it names it.
 */
import { X509Certificate } from 'node:crypto';
import type { Playbook, RegistrySpec } from '../playbook/types.ts';
import { hostName } from '../registry/name.ts';

export interface PlayReport {
  readonly name: string;
  /** The nodes of this run the play selected. */
  readonly hosts: string[];
  /** What the play asks for, one line each: "registry HOST", "insecure registry CIDR", "registry mirror URL". */
  readonly subjects: string[];
  /** Each certificate of each registry's CA file (a bundle holds several while a CA is replaced), with its expiry. */
  readonly cas?: { registry: string; subject: string; expires: string }[];
}

/** The certificates of a registry's CA, each with its subject and expiry (ISO 8601). */
function caCertificates(registry: RegistrySpec): { registry: string; subject: string; expires: string }[] {
  if (registry.ca === undefined || registry.state !== 'present') return [];
  return [...registry.ca.pem.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)].map((m) => {
    const cert = new X509Certificate(m[0]);
    return { registry: registry.host, subject: cert.subject.replaceAll('\n', ', '), expires: new Date(cert.validTo).toISOString().replace('.000Z', 'Z') };
  });
}

/** Each play's report, its hosts taken from `hostsOf` (the play's pattern, limited to this run's nodes). */
export function playReports(playbook: Playbook, hostsOf: (pattern: string) => string[]): PlayReport[] {
  return playbook.plays.map((play) => ({
    name: play.name,
    hosts: hostsOf(play.hosts),
    subjects: [
      ...play.registries.map((registry) => `registry ${registry.host}`),
      ...play.insecureRegistries.map((value) => `insecure registry ${value}`),
      ...play.registryMirrors.map((value) => `registry mirror ${value}`),
    ],
    cas: play.registries.flatMap(caCertificates),
  }));
}

/** What a subject is named by in files and in dockerd's view: a host without port or brackets, a CIDR, a URL. */
function token(subject: string): string {
  const value = subject.slice(subject.lastIndexOf(' ') + 1);
  if (!subject.startsWith('registry ') || subject.startsWith('registry mirror ')) return value.replace(/\/+$/, '');
  return hostName(value);
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The subjects these texts name (a whole word: `reg.io` is not named by `my-reg.io`); all of them when none is. */
export function concerns(subjects: readonly string[], texts: readonly string[]): string[] {
  const named = subjects.filter((subject) => {
    const word = new RegExp(`(^|[^A-Za-z0-9.-])${escape(token(subject))}($|[^A-Za-z0-9.-])`, 'i');
    return texts.some((text) => word.test(text));
  });
  return named.length > 0 ? named : [...subjects];
}
