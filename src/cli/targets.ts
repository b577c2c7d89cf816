import { loadInventory, resolveTarget, selectHosts } from '../inventory/index.ts';
import type { NodeTarget } from '../inventory/types.ts';

/** The nodes a command works on: the inventory's hosts matching --limit, resolved to targets. */
export async function targetsFrom(inventoryFile: string, limit: string | undefined): Promise<NodeTarget[]> {
  const inventory = await loadInventory(inventoryFile);
  const hosts = selectHosts(inventory, limit, '--limit');
  return hosts.map((host) => resolveTarget(inventory, host.name));
}
