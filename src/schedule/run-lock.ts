/**
 * One run at a time per playbook and inventory, on the controller. The lock is a kernel lock on a file
 * in the state directory (SQLite's exclusive lock, through node:sqlite: a POSIX record lock), so it is
 * released the moment the process ends, however it ends (exit, SIGKILL, OOM kill, a timeout): nothing
 * can go stale the way a PID file does. A run that finds it taken does not wait: it exits at once.
 */
import { createHash } from 'node:crypto';
import { mkdir, realpath, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { DockhandError } from '../errors.ts';
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
  | {
      readonly taken: true;
      readonly release: () => Promise<void>;
      /** The lock file held something other than a lock (not an SQLite database): it was emptied first. */
      readonly replaced?: string | undefined;
    }
  | { readonly taken: false; readonly file: string; readonly holder: LockHolder | undefined };

/** The lock file for this playbook and inventory (by their real paths). */
export async function lockFile(dir: string, playbook: string, inventory: string | readonly string[]): Promise<string> {
  // several inventories (-i given more than once) are one inventory: the same ones in any order
  const inventories = typeof inventory === 'string' ? [inventory] : inventory;
  const paths = await Promise.all(inventories.map((path) => realpath(path)));
  const key = `${await realpath(playbook)}\0${[...paths].sort().join('\0')}`;
  return join(dir, `${createHash('sha256').update(key).digest('hex').slice(0, 16)}.lock`);
}

function sqliteCode(error: unknown): number | undefined {
  return (error as { errcode?: number }).errcode;
}

function isBusy(error: unknown): boolean {
  const code = sqliteCode(error);
  return code === 5 /* SQLITE_BUSY */ || code === 6 /* SQLITE_LOCKED */;
}

const SQLITE_NOTADB = 26;

/** What went wrong, what it means, and what to do: the state directory must be a writable directory. */
function stateError(dir: string, what: string, error: unknown): DockhandError {
  const reason = error instanceof Error ? error.message : String(error);
  return new DockhandError(
    'E_STATE',
    `${what} (${reason}): dockhand keeps its run locks in ${dir}, which must be a directory this user can write; ` +
      'fix or remove what is in the way, or set DOCKHAND_STATE_DIR to a writable directory (the timer\'s StateDirectory=dockhand is one)',
    { cause: error },
  );
}

/** One try at the lock: taken (the open database), busy, or the file is not a database at all. */
function lockOnce(dir: string, file: string): DatabaseSync | 'busy' | 'not-a-database' {
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(file, { timeout: 0 });
  } catch (error) {
    throw stateError(dir, `cannot open the run lock ${file}`, error);
  }
  try {
    db.exec('BEGIN EXCLUSIVE');
    return db;
  } catch (error) {
    db.close();
    if (isBusy(error)) return 'busy';
    if (sqliteCode(error) === SQLITE_NOTADB) return 'not-a-database';
    throw stateError(dir, `cannot take the run lock ${file}`, error);
  }
}

/**
 * Take the lock of this playbook and inventory, or say who has it. Never waits. A lock file that holds
 * something else (not an SQLite database: it never held a lock) is emptied, which makes it a lock file
 * holding no lock, and tried once more.
 */
export async function tryRunLock(dir: string, playbook: string, inventory: string | readonly string[]): Promise<LockAttempt> {
  await mkdir(dir, { recursive: true, mode: 0o700 }).catch((error: unknown) => {
    throw stateError(dir, `cannot create the directory of run locks ${dir}`, error);
  });
  const file = await lockFile(dir, playbook, inventory);
  const holderFile = `${file}.json`;
  let replaced: string | undefined;
  let db = lockOnce(dir, file);
  if (db === 'not-a-database') {
    // a healthy lock file is empty (the lock never writes): only something else can have put bytes there
    if ((await stat(file)).size > 0) {
      await truncate(file, 0).catch((error: unknown) => {
        throw stateError(dir, `the run lock ${file} is not a lock (not an SQLite database) and cannot be emptied`, error);
      });
    }
    replaced = file;
    db = lockOnce(dir, file);
    if (db === 'not-a-database') throw stateError(dir, `the run lock ${file} is not a lock (not an SQLite database)`, new Error('still not a database after emptying it'));
  }
  if (db === 'busy') {
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
  const lock = db;
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    await rm(holderFile, { force: true });
    lock.exec('ROLLBACK');
    lock.close();
  };
  await writeFile(holderFile, `${JSON.stringify(holder)}\n`, { mode: 0o600 }).catch(async (error: unknown) => {
    await release();
    throw stateError(dir, `cannot write ${holderFile}, which says who holds the lock`, error);
  });
  return { taken: true, release, replaced };
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
