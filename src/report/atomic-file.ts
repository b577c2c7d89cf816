/**
 * Report files are replaced whole: written to a temporary name in the same directory (one a textfile
 * collector ignores: it does not end in .prom), then renamed over the old one, so a reader sees the
 * old file or the new one, never half of one.
 *
 * They are for their owner alone (0600), except in a directory with the setgid bit: there every new file
 * takes the directory's group, and the file is made readable by that group (0640). That is how an
 * administrator lets node_exporter, which Debian runs as user `prometheus`, read the metrics without
 * letting everyone else read them.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** S_ISGID (node:fs has no constant for it). */
const SET_GROUP_ID = 0o2000;

/** The mode of a report file in `dir`: 0600, or 0640 where the directory is setgid. */
export async function reportFileMode(dir: string): Promise<number> {
  const info = await stat(dir);
  return (info.mode & SET_GROUP_ID) !== 0 ? 0o640 : 0o600;
}

export async function writeFileAtomic(file: string, content: string, mode?: number): Promise<void> {
  const dir = dirname(file);
  await mkdir(dir, { recursive: true });
  const temporary = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const wanted = mode ?? (await reportFileMode(dir));
  try {
    await writeFile(temporary, content, { mode: wanted });
    await chmod(temporary, wanted); // exactly this mode, whatever the umask
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** A file's text, or undefined when there is none. */
export async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
