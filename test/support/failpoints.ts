/**
 * The node transaction's failpoints, read from the worker itself (`fp NAME` and `fp NAME "$DETAIL"`), so a
 * step added to the worker cannot go untested: the crash-point matrix kills a transaction at each.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './cli.ts';

export interface Failpoint {
  readonly name: string;
  /** It fires per item (a file's number, a handler's name): `NAME DETAIL` picks one. */
  readonly detailed: boolean;
}

export function workerFailpoints(): Failpoint[] {
  const text = readFileSync(join(REPO, 'src', 'node', 'transaction', 'worker.sh'), 'utf8');
  const points = new Map<string, boolean>();
  for (const line of text.split('\n')) {
    if (/^\s*#/.test(line)) continue;
    for (const match of line.matchAll(/(?:^|[\s;{(])fp ([a-z][a-z-]*)( "\$[\w{}]+")?/g)) {
      const name = match[1]!;
      points.set(name, (points.get(name) ?? false) || match[2] !== undefined);
    }
  }
  return [...points].map(([name, detailed]) => ({ name, detailed }));
}
