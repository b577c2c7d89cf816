// Every kind of lab node in one table: its name prefix, its count in LabSpec, its CLI flag, its runtime
// and its inventory group. The plan, the inventories, the CLI and the integration setup all read it.
import type { LabNode, LabSpec, NodeFamily, NodeVariant } from './types.ts';

export type LabCounts = Required<Omit<LabSpec, 'id' | 'harborFront' | 'lean'>>;
export type Runtime = 'docker' | 'containerd' | 'containers' | 'k3s';

export interface VariantInfo {
  /** node names: prefix + 1..N */
  prefix: string;
  family: NodeFamily;
  /** the container runtime kubelet would use there (Docker nodes also run the containerd docker.io brings) */
  runtime: Runtime;
  count: keyof LabCounts;
  /** `node test/lab/cli.ts up --FLAG N` */
  flag: string;
  /** the node's own inventory group */
  group: string;
  describe: string;
}

export const VARIANTS: Readonly<Record<NodeVariant, VariantInfo>> = {
  debian: { prefix: 'deb', family: 'debian', runtime: 'docker', count: 'debianNodes', flag: 'debian', group: 'debian', describe: 'Debian 12, Docker (docker.io)' },
  rhel: { prefix: 'rhel', family: 'rhel', runtime: 'docker', count: 'rhelNodes', flag: 'rhel', group: 'rhel', describe: 'Rocky 9 stand-in, Docker' },
  'docker-ce': { prefix: 'ce', family: 'debian', runtime: 'docker', count: 'dockerCeNodes', flag: 'docker-ce', group: 'docker_ce', describe: 'Debian 12, Docker unit ignoring $DOCKER_OPTS' },
  ctrd16: { prefix: 'ctrd', family: 'debian', runtime: 'containerd', count: 'containerdNodes', flag: 'containerd', group: 'ctrd16', describe: 'Debian 12, containerd 1.6, package config' },
  ctrd17: { prefix: 'ctrdx', family: 'debian', runtime: 'containerd', count: 'containerd17Nodes', flag: 'containerd17', group: 'ctrd17', describe: 'Debian 13, containerd 1.7, package config' },
  kubekey: { prefix: 'kk', family: 'debian', runtime: 'containerd', count: 'kubekeyNodes', flag: 'kubekey', group: 'kubekey', describe: 'Debian 12, containerd 1.6, KubeKey config.toml' },
  kubespray: { prefix: 'ks', family: 'debian', runtime: 'containerd', count: 'kubesprayNodes', flag: 'kubespray', group: 'kubespray', describe: 'Debian 12, containerd 1.6, Kubespray config.toml + certs.d' },
  podman: { prefix: 'podman', family: 'debian', runtime: 'containers', count: 'podmanNodes', flag: 'podman', group: 'podman', describe: 'Debian 12, podman 4.3 and skopeo 1.9, no Docker or containerd' },
  k3s: { prefix: 'k3s', family: 'debian', runtime: 'k3s', count: 'k3sNodes', flag: 'k3s', group: 'k3s', describe: 'Debian 12, a k3s.service stand-in: containerd 1.6 on k3s\'s socket and paths, no k3s' },
};

/** In plan order: names, inventories and lab.json list nodes this way. */
export const VARIANT_ORDER = Object.keys(VARIANTS) as NodeVariant[];

export const ZERO_COUNTS: LabCounts = {
  debianNodes: 0, rhelNodes: 0, dockerCeNodes: 0, containerdNodes: 0, containerd17Nodes: 0, kubekeyNodes: 0, kubesprayNodes: 0, podmanNodes: 0, k3sNodes: 0,
};

/** A spec with every count filled in from `defaults`. */
export function fillCounts(spec: Partial<LabSpec>, defaults: LabCounts): LabCounts {
  const out = { ...defaults };
  for (const k of Object.keys(ZERO_COUNTS) as (keyof LabCounts)[]) {
    const v = spec[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

export interface PlannedNode {
  name: string;
  family: NodeFamily;
  variant: NodeVariant;
}

export function nodePlan(counts: LabCounts): PlannedNode[] {
  return VARIANT_ORDER.flatMap((variant) => {
    const v = VARIANTS[variant];
    return Array.from({ length: counts[v.count] }, (_x, i) => ({ name: `${v.prefix}${i + 1}`, family: v.family, variant }));
  });
}

/** Node variants whose images a lab of these counts needs. */
export function variantsIn(counts: LabCounts): NodeVariant[] {
  return VARIANT_ORDER.filter((v) => counts[VARIANTS[v].count] > 0);
}

export function isContainerdNode(node: Pick<LabNode, 'variant'>): boolean {
  return VARIANTS[node.variant].runtime === 'containerd';
}

/** How many nodes of each variant a running lab has. */
export function countsOf(nodes: readonly Pick<LabNode, 'variant'>[]): LabCounts {
  const counts = { ...ZERO_COUNTS };
  for (const n of nodes) counts[VARIANTS[n.variant].count] += 1;
  return counts;
}
