/**
 * Proxies as Go programs read them from their environment (dockerd, containerd, k3s, kubelet): the rules of
 * golang.org/x/net/http/httpproxy (http/httpproxy/proxy.go: FromEnvironment, config.init, useProxy,
 * canonicalAddr), which net/http's ProxyFromEnvironment uses. Written down here, in one place, because a
 * registry that NO_PROXY does not cover goes to the proxy, and that is the most common reason a node with the
 * right CA still cannot pull.
 *
 * - Variables: `HTTP_PROXY`, `HTTPS_PROXY`, `NO_PROXY`, each the upper-case one when set and not empty, else
 *   the lower-case one (`getEnvAny`). An https request uses HTTPS_PROXY, an http one HTTP_PROXY.
 * - NO_PROXY is split at commas; each entry is trimmed and lower-cased; empty entries are ignored.
 * - `*` (an entry alone) turns the proxy off for every host.
 * - A CIDR block (`10.0.0.0/8`, `fd00::/64`) covers every IP address in it, on any port; it is matched only
 *   against a host that is written as an IP address, never a name that resolves into it (matching happens
 *   before any DNS lookup).
 * - An IP address, optionally with a port (`10.0.0.1`, `10.0.0.1:5000`, `[fd00::1]:5000`), covers that address
 *   (IPv4 and its IPv4-mapped IPv6 form are one address), on any port or on that port.
 * - Anything else is a domain, optionally with a port: `example.com` covers example.com and every name below
 *   it; `.example.com` and `*.example.com` cover only the names below it. Internationalised names compare in
 *   their ASCII (punycode) form. The comparison is a plain suffix test on the host as written, so a domain
 *   entry can cover an IP host too (`0.1` covers `10.0.0.1`), as in Go.
 * - `localhost` and loopback addresses are never proxied, whatever NO_PROXY says.
 * - The address matched is the host as the request names it, with the scheme's default port (443 for
 *   https, 80 for http) where it names none.
 */
import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';

/** The proxy settings a Go program takes from its environment. */
export interface ProxyEnvironment {
  /** HTTP_PROXY, else http_proxy; null when neither is set (or both are empty). */
  readonly httpProxy: string | null;
  readonly httpsProxy: string | null;
  /** NO_PROXY, else no_proxy; '' when neither is set. */
  readonly noProxy: string;
}

/** The spellings of the proxy variables, the one Go reads first first. */
export const PROXY_VARIABLES = {
  http: ['HTTP_PROXY', 'http_proxy'],
  https: ['HTTPS_PROXY', 'https_proxy'],
  no: ['NO_PROXY', 'no_proxy'],
} as const;

function getAny(env: Readonly<Record<string, string>>, names: readonly string[]): string {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value !== '') return value;
  }
  return '';
}

/** What a Go program with this environment uses (httpproxy.FromEnvironment). */
export function proxyEnvironment(env: Readonly<Record<string, string>>): ProxyEnvironment {
  const http = getAny(env, PROXY_VARIABLES.http);
  const https = getAny(env, PROXY_VARIABLES.https);
  return { httpProxy: http === '' ? null : http, httpsProxy: https === '' ? null : https, noProxy: getAny(env, PROXY_VARIABLES.no) };
}

/** Whether the environment names any proxy at all. */
export function hasProxy(proxy: ProxyEnvironment): boolean {
  return proxy.httpProxy !== null || proxy.httpsProxy !== null;
}

/** The proxy a request of this scheme goes to (before NO_PROXY), or null. */
export function proxyFor(proxy: ProxyEnvironment, scheme: 'http' | 'https'): string | null {
  return scheme === 'https' ? proxy.httpsProxy : proxy.httpProxy;
}

/** 16 bytes of an IP address as Go's net.ParseIP gives it (IPv4 in its IPv4-mapped form), or null. */
function ipBytes(text: string): number[] | null {
  // Go's ParseIP takes no zone (`%eth0`) and no brackets
  if (text.includes('%') || isIP(text) === 0) return null;
  if (isIP(text) === 4) return [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...text.split('.').map(Number)];
  let rest = text.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(rest);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    rest = `${rest.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = rest.split('::');
  const groups = (part: string): string[] => (part === '' ? [] : part.split(':'));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return all.flatMap((group) => {
    const value = Number.parseInt(group, 16);
    return [value >> 8, value & 0xff];
  });
}

const isV4Mapped = (bytes: readonly number[]): boolean => bytes.slice(0, 12).join(',') === '0,0,0,0,0,0,0,0,0,0,255,255';

function isLoopback(bytes: readonly number[]): boolean {
  if (isV4Mapped(bytes)) return bytes[12] === 127;
  return bytes.slice(0, 15).every((b) => b === 0) && bytes[15] === 1;
}

/** Go's net.SplitHostPort: `host:port` or `[host]:port` (the port may be empty); null where it fails. */
function splitHostPort(text: string): { host: string; port: string } | null {
  const colon = text.lastIndexOf(':');
  if (colon < 0) return null;
  let host: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0 || close + 1 !== colon) return null;
    host = text.slice(1, close);
  } else {
    host = text.slice(0, colon);
    if (host.includes(':')) return null;
  }
  if (host.includes('[') || host.includes(']')) return null;
  return { host, port: text.slice(colon + 1) };
}

/** A CIDR block as net.ParseCIDR reads it: its network bytes and how many leading bits count. */
interface Cidr {
  readonly bytes: readonly number[];
  readonly bits: number;
  readonly v4: boolean;
}

function parseCidr(text: string): Cidr | null {
  const slash = text.indexOf('/');
  if (slash < 0) return null;
  const address = text.slice(0, slash);
  const prefix = text.slice(slash + 1);
  const bytes = ipBytes(address);
  if (bytes === null || !/^\d{1,3}$/.test(prefix)) return null;
  const v4 = isIP(address) === 4;
  const length = Number(prefix);
  if (length > (v4 ? 32 : 128)) return null;
  return { bytes, bits: v4 ? length + 96 : length, v4 };
}

function cidrContains(cidr: Cidr, ip: readonly number[]): boolean {
  // an IPv4 block holds only IPv4 addresses (and their mapped forms); an IPv6 block compares all 16 bytes
  if (cidr.v4 && !isV4Mapped(ip)) return false;
  for (let bit = 0; bit < cidr.bits; bit += 1) {
    const byte = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if (((cidr.bytes[byte] ?? 0) & mask) !== ((ip[byte] ?? 0) & mask)) return false;
  }
  return true;
}

/** One NO_PROXY entry as httpproxy's config.init reads it. */
export type NoProxyMatcher =
  | { readonly kind: 'all' }
  | { readonly kind: 'cidr'; readonly cidr: Cidr }
  | { readonly kind: 'ip'; readonly ip: readonly number[]; readonly port: string }
  | { readonly kind: 'domain'; readonly suffix: string; readonly port: string; readonly matchHost: boolean };

function ascii(name: string): string {
  if (/^[\x00-\x7f]*$/.test(name)) return name;
  const converted = domainToASCII(name);
  return converted === '' ? name : converted;
}

/** The matcher of one entry (already trimmed and lower-cased), or null for an entry Go ignores. */
function matcherOf(entry: string): NoProxyMatcher | null {
  if (entry === '*') return { kind: 'all' };
  const cidr = parseCidr(entry);
  if (cidr !== null) return { kind: 'cidr', cidr };
  const split = splitHostPort(entry);
  let host = entry;
  let port = '';
  if (split !== null) {
    if (split.host === '') return null;
    host = split.host;
    port = split.port;
  }
  const ip = ipBytes(host);
  if (ip !== null) return { kind: 'ip', ip, port };
  if (host === '') return null;
  if (host.startsWith('*.')) host = host.slice(1);
  const matchHost = !host.startsWith('.');
  return { kind: 'domain', suffix: ascii(matchHost ? `.${host}` : host), port, matchHost };
}

/** The entries of a NO_PROXY value as written (trimmed), empty ones left out. */
export function noProxyEntries(value: string): string[] {
  return value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
}

/** The matchers of a NO_PROXY value, in order; `*` anywhere makes it match everything. */
export function parseNoProxy(value: string): NoProxyMatcher[] {
  const matchers: NoProxyMatcher[] = [];
  for (const entry of noProxyEntries(value).map((e) => e.toLowerCase())) {
    const matcher = matcherOf(entry);
    if (matcher?.kind === 'all') return [matcher];
    if (matcher !== null) matchers.push(matcher);
  }
  return matchers;
}

function matches(matcher: NoProxyMatcher, host: string, port: string, ip: readonly number[] | null): boolean {
  switch (matcher.kind) {
    case 'all':
      return true;
    case 'cidr':
      return ip !== null && cidrContains(matcher.cidr, ip);
    case 'ip':
      return ip !== null && matcher.ip.every((b, i) => b === ip[i]) && (matcher.port === '' || matcher.port === port);
    case 'domain':
      return (host.endsWith(matcher.suffix) || (matcher.matchHost && host === matcher.suffix.slice(1))) && (matcher.port === '' || matcher.port === port);
  }
}

/** The default port of a scheme, as canonicalAddr adds it. */
export function defaultPort(scheme: 'http' | 'https'): number {
  return scheme === 'https' ? 443 : 80;
}

/**
 * Whether a request to `host` (a name or an IP address, IPv6 without brackets) on `port` goes to the proxy
 * by NO_PROXY `value`: httpproxy's useProxy. Loopback and `localhost` never do.
 */
export function useProxy(value: string, host: string, port: number | string): boolean {
  const name = ascii(host.trim().replace(/^\[(.*)\]$/, '$1')).toLowerCase();
  if (name === 'localhost') return false;
  const ip = ipBytes(name);
  if (ip !== null && isLoopback(ip)) return false;
  const matchers = parseNoProxy(value);
  const portText = String(port);
  // Go tries the IP matchers (only for an IP host), then the domain ones: the same answer in one pass
  return !matchers.some((matcher) => matches(matcher, name, portText, ip));
}

/** Whether NO_PROXY `value` keeps a request to `host` on `port` away from the proxy. */
export function noProxyCovers(value: string, host: string, port: number | string): boolean {
  return !useProxy(value, host, port);
}

const entryKey = (entry: string): string => entry.trim().toLowerCase();

/**
 * `value` with each of `entries` it does not hold yet appended (compared case-insensitively), every
 * existing entry kept as written and in its place; `value` itself when nothing is missing.
 */
export function withNoProxyEntries(value: string, entries: readonly string[]): string {
  const have = new Set(noProxyEntries(value).map(entryKey));
  const missing: string[] = [];
  for (const entry of entries) {
    const key = entryKey(entry);
    if (key === '' || have.has(key)) continue;
    have.add(key);
    missing.push(entry.trim());
  }
  if (missing.length === 0) return value;
  const base = value.trim().replace(/,+$/, '');
  return base === '' ? missing.join(',') : `${base},${missing.join(',')}`;
}

/** `value` without `entries` (compared case-insensitively); the other entries as written, joined by commas. */
export function withoutNoProxyEntries(value: string, entries: readonly string[]): string {
  const gone = new Set(entries.map(entryKey));
  const kept = noProxyEntries(value);
  if (!kept.some((entry) => gone.has(entryKey(entry)))) return value;
  return kept.filter((entry) => !gone.has(entryKey(entry))).join(',');
}

/** The entries of both values, `first`'s first, each once. */
export function unionNoProxy(first: string, second: string): string {
  return withNoProxyEntries(first, noProxyEntries(second));
}

/** A proxy URL for a report: its password (and a user without a password) masked. */
export function maskProxyUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)?([^/@\s]*)@/i, (_m, scheme: string | undefined, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    return `${scheme ?? ''}${colon < 0 ? '********' : `${userinfo.slice(0, colon)}:********`}@`;
  });
}
