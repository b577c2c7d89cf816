/**
 * The run history: one JSON report per run in a directory (the same document --json prints), named by
 * the run's id, which starts with its UTC time so names sort by time; pruned to the newest N.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../errors.ts';
import { writeFileAtomic } from '../report/atomic-file.ts';
import type { ConvergeDocument } from '../report/converge.ts';

const RUN_FILE = /^(\d{8}T\d{6}Z-[0-9a-f]{6})\.json$/;

/** A new run id: its start time (UTC, to the second) and six random hex digits. */
export function newRunId(at: Date = new Date()): string {
  const time = at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${time}-${randomBytes(3).toString('hex')}`;
}

/** Keep this run's report and drop the oldest beyond `keep`. */
export async function saveRun(dir: string, document: ConvergeDocument, keep: number): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `${document.run.id}.json`);
  await writeFileAtomic(file, `${JSON.stringify(document, null, 2)}\n`, 0o600);
  const ids = await runIds(dir);
  for (const old of ids.slice(0, Math.max(0, ids.length - keep))) await rm(join(dir, `${old}.json`), { force: true });
  return file;
}

/** The ids of the runs kept in a directory, oldest first (none when it does not exist). */
export async function runIds(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names.flatMap((name) => RUN_FILE.exec(name)?.[1] ?? []).sort();
}

export async function readRun(dir: string, id: string): Promise<ConvergeDocument> {
  return JSON.parse(await readFile(join(dir, `${id}.json`), 'utf8')) as ConvergeDocument;
}

/** A run by its id, a unique prefix of it, or "last". */
export async function findRun(dir: string, wanted: string): Promise<ConvergeDocument> {
  const ids = await runIds(dir);
  if (wanted === 'last') {
    const last = ids.at(-1);
    if (last === undefined) throw new InputError('E_USAGE', dir, undefined, 'no run recorded here');
    return readRun(dir, last);
  }
  const matches = ids.filter((id) => id.startsWith(wanted));
  if (matches.length === 1) return readRun(dir, matches[0]!);
  const why = matches.length === 0 ? `no run ${wanted}` : `${matches.length} runs start with ${wanted}: ${matches.slice(0, 5).join(', ')}`;
  throw new InputError('E_USAGE', dir, undefined, `${why} (dockhand history lists them)`);
}
