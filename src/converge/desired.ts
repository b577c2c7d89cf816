/** Each node's desired state: the plays that select it, merged (one restart covers them all). */
import { selectHosts } from '../inventory/index.ts';
import type { Inventory } from '../inventory/types.ts';
import type { DockerConfig, Playbook, RegistrySpec, RestartPolicy, RuntimeName } from '../playbook/types.ts';
import type { DesiredState } from './types.ts';

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** Restart policies, most careful first: a node several plays select gets the most careful one. */
const RESTART_CAUTION: readonly RestartPolicy[] = ['never', 'if-idle', 'always'];

/** Desired state for every node some play selects, limited to `selected` (from --limit). */
export function desiredStates(playbook: Playbook, inventory: Inventory, selected: ReadonlySet<string>): Map<string, DesiredState> {
  interface Wanted {
    readonly registries: Map<string, RegistrySpec>;
    readonly insecure: string[];
    readonly mirrors: string[];
    readonly retiredInsecure: string[];
    readonly retiredMirrors: string[];
    dockerConfig: DockerConfig;
    runtimes: Set<RuntimeName>;
    restart: RestartPolicy;
    liveRestore: 'enable' | 'keep';
  }
  const perNode = new Map<string, Wanted>();
  for (const play of playbook.plays) {
    const hosts = selectHosts(inventory, play.hosts, `${playbook.file}: play "${play.name}" hosts`);
    for (const host of hosts) {
      if (!selected.has(host.name)) continue;
      const entry: Wanted = perNode.get(host.name) ?? {
        registries: new Map(), insecure: [], mirrors: [], retiredInsecure: [], retiredMirrors: [], dockerConfig: 'auto', runtimes: new Set(), restart: 'always', liveRestore: 'keep',
      };
      if (entry.dockerConfig === 'auto') entry.dockerConfig = play.dockerConfig;
      if (play.runtimes !== 'auto') for (const runtime of play.runtimes) entry.runtimes.add(runtime);
      if (RESTART_CAUTION.indexOf(play.restart) < RESTART_CAUTION.indexOf(entry.restart)) entry.restart = play.restart;
      if (play.liveRestore === 'enable') entry.liveRestore = 'enable';
      for (const registry of play.registries) entry.registries.set(registry.host.toLowerCase(), registry);
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
      insecureRegistries: unique([...present.filter((r) => r.insecure).map((r) => r.host), ...entry.insecure]),
      registryMirrors: unique(entry.mirrors),
      retiredInsecureRegistries: unique([...registries.filter((r) => r.state === 'absent').map((r) => r.host), ...entry.retiredInsecure]),
      retiredRegistryMirrors: unique(entry.retiredMirrors),
      dockerConfig: entry.dockerConfig,
      runtimes: entry.runtimes.size === 0 ? 'auto' : [...entry.runtimes],
      restart: entry.restart,
      liveRestore: entry.liveRestore,
    });
  }
  return states;
}
