/**
 * How registry options reach a node's dockerd: the DOCKER_OPTS drop-in where the unit passes
 * $DOCKER_OPTS and daemon.json does not set the same option; otherwise daemon.json. Never the same
 * option as a flag and in daemon.json: dockerd refuses to start with that.
 */
import type { DockerFacts } from './types.ts';
import type { DockerConfig } from '../../playbook/types.ts';
import { INSECURE_KEY, MIRRORS_KEY } from './daemon-json.ts';
import { DOCKER_OPTIONS_PATH, registryFlagsOf } from './drop-in.ts';
import { INSECURE_FLAG, MIRROR_FLAG } from './flags.ts';

export interface OptionsNeeded {
  readonly insecure: boolean;
  readonly mirrors: boolean;
}

/** The mechanism chosen for a node's Docker. */
export type Mechanism = 'drop-in' | 'daemon-json';

export type MechanismChoice = { readonly mechanism: Mechanism; readonly blockers: readonly string[] };

/** The registry flags dockerd gets from its unit now (ExecStart, and DOCKER_OPTS where passed). */
function unitFlags(docker: DockerFacts): { insecure: boolean; mirrors: boolean } {
  const words = [...(docker.unit?.execStart ?? []), docker.honoursDockerOpts ? (docker.dockerOpts ?? '') : ''].join(' ');
  const flags = registryFlagsOf(words);
  return { insecure: flags.some((f) => f.name === INSECURE_FLAG), mirrors: flags.some((f) => f.name === MIRROR_FLAG) };
}

/** Choose the mechanism for a node (or honour the play's), with the reasons it cannot work. */
export function chooseMechanism(docker: DockerFacts, needed: OptionsNeeded, config: DockerConfig): MechanismChoice {
  const keys = docker.daemonJson.keys;
  const inJson = [needed.insecure && keys.includes(INSECURE_KEY) ? INSECURE_KEY : null, needed.mirrors && keys.includes(MIRRORS_KEY) ? MIRRORS_KEY : null].filter(
    (k) => k !== null,
  );
  const flags = unitFlags(docker);
  const asFlags = [needed.insecure && flags.insecure ? INSECURE_FLAG : null, needed.mirrors && flags.mirrors ? MIRROR_FLAG : null].filter((f) => f !== null);
  const fromEnvFile = docker.dockerOptsSource !== null && docker.dockerOptsSource !== 'environment';

  const dropInBlockers = [
    ...(docker.honoursDockerOpts
      ? []
      : [`docker.service does not pass $DOCKER_OPTS to dockerd (ExecStart: ${docker.unit?.execStart.join(' | ') || 'unknown'}), so ${DOCKER_OPTIONS_PATH} would have no effect`]),
    ...(fromEnvFile ? [`DOCKER_OPTS is set by EnvironmentFile ${docker.dockerOptsSource}, which overrides ${DOCKER_OPTIONS_PATH}`] : []),
    ...(docker.dockerOptsOverride !== null
      ? [`DOCKER_OPTS is also set by ${docker.dockerOptsOverride}, which systemd reads after ${DOCKER_OPTIONS_PATH}, so its value wins`]
      : []),
    ...inJson.map((key) => `/etc/docker/daemon.json sets "${key}": dockerd refuses to start when the same option is also a flag`),
  ];
  const jsonBlockers = [
    ...asFlags.map((flag) => `dockerd already gets ${flag} as a flag: dockerd refuses to start when the same option is also in daemon.json`),
    ...(docker.daemonJson.present && !docker.daemonJson.valid
      ? [`/etc/docker/daemon.json is not valid JSON (${docker.daemonJson.error ?? 'parse error'}): fix it first, dockerd cannot start with it`]
      : []),
  ];

  if (config === 'drop-in') return { mechanism: 'drop-in', blockers: dropInBlockers };
  if (config === 'daemon-json') return { mechanism: 'daemon-json', blockers: jsonBlockers };
  if (dropInBlockers.length === 0) return { mechanism: 'drop-in', blockers: [] };
  if (jsonBlockers.length === 0) return { mechanism: 'daemon-json', blockers: [] };
  return { mechanism: 'drop-in', blockers: [...dropInBlockers, ...jsonBlockers] };
}
