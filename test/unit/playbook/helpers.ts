import { fileURLToPath } from 'node:url';
import { desiredStates } from '../../../src/converge/desired.ts';
import { parseInventory } from '../../../src/inventory/index.ts';
import { parsePlaybook, PlaybookError } from '../../../src/playbook/index.ts';

/** Absolute path of a fixture file. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

/** The lines of the PlaybookError `text` is refused with (as file `site.yml`); fails when it is accepted. */
export async function refusal(text: string): Promise<string[]> {
  const error = await parsePlaybook(text, 'site.yml').catch((e: unknown) => e);
  if (!(error instanceof PlaybookError)) throw new Error(`expected a PlaybookError, got ${String(error)}`);
  return error.message.split('\n');
}

/** A two-group inventory where both1 is in web and in db: plays for `web` and `db` share it. */
export const SHARED_NODE_INVENTORY = '[web]\nweb1\nboth1\n[db]\ndb1\nboth1\n';
/** The same groups without a node in both. */
export const DISJOINT_INVENTORY = '[web]\nweb1\nweb2\n[db]\ndb1\n';

/**
 * The lines of the PlaybookError `text` is refused with once the inventory is known (every node
 * selected); an empty list when the playbook and inventory are accepted.
 */
export async function refusalWith(text: string, inventoryText: string): Promise<string[]> {
  const playbook = await parsePlaybook(text, 'site.yml');
  const inventory = parseInventory(inventoryText, 'hosts.ini');
  try {
    desiredStates(playbook, inventory, new Set(inventory.hosts.keys()));
    return [];
  } catch (error) {
    if (!(error instanceof PlaybookError)) throw error;
    return error.message.split('\n');
  }
}
