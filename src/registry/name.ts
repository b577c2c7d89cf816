/**
 * A registry's name, in one place: how a registry host (`harbor.local:5000`, `[fd00::1]:5000`), the name
 * /etc/hosts pins for it, a mirror URL and an insecure-registry entry (a host or a CIDR block) are compared.
 * Every editor, planner, playbook check and report compares through these keys, and the values a
 * transaction hands the node are written in the same canonical form, so that two spellings of one value
 * (`Harbor.lab`, `harbor.lab`; `https://Mirror.Example.com/`, `https://mirror.example.com`) are one value
 * everywhere.
 */
import { canonicalCidr } from './cidr.ts';

export { canonicalCidr } from './cidr.ts';

/** How registry hosts compare: DNS names are case-insensitive; the port is part of the registry. */
export function registryKey(host: string): string {
  return host.trim().toLowerCase();
}

/** The name part of a registry host, without port or brackets (`harbor.local:5000` -> `harbor.local`, `[fd00::1]:5000` -> `fd00::1`). */
export function hostName(host: string): string {
  const value = host.trim();
  if (value.startsWith('[')) {
    const close = value.indexOf(']');
    return close < 0 ? value.slice(1) : value.slice(1, close);
  }
  const colons = value.split(':').length - 1;
  // a bare IPv6 address has no port
  if (colons !== 1) return value;
  return value.slice(0, value.lastIndexOf(':'));
}

/** The port a registry host names, or undefined (the scheme's default). */
export function hostPort(host: string): number | undefined {
  const value = host.trim();
  const match = value.startsWith('[') ? /\]:(\d+)$/.exec(value) : /^[^:]+:(\d+)$/.exec(value);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** The name /etc/hosts pins for a registry host: without its port, lower case. */
export function pinnedName(host: string): string {
  return hostName(host).toLowerCase();
}

/**
 * How mirror URLs compare, as dockerd normalises them: scheme and host case-insensitive, the scheme's
 * default port and trailing slashes dropped; the path keeps its case.
 */
export function mirrorKey(url: string): string {
  const value = url.trim();
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    return value.replace(/\/+$/, '').toLowerCase();
  }
  const path = parsed.pathname.replace(/\/+$/, '');
  return `${parsed.protocol}//${parsed.host}${path}`;
}

/** Whether an `insecure_registries` entry is a CIDR block rather than a host. */
function looksLikeCidr(value: string): boolean {
  return value.includes('/');
}

/** How insecure-registry entries compare: a CIDR block by its network (as dockerd keeps it), a host by its key. */
export function insecureKey(value: string): string {
  const trimmed = value.trim();
  if (!looksLikeCidr(trimmed)) return registryKey(trimmed);
  try {
    return canonicalCidr(trimmed);
  } catch {
    return trimmed.toLowerCase();
  }
}

export const sameRegistry = (a: string, b: string): boolean => registryKey(a) === registryKey(b);
export const sameMirror = (a: string, b: string): boolean => mirrorKey(a) === mirrorKey(b);
export const sameInsecure = (a: string, b: string): boolean => insecureKey(a) === insecureKey(b);

/** The values of `list`, each once by `key` (the first spelling kept), in order. */
export function uniqueBy(list: readonly string[], key: (value: string) => string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const value of list) {
    const k = key(value);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(value);
  }
  return out;
}
