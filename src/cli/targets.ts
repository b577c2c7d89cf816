import { stat } from 'node:fs/promises';
import { InputError } from '../errors.ts';
import { loadInventory, resolveTarget, selectHosts } from '../inventory/index.ts';
import type { Playbook } from '../playbook/types.ts';
import type { Output } from '../report/output.ts';
import type { NodeTarget } from '../inventory/types.ts';

/** The nodes a command works on: the inventory's hosts matching --limit, resolved to targets. */
export async function targetsFrom(inventoryFile: string, limit: string | undefined): Promise<NodeTarget[]> {
  const inventory = await loadInventory(inventoryFile);
  const hosts = selectHosts(inventory, limit, '--limit');
  return hosts.map((host) => resolveTarget(inventory, host.name));
}

/**
 * A run that selects no node is a mistake (a --limit outside the plays' hosts), not a success:
 * the error names the limit and each play's hosts pattern.
 */
export function requireSelection(targets: readonly NodeTarget[], limit: string | undefined, playbook: Playbook): void {
  if (targets.length > 0) return;
  const plays = playbook.plays.map((play) => `play ${JSON.stringify(play.name)} is for hosts ${JSON.stringify(play.hosts)}`).join('; ');
  const why = limit === undefined ? 'the plays select no node of the inventory' : `--limit ${JSON.stringify(limit)} selects no node the plays are for`;
  throw new InputError('E_USAGE', playbook.file, undefined, `${why}: ${plays}`);
}

/** Say so when an inventory that holds passwords can be read by others than its owner. */
export async function warnIfSecretsExposed(inventoryFile: string, targets: readonly NodeTarget[], output: Output): Promise<void> {
  if (!targets.some((t) => t.password !== undefined || t.becomePassword !== undefined)) return;
  const mode = (await stat(inventoryFile)).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    output.notice(`warning: ${inventoryFile} holds passwords and is readable by others (mode ${mode.toString(8).padStart(4, '0')}): chmod 600 ${inventoryFile}`);
  }
}
