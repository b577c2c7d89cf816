/**
 * A change by its content: the files it writes (path and new bytes' hash, or a delete), the handlers it
 * runs and what the node must show after. A node remembers the key of a change that failed there, so the
 * same change is not tried again on every run; a changed plan has another key.
 */
import { createHash } from 'node:crypto';
import type { Expectation, FileChange, Handler } from './types.ts';

export function changeKey(changes: readonly FileChange[], handlers: readonly Handler[], expect: readonly Expectation[]): string {
  const lines = [
    ...changes.map((c) => `${c.path} ${c.after === null ? 'delete' : createHash('sha256').update(c.after, 'utf8').digest('hex')}`).sort(),
    ...handlers.map((h) => `handler ${h}`),
    ...expect.map((e) => `expect ${e.runtime}-${e.kind} ${e.value ?? ''}`).sort(),
  ];
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}
