/**
 * The deprecated CRI registry settings (`registry.mirrors` and `registry.configs.<host>.tls`) carried over
 * into hosts.toml specs with the same meaning. containerd refuses to load its CRI plugin when either is set
 * together with `config_path` ("`mirrors` cannot be set when `config_path` is provided"), which is the
 * state KubeKey leaves behind.
 *
 * What the old settings meant (containerd 1.6/1.7 pkg/cri/server/image_pull.go, registryEndpoints and
 * registryHosts): a registry's endpoints are its mirror's `endpoint` list (or the `"*"` mirror's), each with
 * pull and resolve, followed by the registry itself unless an endpoint already is that host; an endpoint
 * without a scheme is https (http for localhost); an endpoint's path is used as given (`/v2` when empty);
 * `configs.<host>.tls` applies to every connection to `<host>`, the host of an endpoint URL included.
 */
import { upstreamHost, hostsDirName, type HostEntry, type HostsToml } from './hosts-toml.ts';
import { isTable, type TomlTable } from '../../formats/toml/read.ts';

type Tls = Pick<HostEntry, 'ca' | 'client' | 'skipVerify'>;

export interface LegacyHosts {
  /** hosts.toml specs keyed by directory name under config_path (`_default` for the `"*"` mirror). */
  specs: Map<string, HostsToml>;
  /** Why the settings cannot be carried over faithfully. */
  blockers: string[];
}

/** Registries named under `registry.mirrors`. */
export function legacyMirrorHosts(registry: unknown): string[] {
  const mirrors = isTable(registry) ? registry['mirrors'] : undefined;
  return isTable(mirrors) ? Object.keys(mirrors) : [];
}

/** Registries under `registry.configs` that have the given sub-table (`tls` or `auth`). */
export function legacyConfigHosts(registry: unknown, part: 'tls' | 'auth'): string[] {
  const configs = isTable(registry) ? registry['configs'] : undefined;
  if (!isTable(configs)) return [];
  return Object.keys(configs).filter((host) => {
    const config = configs[host];
    return isTable(config) && config[part] !== undefined;
  });
}

/** hosts.toml specs with the meaning of the registry table's `mirrors` and `configs.*.tls`. */
export function legacyHosts(registry: TomlTable | undefined): LegacyHosts {
  const blockers: string[] = [];
  const mirrors = mirrorEndpoints(registry?.['mirrors'], blockers);
  const tls = tlsByHost(registry?.['configs'], blockers);
  const specs = new Map<string, HostsToml>();
  if (blockers.length > 0) return { specs, blockers };

  const namespaces = [...new Set([...mirrors.keys(), ...tls.keys()])];
  for (const namespace of namespaces) {
    let dir: string;
    try {
      dir = namespace === '*' ? '_default' : hostsDirName(namespace);
    } catch {
      blockers.push(`registry ${JSON.stringify(namespace)} in the deprecated registry settings cannot name a hosts.toml directory`);
      continue;
    }
    const endpoints = mirrors.get(namespace) ?? (namespace === '*' ? [] : (mirrors.get('*') ?? []));
    const hosts: HostEntry[] = [];
    for (const endpoint of endpoints) {
      const entry = endpointEntry(endpoint, tls);
      if (entry === null) blockers.push(`mirror endpoint ${JSON.stringify(endpoint)} of ${namespace} is not an http(s) URL containerd can use`);
      else hosts.push(entry);
    }
    let server: string | null = null;
    if (namespace !== '*') {
      const upstream = upstreamHost(namespace);
      const scheme = isLocalhost(upstream) ? 'http' : 'https';
      server = `${scheme}://${upstream}`;
      const upstreamTls = tls.get(upstream);
      const endpointIsRegistry = endpoints.some((e) => splitUrl(withScheme(e))?.host === namespace);
      if (upstreamTls !== undefined && scheme === 'https' && !endpointIsRegistry) {
        hosts.push({ url: server, capabilities: ['pull', 'resolve', 'push'], ...upstreamTls });
      }
      // An endpoint that is the upstream itself, last and without settings, is what `server` already does
      // (kept when it is the only one: containerd 1.x needs a [host] table).
      const last = hosts.at(-1);
      if (hosts.length > 1 && last!.url === server && Object.keys(last!).length === 2) hosts.pop();
    }
    if (hosts.length === 0) {
      // Nothing to carry over, unless an empty list is there to keep the "*" mirror away from this registry.
      if (server === null || !mirrors.has('*')) continue;
      hosts.push({ url: server, capabilities: ['pull', 'resolve'] });
    }
    specs.set(dir, { server, hosts });
  }
  return blockers.length > 0 ? { specs: new Map(), blockers: [...new Set(blockers)] } : { specs, blockers };
}

function mirrorEndpoints(value: unknown, blockers: string[]): Map<string, string[]> {
  const result = new Map<string, string[]>();
  if (value === undefined) return result;
  if (!isTable(value)) {
    blockers.push('registry.mirrors is not a table');
    return result;
  }
  for (const [host, mirror] of Object.entries(value)) {
    if (!isTable(mirror)) {
      blockers.push(`registry.mirrors.${JSON.stringify(host)} is not a table`);
      continue;
    }
    const extra = Object.keys(mirror).filter((key) => key !== 'endpoint');
    if (extra.length > 0) {
      blockers.push(`registry.mirrors.${JSON.stringify(host)} has ${extra.map((k) => `\`${k}\``).join(', ')}, which hosts.toml cannot express`);
    }
    const endpoint = mirror['endpoint'] ?? [];
    if (!Array.isArray(endpoint) || !endpoint.every((e) => typeof e === 'string')) {
      blockers.push(`registry.mirrors.${JSON.stringify(host)}.endpoint is not a list of URLs`);
      continue;
    }
    result.set(host, endpoint as string[]);
  }
  return result;
}

function tlsByHost(value: unknown, blockers: string[]): Map<string, Tls> {
  const result = new Map<string, Tls>();
  if (!isTable(value)) return result;
  for (const [host, config] of Object.entries(value)) {
    const tls = isTable(config) ? config['tls'] : undefined;
    if (tls === undefined) continue;
    const where = `registry.configs.${JSON.stringify(host)}.tls`;
    if (!isTable(tls)) {
      blockers.push(`${where} is not a table`);
      continue;
    }
    const known = ['ca_file', 'cert_file', 'key_file', 'insecure_skip_verify'];
    const extra = Object.keys(tls).filter((key) => !known.includes(key));
    if (extra.length > 0) blockers.push(`${where} has ${extra.map((k) => `\`${k}\``).join(', ')}, which hosts.toml cannot express`);
    const [ca, cert, key, skip] = [tls['ca_file'] ?? '', tls['cert_file'] ?? '', tls['key_file'] ?? '', tls['insecure_skip_verify'] ?? false];
    if (typeof ca !== 'string' || typeof cert !== 'string' || typeof key !== 'string' || typeof skip !== 'boolean') {
      blockers.push(`${where} has a value of the wrong type`);
      continue;
    }
    const relative = [ca, cert, key].find((file) => file !== '' && !file.startsWith('/'));
    if (relative !== undefined) {
      // containerd opened it from its working directory; hosts.toml would look next to itself.
      blockers.push(`${where} names the relative path ${JSON.stringify(relative)}, which hosts.toml would read from another directory: use an absolute path`);
      continue;
    }
    if ((cert === '') !== (key === '')) {
      blockers.push(`${where} names a ${cert === '' ? 'key_file without a cert_file' : 'cert_file without a key_file'}; containerd refuses it`);
      continue;
    }
    const settings: Tls = {
      ...(ca === '' ? {} : { ca: [ca] }),
      ...(cert === '' ? {} : { client: [[cert, key]] as [string, string][] }),
      ...(skip ? { skipVerify: true } : {}),
    };
    if (Object.keys(settings).length > 0) result.set(host, settings);
  }
  return result;
}

function endpointEntry(endpoint: string, tls: Map<string, Tls>): HostEntry | null {
  const url = splitUrl(withScheme(endpoint));
  if (url === null) return null;
  const path = url.path === '/' ? '' : url.path;
  const entry: HostEntry = { url: `${url.scheme}://${url.host}${path}`, capabilities: ['pull', 'resolve'] };
  // The old settings used a non-empty path as given; hosts.toml appends /v2 unless told not to.
  if (path !== '' && !path.replace(/\/+$/, '').endsWith('/v2')) entry.overridePath = true;
  const settings = url.scheme === 'https' ? tls.get(url.host) : undefined;
  return settings === undefined ? entry : { ...entry, ...settings };
}

function withScheme(endpoint: string): string {
  if (endpoint.includes('://')) return endpoint;
  const host = /^[^/?#]*/.exec(endpoint)?.[0] ?? '';
  return `${isLocalhost(host) ? 'http' : 'https'}://${endpoint}`;
}

/**
 * Scheme, host (with its port, as written) and path, the way Go's url.Parse splits them; null for what
 * containerd cannot parse either (a hosts.toml with such a URL is ignored whole, so it is not written).
 */
function splitUrl(url: string): { scheme: string; host: string; path: string } | null {
  const match = /^(https?):\/\/((?:\[[0-9A-Fa-f:.]+\]|[^\s:/?#[\]@]+)(?::\d{1,5})?)(\/[^?#\s]*)?$/i.exec(url);
  if (match === null) return null;
  return { scheme: match[1]!.toLowerCase(), host: match[2]!, path: match[3] ?? '' };
}

/** containerd's IsLocalhost: `localhost` or a loopback address, with or without a port. */
function isLocalhost(host: string): boolean {
  const bare = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  return bare === 'localhost' || bare === '::1' || /^127\.\d+\.\d+\.\d+$/.test(bare);
}
