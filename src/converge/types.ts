/** What converging a node means: its desired state, the file changes to get there, the handlers owed. */
import type { DockerConfig, RegistrySpec, RestartPolicy, RuntimeSelection } from '../playbook/types.ts';

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
  readonly liveRestore: 'enable' | 'keep';
}

/** The mechanism chosen for a node's Docker. */
export type Mechanism = 'drop-in' | 'daemon-json';

/** The kinds of thing dockhand manages on a node. */
export type ResourceKind = 'docker-options' | 'daemon-json' | 'hosts' | 'certs.d' | 'trust-store' | 'containerd-config' | 'hosts-toml';

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

export { HANDLER_ORDER, type Handler } from '../node/transaction/types.ts';
