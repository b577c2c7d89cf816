/** What a node is now, as planning sees it: its facts, the bytes of every file dockhand manages there, and its transactions. */
import { createHash } from 'node:crypto';
import type { NodeFacts, OsFamily } from './facts.ts';
import type { RegistryProbe } from '../reach/types.ts';

/** An earlier run's transaction that began and has no outcome, while no worker holds the node lock. */
export interface UnfinishedTransaction {
  readonly runId: string;
  /** Its journal, one step a line (see src/node/transaction/worker.sh). */
  readonly journal: readonly string[];
}

/** One managed file as it is on the node. */
export interface ManagedFile {
  /** The content as text; null when the bytes are not UTF-8 (such a file is never edited). */
  readonly text: string | null;
  /** sha256 of the exact bytes: what the transaction compares before it writes. */
  readonly sha256: string;
}

export interface NodeState {
  readonly facts: NodeFacts;
  readonly family: OsFamily;
  /** Path -> each managed file that exists. */
  readonly files: ReadonlyMap<string, ManagedFile>;
  /** Installed anchors whose certificates the trust bundle lacks: an update is owed. */
  readonly trustMissing: readonly string[];
  /** Managed paths that are symbolic links (written through, never deleted). */
  readonly links: ReadonlySet<string>;
  /** The files dockhand created on this node (its ledger): a retired registry's files go only where they are in it. */
  readonly created: ReadonlySet<string>;
  /** Changes that failed on this node, by key (see `changeKey`): not tried again unless asked. */
  readonly failedChanges: ReadonlyMap<string, FailedChange>;
  /** A transaction is running on the node now (another run's worker holds the lock). */
  readonly lockHeld: boolean;
  readonly unfinished: readonly UnfinishedTransaction[];
  /** The node's own view of each present registry of the plays (none where the read did not look). */
  readonly reach?: readonly RegistryProbe[];
  /**
   * Runtimes whose daemon's answer came from what the last probe kept (same daemon, no newer
   * configuration since), not from a fresh probe. A plan that changes something is made on a fresh read.
   */
  readonly probesKept?: readonly string[];
}

/** A change that failed on the node: when, in which run, and why. */
export interface FailedChange {
  readonly at: string;
  readonly runId: string;
  readonly reason: string;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The file as dockhand sees it: exact bytes hashed, text only when it is UTF-8. */
export function managedFile(bytes: Uint8Array): ManagedFile {
  let text: string | null;
  try {
    text = utf8.decode(bytes);
  } catch {
    text = null;
  }
  return { text, sha256: sha256(bytes) };
}
