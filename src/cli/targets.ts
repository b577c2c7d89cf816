import { stat } from 'node:fs/promises';
import { InputError } from '../errors.ts';
import { loadInventory, resolveTargets, selectHosts } from '../inventory/index.ts';
import type { Inventory, NodeTarget } from '../inventory/types.ts';
import type { Playbook } from '../playbook/types.ts';
import type { Output } from '../report/output.ts';

/** The nodes a command works on: the inventory's hosts matching --limit, resolved to targets. */
export async function targetsFrom(inventories: readonly string[] | undefined, limit: string | undefined): Promise<{ inventory: Inventory; targets: NodeTarget[] }> {
  if (inventories === undefined || inventories.length === 0) throw new InputError('E_USAGE', '-i', undefined, 'give an inventory: -i FILE or -i DIR');
  const inventory = await loadInventory(inventories);
  const hosts = selectHosts(inventory, limit, '--limit');
  return { inventory, targets: await resolveTargets(inventory, hosts.map((host) => host.name)) };
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

/** Say so when a file that holds passwords or private keys can be read by others than its owner. */
export async function warnIfSecretsExposed(files: readonly string[], output: Output): Promise<void> {
  for (const file of new Set(files)) {
    const mode = (await stat(file)).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      output.notice(`warning: ${file} holds passwords or keys and is readable by others (mode ${mode.toString(8).padStart(4, '0')}): chmod 600 ${file}`);
    }
  }
}
