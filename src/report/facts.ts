import type { GatheredFacts } from '../facts/gather.ts';
import type { KubeletFacts, OsRelease, RuntimeFacts } from '../plan/facts.ts';
import type { NodeOutcome } from '../run/fleet.ts';
import { RUNTIMES, selectRuntimes } from '../runtimes/index.ts';
import { maskDeep } from './mask.ts';
import { STATUS } from './status.ts';
import { plain, type Paint } from './style.ts';
import { renderTable } from './table.ts';

/** One node in `dockhand facts --json`; each runtime's facts are under its name too (`docker`, `containerd`...). */
export interface FactsHost {
  readonly name: string;
  readonly address: string;
  readonly status: 'ok' | 'failed' | 'unreachable' | 'skipped';
  readonly os_family: 'debian' | 'rhel' | null;
  readonly os: OsRelease | null;
  readonly kubelet: KubeletFacts | null;
  /** The runtimes found, and which one `runtimes: auto` configures here (the one kubelet uses, else...). */
  readonly runtimes: { readonly installed: string[]; readonly auto: string[]; readonly why: string } | null;
  readonly trust: GatheredFacts['trust'] | null;
  readonly hostname: string | null;
  readonly error: string | null;
  readonly duration_ms: number;
  readonly [runtime: string]: unknown;
}

export interface FactsDocument {
  readonly hosts: FactsHost[];
}

/** The facts report: the same object renders as JSON and as a table. */
export function factsDocument(outcomes: readonly NodeOutcome<GatheredFacts>[]): FactsDocument {
  return {
    hosts: outcomes.map((outcome) => {
      const facts = outcome.value;
      // unit files, environments and config files may hold proxy credentials
      const perRuntime: Record<string, RuntimeFacts | null> = Object.fromEntries(
        RUNTIMES.map((runtime) => [runtime.name, facts ? (maskDeep(runtime.factsOf(facts)) as RuntimeFacts) : null]),
      );
      return {
        name: outcome.target.name,
        address: outcome.target.address,
        status: outcome.status,
        os_family: facts?.family ?? null,
        os: facts?.os ?? null,
        ...perRuntime,
        kubelet: facts?.kubelet ?? null,
        runtimes: facts ? runtimesOf(facts) : null,
        trust: facts?.trust ?? null,
        hostname: facts?.hostname ?? null,
        error: outcome.error,
        duration_ms: outcome.durationMs,
      };
    }),
  };
}

function runtimesOf(facts: GatheredFacts): NonNullable<FactsHost['runtimes']> {
  const installed = RUNTIMES.filter((runtime) => runtime.factsOf(facts).installed).map((runtime) => runtime.name);
  const choice = selectRuntimes(facts, 'auto');
  return { installed, auto: choice.runtimes.map((r) => r.name), why: choice.blockers.length > 0 ? choice.blockers.join('; ') : choice.reason };
}

/** The runtimes found, the one `auto` picks marked `*` (kubelet's, when kubelet says). */
function runtimesSummary(host: FactsHost): string {
  if (host.runtimes === null) return '-';
  const marked = host.runtimes.installed.map((r) => (host.runtimes!.auto.includes(r) ? `${r}*` : r));
  return marked.length === 0 ? 'none' : `${marked.join(',')}${host.kubelet?.runtime ? ' (kubelet)' : ''}`;
}

/**
 * The facts report as a table, one row per node and a column per runtime found on any of them, then
 * each problem on its own line. On a terminal (`width`) long cells are cut to fit; --json has everything.
 */
export function renderFactsTable(document: FactsDocument, options: { readonly paint?: Paint; readonly width?: number | undefined } = {}): string {
  const paint = options.paint ?? plain;
  const shown = RUNTIMES.filter((runtime) => document.hosts.some((host) => host.runtimes?.installed.includes(runtime.name) === true));
  const rows = document.hosts.map((host) => [
    host.name,
    host.address,
    paint(STATUS[host.status].colour, host.status),
    host.os ? `${host.os_family ?? '?'}: ${host.os.prettyName}` : '-',
    runtimesSummary(host),
    ...shown.map((runtime) => {
      const own = host[runtime.name] as RuntimeFacts | null | undefined;
      return own ? runtime.summary(own) : '-';
    }),
  ]);
  const table = renderTable(['NODE', 'ADDRESS', 'STATUS', 'OS', 'RUNTIMES', ...shown.map((r) => r.title.toUpperCase())], rows, {
    maxWidth: options.width,
    fixed: [0, 1, 2],
  });
  const problems = document.hosts.filter((host) => host.error !== null).map((host) => `${host.name}: ${host.error}`);
  return problems.length === 0 ? table : `${table}\n${problems.join('\n')}\n`;
}
