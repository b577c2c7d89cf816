import type { RunEvent } from '../run/events.ts';
import type { Output } from './output.ts';

/**
 * Live progress on stderr: batches, and one line per finished node. Shown on a terminal, or with -v;
 * otherwise quiet, so pipes and CI logs carry only the result.
 */
export function progressReporter(output: Output, total: number, isTerminal = Boolean(process.stderr.isTTY)): (event: RunEvent) => void {
  const live = isTerminal || output.verbosity > 0;
  let done = 0;
  const width = String(total).length;
  return (event) => {
    switch (event.kind) {
      case 'node-start':
        output.log(1, event.node, 'started');
        return;
      case 'node-end': {
        done += 1;
        if (!live) return;
        const detail = event.error ? `: ${event.error}` : '';
        output.notice(`[${String(done).padStart(width)}/${total}] ${event.node} ${event.status} (${event.durationMs} ms)${detail}`);
        return;
      }
      case 'batch-start':
        if (live) output.notice(`batch ${event.batch}/${event.of}: ${event.nodes.join(' ')}`);
        return;
      case 'batches-stopped':
        output.notice(`stopping: ${event.reason}`);
        return;
    }
  };
}
