/**
 * A container runtime as dockhand configures it. Each runtime is a folder (docker/, containerd/)
 * with the same shape: facts (a .sh part of the facts script and a pure parser), a pure plan from
 * the node's state and the desired state to file changes, handlers and expectations, and the effect
 * check the node transaction runs before it commits.
 */
import type { FileChange, Handler } from '../converge/types.ts';
import type { Expectation, RuntimeUnit } from '../node/transaction/types.ts';
import type { RuntimeName } from '../playbook/types.ts';

export type { RuntimeName };

/** Whether a runtime restart this run needs may happen, and why. */
export interface RestartDecision {
  /** The runtime whose restart is meant. */
  readonly runtime: RuntimeName;
  readonly needed: boolean;
  readonly allowed: boolean;
  /** In words: why it is needed, and why it is allowed or refused. */
  readonly reason: string;
}

/** One runtime's part of a node's plan. */
export interface RuntimePlan {
  readonly runtime: RuntimeName;
  /** How registry options reach the runtime here (e.g. `drop-in`, `daemon-json`, `config_path DIR`). */
  readonly mechanism: string | null;
  readonly changes: readonly FileChange[];
  readonly handlers: readonly Handler[];
  /** Why this node cannot converge: non-empty means touch nothing on it. */
  readonly blockers: readonly string[];
  /** What an operator should know before this runs. */
  readonly warnings: readonly string[];
  /** What the running runtime lacks now (before any change). */
  readonly missingEffect: readonly string[];
  /** What the node must show after the handlers; the transaction rolls back otherwise. */
  readonly expect: readonly Expectation[];
  /** Changed files the runtime itself validates before any handler runs. */
  readonly validate: readonly { readonly runtime: RuntimeUnit; readonly path: string }[];
  /** The runtime's unit, for the outcome's report and journal. */
  readonly unit: RuntimeUnit | null;
  readonly restart: RestartDecision | null;
  /** Things said in the report about how it was done (e.g. live-restore turned on first). */
  readonly notes: readonly string[];
}
