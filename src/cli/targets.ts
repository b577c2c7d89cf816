import { stat } from 'node:fs/promises';
import { loadInventory, resolveTarget, selectHosts } from '../inventory/index.ts';
import type { Output } from '../report/output.ts';
import type { NodeTarget } from '../inventory/types.ts';

/** The nodes a command works on: the inventory's hosts matching --limit, resolved to targets. */
export async function targetsFrom(inventoryFile: string, limit: string | undefined): Promise<NodeTarget[]> {
  const inventory = await loadInventory(inventoryFile);
  const hosts = selectHosts(inventory, limit, '--limit');
  return hosts.map((host) => resolveTarget(inventory, host.name));
}

/** Say so when an inventory that holds passwords can be read by others than its owner. */
export async function warnIfSecretsExposed(inventoryFile: string, targets: readonly NodeTarget[], output: Output): Promise<void> {
  if (!targets.some((t) => t.password !== undefined || t.becomePassword !== undefined)) return;
  const mode = (await stat(inventoryFile)).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    output.notice(`warning: ${inventoryFile} holds passwords and is readable by others (mode ${mode.toString(8).padStart(4, '0')}): chmod 600 ${inventoryFile}`);
  }
}
