/**
 * The play a Kubespray inventory asks for, from the variables its container-engine roles read
 * (roles/container-engine/{docker,containerd}, roles/kubespray_defaults): container_manager (default
 * containerd), docker_insecure_registries and docker_registry_mirrors (Docker's DOCKER_OPTS), and
 * containerd_registries_mirrors (containerd's certs.d/PREFIX/hosts.toml). The values are the ones Ansible
 * would give the hosts of k8s_cluster (group_vars/all, group_vars/k8s_cluster, host_vars, the inventory),
 * which must agree: one play serves them all. Jinja is refused, never evaluated.
 */
import { resolve } from 'node:path';
import type { Inventory, VarOrigin } from '../../inventory/types.ts';
import { resolveHostVars } from '../../inventory/index.ts';
import { groupHostNames } from '../../inventory/membership.ts';
import { formatPath } from '../../playbook/locate.ts';
import type { DerivedPlay } from '../derived-play.ts';
import { IssueList, kindOf, where, type FieldOrigin } from '../issues.ts';
import { findJinja } from '../jinja.ts';

const K8S_CLUSTER = 'k8s_cluster';
const VARS = [
  'container_manager', 'docker_insecure_registries', 'docker_registry_mirrors', 'containerd_registries_mirrors',
  'containerd_insecure_registries', 'containerd_registries', 'containerd_registry_auth',
] as const;
type VarName = (typeof VARS)[number];
const ENTRY_KEYS = ['prefix', 'server', 'mirrors'];
const MIRROR_KEYS = ['host', 'capabilities', 'skip_verify', 'override_path', 'ca', 'client', 'header'];
const CAPABILITIES = ['pull', 'resolve', 'push'];

/** One variable as the hosts of k8s_cluster see it. */
interface Setting {
  readonly value: unknown;
  readonly origin: VarOrigin;
}

type Field = (path?: readonly (string | number)[]) => FieldOrigin;

export async function kubesprayPlay(inventory: Inventory, dir: string): Promise<DerivedPlay> {
  const issues = new IssueList();
  const secrets: string[] = [];
  const secretFiles: string[] = [];
  const warnings: string[] = [];
  const members = groupHostNames(inventory, K8S_CLUSTER);
  const hosts = [...inventory.hosts.values()].filter((host) => members.has(host.name));
  if (hosts.length === 0) {
    issues.add({ file: inventory.source, line: undefined, path: K8S_CLUSTER }, 'has no hosts: Kubespray installs the container engine on k8s_cluster (kube_control_plane, kube_node and calico_rr)');
    issues.throwIfAny('E_INVENTORY');
  }
  const settings = new Map<VarName, Setting>();
  for (const name of VARS) {
    const setting = agreedSetting(inventory, hosts.map((h) => h.name), name, issues);
    if (setting === undefined) continue;
    const field = fieldOf(name, setting.origin);
    const jinja = findJinja(setting.value);
    if (jinja !== undefined) {
      issues.add(field(jinja), 'holds Jinja ({{ … }} or {% … %}): dockhand does not evaluate templates; give the value itself');
      continue;
    }
    settings.set(name, setting);
  }
  issues.throwIfAny('E_PLAYBOOK');

  const manager = settings.get('container_manager');
  const runtime = manager === undefined ? 'containerd' : manager.value;
  if (manager !== undefined && runtime !== 'docker' && runtime !== 'containerd') {
    issues.add(fieldOf('container_manager', manager.origin)(), runtime === 'crio'
      ? 'crio is not supported: dockhand configures docker and containerd'
      : `${JSON.stringify(runtime)} is not a container manager Kubespray knows (docker, containerd, crio)`);
  }
  for (const name of ['containerd_insecure_registries', 'containerd_registries'] as const) {
    const setting = settings.get(name);
    if (setting !== undefined && !isEmpty(setting.value)) {
      issues.add(fieldOf(name, setting.origin)(), 'is deprecated and no longer read by Kubespray: give containerd_registries_mirrors instead');
    }
  }
  const auth = settings.get('containerd_registry_auth');
  if (auth !== undefined && Array.isArray(auth.value) && auth.value.length > 0) {
    for (const entry of auth.value) {
      const password = (entry as Record<string, unknown> | null)?.['password'];
      if (typeof password === 'string') secrets.push(password);
    }
    secretFiles.push(auth.origin.file);
    warnings.push(`${where(fieldOf('containerd_registry_auth', auth.origin)())}: containerd_registry_auth: registry logins are Kubespray's; dockhand configures trust, not logins, and does not use them`);
  }

  const play: Record<string, unknown> = { name: `Kubespray inventory ${dir}`, hosts: K8S_CLUSTER, runtimes: [runtime] };
  const origins = new Map<string, FieldOrigin>();
  if (manager !== undefined) origins.set('runtimes', fieldOf('container_manager', manager.origin)());
  const unused = runtime === 'docker' ? (['containerd_registries_mirrors'] as const) : (['docker_insecure_registries', 'docker_registry_mirrors'] as const);
  for (const name of unused) {
    const setting = settings.get(name);
    if (setting === undefined || isEmpty(setting.value)) continue;
    const applies = runtime === 'docker' ? 'containerd' : 'docker';
    warnings.push(`${where(fieldOf(name, setting.origin)())}: ${name} is not used: container_manager is ${String(runtime)}, and Kubespray applies it only with ${applies}`);
  }
  if (runtime === 'docker') {
    for (const [name, key] of [['docker_insecure_registries', 'insecure_registries'], ['docker_registry_mirrors', 'registry_mirrors']] as const) {
      const setting = settings.get(name);
      if (setting === undefined) continue;
      const values = stringList(setting, name, issues);
      if (values.length === 0) continue;
      play[key] = values;
      values.forEach((_, index) => origins.set(`${key}[${index}]`, fieldOf(name, setting.origin)([index])));
    }
  } else if (runtime === 'containerd') {
    const setting = settings.get('containerd_registries_mirrors');
    const registries = setting === undefined ? [] : containerdRegistries(setting, dir, issues);
    if (registries.length > 0) {
      play['registries'] = registries.map((r) => r.registry);
      registries.forEach((r, index) => {
        for (const [path, origin] of r.origins) origins.set(`registries[${index}]${path}`, origin);
      });
    }
  }
  if (issues.size === 0 && play['registries'] === undefined && play['insecure_registries'] === undefined && play['registry_mirrors'] === undefined) {
    const names = runtime === 'docker' ? 'docker_insecure_registries or docker_registry_mirrors' : 'containerd_registries_mirrors';
    issues.add({ file: inventory.source, line: undefined, path: K8S_CLUSTER }, `the hosts' vars set nothing dockhand applies: no ${names} (container_manager: ${String(runtime)})`);
  }
  issues.throwIfAny('E_PLAYBOOK');
  return {
    header: [
      `Derived by dockhand from the Kubespray inventory ${dir}`,
      `(the vars of k8s_cluster; runtime: ${manager === undefined ? 'container_manager is not set, and Kubespray\'s default is containerd' : `container_manager is ${String(runtime)}`}).`,
      `To keep it: save it, edit it, and run dockhand apply FILE -i ${inventory.source}`,
    ],
    play,
    origins,
    secrets,
    secretFiles,
    warnings,
  };
}

/** The value every host of k8s_cluster has for `name`, or undefined when none sets it; hosts that disagree are an issue. */
function agreedSetting(inv: Inventory, hosts: readonly string[], name: VarName, issues: IssueList): Setting | undefined {
  const seen = hosts.map((host) => {
    const { vars, origins } = resolveHostVars(inv, host);
    const origin = origins[name];
    return { host, setting: vars[name] === undefined || origin === undefined ? undefined : { value: vars[name], origin } };
  });
  const set = seen.filter((s) => s.setting !== undefined);
  const first = set[0];
  if (first?.setting === undefined) return undefined;
  const missing = seen.find((s) => s.setting === undefined);
  const field = fieldOf(name, first.setting.origin)();
  if (missing !== undefined) {
    issues.add(field, `is set for host ${first.host} but not for host ${missing.host}: dockhand derives one play for k8s_cluster; set it in group_vars/k8s_cluster or group_vars/all`);
    return undefined;
  }
  const json = JSON.stringify(first.setting.value);
  const other = set.find((s) => JSON.stringify(s.setting!.value) !== json);
  if (other !== undefined) {
    issues.add(fieldOf(name, other.setting!.origin)(), `differs between hosts ${first.host} (${where(field)}) and ${other.host}: dockhand derives one play for k8s_cluster; set it once, in group_vars/k8s_cluster or group_vars/all`);
    return undefined;
  }
  return first.setting;
}

/** Where a part of variable `name` is: its file, the line of that part when the source is YAML, and its path. */
function fieldOf(name: string, origin: VarOrigin): Field {
  return (path = []) => ({ file: origin.file, line: (path.length > 0 ? origin.locate?.(path) : undefined) ?? origin.line, path: formatPath([name, ...path], '') });
}

interface DerivedRegistry {
  readonly registry: Record<string, unknown>;
  /** Path under the registry (`''`, `.host`, `.mirrors[0]`, …) → field. */
  readonly origins: Map<string, FieldOrigin>;
}

/**
 * containerd_registries_mirrors entries as registries: `prefix` is the host; each mirror a mirror, except
 * the prefix's own address with nothing of its own (no CA, every capability): `http://PREFIX` (or
 * `skip_verify` on `https://PREFIX`) makes the registry insecure, as `server: http://PREFIX` does;
 * `https://PREFIX` is containerd's default server already. With a CA or capabilities of its own it stays a
 * mirror, so that hosts.toml carries them exactly.
 */
function containerdRegistries(setting: Setting, dir: string, issues: IssueList): DerivedRegistry[] {
  const name = 'containerd_registries_mirrors';
  const field = fieldOf(name, setting.origin);
  if (!Array.isArray(setting.value)) {
    issues.add(field(), `must be a list of {prefix, mirrors}, got ${kindOf(setting.value)}`);
    return [];
  }
  const out: DerivedRegistry[] = [];
  setting.value.forEach((raw: unknown, index) => {
    const at = (...path: (string | number)[]): FieldOrigin => field([index, ...path]);
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      issues.add(at(), `must be a mapping with prefix and mirrors, got ${kindOf(raw)}`);
      return;
    }
    const entry = raw as Record<string, unknown>;
    for (const key of Object.keys(entry)) if (!ENTRY_KEYS.includes(key)) issues.add(at(key), `unknown field; an entry has ${ENTRY_KEYS.join(', ')}`);
    const prefix = entry['prefix'];
    if (typeof prefix !== 'string' || prefix === '') {
      issues.add(at('prefix'), prefix === undefined ? 'is required: the registry the mirrors stand for' : `must be a registry host, got ${kindOf(prefix)}`);
      return;
    }
    const registry: Record<string, unknown> = { host: prefix };
    const origins = new Map<string, FieldOrigin>([['', at()], ['.host', at('prefix')]]);
    const server = entry['server'];
    if (server !== undefined && server !== null) {
      if (server === `http://${prefix}`) {
        registry['insecure'] = true;
        origins.set('.insecure', at('server'));
      } else if (server !== `https://${prefix}`) {
        issues.add(at('server'), `${JSON.stringify(server)} is not supported yet: dockhand sends a registry's pulls to the registry itself (https://${prefix} or http://${prefix})`);
      }
    }
    const mirrors: unknown[] = [];
    const list = entry['mirrors'];
    if (list !== undefined && list !== null && !Array.isArray(list)) issues.add(at('mirrors'), `must be a list, got ${kindOf(list)}`);
    (Array.isArray(list) ? list : []).forEach((rawMirror: unknown, m) => {
      const here = (...path: (string | number)[]): FieldOrigin => at('mirrors', m, ...path);
      const mirror = containerdMirror(rawMirror, dir, here, issues);
      if (mirror === undefined) return;
      const url = String(mirror['url']);
      // The registry's own address says nothing beyond the registry's defaults unless it has a CA or
      // capabilities of its own: then it stays a [host] entry with exactly those (as Kubespray writes it).
      const own = url === `http://${prefix}` || url === `https://${prefix}`;
      if (own && mirror['ca'] === undefined && sameCapabilities(mirror['capabilities'], CAPABILITIES)) {
        if (url === `http://${prefix}` || mirror['skip_verify'] === true) {
          registry['insecure'] = true;
          if (!origins.has('.insecure')) origins.set('.insecure', here('host'));
        }
        return;
      }
      origins.set(`.mirrors[${mirrors.length}]`, here());
      for (const key of ['url', 'capabilities', 'skip_verify', 'ca']) {
        if (mirror[key] !== undefined) origins.set(`.mirrors[${mirrors.length}].${key}`, here(key === 'url' ? 'host' : key));
      }
      mirrors.push(mirror);
    });
    if (mirrors.length > 0) registry['mirrors'] = mirrors;
    out.push({ registry, origins });
  });
  return out;
}

/** One mirror of an entry, in the playbook's terms, or undefined (with an issue) when it cannot be honoured. */
function containerdMirror(raw: unknown, dir: string, at: (...path: (string | number)[]) => FieldOrigin, issues: IssueList): Record<string, unknown> | undefined {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    issues.add(at(), `must be a mapping with host, got ${kindOf(raw)}`);
    return undefined;
  }
  const mirror = raw as Record<string, unknown>;
  for (const key of Object.keys(mirror)) if (!MIRROR_KEYS.includes(key)) issues.add(at(key), `unknown field; a mirror has ${MIRROR_KEYS.join(', ')}`);
  let ok = true;
  const refuse = (key: string, why: string): void => {
    issues.add(at(key), why);
    ok = false;
  };
  const host = mirror['host'];
  if (typeof host !== 'string' || host === '') refuse('host', host === undefined ? 'is required' : `must be a URL, got ${kindOf(host)}`);
  // containerd reads a host without a scheme as https.
  const url = typeof host === 'string' && !host.includes('://') ? `https://${host}` : host;
  const out: Record<string, unknown> = { url };
  const capabilities = mirror['capabilities'];
  if (capabilities !== undefined && capabilities !== null) {
    const list = [capabilities].flat();
    const bad = list.find((c) => typeof c !== 'string' || !CAPABILITIES.includes(c));
    if (bad !== undefined) refuse('capabilities', `${JSON.stringify(bad)} is not a capability (pull, resolve, push)`);
    else out['capabilities'] = list;
  }
  const skip = mirror['skip_verify'];
  if (skip !== undefined && skip !== null) {
    const value = typeof skip === 'string' ? skip.toLowerCase() : skip;
    if (value === true || value === 'true') out['skip_verify'] = true;
    else if (value !== false && value !== 'false') refuse('skip_verify', `must be true or false, got ${JSON.stringify(skip)}`);
  }
  const overridePath = mirror['override_path'];
  if (overridePath !== undefined && overridePath !== null && overridePath !== false && String(overridePath).toLowerCase() !== 'false') {
    refuse('override_path', 'is not supported yet: dockhand keeps the registry\'s API path');
  }
  const ca = mirror['ca'];
  if (ca !== undefined && ca !== null) {
    const list = [ca].flat();
    if (list.length !== 1 || typeof list[0] !== 'string') refuse('ca', 'give one CA file (a bundle may hold several certificates)');
    // Kubespray writes the path into hosts.toml, a file already on the node; dockhand reads it here
    // (relative to the inventory directory) and installs it on the nodes.
    else out['ca'] = resolve(dir, list[0]);
  }
  for (const key of ['client', 'header']) {
    if (mirror[key] !== undefined && mirror[key] !== null) refuse(key, key === 'client' ? 'client certificates are not supported yet' : 'request headers are not supported yet');
  }
  return ok ? out : undefined;
}

/** Whether a mirror's capabilities (absent: containerd's default, all of them) are exactly `wanted`. */
function sameCapabilities(capabilities: unknown, wanted: readonly string[]): boolean {
  const given = capabilities === undefined ? wanted : (capabilities as string[]);
  return given.length === wanted.length && wanted.every((c) => given.includes(c));
}

function stringList(setting: Setting, name: string, issues: IssueList): string[] {
  const field = fieldOf(name, setting.origin);
  if (setting.value === null) return [];
  if (!Array.isArray(setting.value)) {
    issues.add(field(), `must be a list, got ${kindOf(setting.value)}`);
    return [];
  }
  return setting.value.flatMap((item: unknown, index) => {
    if (typeof item === 'string') return [item];
    issues.add(field([index]), `must be a string, got ${kindOf(item)}`);
    return [];
  });
}

function isEmpty(value: unknown): boolean {
  return value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

