/**
 * Hand-written checks for playbook values that end up in files and command lines on the nodes
 * (daemon.json, DOCKER_OPTS, /etc/hosts, certs.d paths). Each `check…` returns why the value is
 * refused, or `undefined` when it is fine; the `is…` forms answer yes or no.
 */
import { isIP } from 'node:net';
import type { SerialStep } from './types.ts';

/** Characters a registry host must never contain, with how a message names them. */
export const FORBIDDEN_HOST_CHARACTERS: readonly string[] = ['"', "'", '`', '$', ';', '/', '\\', '%', '&', '|', '<', '>', '(', ')', '{', '}', '*', '?', '!', '#', '=', ',', '@'];

const WHITESPACE = /\s/u;
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const PORT = /^[1-9][0-9]{0,4}$/;
const PREFIX = /^(?:0|[1-9][0-9]{0,2})$/;

/** Why `value` is refused as a whole (shell or path metacharacters), before any grammar check. */
function unsafe(value: string, allowSlash = false): string | undefined {
  if (value === '') return 'is empty';
  if (WHITESPACE.test(value)) return 'contains whitespace';
  const control = [...value].find((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f);
  if (control !== undefined) return 'contains a control character';
  if (value.startsWith('-')) return 'starts with "-"';
  if (value.includes('..')) return 'contains ".."';
  const bad = FORBIDDEN_HOST_CHARACTERS.find((char) => value.includes(char) && !(allowSlash && char === '/'));
  if (bad !== undefined) return `contains the forbidden character ${JSON.stringify(bad)}`;
  return undefined;
}

function checkPort(port: string): string | undefined {
  if (!PORT.test(port) || Number(port) > 65535) return `has port ${JSON.stringify(port)}, expected a number from 1 to 65535`;
  return undefined;
}

/** A DNS name: labels of 1-63 letters, digits and `-` (not first or last), 253 characters at most. */
export function checkDnsName(name: string): string | undefined {
  if (name.length > 253) return `is a name of ${name.length} characters, longer than 253`;
  for (const label of name.split('.')) {
    if (label === '') return 'has an empty label (a leading, trailing or doubled ".")';
    if (label.length > 63) return `has a label of ${label.length} characters, longer than 63`;
    if (!LABEL.test(label)) {
      return `has the label ${JSON.stringify(label)}: a label is letters, digits and "-", and neither starts nor ends with "-"`;
    }
  }
  return undefined;
}

/**
 * A registry as image references write it: a DNS name, an IPv4 address or `[IPv6]`, each with an
 * optional `:port` from 1 to 65535. Upper case is allowed in names; compare with `registryKey` (src/registry/name.ts).
 */
export function checkRegistryHost(value: string): string | undefined {
  const why = unsafe(value);
  if (why !== undefined) return why;
  if (value.includes('://')) return 'is a URL: give the host (and :port) only';
  let host: string;
  let port: string | undefined;
  if (value.startsWith('[')) {
    const match = /^\[([^\]]*)\](?::(.*))?$/.exec(value);
    if (!match) return 'has an unclosed "[": an IPv6 address is written [address] or [address]:port';
    const address = match[1] ?? '';
    if (isIP(address) !== 6) return `has ${JSON.stringify(address)} in brackets, which is not an IPv6 address`;
    port = match[2];
    return port === undefined ? undefined : checkPort(port);
  }
  const colons = value.split(':').length - 1;
  if (colons > 1) return 'looks like a bare IPv6 address: write it in brackets, as [address] or [address]:port';
  if (colons === 1) {
    const at = value.lastIndexOf(':');
    host = value.slice(0, at);
    port = value.slice(at + 1);
    if (host === '') return 'has a port but no host';
    const bad = checkPort(port);
    if (bad !== undefined) return bad;
  } else {
    host = value;
  }
  if (/^[0-9.]+$/.test(host)) return isIP(host) === 4 ? undefined : `has ${JSON.stringify(host)}, which is not a valid IPv4 address`;
  return checkDnsName(host);
}

export function isRegistryHost(value: string): boolean {
  return checkRegistryHost(value) === undefined;
}

/** An IPv4 or IPv6 address, as `ip:` pins it in /etc/hosts (no zone id). */
export function checkIpAddress(value: string): string | undefined {
  if (value.includes('%')) return 'has a zone id ("%…"): give the address only';
  if (WHITESPACE.test(value)) return 'contains whitespace';
  return isIP(value) === 0 ? 'is not an IPv4 or IPv6 address' : undefined;
}

export function isIpAddress(value: string): boolean {
  return checkIpAddress(value) === undefined;
}

/** A CIDR block: `a.b.c.d/0-32` or `x::/0-128`. */
export function checkCidr(value: string): string | undefined {
  const why = unsafe(value, true);
  if (why !== undefined) return why;
  const slash = value.indexOf('/');
  if (slash < 0 || slash !== value.lastIndexOf('/')) return 'is not a CIDR block (address/prefix)';
  const address = value.slice(0, slash);
  const prefix = value.slice(slash + 1);
  const family = isIP(address);
  if (family === 0) return `has ${JSON.stringify(address)}, which is not an IPv4 or IPv6 address`;
  const max = family === 4 ? 32 : 128;
  if (!PREFIX.test(prefix) || Number(prefix) > max) return `has prefix length ${JSON.stringify(prefix)}, expected 0 to ${max}`;
  return undefined;
}

export function isCidr(value: string): boolean {
  return checkCidr(value) === undefined;
}

/** An `insecure_registries` entry: a registry host (as `checkRegistryHost`) or a CIDR block. */
export function checkInsecureRegistry(value: string): string | undefined {
  if (value.includes('://')) return 'is a URL: give a host, host:port or CIDR block';
  if (value.includes('/') && !value.includes('..')) {
    const why = checkCidr(value);
    return why === undefined ? undefined : `is neither a registry host nor a CIDR block: it ${why}`;
  }
  const why = checkRegistryHost(value);
  return why === undefined ? undefined : `is neither a registry host nor a CIDR block: it ${why}`;
}

export function isInsecureRegistry(value: string): boolean {
  return checkInsecureRegistry(value) === undefined;
}

/**
 * A `registry_mirrors` entry as dockerd accepts it (else dockerd refuses to start): an absolute
 * http or https URL, no credentials, query or fragment, nothing a shell or systemd would interpret.
 */
export function checkMirrorUrl(value: string): string | undefined {
  if (value === '') return 'is empty';
  if (WHITESPACE.test(value)) return 'contains whitespace';
  const bad = ['"', "'", '`', '\\', '$', ';', '%'].find((char) => value.includes(char));
  if (bad !== undefined) return `contains the forbidden character ${JSON.stringify(bad)}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not an absolute URL (expected http://… or https://…)';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `has scheme ${JSON.stringify(url.protocol.slice(0, -1))}, expected http or https`;
  if (url.username !== '' || url.password !== '' || /^[a-z]+:\/\/[^/]*@/i.test(value)) return 'holds credentials (user:password@): dockerd refuses them';
  if (url.search !== '' || url.hash !== '' || value.includes('?') || value.includes('#')) return 'has a query or fragment: dockerd refuses them';
  if (url.hostname === '') return 'has no host';
  return undefined;
}

export function isMirrorUrl(value: string): boolean {
  return checkMirrorUrl(value) === undefined;
}


function checkSerialStep(value: unknown): string | undefined {
  if (typeof value === 'number') {
    return Number.isInteger(value) && value > 0 ? undefined : 'must be a positive whole number or a percentage like "25%"';
  }
  if (typeof value === 'string') {
    const match = /^([0-9]+(?:\.[0-9]+)?)%$/.exec(value);
    if (match && Number(match[1]) > 0 && Number(match[1]) <= 100) return undefined;
    return 'must be a positive whole number or a percentage from above 0% to 100%, like "25%"';
  }
  return 'must be a positive whole number, a percentage like "25%", or a list of those';
}

/**
 * `serial`: a step or a non-empty list of steps. Returns the steps (a single step as a one-item
 * list), or where and why the value is refused (`index` is the list position, if any).
 */
export function parseSerial(value: unknown): { steps: SerialStep[] } | { index: number | undefined; reason: string } {
  if (Array.isArray(value)) {
    if (value.length === 0) return { index: undefined, reason: 'is an empty list: give at least one batch size' };
    for (const [index, step] of value.entries()) {
      const reason = checkSerialStep(step);
      if (reason !== undefined) return { index, reason };
    }
    return { steps: value as SerialStep[] };
  }
  const reason = checkSerialStep(value);
  return reason === undefined ? { steps: [value as SerialStep] } : { index: undefined, reason };
}

/** `max_fail_percentage`: a number from 0 to 100. */
/** The bounds of a play's `start_timeout` (seconds): long enough for a slow start, short enough to roll back in time. */
export const START_TIMEOUT_S = { min: 5, max: 900 } as const;

export function checkStartTimeout(value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < START_TIMEOUT_S.min || value > START_TIMEOUT_S.max) {
    return `must be a whole number of seconds from ${START_TIMEOUT_S.min} to ${START_TIMEOUT_S.max}`;
  }
  return undefined;
}

export function checkMaxFailPercentage(value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 100) return 'must be a number from 0 to 100';
  return undefined;
}

/** An image reference to pull: `host[:port]/path[:tag|@digest]`, nothing a shell or docker would read as more. */
export function checkImageReference(value: string): string | undefined {
  if (value.startsWith('-')) return 'must not start with "-"';
  if (!/^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/.test(value) || value.includes('..') || value.includes('//')) {
    return 'is not an image reference (host/path:tag)';
  }
  return undefined;
}

/** The name of an environment variable (where a credential is read from, at run time). */
export function checkEnvName(value: string): string | undefined {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(value) ? undefined : 'is not an environment variable name';
}
