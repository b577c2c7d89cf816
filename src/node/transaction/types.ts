/** A node transaction: what the controller asks of a node, and what the node says it did. */
import type { OsFamily } from '../../plan/facts.ts';
import type { Expectation, Handler } from '../../plan/types.ts';

export type { Expectation, Handler, OsFamily };

/** One file's move, as the node carries it out: content as bytes, the before state as a hash. */
export interface FileWrite {
  readonly path: string;
  /** Null: delete the file. */
  readonly after: Uint8Array | null;
  /** sha256 (hex) of the bytes the plan was made from; null: the file was absent. */
  readonly beforeSha256: string | null;
  /** Octal mode for a created file; an updated file keeps its mode and owner. */
  readonly mode: string;
}

/** A runtime as the transaction knows it: its name, the word for what lacks a setting, its node-side functions. */
export interface TransactionRuntime {
  readonly name: string;
  /** `dockerd`, `containerd`: "dockerd lacks ..." */
  readonly daemon: string;
  /** The .sh file (under src/) that defines NAME_validate, NAME_handler, NAME_lacking, NAME_report, NAME_journal. */
  readonly shell: string;
}

export interface Transaction {
  /** The run's name on the node: sortable by time, unique. */
  readonly runId: string;
  /** The change by content (sha256 of its writes, handlers and expectations): what the node remembers when it fails. */
  readonly key: string;
  readonly family: OsFamily;
  readonly writes: readonly FileWrite[];
  /** Files a runtime itself checks before any handler (`dockerd --validate`, `containerd config dump`). */
  readonly validate: readonly { readonly runtime: string; readonly path: string }[];
  /** In the order they run. */
  readonly handlers: readonly Handler[];
  readonly expect: readonly Expectation[];
  /** The runtimes this transaction acts on, checks and reports. */
  readonly runtimes: readonly TransactionRuntime[];
  /** Seconds a restarted runtime may take to be active again before the rollback; unset: each runtime's own. */
  readonly startWait?: number | undefined;
}

/** How a transaction ended on the node. */
export interface TransactionOutcome {
  readonly runId: string;
  /**
   * committed: every file written, handlers run, effect verified. undone: a failure before any handler
   * (write, validation): every file back. rolled-back: a handler or the verification failed: files back
   * and the handlers that ran run again. changed-underneath: a file changed since it was read (another
   * run): nothing done. failed: the rollback itself failed, or the lock could not be had. aborted:
   * recovery found a transaction that never began. lost: no outcome came back (the connection or the
   * worker ended first); the next run reads it. busy: another run held the node lock past the wait; the
   * transaction is still there (begun or not) for the next run.
   */
  readonly result: 'committed' | 'undone' | 'rolled-back' | 'changed-underneath' | 'failed' | 'aborted' | 'lost' | 'busy';
  readonly message: string | null;
  /** Paths written (in place now unless the files were put back). */
  readonly wrote: readonly string[];
  readonly handlersRun: readonly Handler[];
  /** Files a rollback or undo did not put back, and why (changed since this run wrote them, a full disk, a damaged backup). */
  readonly notRestored: readonly { readonly path: string; readonly reason: string }[];
  /** The end of the runtimes' journals, on a rollback. */
  readonly journal: string | null;
  /** Set when this outcome comes from recovering an earlier run's transaction. */
  readonly recovered: boolean;
  /** Each runtime's state after the transaction, as its NAME_report printed it. */
  readonly runtimeState: ReadonlyMap<string, string>;
}
