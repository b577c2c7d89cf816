import type { ContainerdFacts, DockerFacts, KubeletFacts, OsRelease } from '../facts/types.ts';
import { selectRuntimes } from '../runtimes/select.ts';
import type { GatheredFacts } from '../facts/gather.ts';
import type { NodeOutcome } from '../run/fleet.ts';
import { maskDeep } from './mask.ts';
import { STATUS } from './status.ts';
import { plain, type Paint } from './style.ts';
import { renderTable } from './table.ts';

/** One node in `dockhand facts --json`. */
export interface FactsHost {
  readonly name: string;
  readonly address: string;
  readonly status: 'ok' | 'failed' | 'unreachable' | 'skipped';
  readonly os_family: 'debian' | 'rhel' | null;
  readonly os: OsRelease | null;
  readonly docker: DockerFacts | null;
  readonly containerd: ContainerdFacts | null;
  readonly kubelet: KubeletFacts | null;
  /** The runtimes found, and which one `runtimes: auto` configures here (the one kubelet uses, else...). */
  readonly runtimes: { readonly installed: string[]; readonly auto: string[]; readonly why: string } | null;
  readonly trust: GatheredFacts['trust'] | null;
  readonly hostname: string | null;
  readonly error: string | null;
  readonly duration_ms: number;
}

export interface FactsDocument {
  readonly hosts: FactsHost[];
}

/** The facts report: the same object renders as JSON and as a table. */
export function factsDocument(outcomes: readonly NodeOutcome<GatheredFacts>[]): FactsDocument {
  return {
    hosts: outcomes.map((outcome) => ({
      name: outcome.target.name,
      address: outcome.target.address,
      status: outcome.status,
      os_family: outcome.value?.family ?? null,
      os: outcome.value?.os ?? null,
      // drop-ins, environment and daemon.json may hold proxy credentials
      docker: outcome.value ? maskDeep(outcome.value.docker) : null,
      containerd: outcome.value ? maskDeep(outcome.value.containerd) : null,
      kubelet: outcome.value?.kubelet ?? null,
      runtimes: outcome.value ? runtimesOf(outcome.value) : null,
      trust: outcome.value?.trust ?? null,
      hostname: outcome.value?.hostname ?? null,
      error: outcome.error,
      duration_ms: outcome.durationMs,
    })),
  };
}

function runtimesOf(facts: GatheredFacts): NonNullable<FactsHost['runtimes']> {
  const installed = [...(facts.docker.installed ? ['docker'] : []), ...(facts.containerd.installed ? ['containerd'] : [])];
  const choice = selectRuntimes(facts, 'auto');
  return { installed, auto: [...choice.runtimes], why: choice.blockers.length > 0 ? choice.blockers.join('; ') : choice.reason };
}

/** The runtimes found, the one `auto` picks marked `*` (kubelet's, when kubelet says). */
function runtimesSummary(host: FactsHost): string {
  if (host.runtimes === null) return '-';
  const marked = host.runtimes.installed.map((r) => (host.runtimes!.auto.includes(r) ? `${r}*` : r));
  return marked.length === 0 ? 'none' : `${marked.join(',')}${host.kubelet?.runtime ? ' (kubelet)' : ''}`;
}

function containerdSummary(containerd: ContainerdFacts | null): string {
  if (containerd === null || !containerd.installed) return '-';
  const state = containerd.running ? 'active' : (containerd.activeState ?? 'stopped');
  return `${containerd.version ?? '?'} ${state} cri:${containerd.criStatus ?? '?'}`;
}

function dockerSummary(docker: DockerFacts): string[] {
  if (!docker.installed) return ['absent', '-', '-', '-'];
  const state = docker.running ? 'active' : (docker.unit?.activeState ?? 'stopped');
  const wiring = docker.honoursDockerOpts ? 'DOCKER_OPTS' : 'no DOCKER_OPTS';
  const daemonJson = !docker.daemonJson.present ? 'none' : docker.daemonJson.valid ? docker.daemonJson.keys.join(',') || '{}' : 'INVALID';
  const containers =
    docker.containersRunning === null ? '-' : `${docker.containersRunning}${docker.liveRestore ? ' (live-restore)' : ''}`;
  return [`${docker.version ?? '?'} ${state}`, wiring, daemonJson, containers];
}

/**
 * The facts report as a table, one row per node, then each problem on its own line. On a terminal
 * (`width`) long cells are cut to fit; --json has everything.
 */
export function renderFactsTable(document: FactsDocument, options: { readonly paint?: Paint; readonly width?: number | undefined } = {}): string {
  const paint = options.paint ?? plain;
  const rows = document.hosts.map((host) => [
    host.name,
    host.address,
    paint(STATUS[host.status].colour, host.status),
    host.os ? `${host.os_family ?? '?'}: ${host.os.prettyName}` : '-',
    runtimesSummary(host),
    ...(host.docker ? dockerSummary(host.docker) : ['-', '-', '-', '-']),
    containerdSummary(host.containerd),
  ]);
  const table = renderTable(['NODE', 'ADDRESS', 'STATUS', 'OS', 'RUNTIMES', 'DOCKER', 'WIRING', 'DAEMON.JSON', 'CONTAINERS', 'CONTAINERD'], rows, {
    maxWidth: options.width,
    fixed: [0, 1, 2],
  });
  const problems = document.hosts.filter((host) => host.error !== null).map((host) => `${host.name}: ${host.error}`);
  return problems.length === 0 ? table : `${table}\n${problems.join('\n')}\n`;
}
