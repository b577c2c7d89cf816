/**
 * The facts script: one POSIX sh script (dash-safe, no bashisms) that gathers a node's facts as root,
 * composed from the .sh files of the host and of each runtime. It never fails and never hangs:
 * anything that may block runs under `timeout 10`, every command's stdin is /dev/null, and it always
 * exits 0. Output format: see sections.ts.
 */
import { composeScript } from '../node/compose.ts';
import { nodeScript } from '../node/scripts.ts';
import { CONTAINERD_SHOW_PROPERTIES } from '../runtimes/containerd/facts.ts';

/** Sections the facts script prints, in order (optional ones only when there is something to show). */
export const FACTS_SECTIONS = [
  'begin',
  'hostname',
  'os-release',
  'commands',
  'systemctl-show',
  'unit-file',
  'drop-in',
  'env-file',
  'daemon-json',
  'dockerd-pids',
  'dockerd-version',
  'docker-info',
  'kubelet-show',
  'kubelet-file',
  'containerd-show',
  'containerd-version',
  'containerd-installed',
  'containerd-config-file',
  'containerd-config',
  'containerd-pid',
  'containerd-config-newer',
  'containerd-cri',
  'crictl-info',
  'end',
] as const;

/** Version of the section format, printed as the `begin` marker's argument. */
export const FACTS_FORMAT_VERSION = '2';

const DOCKER_SHOW_PROPERTIES = [
  'ExecStart',
  'DropInPaths',
  'Environment',
  'EnvironmentFiles',
  'ActiveState',
  'SubState',
  'LoadState',
  'ExecMainStartTimestamp',
  'FragmentPath',
];

/** The .sh files of the facts script, in order. */
export const FACTS_PARTS = ['facts/sh/host.sh', 'facts/sh/kubelet.sh', 'runtimes/docker/facts.sh', 'runtimes/containerd/facts.sh'] as const;

/**
 * The facts script; run it with `sh` as root. `extra` is more sh, run before the end marker, that may
 * print sections of its own with the preamble's `section NAME [ARG]` function; `variables` are set
 * before everything.
 */
export function factsScript(extra = '', variables: Readonly<Record<string, string>> = {}): string {
  return composeScript(
    {
      FACTS_FORMAT: FACTS_FORMAT_VERSION,
      DOCKER_SHOW: DOCKER_SHOW_PROPERTIES.map((p) => `-p ${p}`).join(' '),
      CONTAINERD_SHOW: CONTAINERD_SHOW_PROPERTIES.map((p) => `-p ${p}`).join(' '),
      ...variables,
    },
    ...FACTS_PARTS.map(nodeScript),
    extra,
    '\nsection end\nexit 0\n',
  );
}

/** The facts script with nothing extra. */
export const FACTS_SCRIPT = factsScript();
