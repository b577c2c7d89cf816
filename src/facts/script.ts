/**
 * The facts script: one POSIX sh script (dash-safe, no bashisms) that gathers a node's facts as root,
 * composed from the .sh files of the host, kubelet and each runtime of src/runtimes/index.ts. It never
 * fails and never hangs: anything that may block runs under `timeout 10`, every command's stdin is
 * /dev/null, and it always exits 0. Output format: see src/formats/sections.ts.
 */
import { composeScript } from '../node/compose.ts';
import { nodeScript } from '../node/scripts.ts';
import type { RuntimeSelection } from '../playbook/types.ts';
import { RUNTIMES } from '../runtimes/index.ts';

/** Sections the host's and kubelet's parts print. */
const HOST_SECTIONS = ['begin', 'hostname', 'os-release', 'commands', 'kubelet-show', 'kubelet-file'] as const;

/** Sections the facts script prints, in order (optional ones only when there is something to show). */
export const FACTS_SECTIONS: readonly string[] = [...HOST_SECTIONS, ...RUNTIMES.flatMap((r) => r.facts.sections), 'end'];

/** Version of the section format, printed as the `begin` marker's argument. */
export const FACTS_FORMAT_VERSION = '3';

/** The .sh files of the facts script, in order: the host, kubelet, then each runtime's functions and facts. */
export const FACTS_PARTS: readonly string[] = ['facts/sh/host.sh', 'facts/sh/kubelet.sh', ...RUNTIMES.flatMap((r) => [r.shell, r.facts.script])];

/** What kubelet.sh reads of kubelet's unit. */
const KUBELET_SHOW_PROPERTIES = ['LoadState', 'ActiveState', 'ExecStart', 'DropInPaths', 'EnvironmentFiles'];

/** The units the facts read (kubelet's, then each runtime's) and every property any of them reads: one `systemctl show`. */
const SHOW_UNITS = ['kubelet.service', ...RUNTIMES.flatMap((r) => r.facts.units?.names ?? [])];
const SHOW_PROPERTIES = [...new Set([...KUBELET_SHOW_PROPERTIES, ...RUNTIMES.flatMap((r) => r.facts.units?.properties ?? [])])];

/** `auto`, or the runtimes plays name: each runtime's facts part reads itself in full where it is wanted. */
function wanted(runtimes: RuntimeSelection): string {
  return runtimes === 'auto' ? 'auto' : runtimes.join(' ');
}

/**
 * The facts script; run it with `sh` as root. `extra` is more sh, run before the end marker, that may
 * print sections of its own with the preamble's `section NAME [ARG]` function; `variables` are set
 * before everything.
 */
export function factsScript(extra = '', variables: Readonly<Record<string, string>> = {}, runtimes: RuntimeSelection = 'auto'): string {
  return composeScript(
    {
      FACTS_FORMAT: FACTS_FORMAT_VERSION,
      RUNTIMES_WANTED: wanted(runtimes),
      RUNTIME_COMMANDS: [...new Set(RUNTIMES.flatMap((r) => r.facts.commands ?? []))].join(' '),
      SHOW_UNITS: [...new Set(SHOW_UNITS)].join(' '),
      SHOW_PROPERTIES: SHOW_PROPERTIES.map((p) => `-p ${p}`).join(' '),
      KUBELET_SHOW: KUBELET_SHOW_PROPERTIES.join(' '),
      ...Object.assign({}, ...RUNTIMES.map((r) => r.facts.variables ?? {})),
      ...variables,
    },
    ...FACTS_PARTS.map(nodeScript),
    extra,
    '\nsection end\nexit 0\n',
  );
}

/** The facts script with nothing extra. */
export const FACTS_SCRIPT = factsScript();
