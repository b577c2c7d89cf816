/**
 * containerd's registry host files, `<config_path>/<host>/hosts.toml` (containerd docs/hosts.md): what
 * dockhand writes for a registry, how it renders the file, and how it reads one back.
 */
import { DockhandError } from '../../errors.ts';
import { isTable, parseToml, type TomlTable } from '../../formats/toml/read.ts';
import { basicString, tomlKey } from '../../formats/toml/write.ts';

export type HostCapability = 'pull' | 'resolve' | 'push';

export interface HostEntry {
  /** Scheme, host and optional path: `https://mirror.example.com`, `http://10.0.0.5:5000/v2/hub`. */
  url: string;
  capabilities: HostCapability[];
  /** CA files, absolute or relative to hosts.toml; added to the system roots. */
  ca?: string[];
  /** Client certificate and key pairs (an empty key: the key is inside the certificate file). */
  client?: [string, string][];
  skipVerify?: boolean;
  /** The URL's path is the API root (no `/v2` appended). */
  overridePath?: boolean;
  header?: Record<string, string[]>;
}

export interface HostsToml {
  /** The upstream, tried after every host entry; null: the registry named by the image. */
  server: string | null;
  /**
   * Tried in order before the server. At least one: containerd 1.6 and 1.7 (go-toml v1, getSortedHosts)
   * reject a hosts.toml without a `[host]` table ("invalid `host` tree") and fall back to certificate files.
   */
  hosts: HostEntry[];
}

const CAPABILITIES: readonly HostCapability[] = ['pull', 'resolve', 'push'];
const HEADER_LINE = '# Managed by dockhand: changes made here are replaced on the next apply.';

/**
 * The directory under config_path that containerd looks up for a registry, written as image references
 * write the registry: `harbor.local:5000`, `docker.io` (for Docker Hub, also when given as
 * `index.docker.io`), `[fd00::1]:5000`. containerd (core/remotes/docker/config/hosts.go, hostPaths) tries
 * `host_5000_/` first, then `host:5000/`, then `_default/`; dockhand writes only the `host:5000` form.
 */
export function hostsDirName(host: string): string {
  let name = host.trim();
  if (name === 'index.docker.io') name = 'docker.io';
  // A bare IPv6 address: image references write it in brackets, and so does the lookup.
  if (!name.startsWith('[') && (name.match(/:/g) ?? []).length >= 2) name = `[${name}]`;
  if (name === '' || name === '.' || name === '..' || /[/\\\s\u0000]/.test(name)) {
    throw new DockhandError('E_PLAYBOOK', `registry host ${JSON.stringify(host)} cannot name a hosts.toml directory`);
  }
  return name;
}

/** The registry's own server: Docker Hub's namespace `docker.io` is served by registry-1.docker.io. */
export function upstreamHost(dirName: string): string {
  return dirName === 'docker.io' ? 'registry-1.docker.io' : dirName;
}

export interface RegistryHostsInput {
  host: string;
  /** Docker's sense: plain http, or TLS with a certificate that does not verify. */
  insecure: boolean;
  /** The registry's CA on the node. */
  caPath?: string;
  mirrors?: { url: string; capabilities?: HostCapability[]; skipVerify?: boolean; caPath?: string }[];
}

/**
 * The hosts.toml dockhand writes for one registry of a play.
 *
 * An insecure registry may speak plain http or TLS that does not verify, and a play does not say which.
 * containerd's resolver (core/remotes/docker/resolver.go, fetcher.go) tries each `[host]` entry in order
 * and moves on to the next one on a connection error, a TLS error or an error status ("trying next host"),
 * then tries `server`. It falls back from https to http on its own only for localhost or (1.7 and later)
 * for an `http://` host that also carries TLS settings; 1.6 never does. So an insecure registry gets
 *   `[host."http://HOST"]` first: a plain-http registry (the common case: KubeKey writes its insecure
 *   registries as `http://` mirrors too) answers it, and no pull starts with a failing TLS handshake;
 *   `[host."https://HOST"]` with `skip_verify = true` next: TLS that does not verify, after one refused (or
 *   400 "HTTP request to an HTTPS server") plain-http attempt;
 *   `server = "http://HOST"` (plain http at port 80 for `HOST` and at 5000 for `HOST:5000`: an `http://`
 *   URL without a port means port 80).
 * Mirrors come before all of them. Docker Hub is never tried over plain http.
 * The registry's own `[host]` entry is written even without settings when there is no other (see HostsToml.hosts).
 */
export function registryHostsToml(registry: RegistryHostsInput): HostsToml {
  const dir = hostsDirName(registry.host);
  const upstream = upstreamHost(dir);
  const hosts: HostEntry[] = (registry.mirrors ?? []).map((mirror) => ({
    url: mirror.url,
    capabilities: mirror.capabilities ?? ['pull', 'resolve'],
    ...(mirror.caPath === undefined ? {} : { ca: [mirror.caPath] }),
    ...(mirror.skipVerify === true ? { skipVerify: true } : {}),
  }));
  // a mirror that is the registry's own address already says how to reach it (and one table per URL)
  const listed = (url: string) => hosts.some((host) => host.url === url);
  const plainHttp = registry.insecure && dir !== 'docker.io';
  if (plainHttp && !listed(`http://${upstream}`)) hosts.push({ url: `http://${upstream}`, capabilities: ['pull', 'resolve', 'push'] });
  if ((registry.insecure || registry.caPath !== undefined || hosts.length === 0) && !listed(`https://${upstream}`)) {
    hosts.push({
      url: `https://${upstream}`,
      capabilities: ['pull', 'resolve', 'push'],
      ...(registry.caPath === undefined ? {} : { ca: [registry.caPath] }),
      ...(registry.insecure ? { skipVerify: true } : {}),
    });
  }
  return { server: `${plainHttp ? 'http' : 'https'}://${upstream}`, hosts };
}

/** The file's text: deterministic, a first-line comment, `server`, then one `[host."URL"]` table per entry. */
export function renderHostsToml(spec: HostsToml): string {
  if (spec.hosts.length === 0) throw new Error('a hosts.toml needs at least one [host] entry for containerd 1.x to read it');
  const lines = [HEADER_LINE];
  if (spec.server !== null) lines.push(`server = ${basicString(spec.server)}`);
  for (const host of spec.hosts) {
    const table = `host.${basicString(host.url)}`;
    lines.push('', `[${table}]`, `  capabilities = ${stringList(host.capabilities)}`);
    if (host.ca !== undefined && host.ca.length > 0) {
      lines.push(`  ca = ${host.ca.length === 1 ? basicString(host.ca[0]!) : stringList(host.ca)}`);
    }
    if (host.client !== undefined && host.client.length > 0) {
      lines.push(`  client = [${host.client.map((pair) => stringList(pair)).join(', ')}]`);
    }
    if (host.skipVerify !== undefined) lines.push(`  skip_verify = ${host.skipVerify}`);
    if (host.overridePath !== undefined) lines.push(`  override_path = ${host.overridePath}`);
    const header = Object.entries(host.header ?? {});
    if (header.length > 0) {
      lines.push(`  [${table}.header]`);
      for (const [name, values] of header) lines.push(`    ${tomlKey(name)} = ${stringList(values)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function stringList(values: readonly string[]): string {
  return `[${values.map(basicString).join(', ')}]`;
}

/** Reads a hosts.toml. Throws a DockhandError naming the problem on invalid TOML or keys dockhand does not model. */
export function parseHostsToml(text: string): HostsToml {
  const parsed = parseToml(text);
  if (!parsed.ok) throw shapeError(parsed.error);
  const { data } = parsed;
  for (const key of Object.keys(data)) {
    if (key !== 'server' && key !== 'host') throw shapeError(`unsupported top-level key \`${key}\``);
  }
  const server = data['server'];
  if (server !== undefined && typeof server !== 'string') throw shapeError('`server` must be a string');
  const hostTables = data['host'] ?? {};
  if (!isTable(hostTables)) throw shapeError('`host` must be a table of `[host."URL"]` tables');
  const hosts = Object.entries(hostTables).map(([url, entry]) => hostEntry(url, entry));
  return { server: server ?? null, hosts };
}

function hostEntry(url: string, entry: unknown): HostEntry {
  const where = `[host.${basicString(url)}]`;
  if (!isTable(entry)) throw shapeError(`${where} must be a table`);
  const result: HostEntry = { url, capabilities: [...CAPABILITIES] };
  for (const [key, value] of Object.entries(entry)) {
    if (key === 'capabilities') {
      const list = strings(value, `${where} capabilities`);
      const unknown = list.find((c) => !(CAPABILITIES as readonly string[]).includes(c.toLowerCase()));
      if (unknown !== undefined) throw shapeError(`${where} has an unknown capability "${unknown}"`);
      result.capabilities = list.map((c) => c.toLowerCase() as HostCapability);
    } else if (key === 'ca') {
      result.ca = typeof value === 'string' ? [value] : strings(value, `${where} ca`);
    } else if (key === 'client') {
      result.client = clientPairs(value, where);
    } else if (key === 'skip_verify' || key === 'override_path') {
      if (typeof value !== 'boolean') throw shapeError(`${where} ${key} must be true or false`);
      if (key === 'skip_verify') result.skipVerify = value;
      else result.overridePath = value;
    } else if (key === 'header') {
      result.header = headerTable(value, where);
    } else {
      throw shapeError(`${where} has an unsupported key \`${key}\``);
    }
  }
  return result;
}

function clientPairs(value: unknown, where: string): [string, string][] {
  if (typeof value === 'string') return [[value, '']];
  if (!Array.isArray(value)) throw shapeError(`${where} client must be a path, a list of paths or a list of [cert, key] pairs`);
  return value.map((item): [string, string] => {
    if (typeof item === 'string') return [item, ''];
    const pair = strings(item, `${where} client`);
    if (pair.length !== 2) throw shapeError(`${where} client pairs must hold two paths`);
    return [pair[0]!, pair[1]!];
  });
}

function headerTable(value: unknown, where: string): Record<string, string[]> {
  if (!isTable(value)) throw shapeError(`${where} header must be a table`);
  return Object.fromEntries(
    Object.entries(value as TomlTable).map(([name, values]) => [
      name,
      typeof values === 'string' ? [values] : strings(values, `${where} header ${name}`),
    ]),
  );
}

function strings(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw shapeError(`${what} must be a list of strings`);
  }
  return value as string[];
}

function shapeError(message: string): DockhandError {
  return new DockhandError('E_REMOTE', `hosts.toml: ${message}`);
}
