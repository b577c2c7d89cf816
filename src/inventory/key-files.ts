/**
 * Private key files named in the inventory must exist and be readable before any node is touched: a
 * missing key is a mistake in the input (exit 1, the file and line that named it), not an unreachable node.
 */
import { open } from 'node:fs/promises';
import { InputError } from '../errors.ts';
import { resolveTarget } from './target.ts';
import { resolveHostVars } from './vars.ts';
import type { Inventory, NodeTarget } from './types.ts';

/** The variables that name a private key file, in the order Ansible reads them. */
export const KEY_VARS = ['ansible_ssh_private_key_file', 'ansible_private_key_file'];

/** The targets of `hostNames`, every private key file they name checked readable. */
export async function resolveTargets(inv: Inventory, hostNames: readonly string[]): Promise<NodeTarget[]> {
  const targets = hostNames.map((name) => resolveTarget(inv, name));
  const checked = new Map<string, Promise<string | undefined>>();
  for (const target of targets) {
    if (target.privateKeyFile === undefined || target.privateKey !== undefined) continue;
    if (!checked.has(target.privateKeyFile)) checked.set(target.privateKeyFile, unreadable(target.privateKeyFile));
  }
  for (const target of targets) {
    const file = target.privateKeyFile;
    if (file === undefined || target.privateKey !== undefined) continue;
    const why = await checked.get(file);
    if (why === undefined) continue;
    const { origins } = resolveHostVars(inv, target.name);
    const key = KEY_VARS.find((name) => origins[name] !== undefined);
    const origin = key === undefined ? undefined : origins[key];
    const host = inv.hosts.get(target.name);
    throw new InputError(
      'E_INVENTORY',
      origin?.file ?? host?.file ?? inv.source,
      origin ? origin.line : host?.line,
      `host "${target.name}": ${origin?.label ?? key ?? 'private key file'} ${file}: ${why}`,
    );
  }
  return targets;
}

/** Why the file cannot serve as a private key, or undefined when it can be read. */
async function unreadable(file: string): Promise<string | undefined> {
  try {
    const handle = await open(file, 'r');
    try {
      const info = await handle.stat();
      if (info.isDirectory()) return 'is a directory, not a private key file';
      await handle.read(Buffer.alloc(1), 0, 1, 0);
    } finally {
      await handle.close();
    }
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'private key file not found';
    if (code === 'EACCES' || code === 'EPERM') return 'private key file is not readable (permission denied)';
    if (code === 'EISDIR') return 'is a directory, not a private key file';
    return `private key file cannot be read: ${(error as Error).message}`;
  }
}
