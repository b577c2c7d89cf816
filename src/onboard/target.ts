/**
 * The registry a user names, as they have it: `harbor.example.com`, `harbor.example.com:8443`,
 * `https://harbor.example.com/harbor/projects/3/repositories` (the address bar of Harbor's console), or an
 * image reference. The registry is the URL's authority; a path, query or fragment is not part of its name
 * and is set aside (and said), never guessed from.
 */
import { isIP } from 'node:net';
import { InputError } from '../errors.ts';
import { readRegistryHost } from '../playbook/registry-host.ts';

export interface RegistryTarget {
  /** What was given. */
  readonly input: string;
  /** The scheme it was given with, if any. */
  readonly scheme: 'http' | 'https' | undefined;
  /** The host name or IP address (an IPv6 address without brackets). */
  readonly name: string;
  /** The port, when one was given. */
  readonly port: number | undefined;
  /** What followed the authority (a path, query or fragment), which names no registry. */
  readonly setAside: string | undefined;
}

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(.*)$/s;

/** Reads the registry argument of `dockhand registry ...`; an InputError names `option` when it cannot. */
export function readRegistryTarget(value: string, option = 'URL'): RegistryTarget {
  const given = value.trim();
  const url = SCHEME.exec(given);
  const scheme = url?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== 'http' && scheme !== 'https') {
    throw new InputError('E_USAGE', option, undefined, `"${value}" is a URL with scheme "${scheme}": give the registry as host, host:port or an http:// or https:// URL`);
  }
  const rest = url ? (url[2] ?? '') : given;
  const cut = rest.search(/[/?#]/);
  const authority = cut < 0 ? rest : rest.slice(0, cut);
  const setAside = cut < 0 ? undefined : rest.slice(cut).replace(/^\/+$/, '') || undefined;
  const reading = readRegistryHost(scheme === undefined ? authority : `${scheme}://${authority}`);
  if ('reason' in reading) throw new InputError('E_USAGE', option, undefined, `"${value}" ${reading.reason}`);
  const { name, port } = splitHost(reading.host);
  return { input: value, scheme: scheme as 'http' | 'https' | undefined, name, port, setAside };
}

/** `host`, `host:port`, `[v6]` or `[v6]:port` as name and port. */
export function splitHost(host: string): { name: string; port: number | undefined } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(host);
  if (bracketed) return { name: bracketed[1]!, port: bracketed[2] === undefined ? undefined : Number(bracketed[2]) };
  const at = host.lastIndexOf(':');
  return at < 0 ? { name: host, port: undefined } : { name: host.slice(0, at), port: Number(host.slice(at + 1)) };
}

/** The name as it goes in a URL or an image reference: an IPv6 address in brackets. */
export function urlHost(name: string): string {
  return isIP(name) === 6 ? `[${name}]` : name;
}

/**
 * The registry as image references (and so the playbook, certs.d, hosts.toml) write it: `name` alone on
 * the scheme's own port (443 for https, 80 for plain http, which Docker and containerd try for a registry
 * marked insecure), `name:port` on any other.
 */
export function registryReference(name: string, scheme: 'http' | 'https', port: number): string {
  const implicit = scheme === 'https' ? 443 : 80;
  return port === implicit ? urlHost(name) : `${urlHost(name)}:${port}`;
}

/** `scheme://name[:port]` for messages and requests. */
export function originOf(scheme: 'http' | 'https', name: string, port: number): string {
  const implicit = scheme === 'https' ? 443 : 80;
  return `${scheme}://${urlHost(name)}${port === implicit ? '' : `:${port}`}`;
}
