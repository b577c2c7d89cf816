/**
 * The runtimes dockhand configures: a runtime is a folder with one object of the interface in
 * ./runtime.ts, and one line here. The order is the order of their facts, handlers and reports.
 */
import type { NodeFacts } from '../plan/facts.ts';
import type { RuntimeSelection } from '../playbook/types.ts';
import { containerd } from './containerd/index.ts';
import { containers } from './containers/index.ts';
import { docker } from './docker/index.ts';
import { k3s } from './k3s/index.ts';
import type { Runtime } from './runtime.ts';

export type { HostView, PullCredentials, Runtime } from './runtime.ts';

export const RUNTIMES: readonly Runtime[] = [docker, containerd, containers, k3s];

/** Every name a playbook may use for a runtime (aliases included) -> the runtime's name. */
export const RUNTIME_NAMES: ReadonlyMap<string, string> = new Map(RUNTIMES.flatMap((r) => [[r.name, r.name] as const, ...r.aliases.map((a) => [a, r.name] as const)]));

/** The runtime of this name (or alias). */
export function runtimeNamed(name: string): Runtime | undefined {
  const canonical = RUNTIME_NAMES.get(name);
  return RUNTIMES.find((r) => r.name === canonical);
}

/** The runtimes of these names, in the list's order. */
export function runtimesNamed(names: readonly string[]): Runtime[] {
  const wanted = new Set(names.map((n) => RUNTIME_NAMES.get(n) ?? n));
  return RUNTIMES.filter((r) => wanted.has(r.name));
}

/** The runtime that serves kubelet's endpoint, or undefined. */
export function runtimeOfEndpoint(endpoint: string): Runtime | undefined {
  return RUNTIMES.find((r) => r.kubeletUses(endpoint));
}

export interface RuntimeChoice {
  readonly runtimes: readonly Runtime[];
  /** How the choice was made, for the report. */
  readonly reason: string;
  readonly blockers: readonly string[];
}

const installed = (facts: NodeFacts, runtime: Runtime): boolean => facts.runtimes[runtime.name]?.installed === true;
const notInstalled = (runtime: Runtime): string => `${runtime.title} is not installed on this node`;

/**
 * Which runtimes a node's plays configure: the ones a play names, or (`auto`) the one kubelet uses, else
 * the first candidate by rank (k3s or RKE2 where a unit of theirs is installed, else Docker where it is
 * installed, else containerd where its CRI is on). A runtime the plays do not ask for is never touched
 * (Debian's docker.io brings a CRI-capable containerd that must not be restarted by a play about Docker).
 */
export function selectRuntimes(facts: NodeFacts, selection: RuntimeSelection): RuntimeChoice {
  if (selection !== 'auto') {
    const named = runtimesNamed(selection);
    return { runtimes: named, reason: 'named by the play', blockers: named.filter((r) => !installed(facts, r)).map(notInstalled) };
  }
  const kubelet = facts.kubelet;
  if (kubelet.endpoint !== null) {
    const runtime = runtimeOfEndpoint(kubelet.endpoint);
    if (runtime === undefined) {
      return {
        runtimes: [],
        reason: 'kubelet uses a runtime dockhand does not configure',
        blockers: [`kubelet uses ${kubelet.endpoint} (in ${kubelet.source ?? 'its flags'}), which dockhand does not configure (it configures ${RUNTIMES.map((r) => r.title).join(', ')})`],
      };
    }
    return {
      runtimes: [runtime],
      reason: `kubelet uses it (${kubelet.endpoint}, in ${kubelet.source ?? 'its flags'})`,
      blockers: installed(facts, runtime) ? [] : [`kubelet uses ${runtime.title} (${kubelet.endpoint}), but ${runtime.title} is not installed on this node`],
    };
  }
  const candidate = [...RUNTIMES].sort((a, b) => a.autoRank - b.autoRank).find((r) => installed(facts, r) && r.autoCandidate(facts));
  if (candidate !== undefined) return { runtimes: [candidate], reason: `${candidate.title} is installed (no kubelet runtime found)`, blockers: [] };
  return { runtimes: [], reason: 'no runtime found', blockers: [`no runtime dockhand configures is installed on this node (${RUNTIMES.map((r) => r.title).join(', ')})`] };
}
