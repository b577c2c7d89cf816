/**
 * containers-image (podman, buildah, skopeo, CRI-O): one drop-in per registry in
 * /etc/containers/registries.conf.d and each registry's CA in /etc/containers/certs.d; CRI-O reloaded
 * (SIGHUP) where it runs, nothing for podman and its kin, which read the files on every command.
 */
import { defineRuntime } from '../runtime.ts';
import { CERTS_D } from './certs-d.ts';
import { CERTS_D_ROOT as DOCKER_CERTS_D } from '../docker/certs-d.ts';
import { DROP_IN_GLOB } from './drop-in.ts';
import { CONTAINERS_SECTIONS, CRIO_SHOW_PROPERTIES, parseContainersFacts } from './facts.ts';
import { configSummary, planContainers } from './plan.ts';
import { containersPullCheck } from './pull-check.ts';
import type { ContainersFacts } from './types.ts';

/** The facts table's line: the tools and their versions, CRI-O's state, the registries configuration. */
function summary(facts: ContainersFacts): string {
  if (!facts.installed) return '-';
  const tools = (['podman', 'skopeo', 'buildah'] as const).filter((tool) => facts[tool]).map((tool) => `${tool}${facts.versions[tool] === undefined ? '' : ` ${facts.versions[tool]}`}`);
  const crio = facts.crio === null ? [] : [`CRI-O ${facts.crio.version ?? '?'} ${facts.crio.running ? 'active' : (facts.crio.activeState ?? 'stopped')}`];
  return `${[...tools, ...crio].join(', ')}; ${configSummary(facts)}`;
}

export const containers = defineRuntime<ContainersFacts>({
  name: 'containers',
  aliases: ['podman', 'crio'],
  title: 'containers-image (podman, CRI-O)',
  daemon: 'containers-image',
  shell: 'runtimes/containers/node.sh',
  facts: {
    script: 'runtimes/containers/facts.sh',
    variables: { CRIO_SHOW: CRIO_SHOW_PROPERTIES.join(' ') },
    units: { names: ['crio.service'], properties: CRIO_SHOW_PROPERTIES },
    sections: CONTAINERS_SECTIONS,
    commands: ['podman', 'skopeo', 'buildah', 'crio'],
    parse: (sections, host) => parseContainersFacts(sections, (name) => host.hasCommand(name)),
  },
  kubeletUses: (endpoint) => /crio\.sock|\/crio\//.test(endpoint),
  // after Docker (1) and containerd (2): a node with either is theirs
  autoRank: 3,
  autoCandidate: () => true,
  managedFiles: [DROP_IN_GLOB, `${CERTS_D}/*/*.crt`, `${DOCKER_CERTS_D}/*/*.crt`],
  plan: planContainers,
  pullCheck: containersPullCheck,
  summary,
});
