/**
 * A KubeKey cluster file as an inventory: spec.hosts are the hosts, spec.roleGroups the groups (`etcd`,
 * `control-plane` with its legacy alias `master`, `worker`, `registry`), plus `k8s-cluster` (control
 * plane and workers) so playbooks written for KubeSphere's hosts.ini work unchanged. Each host's fields
 * become the Ansible variables dockhand already understands, each still traced to its line in the file.
 */
import { extname } from 'node:path';
import type { InventoryBuilder } from '../../inventory/builder.ts';
import { PRIVATE_KEY_VAR } from '../../inventory/target.ts';
import type { VarOrigin, Vars } from '../../inventory/types.ts';
import { holdsKubeKeyCluster, readCluster, ROLES, type Cluster, type ClusterHost } from './cluster.ts';

/** Whether an inventory source is a KubeKey cluster file. */
export function isKubeKeyCluster(path: string, text: string): boolean {
  const ext = extname(path).toLowerCase();
  if (ext !== '' && ext !== '.yaml' && ext !== '.yml') return false;
  return holdsKubeKeyCluster(text);
}

/** Reads a KubeKey cluster file's hosts and roles into `builder` (its current source). */
export function readKubeKeyInventory(builder: InventoryBuilder, text: string, file: string): void {
  const cluster = readCluster(text, file);
  for (const role of [...ROLES, 'k8s-cluster']) builder.defineGroup(role);
  const k8s = new Set([...(cluster.roles.get('control-plane') ?? []), ...(cluster.roles.get('worker') ?? [])]);
  for (const host of cluster.hosts) {
    const { vars, origins } = hostVars(cluster, host);
    const groups: string[] = ROLES.filter((role) => cluster.roles.get(role)?.includes(host.name));
    if (k8s.has(host.name)) groups.push('k8s-cluster');
    if (groups.length === 0) builder.addHost(host.name, vars, host.line, 'ungrouped', origins);
    for (const group of groups) builder.addHost(host.name, vars, host.line, group, origins);
  }
}

/**
 * A host's connection as KubeKey makes it (default.go, SetDefaultHostsCfg; connector/ssh.go): user root
 * unless given; an inline privateKey wins over privateKeyPath; with neither a password nor a key,
 * `~/.ssh/id_rsa`. KubeKey runs every command through sudo, answering sudo's prompt with the host's
 * password: a user other than root is made to become root the same way.
 */
function hostVars(cluster: Cluster, host: ClusterHost): { vars: Vars; origins: Record<string, VarOrigin> } {
  const vars: Vars = {};
  const origins: Record<string, VarOrigin> = {};
  const base = ['spec', 'hosts', host.index];
  const set = (name: string, value: unknown, field: string | undefined, label?: string): void => {
    vars[name] = value;
    const origin = cluster.at(field === undefined ? base : [...base, field]);
    origins[name] = { file: origin.file, line: origin.line, label: label ?? origin.path };
  };
  set('ansible_host', host.address, host.addressField);
  if (host.port !== undefined) set('ansible_port', host.port, 'port');
  const user = host.user ?? 'root';
  set('ansible_user', user, host.user === undefined ? undefined : 'user', host.user === undefined ? `spec.hosts[${host.index}] (user: KubeKey's default, root)` : undefined);
  if (host.password !== undefined) set('ansible_password', host.password, 'password');
  if (host.privateKey !== undefined) set(PRIVATE_KEY_VAR, host.privateKey, 'privateKey');
  else if (host.privateKeyPath !== undefined) set('ansible_ssh_private_key_file', host.privateKeyPath, 'privateKeyPath');
  else if (host.password === undefined) {
    set('ansible_ssh_private_key_file', '~/.ssh/id_rsa', undefined, `spec.hosts[${host.index}] (privateKeyPath: KubeKey's default ~/.ssh/id_rsa, as it gives neither password nor privateKey)`);
  }
  if (user !== 'root') {
    set('ansible_become', true, 'user');
    if (host.password !== undefined) set('ansible_become_password', host.password, 'password');
  }
  return { vars, origins };
}
