/**
 * A change by its content: the files it writes (path and new bytes' hash, or a delete), the handlers it
 * runs, what the node must show after, and how long a restarted runtime may take (where a play says). A node remembers the key of a change that failed there, so the
 * same change is not tried again on every run; a changed plan has another key.
 */
import { createHash } from 'node:crypto';
import type { Expectation, FileChange, Handler } from './types.ts';

export function changeKey(changes: readonly FileChange[], handlers: readonly Handler[], expect: readonly Expectation[], startTimeout?: number): string {
  const lines = [
    ...changes.map((c) => `${c.path} ${c.after === null ? 'delete' : createHash('sha256').update(c.after, 'utf8').digest('hex')}`).sort(),
    ...handlers.map((h) => `handler ${h}`),
    ...expect.map((e) => `expect ${e.runtime}-${e.kind} ${e.value ?? ''}`).sort(),
    // a longer wait is another try of a change whose runtime was too slow to start
    ...(startTimeout === undefined ? [] : [`start-timeout ${startTimeout}`]),
  ];
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}
