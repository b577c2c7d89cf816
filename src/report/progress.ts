import type { RunEvent } from '../run/events.ts';

/**
 * Live progress on stderr: batches, and one line per finished node. Quiet unless stderr is a
 * terminal (or forced), so pipes and CI logs carry only the result.
 */
export function progressReporter(stream: NodeJS.WriteStream, total: number, force = false): (event: RunEvent) => void {
  if (!force && !stream.isTTY) return () => undefined;
  let done = 0;
  const width = String(total).length;
  return (event) => {
    switch (event.kind) {
      case 'node-start':
        return;
      case 'node-end': {
        done += 1;
        const detail = event.error ? `: ${event.error}` : '';
        stream.write(`[${String(done).padStart(width)}/${total}] ${event.node} ${event.status} (${event.durationMs} ms)${detail}\n`);
        return;
      }
      case 'batch-start':
        stream.write(`batch ${event.batch}/${event.of}: ${event.nodes.join(' ')}\n`);
        return;
      case 'batches-stopped':
        stream.write(`stopping: ${event.reason}\n`);
        return;
    }
  };
}
