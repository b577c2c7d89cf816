/** Docker's facts: how docker.service is wired into systemd, daemon.json, and what a running dockerd reports. */
import type { RuntimeFacts } from '../../plan/facts.ts';
import type { ProxyEnvironment } from '../../registry/no-proxy.ts';
import type { UnitProxy } from '../../resources/proxy.ts';

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
export interface DockerFacts extends RuntimeFacts {
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
  /** The proxy settings dockerd is given and runs with (./proxy.ts). */
  readonly proxy: DockerProxyFacts;
}

/** The proxy settings dockerd is given and runs with. */
export interface DockerProxyFacts {
  /** docker.service's proxy variables, with and without dockhand's drop-in; null without the unit. */
  readonly unit: UnitProxy | null;
  /** daemon.json's `proxies` (Docker 23+), which override the unit's one by one. */
  readonly daemonJson: { readonly http: string | null; readonly https: string | null; readonly no: string | null } | null;
  /** What the running dockerd uses, as `docker info` reports it (credentials masked); null when none answers. */
  readonly running: ProxyEnvironment | null;
}

