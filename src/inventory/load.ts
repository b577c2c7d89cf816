/** Reads an inventory file, INI or YAML, whichever it is. */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { isMap, isScalar, parseDocument } from 'yaml';
import { InputError } from '../errors.ts';
import { parseIniInventory } from './ini.ts';
import type { Inventory } from './types.ts';
import { parseYamlInventory } from './yaml.ts';

export type InventoryFormat = 'ini' | 'yaml';

/** Loads and checks the inventory at `path`; a missing file or one without hosts is an InputError. */
export async function loadInventory(path: string): Promise<Inventory> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'inventory file not found'
      : code === 'EISDIR' ? 'inventory is a directory; give the inventory file'
      : code === 'EACCES' ? 'inventory file is not readable (permission denied)'
      : `cannot read inventory file: ${(error as Error).message}`;
    throw new InputError('E_INVENTORY', path, undefined, why);
  }
  return parseInventory(text, path);
}

/** Parses inventory text in the format `detectFormat` picks, and requires at least one host. */
export function parseInventory(text: string, path: string): Inventory {
  const inventory = detectFormat(path, text) === 'yaml' ? parseYamlInventory(text, path) : parseIniInventory(text, path);
  if (inventory.hosts.size === 0) throw new InputError('E_INVENTORY', path, undefined, 'inventory holds no hosts');
  return inventory;
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
