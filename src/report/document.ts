/** The run's report document: the shape every reporter reads (text, JSON, JUnit, metrics, history). */
import type { Mode } from '../converge/converge-node.ts';
import type { RegistryReach } from '../reach/judge.ts';
import type { PlayReport } from './plays.ts';
import type { ConvergeStatus } from './status.ts';

export interface ChangeReport {
  readonly resource: string;
  readonly path: string;
  readonly action: 'create' | 'update' | 'delete';
  /** A unified diff, with --diff (a certificate as its subject, fingerprint and expiry); null otherwise. */
  readonly diff: string | null;
  /** The registries and settings of the plays this change is about (all of the node's when it cannot tell). */
  readonly concerns: string[];
}

export interface ConvergeHost {
  readonly name: string;
  readonly address: string;
  readonly status: ConvergeStatus;
  readonly os_family: string | null;
  /** The container runtimes configured on the node. */
  readonly runtimes: string[];
  /** How registry options reach the runtimes, each's word: "drop-in" (Docker's DOCKER_OPTS) or "daemon-json", "config_path DIR" (containerd); null when none needs any. */
  readonly mechanism: string | null;
  /** The same, per runtime, in words. */
  readonly via: { runtime: string; mechanism: string; via: string }[];
  readonly changes: ChangeReport[];
  readonly handlers: string[];
  readonly missing_effect: string[];
  /** Images whose pull check passed after apply. */
  readonly verified: string[];
  readonly warnings: string[];
  /** How it was done (live-restore turned on before a restart). */
  readonly notes: string[];
  /** Each runtime restart the change needs: whether it may happen, and why. */
  readonly restarts: { runtime: string; needed: boolean; allowed: boolean; reason: string }[];
  /** Why the change may not be made now: a blocked node (apply) or one that would be (check). */
  readonly blocked: string[];
  /** An earlier run's unfinished transaction this run finished (or undid). */
  readonly recovered: { run_id: string; outcome: string; detail: string | null } | null;
  /** The node's own view of each registry (see src/reach/), read before anything changed; absent in reports of older runs. */
  readonly reach?: RegistryReach[];
  readonly error: string | null;
  readonly duration_ms: number;
}

/** When and on what the run ran, and how it ended. */
export interface RunInfo {
  readonly id: string;
  readonly started_at: string;
  readonly duration_ms: number;
  readonly playbook: string;
  readonly inventory: string;
  readonly limit: string | null;
  /** The process's exit code for this run. */
  readonly exit_code: number;
}

export interface ConvergeDocument {
  readonly mode: Mode;
  readonly hosts: ConvergeHost[];
  readonly summary: Partial<Record<ConvergeStatus, number>>;
  readonly plays: PlayReport[];
  readonly run: RunInfo;
  /** Only when dockhand quit at a second SIGINT: the nodes whose transactions it left to carry on alone. */
  readonly in_flight?: string[];
}
