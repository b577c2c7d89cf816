import type { DockerFacts, OsRelease } from '../facts/types.ts';
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
      trust: outcome.value?.trust ?? null,
      hostname: outcome.value?.hostname ?? null,
      error: outcome.error,
      duration_ms: outcome.durationMs,
    })),
  };
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
    ...(host.docker ? dockerSummary(host.docker) : ['-', '-', '-', '-']),
  ]);
  const table = renderTable(['NODE', 'ADDRESS', 'STATUS', 'OS', 'DOCKER', 'WIRING', 'DAEMON.JSON', 'CONTAINERS'], rows, {
    maxWidth: options.width,
    fixed: [0, 1, 2],
  });
  const problems = document.hosts.filter((host) => host.error !== null).map((host) => `${host.name}: ${host.error}`);
  return problems.length === 0 ? table : `${table}\n${problems.join('\n')}\n`;
}
