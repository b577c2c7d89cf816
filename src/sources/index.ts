/**
 * What a run works from: a playbook and inventories, or the configuration an installer already has (a
 * KubeKey cluster file, a Kubespray inventory directory) read as both inventory and play.
 */
import { RUNTIME_NAMES } from '../runtimes/index.ts';
import { readFile } from 'node:fs/promises';
import { InputError } from '../errors.ts';
import { loadInventory } from '../inventory/index.ts';
import type { Inventory } from '../inventory/types.ts';
import { loadPlaybook } from '../playbook/index.ts';
import type { Playbook } from '../playbook/types.ts';
import { loadDerivedPlay, type LoadedDerivedPlay } from './derived-play.ts';
import { readCluster } from './kubekey/cluster.ts';
import { kubeKeyPlay } from './kubekey/play.ts';
import { loadKubesprayInventory } from './kubespray/inventory.ts';
import { kubesprayPlay } from './kubespray/play.ts';

export interface SourceOptions {
  /** The playbook argument, when one is given. */
  readonly playbook: string | undefined;
  /** `-i`, as often as given. */
  readonly inventories: readonly string[];
  readonly fromKubekey?: string | undefined;
  readonly fromKubespray?: string | undefined;
}

export interface RunInputs {
  readonly inventory: Inventory;
  readonly playbook: Playbook;
  /** Secrets the installer's file holds beyond the inventory's (registry passwords): for the redactor. */
  readonly secrets: readonly string[];
  /** Files that hold such secrets, beyond the inventory's. */
  readonly secretFiles: readonly string[];
}

/** Refuses option combinations that cannot mean anything, before anything is read. */
export function checkSourceOptions(options: SourceOptions & { readonly printPlay?: boolean }): void {
  const fail = (message: string): never => {
    throw new InputError('E_USAGE', 'usage', undefined, message);
  };
  const given = [options.playbook !== undefined, options.fromKubekey !== undefined, options.fromKubespray !== undefined].filter(Boolean).length;
  if (given === 0) fail('give a playbook, --from-kubekey FILE or --from-kubespray DIR');
  if (given > 1) fail('give one of a playbook, --from-kubekey FILE and --from-kubespray DIR');
  if (options.printPlay && options.playbook !== undefined) fail('--print-play shows the play derived by --from-kubekey or --from-kubespray');
  if (options.playbook !== undefined && options.inventories.length === 0) fail('give an inventory: -i FILE or -i DIR');
}

/** The playbook and inventory of a run, whichever way they are given. */
export async function loadRunInputs(options: SourceOptions): Promise<RunInputs> {
  checkSourceOptions(options);
  if (options.fromKubekey !== undefined) {
    const derived = await kubeKeyDerivedPlay(options.fromKubekey);
    const inventory = await loadInventory(options.inventories.length > 0 ? options.inventories : [options.fromKubekey]);
    return fromDerived(inventory, derived);
  }
  if (options.fromKubespray !== undefined) {
    const inventory = await loadKubesprayInventory(options.fromKubespray, options.inventories);
    const derived = await loadDerivedPlay(await kubesprayPlay(inventory, options.fromKubespray), `${options.fromKubespray} (derived play)`);
    return fromDerived(inventory, derived);
  }
  // checkSourceOptions made sure of the playbook
  const playbook = await loadPlaybook(options.playbook!, { runtimes: RUNTIME_NAMES });
  const inventory = await loadInventory(options.inventories);
  return { inventory, playbook, secrets: [], secretFiles: [] };
}

/**
 * The derived play as YAML a user can save and edit (--print-play); no node is touched. With the files
 * that hold passwords or keys (the installer's own, its inventory's), for the same warning a run gives.
 */
export async function derivedPlayText(options: SourceOptions): Promise<{ text: string; warnings: readonly string[]; secretFiles: readonly string[] }> {
  checkSourceOptions({ ...options, printPlay: true });
  const inventory = options.fromKubekey !== undefined ? await loadInventory([options.fromKubekey]) : await loadKubesprayInventory(options.fromKubespray!, options.inventories);
  const derived = options.fromKubekey !== undefined
    ? await kubeKeyDerivedPlay(options.fromKubekey)
    : await loadDerivedPlay(await kubesprayPlay(inventory, options.fromKubespray!), `${options.fromKubespray} (derived play)`);
  return { text: derived.text, warnings: derived.playbook.warnings, secretFiles: [...inventory.secretFiles, ...derived.secretFiles] };
}

async function kubeKeyDerivedPlay(file: string): Promise<LoadedDerivedPlay> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError('E_USAGE', file, undefined, code === 'ENOENT' ? 'KubeKey cluster file not found' : `cannot read the KubeKey cluster file: ${(error as Error).message}`);
  }
  return loadDerivedPlay(await kubeKeyPlay(readCluster(text, file)), `${file} (derived play)`);
}

function fromDerived(inventory: Inventory, derived: LoadedDerivedPlay): RunInputs {
  return { inventory, playbook: derived.playbook, secrets: derived.secrets, secretFiles: derived.secretFiles };
}
