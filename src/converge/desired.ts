/** Each node's desired state: the plays that select it, merged (one restart covers them all). */
import { selectHosts } from '../inventory/index.ts';
import type { Inventory } from '../inventory/types.ts';
import { PlaybookError } from '../playbook/index.ts';
import type { DockerConfig, Playbook, RegistrySpec, RestartPolicy } from '../playbook/types.ts';
import { insecureKey, mirrorKey, registryKey, uniqueBy } from '../registry/name.ts';
import type { DesiredState } from '../plan/types.ts';

/** Restart policies, most careful first: a node several plays select gets the most careful one. */
const RESTART_CAUTION: readonly RestartPolicy[] = ['never', 'if-idle', 'always'];

/** How many node names a conflict lists before "and N more". */
const NAMED_NODES = 5;

/**
 * Two plays that declare one thing two ways are refused where some node of the inventory is in both
 * (whatever --limit selects: a playbook and inventory are valid or not on their own); plays whose nodes
 * differ may say different things, as two data centres may pin one name to their own replica.
 */
function refuseSharedConflicts(playbook: Playbook, hostsByPlay: readonly (readonly string[])[]): void {
  const issues = [];
  for (const conflict of playbook.conflicts) {
    const later = new Set(hostsByPlay[conflict.plays[1]]);
    const shared = (hostsByPlay[conflict.plays[0]] ?? []).filter((name) => later.has(name));
    if (shared.length === 0) continue;
    const named = shared.slice(0, NAMED_NODES).join(', ') + (shared.length > NAMED_NODES ? ` and ${shared.length - NAMED_NODES} more` : '');
    const nodes = shared.length === 1 ? `node ${named} is` : `nodes ${named} are`;
    issues.push({ line: conflict.line, path: conflict.path, message: `${conflict.message} (${nodes} in both plays)` });
  }
  if (issues.length > 0) throw new PlaybookError(playbook.file, issues.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity)));
}

/** Desired state for every node some play selects, limited to `selected` (from --limit). */
export function desiredStates(playbook: Playbook, inventory: Inventory, selected: ReadonlySet<string>): Map<string, DesiredState> {
  interface Wanted {
    readonly registries: Map<string, RegistrySpec>;
    readonly insecure: string[];
    readonly mirrors: string[];
    readonly retiredInsecure: string[];
    readonly retiredMirrors: string[];
    dockerConfig: DockerConfig;
    runtimes: Set<string>;
    restart: RestartPolicy;
    liveRestore: 'enable' | 'keep';
    reachability: 'report' | 'require';
    startTimeout?: number | undefined;
  }
  const hostsByPlay = playbook.plays.map((play) => selectHosts(inventory, play.hosts, `${playbook.file}: play "${play.name}" hosts`));
  refuseSharedConflicts(playbook, hostsByPlay.map((hosts) => hosts.map((host) => host.name)));
  const perNode = new Map<string, Wanted>();
  for (const [index, play] of playbook.plays.entries()) {
    for (const host of hostsByPlay[index]!) {
      if (!selected.has(host.name)) continue;
      const entry: Wanted = perNode.get(host.name) ?? {
        registries: new Map(), insecure: [], mirrors: [], retiredInsecure: [], retiredMirrors: [], dockerConfig: 'auto', runtimes: new Set(), restart: 'always', liveRestore: 'keep', reachability: 'report',
      };
      if (entry.dockerConfig === 'auto') entry.dockerConfig = play.dockerConfig;
      if (play.runtimes !== 'auto') for (const runtime of play.runtimes) entry.runtimes.add(runtime);
      if (RESTART_CAUTION.indexOf(play.restart) < RESTART_CAUTION.indexOf(entry.restart)) entry.restart = play.restart;
      if (play.liveRestore === 'enable') entry.liveRestore = 'enable';
      if (play.reachability === 'require') entry.reachability = 'require';
      if (play.startTimeout !== undefined) entry.startTimeout = Math.max(entry.startTimeout ?? 0, play.startTimeout);
      for (const registry of play.registries) entry.registries.set(registryKey(registry.host), registry);
      entry.insecure.push(...play.insecureRegistries);
      entry.mirrors.push(...play.registryMirrors);
      entry.retiredInsecure.push(...play.absentInsecureRegistries);
      entry.retiredMirrors.push(...play.absentRegistryMirrors);
      perNode.set(host.name, entry);
    }
  }
  const states = new Map<string, DesiredState>();
  for (const [name, entry] of perNode) {
    const registries = [...entry.registries.values()];
    const present = registries.filter((r) => r.state === 'present');
    states.set(name, {
      registries,
      insecureRegistries: uniqueBy([...present.filter((r) => r.insecure).map((r) => r.host), ...entry.insecure], insecureKey),
      registryMirrors: uniqueBy(entry.mirrors, mirrorKey),
      retiredInsecureRegistries: uniqueBy([...registries.filter((r) => r.state === 'absent').map((r) => r.host), ...entry.retiredInsecure], insecureKey),
      retiredRegistryMirrors: uniqueBy(entry.retiredMirrors, mirrorKey),
      dockerConfig: entry.dockerConfig,
      runtimes: entry.runtimes.size === 0 ? 'auto' : [...entry.runtimes],
      restart: entry.restart,
      retryFailed: false,
      liveRestore: entry.liveRestore,
      reachability: entry.reachability,
      ...(entry.startTimeout === undefined ? {} : { startTimeout: entry.startTimeout }),
    });
  }
  return states;
}
