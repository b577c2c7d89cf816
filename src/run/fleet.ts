import pLimit from 'p-limit';
import { connectionFor, type Connection, type ConnectionSettings } from '../connection/index.ts';
import { DockhandError, UnreachableError } from '../errors.ts';
import type { NodeTarget } from '../inventory/types.ts';
import type { RunEvent } from './events.ts';

/** How one node's work ended. */
export type NodeOutcome<T> =
  | { readonly target: NodeTarget; readonly status: 'ok'; readonly value: T; readonly error: null; readonly durationMs: number }
  | { readonly target: NodeTarget; readonly status: 'failed' | 'unreachable'; readonly value: null; readonly error: string; readonly durationMs: number };

export interface FleetOptions {
  /** How many nodes are worked on at once. */
  readonly forks: number;
  readonly connection: ConnectionSettings;
  readonly onEvent?: (event: RunEvent) => void;
  /** Stand-in for connectionFor, for tests. */
  readonly connect?: (target: NodeTarget, settings: ConnectionSettings) => Connection;
}

/** The message an ops engineer needs, without stack traces; a cause is kept when it adds something. */
function describe(error: unknown): string {
  if (error instanceof DockhandError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * Work on every node in parallel (at most `forks` at once), one connection per node reused for
 * everything on it. A node that cannot be reached is `unreachable`; any other error is `failed`;
 * either way the other nodes go on. Outcomes come back in the order of `targets`.
 */
export async function forEachNode<T>(
  targets: readonly NodeTarget[],
  options: FleetOptions,
  work: (connection: Connection, target: NodeTarget) => Promise<T>,
): Promise<NodeOutcome<T>[]> {
  if (!Number.isInteger(options.forks) || options.forks < 1) {
    throw new TypeError(`forks must be a whole number from 1 up, got ${String(options.forks)}`);
  }
  const limit = pLimit(options.forks);
  const connect = options.connect ?? connectionFor;
  const emit = options.onEvent ?? (() => undefined);

  return Promise.all(
    targets.map((target) =>
      limit(async (): Promise<NodeOutcome<T>> => {
        const started = performance.now();
        emit({ kind: 'node-start', node: target.name });
        const connection = connect(target, options.connection);
        let outcome: NodeOutcome<T>;
        try {
          await connection.open();
          const value = await work(connection, target);
          outcome = { target, status: 'ok', value, error: null, durationMs: Math.round(performance.now() - started) };
        } catch (error) {
          const status = error instanceof UnreachableError ? 'unreachable' : 'failed';
          outcome = { target, status, value: null, error: describe(error), durationMs: Math.round(performance.now() - started) };
        } finally {
          await connection.close().catch(() => undefined);
        }
        emit({ kind: 'node-end', node: target.name, status: outcome.status, durationMs: outcome.durationMs, error: outcome.error });
        return outcome;
      }),
    ),
  );
}
