/**
 * k3s and RKE2 (alias `rke2`): their registries.yaml (`mirrors`, `configs`), edited in place, each
 * registry's CA beside it, and a restart of the unit the node runs (k3s reads the file only when it
 * starts; running pods survive it). Detected from kubelet's endpoint (k3s's containerd socket) and from
 * the k3s, k3s-agent, rke2-server and rke2-agent units; never treated as plain containerd.
 */
import { defineRuntime } from '../runtime.ts';
import { K3S_SECTIONS, K3S_SHOW_PROPERTIES, K3S_UNITS, parseK3sFacts } from './facts.ts';
import { planK3s } from './plan.ts';
import { k3sPullCheck, K3S_SOCKET } from './pull-check.ts';
import type { K3sFacts } from './types.ts';

/** The facts table's line: version and state, the unit, the registries.yaml it reads. */
function summary(k3s: K3sFacts): string {
  if (!k3s.installed) return '-';
  const state = k3s.running ? 'active' : (k3s.activeState ?? 'stopped');
  const external = k3s.externalRuntime === null ? '' : `, kubelet uses ${k3s.externalRuntime}`;
  return `${k3s.version ?? '?'} ${state} (${k3s.unit ?? 'no unit'}), ${k3s.registriesFile}${external}`;
}

export const k3s = defineRuntime<K3sFacts>({
  name: 'k3s',
  aliases: ['rke2'],
  title: 'k3s/RKE2',
  daemon: 'k3s',
  shell: 'runtimes/k3s/node.sh',
  facts: {
    script: 'runtimes/k3s/facts.sh',
    variables: { K3S_SHOW: K3S_SHOW_PROPERTIES.join(' ') },
    // k3s_unit (node.sh) picks one of K3S_UNITS by these three; the facts part reads K3S_SHOW of it
    units: { names: K3S_UNITS, properties: ['Id', 'LoadState', 'ActiveState', ...K3S_SHOW_PROPERTIES] },
    sections: K3S_SECTIONS,
    commands: ['k3s', 'rke2'],
    parse: (sections) => parseK3sFacts(sections),
  },
  kubeletUses: (endpoint) => endpoint.includes(K3S_SOCKET),
  // a node that runs k3s or RKE2 is theirs: their kubelet is built in and talks to their containerd
  autoRank: 0,
  autoCandidate: (facts) => facts.unit !== null && facts.externalRuntime === null,
  // /etc/rancher/{k3s,rke2}; a registries.yaml elsewhere (--private-registry) is added by the facts part
  managedFiles: ['/etc/rancher/k3s/registries.yaml', '/etc/rancher/k3s/dockhand/*/*.crt', '/etc/rancher/rke2/registries.yaml', '/etc/rancher/rke2/dockhand/*/*.crt'],
  plan: planK3s,
  pullCheck: (connection, image, credentials) => k3sPullCheck(connection, image, credentials),
  summary,
});
