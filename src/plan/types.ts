/**
 * What converging a node means, shared by the core and every runtime: the desired state, file changes,
 * handlers, what the node must show afterwards, and one runtime's part of a node's plan.
 */
import type { DockerConfig, RegistrySpec, RestartPolicy, RuntimeSelection } from '../playbook/types.ts';
import type { ProxyEnvironment } from '../registry/no-proxy.ts';

/** Everything the plays that select one node ask of it, merged. */
export interface DesiredState {
  readonly registries: readonly RegistrySpec[];
  /** Hosts and CIDRs for --insecure-registry: insecure registries plus the plays' extras. */
  readonly insecureRegistries: readonly string[];
  readonly registryMirrors: readonly string[];
  /** Flags dockhand once added and the plays no longer ask for (registries now absent, `insecure_registries` entries with `state: absent`). */
  readonly retiredInsecureRegistries: readonly string[];
  /** `registry_mirrors` entries with `state: absent`: mirrors to take back where dockhand put them. */
  readonly retiredRegistryMirrors: readonly string[];
  /** How registry options reach dockerd: chosen per node (`auto`) or forced by the play. */
  readonly dockerConfig: DockerConfig;
  /** Which runtimes to configure (the plays' lists united; `auto` when none names any). */
  readonly runtimes: RuntimeSelection;
  /** The most careful restart policy of the plays. */
  readonly restart: RestartPolicy;
  /** Try a change again that failed on the node before (`--retry-failed`); otherwise such a node is blocked. */
  readonly retryFailed: boolean;
  readonly liveRestore: 'enable' | 'keep';
  /** `require` where some play requires the node to reach its registries (a node that cannot is left unchanged). */
  readonly reachability?: 'report' | 'require';
  /** The longest `start_timeout` of the plays that set one (seconds); unset: each runtime's own. */
  readonly startTimeout?: number | undefined;
}

/** What the host's part of a node's plan tells each runtime's part. */
export interface PlanContext {
  /**
   * Why the system trust a running runtime loaded at its start is stale (a registry's CA replaced or taken
   * out of the system trust store), in words; null when it is not. A runtime that caches it owes a restart.
   */
  readonly staleTrust: string | null;
}

/** The kind of thing a change is about, for reports: `hosts`, `trust-store`, or a runtime's own (`docker-options`, `hosts-toml`...). */
export type ResourceKind = string;

/** One file's move from what it is to what it should be; `null` content means absent. */
export interface FileChange {
  readonly resource: ResourceKind;
  readonly path: string;
  readonly action: 'create' | 'update' | 'delete';
  /** The text now (null: absent, or not UTF-8 text; `beforeSha256` says which). */
  readonly before: string | null;
  readonly after: string | null;
  /** sha256 of the exact bytes now; null: the file is absent. The transaction writes only over these bytes. */
  readonly beforeSha256: string | null;
  /** Octal mode for a created file, e.g. '0644'. An updated file keeps its mode and owner. */
  readonly mode: string;
}

/**
 * Work that follows file changes, run once per transaction: the host's own (`update-trust`,
 * `daemon-reload`), or a runtime's action, written ACTION-RUNTIME (`reload-docker`, `restart-containerd`).
 */
export type Handler = string;

/** What the node must show once the handlers ran, judged by the runtime's own node-side check. */
export interface Expectation {
  readonly runtime: string;
  /** The runtime's word for it (`active`, `insecure`, `cri`, `config-path`...): one word, no blank. */
  readonly kind: string;
  readonly value?: string;
}

/** Whether a runtime restart this run needs may happen, and why. */
export interface RestartDecision {
  /** The runtime whose restart is meant. */
  readonly runtime: string;
  readonly needed: boolean;
  readonly allowed: boolean;
  /** In words: why it is needed, and why it is allowed or refused. */
  readonly reason: string;
}

/** One runtime's part of a node's plan. */
export interface RuntimePlan {
  readonly runtime: string;
  /** How registry options reach the runtime here, as a short word for reports (`drop-in`, `daemon-json`, `config_path DIR`). */
  readonly mechanism: string | null;
  /** The same, in words (`the DOCKER_OPTS drop-in`). */
  readonly via: string | null;
  readonly changes: readonly FileChange[];
  readonly handlers: readonly Handler[];
  /** Why this node cannot converge: non-empty means touch nothing on it. */
  readonly blockers: readonly string[];
  /**
   * Why the change may not be made now, though it would work: a restart the restart policy does not allow.
   * Non-empty means touch nothing; the node keeps its drift (blocked, not failed).
   */
  readonly blocked: readonly string[];
  /** What an operator should know before this runs. */
  readonly warnings: readonly string[];
  /** What the running runtime lacks now (before any change), each a phrase that names it (`dockerd lacks insecure registry X`). */
  readonly missingEffect: readonly string[];
  /** What the node must show after the handlers; the transaction rolls back otherwise. */
  readonly expect: readonly Expectation[];
  /** Changed files the runtime itself validates before any handler runs. */
  readonly validate: readonly string[];
  readonly restart: RestartDecision | null;
  /** Things said in the report about how it was done (e.g. live-restore turned on first). */
  readonly notes: readonly string[];
  /** The proxy environment the runtime starts with after this plan (null: the runtime does not say). */
  readonly proxy?: ProxyEnvironment | null;
}
