/**
 * Reads inventories as Ansible does: one or more sources (`-i` given several times), each a file (INI,
 * YAML, or a KubeKey cluster file) or a directory of them, merged into one inventory; then group_vars/
 * and host_vars/ beside each source (inside a directory source).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { isMap, isScalar, parseDocument } from 'yaml';
import { InputError } from '../errors.ts';
import { isKubeKeyCluster, readKubeKeyInventory } from '../sources/kubekey/inventory.ts';
import { InventoryBuilder } from './builder.ts';
import { readIniInventory } from './ini.ts';
import type { Inventory } from './types.ts';
import { varNameWarning } from './var-names.ts';
import { loadVarsLayer } from './vars-files.ts';
import { readYamlInventory } from './yaml.ts';
import { AnsibleYaml } from './yaml-doc.ts';

export type InventoryFormat = 'ini' | 'yaml';

export interface LoadInventoryOptions {
  /** More directories whose group_vars/ and host_vars/ apply, after the sources' own (Kubespray's inventory directory). */
  readonly varDirs?: readonly string[];
  /** Runs once every source is read, before vars files are looked up: adds groups an installer defines implicitly. */
  readonly completeGroups?: (builder: InventoryBuilder) => void;
}

/**
 * Names in an inventory directory that Ansible skips: hidden names, group_vars/host_vars/vars_plugins,
 * and its INVENTORY_IGNORE_EXTS (backups, docs, and `.ini`, `.cfg`, `.retry`).
 */
const IGNORED = /^\.|^host_vars$|^group_vars$|^vars_plugins$|(?:\.pyc|\.pyo|\.swp|\.bak|~|\.rpm|\.md|\.txt|\.rst|\.orig|\.ini|\.cfg|\.retry)$/;

/** Loads and checks the inventory from one or more sources; a missing file or one without hosts is an InputError. */
export async function loadInventory(paths: string | readonly string[], options: LoadInventoryOptions = {}): Promise<Inventory> {
  const sources = typeof paths === 'string' ? [paths] : [...paths];
  const first = sources[0];
  if (first === undefined) throw new InputError('E_USAGE', '-i', undefined, 'give an inventory (-i FILE or -i DIR)');
  const builder = new InventoryBuilder(first);
  let fresh = true;
  const parse = async (file: string): Promise<void> => {
    const text = await readSource(file);
    if (!fresh) builder.nextSource(file);
    fresh = false;
    readInto(builder, text, file);
  };
  const varDirs: string[] = [];
  for (const source of sources) {
    const kind = await sourceKind(source);
    if (kind === 'dir') {
      builder.addSource(source);
      for (const file of await directoryFiles(source)) await parse(file);
    } else {
      await parse(source);
    }
    const base = resolve(kind === 'dir' ? source : dirname(source));
    if (!varDirs.includes(base)) varDirs.push(base);
  }
  for (const dir of options.varDirs ?? []) if (!varDirs.includes(resolve(dir))) varDirs.push(resolve(dir));
  options.completeGroups?.(builder);
  await applyVarsFiles(builder, varDirs);
  const inventory = builder.build();
  if (inventory.hosts.size === 0) throw new InputError('E_INVENTORY', inventory.source, undefined, 'inventory holds no hosts');
  return { ...inventory, warnings: [...inventory.warnings, ...varNameWarnings(inventory)] };
}

/** Parses inventory text in the format `detectFormat` picks (or a KubeKey cluster file), and requires at least one host. */
export function parseInventory(text: string, path: string): Inventory {
  const builder = new InventoryBuilder(path);
  readInto(builder, text, path);
  const inventory = builder.build();
  if (inventory.hosts.size === 0) throw new InputError('E_INVENTORY', path, undefined, 'inventory holds no hosts');
  return { ...inventory, warnings: [...inventory.warnings, ...varNameWarnings(inventory)] };
}

function readInto(builder: InventoryBuilder, text: string, path: string): void {
  if (isKubeKeyCluster(path, text)) readKubeKeyInventory(builder, text, path);
  else if (detectFormat(path, text) === 'yaml') readYamlInventory(builder, new AnsibleYaml(text, path));
  else readIniInventory(builder, text);
}

/**
 * .yml/.yaml/.json are YAML and .ini is INI; anything else is YAML when it parses as a mapping whose
 * values are all mappings (or empty), since an INI file never does.
 */
export function detectFormat(path: string, text: string): InventoryFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.yml' || ext === '.yaml' || ext === '.json') return 'yaml';
  if (ext === '.ini') return 'ini';
  const doc = parseDocument(text);
  if (doc.errors.length > 0 || !isMap(doc.contents) || doc.contents.items.length === 0) return 'ini';
  const groupLike = doc.contents.items.every(
    (pair) => isMap(pair.value) || pair.value === null || (isScalar(pair.value) && pair.value.value === null),
  );
  return groupLike ? 'yaml' : 'ini';
}

async function sourceKind(path: string): Promise<'file' | 'dir'> {
  try {
    return (await stat(path)).isDirectory() ? 'dir' : 'file';
  } catch {
    return 'file'; // reading it names the problem
  }
}

async function readSource(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'inventory file not found'
      : code === 'EACCES' ? 'inventory file is not readable (permission denied)'
      : `cannot read inventory file: ${(error as Error).message}`;
    throw new InputError('E_INVENTORY', path, undefined, why);
  }
}

/** An inventory directory's files, as Ansible reads them: sorted, subdirectories recursed, ignored names skipped. */
async function directoryFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const name of (await readdir(dir)).sort()) {
    if (IGNORED.test(name)) continue;
    const path = join(dir, name);
    if ((await sourceKind(path)) === 'dir') files.push(...(await directoryFiles(path)));
    else files.push(path);
  }
  return files;
}

/** group_vars/NAME and host_vars/NAME from every directory, for every group and host. */
async function applyVarsFiles(builder: InventoryBuilder, dirs: readonly string[]): Promise<void> {
  for (const [kind, sub, names] of [['group', 'group_vars', builder.groupNames()], ['host', 'host_vars', builder.hostNames()]] as const) {
    const present: string[] = [];
    for (const dir of dirs) if ((await sourceKind(join(dir, sub))) === 'dir') present.push(join(dir, sub));
    if (present.length === 0) continue;
    for (const name of names) {
      if (name.startsWith('/')) continue;
      const layer = await loadVarsLayer(present, name);
      if (Object.keys(layer.values).length > 0) builder.setFileVars(kind, name, layer);
    }
  }
}

/** A warning for every ansible_-like variable that is misspelt or that dockhand does not use, once per place it is set. */
function varNameWarnings(inv: Inventory): string[] {
  const seen = new Set<string>();
  const warnings: string[] = [];
  const layers = [
    ...[...inv.groups.values()].flatMap((g) => [{ values: g.vars, origins: g.origins }, g.fileVars]),
    ...[...inv.hosts.values()].flatMap((h) => [{ values: h.vars, origins: h.origins }, h.fileVars]),
  ];
  for (const layer of layers) {
    for (const name of Object.keys(layer.values)) {
      const warning = varNameWarning(name);
      if (warning === undefined) continue;
      const origin = layer.origins[name];
      const where = origin === undefined ? inv.source : `${origin.file}${origin.line === undefined ? '' : `:${origin.line}`}`;
      const text = `${where}: ${warning}`;
      if (!seen.has(text)) {
        seen.add(text);
        warnings.push(text);
      }
    }
  }
  return warnings;
}
