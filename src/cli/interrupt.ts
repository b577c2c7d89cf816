/**
 * SIGINT and SIGTERM during a run. The first: no new node starts; nodes in flight finish (or roll back) and
 * the recap prints as usual. A second SIGINT quits at once, but not in silence: it says which nodes were in
 * flight (a transaction a node has started carries on there: the node ends it on its own) and prints what
 * is known.
 */
import type { RunEvent } from '../run/events.ts';
import type { Output } from '../report/output.ts';

/** How a node's work ended, as the fleet told it. */
export interface NodeEnd {
  readonly status: string;
  readonly error: string | null;
  readonly durationMs: number;
}

export interface Interrupt {
  /** Aborted by the first signal. */
  readonly signal: AbortSignal;
  /** The fleet's events: which nodes are in flight, which have ended. */
  readonly onEvent: (event: RunEvent) => void;
  /** Stop listening for signals. */
  readonly done: () => void;
}

/**
 * Listen for SIGINT and SIGTERM until `done()`. On a second SIGINT, `quit` is given the nodes in flight and
 * those that ended, prints what it can, and the process exits 130.
 */
export function interruptible(output: Output, quit: (inFlight: readonly string[], ended: ReadonlyMap<string, NodeEnd>) => void): Interrupt {
  const controller = new AbortController();
  const inFlight = new Set<string>();
  const ended = new Map<string, NodeEnd>();
  const onSignal = (name: string) => () => {
    if (controller.signal.aborted && name === 'SIGINT') {
      const running = [...inFlight];
      output.notice(
        running.length === 0
          ? 'SIGINT again: quitting now'
          : `SIGINT again: quitting now, without waiting for ${running.join(', ')} (in flight): a transaction a node has started carries on on the node and ends there, ` +
            'committed or rolled back; a node still being read is left as it was (dockhand check shows where each stands)',
      );
      quit(running, ended);
      process.exit(130);
    }
    controller.abort();
    output.notice(`${name}: no new node starts; nodes in flight finish or roll back (SIGINT again to quit now)`);
  };
  const int = onSignal('SIGINT');
  const term = onSignal('SIGTERM');
  process.on('SIGINT', int);
  process.on('SIGTERM', term);
  const onEvent = (event: RunEvent): void => {
    if (event.kind === 'node-start') inFlight.add(event.node);
    if (event.kind === 'node-end') {
      inFlight.delete(event.node);
      ended.set(event.node, { status: event.status, error: event.error, durationMs: event.durationMs });
    }
  };
  return { signal: controller.signal, onEvent, done: () => void (process.off('SIGINT', int), process.off('SIGTERM', term)) };
}
