/**
 * SIGINT and SIGTERM during a run. The first: no new node starts; nodes in flight finish (or roll back) and
 * the recap prints as usual. A second SIGINT quits at once, but not in silence: it says which nodes were in
 * flight (a transaction a node has started carries on there: the node ends it on its own) and prints what
 * is known.
 */
import type { NodeTarget } from '../inventory/types.ts';
import type { Output } from '../report/output.ts';
import type { RunEvent } from '../run/events.ts';
import type { NodeOutcome } from '../run/fleet.ts';

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

/**
 * What is known when dockhand quits: each node that ended as it ended (`value` gives the work's result of
 * one that finished), each never started as skipped; the nodes in flight are left out (named apart).
 */
export function outcomesSoFar<T>(
  targets: readonly NodeTarget[],
  inFlight: readonly string[],
  ended: ReadonlyMap<string, NodeEnd>,
  value: (node: string) => T | undefined,
): NodeOutcome<T>[] {
  return targets.filter((target) => !inFlight.includes(target.name)).map((target): NodeOutcome<T> => {
    const end = ended.get(target.name);
    const result = value(target.name);
    if (end === undefined) return { target, status: 'skipped', value: null, error: 'not started: the run was interrupted', durationMs: 0 };
    if (end.status === 'ok' && result !== undefined) return { target, status: 'ok', value: result, error: null, durationMs: end.durationMs };
    return { target, status: end.status === 'unreachable' ? 'unreachable' : 'failed', value: null, error: end.error ?? end.status, durationMs: end.durationMs };
  });
}

/** The line under the recap that names the nodes left running. */
export function inFlightLine(inFlight: readonly string[]): string {
  return inFlight.length === 0 ? '' : `in flight when dockhand quit (a transaction a node has started carries on there): ${inFlight.join(', ')}\n`;
}
