/**
 * What the scheduled service's sandbox (units.ts) does to the paths a run reads and writes, judged before
 * the units are written: a path the service cannot see would fail every run of the timer, at 3 a.m.
 *
 * - PrivateTmp=yes: the service has a /tmp and a /var/tmp of its own, empty; nothing there (nor a
 *   symlink into there) exists for it.
 * - PrivateDevices=yes: a /dev of its own, so nothing under /dev/shm either.
 * - ProtectSystem=strict and ProtectHome=read-only: everything else reads as it is, and only the report
 *   directories (ReadWritePaths=, which the service gets for each one) and its state directory can be
 *   written. A report directly in / would have to open the whole file system.
 */
import { realpath } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** A path a run reads or writes, and what it is (for the message). */
export interface RunPath {
  readonly path: string;
  readonly what: string;
  readonly access: 'read' | 'write';
}

const HIDDEN: readonly { readonly dir: string; readonly why: string }[] = [
  { dir: '/tmp', why: 'PrivateTmp=yes' },
  { dir: '/var/tmp', why: 'PrivateTmp=yes' },
  { dir: '/dev/shm', why: 'PrivateDevices=yes' },
];

const under = (path: string, dir: string) => path === dir || path.startsWith(`${dir}/`);

/** The path with its symlinks resolved, as far as it exists (a report not written yet: its directory). */
async function resolved(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    const parent = dirname(path);
    return parent === path ? path : join(await resolved(parent), basename(path));
  }
}

/** Why the service cannot use this path, or undefined when it can. */
async function offence(entry: RunPath): Promise<string | undefined> {
  const real = await resolved(entry.path);
  const shown = real === entry.path ? entry.path : `${entry.path} (which is ${real})`;
  for (const candidate of new Set([entry.path, real])) {
    const hidden = HIDDEN.find((h) => under(candidate, h.dir));
    if (hidden !== undefined) return `${shown}: ${entry.what}: under ${hidden.dir}, which the service sees empty (${hidden.why})`;
  }
  if (entry.access === 'write' && dirname(real) === '/') return `${shown}: ${entry.what}: directly in /, which the service may not write (ProtectSystem=strict)`;
  return undefined;
}

/** Every path of `paths` the scheduled service could not use, each with the reason, in the order given. */
export async function sandboxOffences(paths: readonly RunPath[]): Promise<string[]> {
  const seen = new Set<string>();
  const unique = paths.filter((p) => !seen.has(`${p.access} ${p.path}`) && seen.add(`${p.access} ${p.path}`));
  return (await Promise.all(unique.map(offence))).filter((o) => o !== undefined);
}
