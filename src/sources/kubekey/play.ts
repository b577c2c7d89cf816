/**
 * The play a KubeKey cluster file asks for: spec.registry (privateRegistry pinned to the registry node as
 * KubeKey pins it, registryMirrors, insecureRegistries, auths with plainHTTP, skipTLSVerify, caFile and
 * certsPath) and the runtime from spec.kubernetes.containerManager. A registry setting dockhand cannot
 * honour is an error naming its field, never dropped; installer-only settings (data directories, the
 * registry type `kk init registry` installs, the docker0 bridge) are not about reaching registries.
 */
import { readdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { registryKey } from '../../playbook/index.ts';
import type { DerivedPlay } from '../derived-play.ts';
import { IssueList, kindOf, where, type FieldOrigin } from '../issues.ts';
import type { Cluster } from './cluster.ts';

const REGISTRY_KEYS = ['type', 'registryMirrors', 'insecureRegistries', 'privateRegistry', 'namespaceOverride', 'namespaceRewrite', 'remoteMirrors', 'auths', 'containerdDataDir', 'dockerDataDir', 'registryDataDir', 'bridgeIP'];
const AUTH_KEYS = ['username', 'password', 'skipTLSVerify', 'plainHTTP', 'certsPath', 'caFile', 'certFile', 'keyFile'];
/** Settings of the installer that say nothing about how nodes reach registries. */
const INSTALLER_ONLY = ['type', 'containerdDataDir', 'dockerDataDir', 'registryDataDir', 'bridgeIP'];

interface Registry {
  host: string;
  ip?: string;
  insecure?: true;
  ca?: string;
  origins: Map<string, FieldOrigin>;
}

/** Derives the play from a checked cluster file; mistakes in spec.registry are reported all at once. */
export async function kubeKeyPlay(cluster: Cluster): Promise<DerivedPlay> {
  const issues = new IssueList();
  const secrets: string[] = [];
  const warnings: string[] = [];
  const at = (...path: PropertyKey[]): FieldOrigin => cluster.at(['spec', 'registry', ...path]);
  const registry = record(cluster.registry, at(), issues) ?? {};
  for (const key of Object.keys(registry)) {
    if (!REGISTRY_KEYS.includes(key)) issues.add(at(key), `unknown field; KubeKey's spec.registry has ${REGISTRY_KEYS.join(', ')}`);
  }
  for (const key of INSTALLER_ONLY) strings(registry[key], at(key), issues);
  refuseSet(registry, 'namespaceOverride', at, issues, 'rewrites image names for KubeKey\'s own images; dockhand makes nodes trust registries and does not rewrite names: remove it to use this file with dockhand');
  refuseSet(registry, 'namespaceRewrite', at, issues, 'rewrites image names for KubeKey\'s own images; dockhand makes nodes trust registries and does not rewrite names: remove it to use this file with dockhand');
  refuseSet(registry, 'remoteMirrors', at, issues, 'is not supported yet: give the mirrors in a playbook (registries[].mirrors)');

  const registries: Registry[] = [];
  const find = (host: string): Registry | undefined => registries.find((r) => registryKey(r.host) === registryKey(host));
  const privateRegistry = strings(registry['privateRegistry'], at('privateRegistry'), issues);
  if (typeof privateRegistry === 'string' && privateRegistry !== '') {
    // KubeKey's GetHost: the part before the first "/" (privateRegistry may carry a namespace).
    const entry: Registry = { host: privateRegistry.split('/')[0] ?? privateRegistry, origins: new Map([['', at('privateRegistry')], ['host', at('privateRegistry')]]) };
    const node = cluster.roles.get('registry')?.[0];
    const host = cluster.hosts.find((h) => h.name === node);
    if (host !== undefined) {
      // KubeKey writes "<registry node's internal IPv4> <privateRegistry host>" into every node's /etc/hosts.
      entry.ip = host.internalIPv4;
      entry.origins.set('ip', cluster.at(['spec', 'roleGroups', 'registry', 0]));
    }
    registries.push(entry);
  }

  const auths = record(registry['auths'], at('auths'), issues) ?? {};
  for (const [host, value] of Object.entries(auths)) {
    const here = (...path: PropertyKey[]): FieldOrigin => at('auths', host, ...path);
    const auth = record(value, here(), issues);
    if (auth === undefined) continue;
    for (const key of Object.keys(auth)) {
      if (!AUTH_KEYS.includes(key)) issues.add(here(key), `unknown field; a KubeKey auths entry has ${AUTH_KEYS.join(', ')}`);
    }
    const username = strings(auth['username'], here('username'), issues);
    const password = strings(auth['password'], here('password'), issues);
    if (typeof password === 'string' && password !== '') secrets.push(password);
    if (username || password) {
      warnings.push(`${where(here('username' in auth ? 'username' : 'password'))}: spec.registry.auths["${host}"]: the login is KubeKey's (docker login on the nodes); dockhand configures trust, not logins, and does not use it`);
    }
    for (const key of ['certFile', 'keyFile']) {
      if (nonEmpty(auth[key])) issues.add(here(key), 'client certificates are not supported yet: dockhand installs CA certificates only');
    }
    const entry = find(host) ?? { host, origins: new Map<string, FieldOrigin>([['', here()], ['host', here()]]) };
    for (const flag of ['plainHTTP', 'skipTLSVerify']) {
      const set = boolean(auth[flag], here(flag), issues);
      // plainHTTP implies skipTLSVerify in KubeKey; both mean what Docker calls an insecure registry.
      if (set) {
        entry.insecure = true;
        if (!entry.origins.has('insecure')) entry.origins.set('insecure', here(flag));
      }
    }
    const caFile = strings(auth['caFile'], here('caFile'), issues);
    const certsPath = strings(auth['certsPath'], here('certsPath'), issues);
    if (nonEmpty(caFile) && nonEmpty(certsPath)) issues.add(here('certsPath'), 'give caFile or certsPath, not both');
    else if (typeof caFile === 'string' && caFile !== '') {
      entry.ca = localPath(caFile, cluster.file);
      entry.origins.set('ca', here('caFile'));
    } else if (typeof certsPath === 'string' && certsPath !== '') {
      const ca = await certsPathCa(localPath(certsPath, cluster.file), here('certsPath'), issues);
      if (ca !== undefined) {
        entry.ca = ca;
        entry.origins.set('ca', here('certsPath'));
      }
    }
    if (!registries.includes(entry) && (entry.insecure !== undefined || entry.ca !== undefined)) registries.push(entry);
  }

  const mirrors = list(registry['registryMirrors'], at('registryMirrors'), issues);
  let insecure = list(registry['insecureRegistries'], at('insecureRegistries'), issues);
  // KubeKey writes spec.dns.nodeEtcHosts into every node's /etc/hosts, after its own lines: a registry
  // name found there is pinned the same way. An insecure registry pinned there becomes a registry entry.
  const pins = etcHostsPins(cluster.nodeEtcHosts);
  const pinnedAt = cluster.at(['spec', 'dns', 'nodeEtcHosts']);
  insecure = insecure.filter((entry, index) => {
    if (pins.get(hostName(entry)) === undefined || find(entry) !== undefined || entry.includes('/')) return true;
    registries.push({ host: entry, insecure: true, origins: new Map([['', at('insecureRegistries', index)], ['insecure', at('insecureRegistries', index)]]) });
    return false;
  });
  for (const entry of registries) {
    const ip = pins.get(hostName(entry.host));
    if (entry.ip !== undefined || ip === undefined) continue;
    entry.ip = ip;
    entry.origins.set('ip', pinnedAt);
  }
  const runtimes = runtimesFor(cluster, issues);
  if (issues.size === 0 && registries.length === 0 && mirrors.length === 0 && insecure.length === 0) {
    issues.add(at(), 'sets nothing dockhand applies: no privateRegistry, registryMirrors, insecureRegistries, nor auths with plainHTTP, skipTLSVerify, caFile or certsPath');
  }
  issues.throwIfAny('E_PLAYBOOK');

  const origins = new Map<string, FieldOrigin>();
  const play: Record<string, unknown> = { name: `KubeKey cluster ${cluster.name ?? ''}`.trim(), hosts: 'k8s-cluster', runtimes: runtimes.value };
  origins.set('runtimes', runtimes.origin);
  if (registries.length > 0) {
    play['registries'] = registries.map((r, index) => {
      for (const [field, origin] of r.origins) origins.set(`registries[${index}]${field === '' ? '' : `.${field}`}`, origin);
      return { host: r.host, ...(r.ip === undefined ? {} : { ip: r.ip }), ...(r.insecure ? { insecure: true } : {}), ...(r.ca === undefined ? {} : { ca: r.ca }) };
    });
  }
  if (insecure.length > 0) {
    play['insecure_registries'] = insecure.map((entry, index) => (origins.set(`insecure_registries[${index}]`, at('insecureRegistries', index)), entry));
  }
  if (mirrors.length > 0) {
    play['registry_mirrors'] = mirrors.map((entry, index) => (origins.set(`registry_mirrors[${index}]`, at('registryMirrors', index)), entry));
  }
  return {
    header: [
      `Derived by dockhand from the KubeKey cluster file ${cluster.file}`,
      `(spec.registry; runtime: ${runtimes.why}).`,
      `To keep it: save it, edit it, and run dockhand apply FILE -i ${cluster.file}`,
    ],
    play,
    origins,
    secrets,
    secretFiles: secrets.length > 0 ? [cluster.file] : [],
    warnings,
  };
}

/**
 * containerManager as KubeKey reads it: docker or containerd; KubeKey's default when it is not set is
 * docker for every Kubernetes version (default.go, SetDefaultClusterCfg; from v1.24 KubeKey adds
 * cri-dockerd). `kk create config` writes containerd for v1.24 and later, so such files say so themselves.
 */
function runtimesFor(cluster: Cluster, issues: IssueList): { value: string[]; origin: FieldOrigin; why: string } {
  const field = cluster.at(['spec', 'kubernetes', 'containerManager']);
  const manager = cluster.containerManager;
  if (manager === undefined || manager === '') {
    const version = cluster.kubernetesVersion === undefined ? '' : ` for Kubernetes ${cluster.kubernetesVersion}`;
    return { value: ['docker'], origin: cluster.at(['spec', 'kubernetes']), why: `spec.kubernetes.containerManager is not set, and KubeKey's default${version} is docker` };
  }
  if (manager === 'docker' || manager === 'containerd') return { value: [manager], origin: field, why: `spec.kubernetes.containerManager is ${manager}` };
  const why = manager === 'crio' || manager === 'isula' ? `${manager} is not supported: dockhand configures docker and containerd` : `${JSON.stringify(manager)} is not a container manager KubeKey knows (docker, containerd, crio, isula)`;
  issues.add(field, why);
  return { value: [], origin: field, why };
}

/** The CA among a certsPath's files, as KubeKey looks them up: `*.crt` is a CA; `*.cert`/`*.key` are a client certificate. */
async function certsPathCa(dir: string, at: FieldOrigin, issues: IssueList): Promise<string | undefined> {
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    issues.add(at, `${dir}: ${code === 'ENOENT' ? 'directory not found' : code === 'ENOTDIR' ? 'is not a directory' : (error as Error).message}`);
    return undefined;
  }
  const client = names.filter((name) => name.endsWith('.cert') || name.endsWith('.key'));
  if (client.length > 0) {
    issues.add(at, `${dir} holds a client certificate (${client.join(', ')}): client certificates are not supported yet`);
  }
  const cas = names.filter((name) => name.endsWith('.crt'));
  if (cas.length > 1) issues.add(at, `${dir} holds several CA files (${cas.join(', ')}): give the one to trust as caFile`);
  else if (cas.length === 0 && client.length === 0) issues.add(at, `${dir} holds no CA file (*.crt)`);
  return cas.length === 1 ? join(dir, cas[0]!) : undefined;
}

/** Name → address of /etc/hosts lines; the first line naming a name wins, as in /etc/hosts. */
function etcHostsPins(text: string | undefined): Map<string, string> {
  const pins = new Map<string, string>();
  for (const line of (text ?? '').split('\n')) {
    const [address, ...names] = line.replace(/#.*/, '').trim().split(/\s+/);
    if (address === undefined || address === '') continue;
    for (const name of names) if (!pins.has(name.toLowerCase())) pins.set(name.toLowerCase(), address);
  }
  return pins;
}

/** A registry's name as /etc/hosts writes it: without its port. */
function hostName(host: string): string {
  return host.replace(/:\d+$/, '').toLowerCase();
}

/** `~/x` is under the home directory; a relative path is relative to the cluster file. */
function localPath(path: string, clusterFile: string): string {
  if (path === '~') return homedir();
  if (path.startsWith('~/')) return join(homedir(), path.slice(2));
  return isAbsolute(path) ? path : resolve(dirname(clusterFile), path);
}

function refuseSet(registry: Record<string, unknown>, key: string, at: (...path: PropertyKey[]) => FieldOrigin, issues: IssueList, why: string): void {
  const value = registry[key];
  const empty = value === undefined || value === null || value === '' || (typeof value === 'object' && Object.keys(value).length === 0);
  if (!empty) issues.add(at(key), why);
}

function record(value: unknown, at: FieldOrigin, issues: IssueList): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  issues.add(at, `must be a mapping, got ${kindOf(value)}`);
  return undefined;
}

function strings(value: unknown, at: FieldOrigin, issues: IssueList): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  issues.add(at, `must be a string, got ${kindOf(value)}`);
  return undefined;
}

function boolean(value: unknown, at: FieldOrigin, issues: IssueList): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean') return value;
  issues.add(at, `must be true or false, got ${kindOf(value)}`);
  return false;
}

function list(value: unknown, at: FieldOrigin, issues: IssueList): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    issues.add(at, `must be a list, got ${kindOf(value)}`);
    return [];
  }
  return value.flatMap((item: unknown, index) => {
    if (typeof item === 'string') return [item];
    issues.add({ ...at, path: `${at.path}[${index}]` }, `must be a string, got ${kindOf(item)}`);
    return [];
  });
}

function nonEmpty(value: unknown): boolean {
  return typeof value === 'string' && value !== '';
}
