import pLimit from 'p-limit';
import { connectionFor, type Connection, type ConnectionSettings } from '../connection/index.ts';
import { UnreachableError } from '../errors.ts';
import type { NodeTarget } from '../inventory/types.ts';
import type { SerialStep } from '../playbook/types.ts';
import { batchSizes, inBatches, tooManyFailures } from './batches.ts';
import type { RunEvent } from './events.ts';

/** How one node's work ended. */
export type NodeOutcome<T> =
  | { readonly target: NodeTarget; readonly status: 'ok'; readonly value: T; readonly error: null; readonly durationMs: number }
  | {
      readonly target: NodeTarget;
      readonly status: 'failed' | 'unreachable' | 'skipped';
      readonly value: null;
      readonly error: string;
      readonly durationMs: number;
    };

export interface FleetOptions<T, K = NodeOutcome<T>> {
  /** How many nodes are worked on at once. */
  readonly forks: number;
  readonly connection: ConnectionSettings;
  readonly onEvent?: (event: RunEvent) => void;
  /** Rolling batches; a batch starts only once the one before it has finished. */
  readonly serial?: readonly SerialStep[] | undefined;
  /** No new batch starts once more than this percentage of a batch failed (default 0). */
  readonly maxFailPercentage?: number | undefined;
  /** Whether an outcome counts as a failure for max_fail_percentage (default: not ok). */
  readonly failed?: (outcome: NodeOutcome<T>) => boolean;
  /** Aborted (SIGINT, SIGTERM): no new node starts; nodes in flight finish. */
  readonly signal?: AbortSignal;
  /** Stand-in for connectionFor, for tests. */
  readonly connect?: (target: NodeTarget, settings: ConnectionSettings) => Connection;
  /**
   * What the run keeps of a node once it has ended (default: its outcome). Called as each node ends, so
   * that what the work held (its node's state, the files read, the plan) can go at once: the memory a run
   * holds grows with the nodes in flight (`forks`), and with the inventory only by what this keeps.
   */
  readonly keep?: (outcome: NodeOutcome<T>) => K;
}

function skipped<T>(target: NodeTarget, why: string): NodeOutcome<T> {
  return { target, status: 'skipped', value: null, error: why, durationMs: 0 };
}

/**
 * Work on every node in parallel (at most `forks` at once, batch by batch with `serial`), one
 * connection per node reused for everything on it. A node that cannot be reached is `unreachable`;
 * any other error is `failed`; either way the other nodes go on. Outcomes come back in the order of
 * `targets`.
 */
export async function forEachNode<T, K = NodeOutcome<T>>(
  targets: readonly NodeTarget[],
  options: FleetOptions<T, K>,
  work: (connection: Connection, target: NodeTarget) => Promise<T>,
): Promise<K[]> {
  if (!Number.isInteger(options.forks) || options.forks < 1) {
    throw new TypeError(`forks must be a whole number from 1 up, got ${String(options.forks)}`);
  }
  const limit = pLimit(options.forks);
  const connect = options.connect ?? connectionFor;
  const emit = options.onEvent ?? (() => undefined);
  const isFailure = options.failed ?? ((outcome: NodeOutcome<T>) => outcome.status !== 'ok');
  const keep = options.keep ?? ((outcome: NodeOutcome<T>) => outcome as K);

  /** The node's outcome, kept as `keep` says, and whether it counts as a failure of its batch. */
  const one = async (target: NodeTarget): Promise<{ kept: K; failure: boolean }> => {
    if (options.signal?.aborted) return settle(skipped(target, 'not started: the run was interrupted'));
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
      const message = error instanceof Error ? error.message : String(error);
      outcome = { target, status, value: null, error: message, durationMs: Math.round(performance.now() - started) };
    } finally {
      await connection.close().catch(() => undefined);
    }
    // kept before the node's end is told, so that a listener can find what was kept of it
    const settled = settle(outcome);
    emit({ kind: 'node-end', node: target.name, status: outcome.status, durationMs: outcome.durationMs, error: outcome.error });
    return settled;
  };
  const settle = (outcome: NodeOutcome<T>) => ({ failure: isFailure(outcome), kept: keep(outcome) });

  const batches = inBatches(targets, batchSizes(targets.length, options.serial));
  const outcomes: K[] = [];
  for (const [index, batch] of batches.entries()) {
    if (batches.length > 1) emit({ kind: 'batch-start', batch: index + 1, of: batches.length, nodes: batch.map((t) => t.name) });
    const results = await Promise.all(batch.map((target) => limit(() => one(target))));
    for (const result of results) outcomes.push(result.kept);
    const failures = results.filter((result) => result.failure).length;
    if (index < batches.length - 1 && tooManyFailures(failures, batch.length, options.maxFailPercentage ?? 0)) {
      const why = `not started: ${failures} of ${batch.length} nodes in batch ${index + 1} failed (max_fail_percentage ${options.maxFailPercentage ?? 0})`;
      for (const rest of batches.slice(index + 1)) for (const target of rest) outcomes.push(keep(skipped<T>(target, why)));
      emit({ kind: 'batches-stopped', reason: why });
      break;
    }
  }
  return outcomes;
}
