/**
 * Host ranges in a KubeKey cluster file's roleGroups (`node[2:10]`), expanded exactly as KubeKey v3 does
 * (cmd/kk/apis/kubekey/v1alpha2/cluster_types.go, getHostsRange): an entry holding `[`, `]` and `:` is a
 * range; its first `[digits:digits]` gives the numbers, written in decimal without padding after the text
 * before it (`node[01:03]` is node1, node2, node3); anything after the `]` is ignored; an end below the
 * start gives no host. Every name must be one of spec.hosts.
 */

/** Whether KubeKey reads this roleGroups entry as a range. */
export function isHostRange(entry: string): boolean {
  return entry.includes('[') && entry.includes(']') && entry.includes(':');
}

/** The names a range stands for, or a reason it is not one KubeKey can read (KubeKey itself crashes on those). */
export function expandKubeKeyRange(entry: string): { names: string[] } | { reason: string } {
  const match = /\[(\d+):(\d+)\]/.exec(entry);
  if (!match) return { reason: `"${entry}" holds "[", ":" and "]" but no [start:end] range of numbers` };
  const prefix = entry.slice(0, match.index);
  const start = Number(match[1]);
  const end = Number(match[2]);
  if (end - start >= 10_000) return { reason: `"${entry}" expands to more than 10000 hosts` };
  const names: string[] = [];
  for (let i = start; i <= end; i += 1) names.push(`${prefix}${i}`);
  return { names };
}
