/**
 * containerd: `config_path` in its config.toml and one hosts.toml per registry with the CA beside it; a
 * restart only when config.toml changes (running containers survive it).
 */
import { defineRuntime } from '../runtime.ts';
import { CONTAINERD_SECTIONS, CONTAINERD_SHOW_PROPERTIES, NO_PROXY_DROP_IN, parseContainerdFacts } from './facts.ts';
import { proxySummary } from '../../resources/proxy.ts';
import { proxyEnvironment } from '../../registry/no-proxy.ts';
import { planContainerd } from './plan.ts';
import { criPullCheck } from './pull-check.ts';
import type { ContainerdFacts } from './types.ts';

function summary(containerd: ContainerdFacts): string {
  if (!containerd.installed) return '-';
  const state = containerd.running ? 'active' : (containerd.activeState ?? 'stopped');
  return `${containerd.version ?? '?'} ${state}, CRI ${containerd.criStatus ?? '?'}${containerd.proxy === undefined ? '' : proxySummary(containerd.proxy.running ?? proxyEnvironment(containerd.proxy.unit?.environment ?? {}))}`;
}

export const containerd = defineRuntime<ContainerdFacts>({
  name: 'containerd',
  title: 'containerd',
  daemon: 'containerd',
  shell: 'runtimes/containerd/node.sh',
  facts: {
    script: 'runtimes/containerd/facts.sh',
    variables: { CONTAINERD_SHOW: CONTAINERD_SHOW_PROPERTIES.join(' ') },
    units: { names: ['containerd.service'], properties: CONTAINERD_SHOW_PROPERTIES },
    sections: CONTAINERD_SECTIONS,
    commands: ['containerd', 'ctr', 'crictl'],
    parse: (sections, host) => parseContainerdFacts(sections, (name) => host.hasCommand(name)),
  },
  kubeletUses: (endpoint) => /containerd/.test(endpoint) && !/k3s|rke2/.test(endpoint),
  autoRank: 2,
  // Debian's docker.io brings a containerd too: auto picks it only with its CRI plugin on
  autoCandidate: (facts) => !facts.config.criDisabled,
  // its config file and hosts directories are added by its facts part, which knows where they are
  managedFiles: [NO_PROXY_DROP_IN],
  plan: planContainerd,
  pullCheck: (connection, image, credentials, facts) => criPullCheck(connection, image, credentials, facts.crictl),
  summary,
  proxy: (containerd) => containerd.proxy.running,
});
