/**
 * One run at a time per playbook and inventory, on the controller. The lock is a kernel lock on a file
 * in the state directory (SQLite's exclusive lock, through node:sqlite: a POSIX record lock), so it is
 * released the moment the process ends, however it ends (exit, SIGKILL, OOM kill, a timeout): nothing
 * can go stale the way a PID file does. A run that finds it taken does not wait: it exits at once.
 */
import { createHash } from 'node:crypto';
import { mkdir, realpath, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { readIfPresent } from '../report/atomic-file.ts';

/** Who holds a lock, as it wrote down when it took it. */
export interface LockHolder {
  readonly pid: number;
  readonly started_at: string;
  readonly playbook: string;
  readonly inventory: string;
  readonly host: string;
}

export type LockAttempt =
  | { readonly taken: true; readonly release: () => Promise<void> }
  | { readonly taken: false; readonly file: string; readonly holder: LockHolder | undefined };

/** The lock file for this playbook and inventory (by their real paths). */
export async function lockFile(dir: string, playbook: string, inventory: string | readonly string[]): Promise<string> {
  // several inventories (-i given more than once) are one inventory: the same ones in any order
  const inventories = typeof inventory === 'string' ? [inventory] : inventory;
  const paths = await Promise.all(inventories.map((path) => realpath(path)));
  const key = `${await realpath(playbook)}\0${[...paths].sort().join('\0')}`;
  return join(dir, `${createHash('sha256').update(key).digest('hex').slice(0, 16)}.lock`);
}

function isBusy(error: unknown): boolean {
  const code = (error as { errcode?: number }).errcode;
  return code === 5 /* SQLITE_BUSY */ || code === 6 /* SQLITE_LOCKED */;
}

/** Take the lock of this playbook and inventory, or say who has it. Never waits. */
export async function tryRunLock(dir: string, playbook: string, inventory: string | readonly string[]): Promise<LockAttempt> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = await lockFile(dir, playbook, inventory);
  const holderFile = `${file}.json`;
  const db = new DatabaseSync(file, { timeout: 0 });
  try {
    db.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    db.close();
    if (!isBusy(error)) throw error;
    const text = await readIfPresent(holderFile);
    let holder: LockHolder | undefined;
    try {
      holder = text === undefined ? undefined : (JSON.parse(text) as LockHolder);
    } catch {
      holder = undefined;
    }
    return { taken: false, file, holder };
  }
  const holder: LockHolder = {
    pid: process.pid,
    started_at: new Date().toISOString(),
    playbook: await realpath(playbook),
    inventory: (await Promise.all((typeof inventory === 'string' ? [inventory] : inventory).map((path) => realpath(path)))).join(','),
    host: hostname(),
  };
  await writeFile(holderFile, `${JSON.stringify(holder)}\n`, { mode: 0o600 });
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    await rm(holderFile, { force: true });
    db.exec('ROLLBACK');
    db.close();
  };
  return { taken: true, release };
}

/**
 * The same kernel lock on any file, waited for up to `waitMs` (a short edit, such as `registry add`'s,
 * queues rather than fails): its release, or undefined when another holder kept it that long.
 */
export async function waitForLock(file: string, waitMs: number): Promise<(() => void) | undefined> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const db = new DatabaseSync(file, { timeout: waitMs });
  try {
    db.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    db.close();
    if (isBusy(error)) return undefined;
    throw error;
  }
  return () => {
    db.exec('ROLLBACK');
    db.close();
  };
}
