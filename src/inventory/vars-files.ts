/**
 * group_vars/ and host_vars/ beside an inventory, found and read as Ansible's host_group_vars plugin
 * does: for a group (or host) NAME, the first of `NAME` (a file or a directory), `NAME.yml`,
 * `NAME.yaml`, `NAME.json`; a directory's files in sorted order, subdirectories too, skipping hidden
 * names, backups (`~`) and other extensions. Later files win, key by key at the top level.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { isMap } from 'yaml';
import { InputError } from '../errors.ts';
import type { VarLayer, VarOrigin, Vars } from './types.ts';
import { readVarBlock } from './yaml.ts';
import { AnsibleYaml, describe, isNull } from './yaml-doc.ts';

const EXTENSIONS = ['.yml', '.yaml', '.json'];

/** The vars files for `name` in `dir` (a group_vars/ or host_vars/ directory), in the order they apply. */
export async function findVarsFiles(dir: string, name: string): Promise<string[]> {
  for (const ext of ['', ...EXTENSIONS]) {
    const path = join(dir, `${name}${ext}`);
    const kind = await kindOf(path);
    if (kind === 'dir') return dirVarsFiles(path);
    if (kind === 'file') return [path];
  }
  return [];
}

async function dirVarsFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of (await readdir(dir)).sort()) {
    if (entry.startsWith('.') || entry.endsWith('~')) continue;
    const path = join(dir, entry);
    const ext = extname(entry);
    const kind = await kindOf(path);
    if (kind === 'dir' && ext === '') found.push(...(await dirVarsFiles(path)));
    else if (kind === 'file' && (ext === '' || EXTENSIONS.includes(ext))) found.push(path);
  }
  return found;
}

async function kindOf(path: string): Promise<'file' | 'dir' | undefined> {
  try {
    const info = await stat(path);
    return info.isDirectory() ? 'dir' : info.isFile() ? 'file' : undefined;
  } catch {
    return undefined;
  }
}

/** Reads one vars file: a mapping of names to values (an empty file holds none). */
export async function readVarsFile(file: string): Promise<VarLayer> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new InputError('E_INVENTORY', file, undefined, `cannot read vars file: ${(error as Error).message}`);
  }
  const yaml = new AnsibleYaml(text, file);
  const root = yaml.contents;
  if (isNull(root)) return { values: {}, origins: {} };
  if (!isMap(root)) yaml.fail(root, `a vars file must be a mapping of variable names to values, got ${describe(root)}`);
  const { vars, origins } = readVarBlock(yaml, root, root, 'the vars file');
  return { values: vars, origins };
}

/** The vars of `name` from every `dir` (group_vars/ or host_vars/ directories), later directories and files winning. */
export async function loadVarsLayer(dirs: readonly string[], name: string): Promise<VarLayer> {
  const values: Vars = {};
  const origins: Record<string, VarOrigin> = {};
  for (const dir of dirs) {
    for (const file of await findVarsFiles(dir, name)) {
      const layer = await readVarsFile(file);
      Object.assign(values, layer.values);
      Object.assign(origins, layer.origins);
    }
  }
  return { values, origins };
}
