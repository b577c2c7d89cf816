/** A node transaction: what the controller asks of a node, and what the node says it did. */
import type { OsFamily } from '../../facts/types.ts';

/** Work that follows file changes, run once per transaction, in this order. */
export const HANDLER_ORDER = ['update-trust', 'daemon-reload', 'reload-docker', 'restart-docker', 'restart-containerd'] as const;
export type Handler = (typeof HANDLER_ORDER)[number];

/** The runtimes a transaction can restart, reload, validate for and report on. */
export type RuntimeUnit = 'docker' | 'containerd';

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

/** What the node must show once the handlers ran; the transaction rolls back otherwise. */
export type Expectation =
  | { readonly kind: 'docker-active' }
  | { readonly kind: 'docker-insecure'; readonly value: string }
  | { readonly kind: 'docker-mirror'; readonly value: string }
  | { readonly kind: 'docker-live-restore' }
  | { readonly kind: 'containerd-cri' }
  | { readonly kind: 'containerd-config-path'; readonly value: string };

export interface Transaction {
  /** The run's name on the node: sortable by time, unique. */
  readonly runId: string;
  readonly family: OsFamily;
  readonly writes: readonly FileWrite[];
  /** Files the runtime itself checks before any handler (`dockerd --validate`, `containerd config dump`). */
  readonly validate: readonly { readonly runtime: RuntimeUnit; readonly path: string }[];
  readonly handlers: readonly Handler[];
  readonly expect: readonly Expectation[];
  /** Runtimes whose state (and journal, on a rollback) the outcome carries. */
  readonly report: readonly RuntimeUnit[];
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
   * worker ended first); the next run reads it.
   */
  readonly result: 'committed' | 'undone' | 'rolled-back' | 'changed-underneath' | 'failed' | 'aborted' | 'lost';
  readonly message: string | null;
  /** Paths written (in place now unless the files were put back). */
  readonly wrote: readonly string[];
  readonly handlersRun: readonly Handler[];
  /** A file changed since this run wrote it, so the rollback left it alone. */
  readonly notRestored: readonly string[];
  /** The end of the runtimes' journals, on a rollback. */
  readonly journal: string | null;
  /** Set when this outcome comes from recovering an earlier run's transaction. */
  readonly recovered: boolean;
  /** The raw sections of runtime state the outcome carries (docker-active, docker-info, containerd-cri...). */
  readonly runtimeState: ReadonlyMap<string, string>;
}

export type { OsFamily };
