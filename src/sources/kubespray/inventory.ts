/**
 * A Kubespray inventory directory (inventory/mycluster): its hosts file, its group_vars/ and host_vars/,
 * and the group Kubespray defines on its own, `k8s_cluster` (kube_control_plane, kube_node and calico_rr),
 * which group_vars/k8s_cluster/ applies to and where Kubespray installs the container engine.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../../errors.ts';
import type { InventoryBuilder } from '../../inventory/builder.ts';
import { loadInventory } from '../../inventory/index.ts';
import type { Inventory } from '../../inventory/types.ts';

/** The hosts files a Kubespray inventory directory may hold (the sample's is inventory.ini). */
export const KUBESPRAY_HOSTS_FILES = ['hosts.yaml', 'hosts.yml', 'hosts.ini', 'inventory.ini'];

const K8S_CLUSTER = 'k8s_cluster';
const K8S_CLUSTER_PARTS = ['kube_control_plane', 'kube_node', 'calico_rr'];

/**
 * The inventory of a Kubespray directory: its hosts file, or the `-i` sources given instead (with the
 * directory's group_vars/ and host_vars/ applied to them as well).
 */
export async function loadKubesprayInventory(dir: string, inventories: readonly string[]): Promise<Inventory> {
  await requireDirectory(dir);
  const options = { completeGroups: defineK8sCluster, varDirs: [dir] };
  if (inventories.length > 0) return loadInventory(inventories, options);
  return loadInventory([await hostsFile(dir)], options);
}

/** k8s_cluster as Kubespray defines it, unless the inventory defines it itself. */
export function defineK8sCluster(builder: InventoryBuilder): void {
  if (builder.hasGroup(K8S_CLUSTER)) return;
  builder.defineGroup(K8S_CLUSTER);
  for (const part of K8S_CLUSTER_PARTS) if (builder.hasGroup(part)) builder.addChild(K8S_CLUSTER, part, undefined);
}

async function hostsFile(dir: string): Promise<string> {
  const found: string[] = [];
  for (const name of KUBESPRAY_HOSTS_FILES) {
    const path = join(dir, name);
    if (await isFile(path)) found.push(path);
  }
  const [only, other] = found;
  if (only === undefined) {
    throw new InputError('E_USAGE', dir, undefined, `no Kubespray inventory here (${KUBESPRAY_HOSTS_FILES.join(', ')}): give the hosts file with -i`);
  }
  if (other !== undefined) throw new InputError('E_USAGE', dir, undefined, `holds both ${only} and ${other}: say which is the inventory with -i`);
  return only;
}

async function requireDirectory(dir: string): Promise<void> {
  try {
    if ((await stat(dir)).isDirectory()) return;
  } catch {
    throw new InputError('E_USAGE', dir, undefined, 'Kubespray inventory directory not found');
  }
  throw new InputError('E_USAGE', dir, undefined, 'is not a directory: --from-kubespray takes the inventory directory (inventory/mycluster)');
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
