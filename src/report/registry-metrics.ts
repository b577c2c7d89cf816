/**
 * The registries' certificates and reachability as metrics, for alerts before a CA or a registry's
 * certificate expires and when a node cannot reach a registry: each CA certificate of the plays (a bundle
 * during a rotation has several), the certificate each registry served as each node saw it, and whether the
 * node reached it. Families in the shape src/report/metrics.ts renders.
 */
import type { ConvergeDocument } from './converge.ts';

type Sample = { readonly labels: Readonly<Record<string, string>>; readonly value: number };

const seconds = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

export function registryFamilies(document: ConvergeDocument, schedule: string) {
  const cas = new Map<string, Sample>();
  for (const ca of document.plays.flatMap((play) => play.cas ?? [])) {
    cas.set(`${ca.registry}\n${ca.subject}`, { labels: { schedule, registry: ca.registry, subject: ca.subject }, value: seconds(ca.expires) });
  }
  const served: Sample[] = [];
  const reachable: Sample[] = [];
  for (const host of document.hosts) {
    for (const reach of host.reach ?? []) {
      const leaf = reach.served[0];
      if (leaf !== undefined) served.push({ labels: { schedule, node: host.name, registry: reach.registry, subject: leaf.subject }, value: seconds(leaf.expires) });
      if (reach.outcome !== 'untried') reachable.push({ labels: { schedule, node: host.name, registry: reach.registry }, value: reach.outcome === 'reachable' ? 1 : 0 });
    }
  }
  return [
    {
      name: 'dockhand_registry_ca_expiry_timestamp_seconds',
      help: 'When each certificate of a registry\'s CA in the playbook expires (Unix time).',
      type: 'gauge' as const,
      samples: [...cas.values()],
    },
    {
      name: 'dockhand_registry_certificate_expiry_timestamp_seconds',
      help: 'When the certificate a registry served to the node expires (Unix time), as the node saw it in the last run.',
      type: 'gauge' as const,
      samples: served,
    },
    {
      name: 'dockhand_registry_reachable',
      help: 'Whether the node reached the registry the way its runtimes go (1) or not (0) in the last run.',
      type: 'gauge' as const,
      samples: reachable,
    },
  ];
}
