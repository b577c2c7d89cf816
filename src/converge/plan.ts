/**
 * Planning: from a node's state and its desired state to file changes, owed handlers and what the
 * node must show afterwards. Pure: check and apply share it; only execution talks to the node. The
 * registry names and the system trust store are shared; each runtime plans its own part.
 */
import { parseCaBundle } from '../resources/ca-certificate.ts';
import { editHosts, HOSTS_PATH } from '../resources/hosts-file.ts';
import { anchorFiles, isAnchorOf } from '../resources/trust-store.ts';
import { hostName } from '../registry/name.ts';
import { planContainerd } from '../runtimes/containerd/plan.ts';
import { planDocker } from '../runtimes/docker/plan.ts';
import { selectRuntimes } from '../runtimes/select.ts';
import type { RestartDecision, RuntimeName, RuntimePlan } from '../runtimes/types.ts';
import type { Expectation, RuntimeUnit } from '../node/transaction/types.ts';
import { editableText, fileChange } from './file-change.ts';
import type { NodeState } from './node-state.ts';
import { HANDLER_ORDER, type DesiredState, type FileChange, type Handler, type Mechanism } from './types.ts';

export interface NodePlan {
  /** The runtimes configured here, and how they were chosen. */
  readonly runtimes: readonly RuntimeName[];
  readonly runtimePlans: readonly RuntimePlan[];
  /** How registry options reach dockerd on this node; null when Docker is not configured or asked nothing. */
  readonly mechanism: Mechanism | null;
  readonly changes: readonly FileChange[];
  readonly handlers: readonly Handler[];
  /** Why the node cannot converge; non-empty means: touch nothing, fail the node. */
  readonly blockers: readonly string[];
  /** What the running runtimes lack now (before any change). */
  readonly missingEffect: readonly string[];
  /** Things an operator should know before this runs (containers a restart will stop). */
  readonly warnings: readonly string[];
  readonly notes: readonly string[];
  readonly expect: readonly Expectation[];
  readonly validate: readonly { readonly runtime: RuntimeUnit; readonly path: string }[];
  readonly report: readonly RuntimeUnit[];
  readonly restarts: readonly RestartDecision[];
}

function planHosts(state: NodeState, desired: DesiredState): { change?: FileChange; blocker?: string } {
  const pin = desired.registries
    .filter((r) => r.state === 'present' && r.ip !== undefined)
    .map((r) => ({ name: hostName(r.host), ip: r.ip! }));
  const unpin = desired.registries.filter((r) => r.state === 'absent').map((r) => hostName(r.host));
  if (pin.length === 0 && unpin.length === 0) return {};
  const current = editableText(state, HOSTS_PATH);
  if ('blocker' in current) return { blocker: current.blocker };
  const change = fileChange(state, 'hosts', HOSTS_PATH, editHosts(current.text ?? '', { pin, unpin }));
  return change === undefined ? {} : { change };
}

/** Each registry's CA as system trust anchors (one file per certificate where the family needs it). */
function planTrust(state: NodeState, desired: DesiredState): FileChange[] {
  const changes: (FileChange | undefined)[] = [];
  for (const registry of desired.registries) {
    const anchorsNow = [...state.files.keys()].filter((path) => isAnchorOf(path, registry.host));
    if (registry.state === 'absent') {
      for (const path of anchorsNow) changes.push(fileChange(state, 'trust-store', path, null));
      continue;
    }
    if (!registry.ca) continue;
    const wanted = anchorFiles(state.family, registry.host, parseCaBundle(Buffer.from(registry.ca.pem)).certificates);
    for (const [path, content] of wanted) changes.push(fileChange(state, 'trust-store', path, content));
    for (const path of anchorsNow) if (!wanted.has(path)) changes.push(fileChange(state, 'trust-store', path, null));
  }
  return changes.filter((c) => c !== undefined);
}

const PLANNERS: Record<RuntimeName, (state: NodeState, desired: DesiredState) => RuntimePlan> = {
  docker: planDocker,
  containerd: planContainerd,
};

/** Plan one node. */
export function planNode(state: NodeState, desired: DesiredState): NodePlan {
  const choice = selectRuntimes(state.facts, desired.runtimes);
  const runtimePlans = choice.blockers.length > 0 ? [] : choice.runtimes.map((runtime) => PLANNERS[runtime](state, desired));
  const hosts = planHosts(state, desired);
  const trust = planTrust(state, desired);
  const changes = [...(hosts.change ? [hosts.change] : []), ...trust, ...runtimePlans.flatMap((p) => p.changes)];

  const handlers = new Set<Handler>(runtimePlans.flatMap((p) => p.handlers));
  const anchorKept = (path: string) => !changes.some((c) => c.path === path && c.after === null);
  if (trust.length > 0 || state.trustMissing.some(anchorKept)) handlers.add('update-trust');
  // a restart applies daemon.json too, unless live-restore must be on before it (a reload first)
  const enablingLiveRestore = runtimePlans.some((p) => p.expect.some((e) => e.kind === 'docker-live-restore'));
  if (handlers.has('restart-docker') && !enablingLiveRestore) handlers.delete('reload-docker');

  const docker = runtimePlans.find((p) => p.runtime === 'docker');
  return {
    runtimes: choice.runtimes,
    runtimePlans,
    mechanism: (docker?.mechanism ?? null) as Mechanism | null,
    changes,
    handlers: HANDLER_ORDER.filter((h) => handlers.has(h)),
    blockers: [...choice.blockers, ...(hosts.blocker ? [hosts.blocker] : []), ...runtimePlans.flatMap((p) => p.blockers)],
    missingEffect: runtimePlans.flatMap((p) => p.missingEffect),
    warnings: runtimePlans.flatMap((p) => p.warnings),
    notes: runtimePlans.flatMap((p) => p.notes),
    expect: runtimePlans.flatMap((p) => p.expect),
    validate: runtimePlans.flatMap((p) => p.validate),
    report: runtimePlans.map((p) => p.unit).filter((u) => u !== null),
    restarts: runtimePlans.map((p) => p.restart).filter((r) => r !== null),
  };
}
