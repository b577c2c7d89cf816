/** The facts dockhand gathers from a node in one round trip; JSON-friendly values only. */
import type { ContainerdConfig } from '../runtimes/containerd/config-toml.ts';

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

/** The docker.service unit as systemd reports it. */
export interface DockerUnit {
  readonly loadState: string;
  readonly activeState: string;
  readonly subState: string;
  readonly fragmentPath: string | null;
  /** The argv of each ExecStart, words joined by one space as systemd prints it (variables unexpanded). */
  readonly execStart: string[];
  readonly dropIns: { path: string; content: string }[];
  readonly environment: Record<string, string>;
  readonly environmentFiles: string[];
  readonly startedAt: string | null;
}

/** /etc/docker/daemon.json; invalid JSON is a fact, not a crash. */
export interface DaemonJson {
  readonly present: boolean;
  readonly valid: boolean;
  readonly error: string | null;
  readonly keys: string[];
  readonly content: Record<string, unknown> | null;
  readonly raw: string | null;
}

/** How Docker is installed, wired into systemd and configured on the node. */
export interface DockerFacts {
  /** The unit or the dockerd binary is present. */
  readonly installed: boolean;
  /** From `dockerd --version` (falls back to the running daemon's ServerVersion). */
  readonly version: string | null;
  readonly unit: DockerUnit | null;
  /** An ExecStart argv references $DOCKER_OPTS or ${DOCKER_OPTS}. */
  readonly honoursDockerOpts: boolean;
  /** The effective DOCKER_OPTS: from Environment=, overridden by an EnvironmentFile= that sets it. */
  readonly dockerOpts: string | null;
  /** Where dockerOpts comes from: 'environment', the environment file's path, or null. */
  readonly dockerOptsSource: string | null;
  /**
   * A drop-in other than dockhand's that sets DOCKER_OPTS and that systemd reads after
   * docker-options.conf (e.g. override.conf from `systemctl edit docker`): its value wins.
   */
  readonly dockerOptsOverride: string | null;
  readonly daemonJson: DaemonJson;
  /** ActiveState=active (without systemd: a dockerd process exists). */
  readonly running: boolean;
  readonly liveRestore: boolean | null;
  readonly containersRunning: number | null;
  /** Insecure registry CIDRs and insecure index configs from `docker info`; [] when not running. */
  readonly insecureRegistries: string[];
  readonly registryMirrors: string[];
  /** `dockerd --validate` exists (Docker >= 23). */
  readonly supportsValidate: boolean;
}

/** containerd as installed, configured and running on the node. */
export interface ContainerdFacts {
  /** The unit or the containerd binary is present. */
  readonly installed: boolean;
  /** From `containerd --version` (e.g. `1.6.20~ds1`), or null. */
  readonly version: string | null;
  /** The unit is active (without systemd: a containerd process exists). */
  readonly running: boolean;
  readonly activeState: string | null;
  /** The config file containerd reads (its ExecStart's --config, else /etc/containerd/config.toml). */
  readonly configFile: string;
  readonly config: ContainerdConfig;
  /** The config file changed after the running containerd started: it runs on an older one. */
  readonly configNewerThanProcess: boolean | null;
  /** The CRI plugin's state as containerd reports it (`ctr plugins ls`): ok, error, or absent. */
  readonly criStatus: string | null;
  /** What the running CRI uses as registry config_path (from crictl info; null without crictl). */
  readonly criConfigPath: string | null;
  /** crictl is installed (a CRI client, as on every kubeadm, KubeKey and Kubespray node). */
  readonly crictl: boolean;
}

/** kubelet and the runtime endpoint it uses. */
export interface KubeletFacts {
  readonly present: boolean;
  /** `--container-runtime-endpoint` or `containerRuntimeEndpoint`, as written. */
  readonly endpoint: string | null;
  /** The runtime behind the endpoint; `other` for runtimes dockhand does not configure (CRI-O, k3s). */
  readonly runtime: 'docker' | 'containerd' | 'crio' | 'other' | null;
  /** The file (or the unit) the endpoint was read from. */
  readonly source: string | null;
}

/** Which CA trust-store tool the node has. */
export interface TrustFacts {
  readonly updateCaCertificates: boolean;
  readonly updateCaTrust: boolean;
}

/** Everything dockhand knows about one node. */
export interface NodeFacts {
  readonly hostname: string;
  readonly os: OsRelease;
  readonly docker: DockerFacts;
  readonly containerd: ContainerdFacts;
  readonly kubelet: KubeletFacts;
  readonly trust: TrustFacts;
}
