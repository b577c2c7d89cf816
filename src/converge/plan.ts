/**
 * Planning: from a node's state and its desired state to file changes, owed handlers and what the
 * node must show afterwards. Pure: check and apply share it; only execution talks to the node. The
 * registry names and the system trust store are the host's; each runtime plans its own part.
 */
import { editableText, fileChange, fileRemoval } from '../plan/file-change.ts';
import { changeKey } from '../plan/change-key.ts';
import { orderHandlers, UPDATE_TRUST } from '../plan/handlers.ts';
import type { NodeState } from '../plan/node-state.ts';
import type { DesiredState, Expectation, FileChange, Handler, RestartDecision, RuntimePlan } from '../plan/types.ts';
import { hostName } from '../registry/name.ts';
import { parseCaBundle } from '../resources/ca-certificate.ts';
import { editHosts, HOSTS_PATH } from '../resources/hosts-file.ts';
import { memoByText } from '../formats/text-memo.ts';
import { anchorFiles, isAnchorOf } from '../resources/trust-store.ts';
import { RUNTIMES, selectRuntimes, type Runtime } from '../runtimes/index.ts';
import { judgeReach, type RegistryReach } from '../reach/judge.ts';
import { reachTargets } from '../reach/targets.ts';

/** The certificates of a play's CA, parsed once for all the nodes of a run (a frozen list nobody changes). */
const caCertificates = memoByText((pem: string) => Object.freeze(parseCaBundle(Buffer.from(pem)).certificates));

export interface NodePlan {
  /** The runtimes configured here, and how they were chosen. */
  readonly runtimes: readonly Runtime[];
  readonly runtimePlans: readonly RuntimePlan[];
  readonly changes: readonly FileChange[];
  readonly handlers: readonly Handler[];
  /** Why the node cannot converge; non-empty means: touch nothing, fail the node. */
  readonly blockers: readonly string[];
  /** Why the change may not be made now (a restart the policy refuses, a change that failed here before); non-empty means: touch nothing, the node is blocked. */
  readonly blocked: readonly string[];
  /** The change by content (its writes, handlers and expectations): how the node remembers a change that failed. */
  readonly key: string;
  /** Seconds a restarted runtime may take to be active again (the plays' `start_timeout`); unset: each runtime's own. */
  readonly startTimeout?: number | undefined;
  /** What the running runtimes lack now (before any change), in the runtimes' words. */
  readonly missingEffect: readonly string[];
  /** Things an operator should know before this runs (containers a restart will stop). */
  readonly warnings: readonly string[];
  readonly notes: readonly string[];
  readonly expect: readonly Expectation[];
  /** Changed files each runtime validates before any handler: runtime name and path. */
  readonly validate: readonly { readonly runtime: string; readonly path: string }[];
  readonly restarts: readonly RestartDecision[];
  /** The node's own view of each present registry, the way its runtimes go after this plan. */
  readonly reach: readonly RegistryReach[];
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

/** Each registry's CA as system trust anchors (one file per certificate where the family needs it); anchors have dockhand's own names. */
function planTrust(state: NodeState, desired: DesiredState): { changes: FileChange[]; notes: string[]; replaced: string[] } {
  const changes: (FileChange | undefined)[] = [];
  const notes: string[] = [];
  const replaced: string[] = [];
  const remove = (path: string) => {
    const removal = fileRemoval(state, 'trust-store', path, { dockhandNamed: true });
    changes.push(removal.change);
    if (removal.note !== undefined) notes.push(removal.note);
  };
  for (const registry of desired.registries) {
    const anchorsNow = [...state.files.keys()].filter((path) => isAnchorOf(path, registry.host));
    const before = changes.length;
    if (registry.state === 'absent') {
      anchorsNow.forEach(remove);
    } else if (registry.ca) {
      const wanted = anchorFiles(state.family, registry.host, caCertificates(registry.ca.pem));
      for (const [path, content] of wanted) changes.push(fileChange(state, 'trust-store', path, content));
      anchorsNow.filter((path) => !wanted.has(path)).forEach(remove);
    }
    // a CA that was in the system store and is changed or taken out: running daemons still trust it
    if (changes.slice(before).some((c) => c !== undefined && c.action !== 'create')) replaced.push(registry.host);
  }
  return { changes: changes.filter((c) => c !== undefined), notes, replaced };
}

/** Plan one node. */
export function planNode(state: NodeState, desired: DesiredState): NodePlan {
  const choice = selectRuntimes(state.facts, desired.runtimes);
  const runtimes = choice.blockers.length > 0 ? [] : choice.runtimes;
  const hosts = planHosts(state, desired);
  const trust = planTrust(state, desired);
  const staleTrust =
    trust.replaced.length === 0 ? null : `the system trust store's CA for ${trust.replaced.join(', ')} is replaced or taken out, and a running daemon keeps the trust it loaded at start`;
  const runtimePlans = runtimes.map((runtime) => runtime.plan(state, desired, { staleTrust }));
  const reach = judgeReach(
    desired.registries,
    reachTargets(desired.registries),
    state.reach ?? [],
    runtimes.map((runtime, i) => ({ name: runtime.name, now: runtime.proxy(state.facts), after: runtimePlans[i]?.proxy ?? runtime.proxy(state.facts) })),
  );
  const changes = [...(hosts.change ? [hosts.change] : []), ...trust.changes, ...runtimePlans.flatMap((p) => p.changes)];

  const handlers = new Set<Handler>(runtimePlans.flatMap((p) => p.handlers));
  const anchorKept = (path: string) => !changes.some((c) => c.path === path && c.after === null);
  if (trust.changes.length > 0 || state.trustMissing.some(anchorKept)) handlers.add(UPDATE_TRUST);

  const ordered = orderHandlers(handlers, RUNTIMES.map((r) => r.name));
  const expect = runtimePlans.flatMap((p) => p.expect);
  const key = changeKey(changes, ordered, expect, desired.startTimeout);
  const failed = state.failedChanges.get(key);
  const blocked = runtimePlans.flatMap((p) => p.blocked);
  if (desired.reachability === 'require') blocked.push(...reach.unreachable.map((why) => `${why} (reachability: require)`));
  if (failed !== undefined && !desired.retryFailed && (changes.length > 0 || ordered.length > 0)) {
    blocked.push(`this change failed here on ${failed.at} (run ${failed.runId}: ${failed.reason}), so dockhand does not try it again: fix the cause, then run with --retry-failed`);
  }
  return {
    runtimes: choice.runtimes,
    runtimePlans,
    changes,
    handlers: ordered,
    blockers: [...choice.blockers, ...(hosts.blocker ? [hosts.blocker] : []), ...runtimePlans.flatMap((p) => p.blockers), ...reach.refusals],
    blocked,
    key,
    ...(desired.startTimeout === undefined ? {} : { startTimeout: desired.startTimeout }),
    missingEffect: runtimePlans.flatMap((p) => p.missingEffect),
    warnings: [...runtimePlans.flatMap((p) => p.warnings), ...reach.unreachable],
    notes: [...trust.notes, ...(staleTrust === null ? [] : [`${staleTrust}: its restart is owed`]), ...runtimePlans.flatMap((p) => p.notes)],
    expect,
    validate: runtimePlans.flatMap((p) => p.validate.map((path) => ({ runtime: p.runtime, path }))),
    restarts: runtimePlans.map((p) => p.restart).filter((r) => r !== null),
    reach: reach.reach,
  };
}
