/**
 * Shell that runs on nodes lives in real `.sh` files under src/ (checked by shellcheck), loaded here by
 * their path relative to src/, e.g. `node/sh/preamble.sh`. In dockhand's single executable the same
 * files are embedded as assets under the same names.
 */
import { readFileSync } from 'node:fs';
import { getAsset, isSea } from 'node:sea';
import { leanShell } from './lean-shell.ts';

const SRC_ROOT = new URL('../', import.meta.url);
const cache = new Map<string, string>();

/** The text of one node-side script, by its path relative to src/, as it travels (see lean-shell.ts). */
export function nodeScript(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = leanShell(isSea() ? getAsset(name, 'utf8') : readFileSync(new URL(name, SRC_ROOT), 'utf8'));
    cache.set(name, text);
  }
  return text;
}
