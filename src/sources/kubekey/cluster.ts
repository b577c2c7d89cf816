/**
 * A KubeKey v3 cluster file (`apiVersion: kubekey.kubesphere.io/v1alpha2`, `kind: Cluster`), read and
 * checked field by field against KubeKey's own types (cmd/kk/apis/kubekey/v1alpha2/cluster_types.go,
 * default.go): the hosts and roles dockhand reaches, the Kubernetes version and container manager, and
 * the registry settings. Every mistake names the file, the line and the field.
 */
import { LineCounter, parseAllDocuments, type Document } from 'yaml';
import { InputError } from '../../errors.ts';
import { formatPath, Locator, type DocPath } from '../../playbook/locate.ts';
import { maskSecrets } from '../../inventory/mask.ts';
import { yamlSyntaxError } from '../../inventory/yaml-doc.ts';
import { IssueList, kindOf, type FieldOrigin } from '../issues.ts';
import { expandKubeKeyRange, isHostRange } from './host-range.ts';

export const KUBEKEY_API_GROUP = 'kubekey.kubesphere.io/';
export const KUBEKEY_API_VERSION = 'kubekey.kubesphere.io/v1alpha2';

/** KubeKey's roles; `master` is the legacy name of `control-plane`. */
export const ROLES = ['etcd', 'control-plane', 'master', 'worker', 'registry'] as const;
export type Role = (typeof ROLES)[number];

const SPEC_KEYS = ['hosts', 'roleGroups', 'controlPlaneEndpoint', 'system', 'etcd', 'dns', 'kubernetes', 'network', 'storage', 'registry', 'addons', 'kubesphere'];
const HOST_KEYS = ['name', 'address', 'internalAddress', 'port', 'user', 'password', 'privateKey', 'privateKeyPath', 'arch', 'timeout', 'labels'];
const SECRET_FIELDS = new Set(['password', 'privateKey']);

export interface ClusterHost {
  readonly index: number;
  readonly name: string;
  /** Where dockhand connects: `address`, else the first of `internalAddress`. */
  readonly address: string;
  /** The field `address` came from. */
  readonly addressField: 'address' | 'internalAddress';
  /** The first (IPv4) of `internalAddress`, else `address`: what KubeKey pins names to. */
  readonly internalIPv4: string;
  readonly port: number | undefined;
  readonly user: string | undefined;
  readonly password: string | undefined;
  readonly privateKey: string | undefined;
  readonly privateKeyPath: string | undefined;
  readonly line: number | undefined;
}

export interface Cluster {
  readonly file: string;
  /** metadata.name */
  readonly name: string | undefined;
  readonly hosts: readonly ClusterHost[];
  /** Each role's hosts, ranges expanded; `control-plane` and `master` each hold both lists. */
  readonly roles: ReadonlyMap<Role, readonly string[]>;
  readonly kubernetesVersion: string | undefined;
  readonly containerManager: string | undefined;
  /** spec.dns.nodeEtcHosts: lines KubeKey adds to every node's /etc/hosts. */
  readonly nodeEtcHosts: string | undefined;
  /** spec.registry as plain data (checked by the play derivation). */
  readonly registry: unknown;
  /** Where a path of the Cluster document is (`['spec', 'registry', 'auths']`). */
  at(path: DocPath): FieldOrigin;
}

/**
 * Whether `text` holds a KubeKey Cluster document (any apiVersion of KubeKey's group). A file that says
 * `kind: Cluster` and names KubeKey's group but is not valid YAML is one too: its reader reports the error.
 */
export function holdsKubeKeyCluster(text: string): boolean {
  if (!/^kind:\s*["']?Cluster["']?\s*(?:#.*)?$/m.test(text) || !text.includes(KUBEKEY_API_GROUP)) return false;
  const docs = parseYaml(text, new LineCounter());
  return docs.some((doc) => doc.errors.length > 0) || clusterDocuments(docs).length > 0;
}

/** Reads and checks the Cluster document of a KubeKey cluster file; a YAML error is reported with its line. */
export function readCluster(text: string, file: string): Cluster {
  const lines = new LineCounter();
  const parsed = parseYaml(text, lines);
  const [syntax] = parsed.flatMap((doc) => doc.errors);
  if (syntax !== undefined) throw yamlSyntaxError(syntax, file, 'E_INVENTORY');
  const docs = clusterDocuments(parsed);
  const [doc, second] = docs;
  if (doc === undefined) throw new InputError('E_INVENTORY', file, undefined, 'no KubeKey Cluster document (apiVersion kubekey.kubesphere.io/v1alpha2, kind: Cluster) in the file');
  const locator = new Locator(doc, lines);
  const at = (path: DocPath): FieldOrigin => ({ file, line: locator.line(path), path: formatPath(path, '') });
  if (second !== undefined) throw new InputError('E_INVENTORY', file, at([]).line, 'the file holds more than one KubeKey Cluster document: keep one');
  const data = doc.toJS({ maxAliasCount: 1000 }) as Record<string, unknown>;
  const issues = new IssueList();
  if (data['apiVersion'] !== KUBEKEY_API_VERSION) {
    issues.add(at(['apiVersion']), `${JSON.stringify(data['apiVersion'])} is not supported: dockhand reads KubeKey v3 cluster files (${KUBEKEY_API_VERSION})`);
    issues.throwIfAny('E_INVENTORY');
  }
  const spec = mapping(data['spec'], ['spec'], at, issues) ?? {};
  for (const key of Object.keys(spec)) {
    if (!SPEC_KEYS.includes(key)) issues.add(at(['spec', key]), `unknown field; KubeKey's spec has ${SPEC_KEYS.join(', ')}`);
  }
  const hosts = readHosts(spec['hosts'], at, issues);
  const roles = readRoles(spec['roleGroups'], new Set(hosts.map((h) => h.name)), at, issues);
  const kubernetes = mapping(spec['kubernetes'], ['spec', 'kubernetes'], at, issues) ?? {};
  const kubernetesVersion = optionalString(kubernetes['version'], ['spec', 'kubernetes', 'version'], at, issues);
  const containerManager = optionalString(kubernetes['containerManager'], ['spec', 'kubernetes', 'containerManager'], at, issues);
  const dns = mapping(spec['dns'], ['spec', 'dns'], at, issues) ?? {};
  const nodeEtcHosts = optionalString(dns['nodeEtcHosts'], ['spec', 'dns', 'nodeEtcHosts'], at, issues);
  issues.throwIfAny('E_INVENTORY');
  const metadata = data['metadata'];
  const name = metadata !== null && typeof metadata === 'object' && typeof (metadata as Record<string, unknown>)['name'] === 'string'
    ? ((metadata as Record<string, unknown>)['name'] as string) : undefined;
  return { file, name, hosts, roles, kubernetesVersion, containerManager, nodeEtcHosts, registry: spec['registry'], at };
}

/** The file's YAML documents, as KubeKey's Go YAML reader would see them (1.1). */
function parseYaml(text: string, lines: LineCounter): Document[] {
  const docs = parseAllDocuments(text, { lineCounter: lines, version: '1.1' });
  return Array.isArray(docs) ? docs : [];
}

/** The documents whose kind is Cluster and apiVersion in KubeKey's group. */
function clusterDocuments(docs: readonly Document[]): Document[] {
  return docs.filter((doc) => {
    if (doc.errors.length > 0) return false;
    const root = doc.toJS({ maxAliasCount: 1000 }) as unknown;
    if (root === null || typeof root !== 'object') return false;
    const { kind, apiVersion } = root as Record<string, unknown>;
    return kind === 'Cluster' && typeof apiVersion === 'string' && apiVersion.startsWith(KUBEKEY_API_GROUP);
  });
}

type At = (path: DocPath) => FieldOrigin;

function readHosts(value: unknown, at: At, issues: IssueList): ClusterHost[] {
  const path = ['spec', 'hosts'];
  if (value === undefined || value === null) {
    issues.add(at(path), 'is required: the nodes KubeKey installed');
    return [];
  }
  if (!Array.isArray(value)) {
    issues.add(at(path), `must be a list of hosts, got ${kindOf(value)}`);
    return [];
  }
  const hosts: ClusterHost[] = [];
  const seen = new Map<string, number>();
  value.forEach((item: unknown, index) => {
    const here = [...path, index];
    const host = mapping(item, here, at, issues);
    if (host === undefined) return;
    for (const key of Object.keys(host)) {
      if (!HOST_KEYS.includes(key)) issues.add(at([...here, key]), `unknown field; a KubeKey host has ${HOST_KEYS.join(', ')}`);
    }
    const text = (key: string): string | undefined => optionalString(host[key], [...here, key], at, issues);
    const name = text('name');
    const address = text('address');
    const internal = text('internalAddress');
    const user = text('user');
    const password = text('password');
    const privateKey = text('privateKey');
    const privateKeyPath = text('privateKeyPath');
    text('arch');
    // KubeKey reads a port of 0 as its default, 22.
    const port = integer(host['port'], [...here, 'port'], 0, 65535, at, issues) || undefined;
    integer(host['timeout'], [...here, 'timeout'], 1, Number.MAX_SAFE_INTEGER, at, issues);
    labels(host['labels'], [...here, 'labels'], at, issues);
    if (name === undefined || name.trim() === '') {
      issues.add(at([...here, 'name']), 'is required: the node\'s name, as roleGroups name it');
      return;
    }
    const first = seen.get(name);
    if (first !== undefined) issues.add(at([...here, 'name']), `"${name}" is also the name of spec.hosts[${first}]`);
    seen.set(name, index);
    const internalIPv4 = (internal ?? '').split(',')[0]?.trim() || address;
    const reach = address || internalIPv4;
    if (reach === undefined || reach === '') {
      issues.add(at(here), `host "${name}" has neither address nor internalAddress`);
      return;
    }
    hosts.push({ index, name, address: reach, addressField: address ? 'address' : 'internalAddress', internalIPv4: internalIPv4 ?? reach, port, user: user || undefined, password: password || undefined, privateKey: privateKey || undefined, privateKeyPath: privateKeyPath || undefined, line: at(here).line });
  });
  return hosts;
}

function readRoles(value: unknown, hostNames: ReadonlySet<string>, at: At, issues: IssueList): Map<Role, string[]> {
  const path = ['spec', 'roleGroups'];
  const lists = new Map<Role, string[]>(ROLES.map((role) => [role, []]));
  const groups = mapping(value, path, at, issues);
  if (groups === undefined) {
    if (value === undefined || value === null) issues.add(at(path), 'is required: which hosts are etcd, control-plane and worker nodes');
    return lists;
  }
  for (const [role, entries] of Object.entries(groups)) {
    const here = [...path, role];
    if (!(ROLES as readonly string[]).includes(role)) {
      issues.add(at(here), `unknown role; KubeKey's roles are ${ROLES.join(', ')}`);
      continue;
    }
    if (entries === null || entries === undefined) continue;
    if (!Array.isArray(entries)) {
      issues.add(at(here), `must be a list of host names, got ${kindOf(entries)}`);
      continue;
    }
    const names = lists.get(role as Role)!;
    entries.forEach((entry: unknown, index) => {
      if (typeof entry !== 'string') {
        issues.add(at([...here, index]), `must be a host name, got ${kindOf(entry)}`);
        return;
      }
      const expanded = isHostRange(entry) ? expandKubeKeyRange(entry) : { names: [entry] };
      if ('reason' in expanded) {
        issues.add(at([...here, index]), expanded.reason);
        return;
      }
      for (const name of expanded.names) {
        if (!hostNames.has(name)) issues.add(at([...here, index]), `"${name}" is in roleGroups.${role} but not in spec.hosts`);
        else if (!names.includes(name)) names.push(name);
      }
    });
  }
  // KubeKey puts control-plane hosts in master too; dockhand makes the two names one group.
  const controlPlane = [...new Set([...lists.get('control-plane')!, ...lists.get('master')!])];
  lists.set('control-plane', controlPlane);
  lists.set('master', [...controlPlane]);
  if (controlPlane.length === 0 && groups !== undefined) issues.add(at(path), 'names no control-plane (or master) host; KubeKey requires one');
  return lists;
}

function mapping(value: unknown, path: DocPath, at: At, issues: IssueList): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    issues.add(at(path), `must be a mapping, got ${kindOf(value)}`);
    return undefined;
  }
  return value as Record<string, unknown>;
}

function optionalString(value: unknown, path: DocPath, at: At, issues: IssueList): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  const field = String(path[path.length - 1]);
  const shown = SECRET_FIELDS.has(field) ? kindOf(value) : `${kindOf(value)} ${maskSecrets(JSON.stringify(value) ?? '')}`;
  issues.add(at(path), `must be a string, got ${shown}${typeof value === 'number' || typeof value === 'boolean' ? ' (quote it)' : ''}`);
  return undefined;
}

function integer(value: unknown, path: DocPath, min: number, max: number, at: At, issues: IssueList): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  issues.add(at(path), `must be a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${max}`}, got ${JSON.stringify(value)}`);
  return undefined;
}

function labels(value: unknown, path: DocPath, at: At, issues: IssueList): void {
  const map = mapping(value, path, at, issues);
  for (const [key, label] of Object.entries(map ?? {})) {
    if (typeof label !== 'string') issues.add(at([...path, key]), `must be a string, got ${kindOf(label)}`);
  }
}
