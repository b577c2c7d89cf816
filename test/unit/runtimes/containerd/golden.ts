/**
 * Golden files for the containerd TOML tests. `DOCKHAND_UPDATE_GOLDEN=1` writes them instead of comparing
 * (then review every change with `git diff` before committing it).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const UPDATE = process.env['DOCKHAND_UPDATE_GOLDEN'] === '1';

/** A fixture's exact text (no newline or BOM normalisation). */
export function fixture(path: string): string {
  return readFileSync(join(FIXTURES, path), 'utf8');
}

/** The golden text at `path`, or, in update mode, `actual` written there. */
export function golden(path: string, actual: string): string {
  const file = join(FIXTURES, path);
  if (UPDATE) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
  }
  return readFileSync(file, 'utf8');
}

/** The golden files under a directory (relative names), after clearing it in update mode. */
export function goldenDirectory(path: string, clear: boolean): string[] {
  const dir = join(FIXTURES, path);
  if (UPDATE && clear) rmSync(dir, { recursive: true, force: true });
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}
