/**
 * What dockhand knows of a node, read in one round trip: the host (name, OS, trust-store tools, kubelet)
 * and each runtime's own facts, under the runtime's name. Only JSON-friendly values: the facts report
 * prints them as they are.
 */

/** Supported OS families. */
export type OsFamily = 'debian' | 'rhel';

/** The interesting fields of /etc/os-release (os-release(5)). */
export interface OsRelease {
  readonly id: string;
  readonly idLike: string[];
  readonly versionId: string | null;
  readonly prettyName: string;
  readonly family: OsFamily | null;
}

/** kubelet and the runtime endpoint it uses. */
export interface KubeletFacts {
  readonly present: boolean;
  /** `--container-runtime-endpoint` or `containerRuntimeEndpoint`, as written. */
  readonly endpoint: string | null;
  /** The runtime of dockhand's list that serves that endpoint; null when none does (or there is no endpoint). */
  readonly runtime: string | null;
  /** The file (or the unit) the endpoint was read from. */
  readonly source: string | null;
}

/** Which CA trust-store tool the node has. */
export interface TrustFacts {
  readonly updateCaCertificates: boolean;
  readonly updateCaTrust: boolean;
}

/** What every runtime's facts say, whatever else each adds. */
export interface RuntimeFacts {
  /** Its unit or its binary is on the node. */
  readonly installed: boolean;
  /** Its unit is active (without systemd: its process exists). */
  readonly running: boolean;
  readonly version: string | null;
}

/** Everything dockhand knows about one node. */
export interface NodeFacts {
  readonly hostname: string;
  readonly os: OsRelease;
  readonly kubelet: KubeletFacts;
  readonly trust: TrustFacts;
  /** Each runtime's facts, by the runtime's name (src/runtimes/index.ts lists them). */
  readonly runtimes: Readonly<Record<string, RuntimeFacts>>;
}
