import type { RunEvent } from '../run/events.ts';

/**
 * Live per-node progress on stderr: one line per finished node. Quiet unless stderr is a
 * terminal (or forced), so pipes and CI logs carry only the result.
 */
export function progressReporter(stream: NodeJS.WriteStream, total: number, force = false): (event: RunEvent) => void {
  if (!force && !stream.isTTY) return () => undefined;
  let done = 0;
  return (event) => {
    if (event.kind !== 'node-end') return;
    done += 1;
    const width = String(total).length;
    const detail = event.error ? `: ${event.error}` : '';
    stream.write(`[${String(done).padStart(width)}/${total}] ${event.node} ${event.status} (${event.durationMs} ms)${detail}\n`);
  };
}
