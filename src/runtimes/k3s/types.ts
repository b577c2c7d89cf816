/** k3s's and RKE2's facts: the unit the node runs, where its registries.yaml is, and what it rendered. */
import type { RuntimeFacts } from '../../plan/facts.ts';

/** The two distributions this runtime covers (RKE2 runs k3s's agent code). */
export type Distribution = 'k3s' | 'rke2';

/** k3s or RKE2 as installed, configured and running on the node. */
export interface K3sFacts extends RuntimeFacts {
  readonly distribution: Distribution | null;
  /** The unit it runs under (`k3s.service`, `k3s-agent.service`, `rke2-server.service`, `rke2-agent.service`), or null. */
  readonly unit: string | null;
  readonly activeState: string | null;
  /** `server` (with the API server and datastore) or `agent`, from the unit's command line. */
  readonly role: 'server' | 'agent' | null;
  /** The unit's KillMode: `process` leaves containerd's shims, and so the pods, running across a restart. */
  readonly killMode: string | null;
  /** The registries.yaml it reads (`--private-registry`, else the default). */
  readonly registriesFile: string;
  /** Its data directory (`--data-dir`, else the default): the rendered hosts.toml files are under it. */
  readonly dataDir: string;
  /** kubelet uses another runtime (`--docker`, or `container-runtime-endpoint`): registries.yaml does not reach it. */
  readonly externalRuntime: string | null;
  /** registries.yaml changed after the running process started: it runs on an older one. */
  readonly registriesNewerThanProcess: boolean | null;
  /** Whether this version renders registries.yaml into hosts.toml files (v1.29.1, v1.28.6, v1.27.10, v1.26.13 and later). */
  readonly renders: boolean;
  /** The hosts.toml files k3s rendered (path -> content). */
  readonly rendered: Readonly<Record<string, string>>;
}
