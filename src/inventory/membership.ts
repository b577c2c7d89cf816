/** Who belongs to what: group depth, a group's hosts through its children, a host's groups. */
import type { Inventory } from './types.ts';

/** Each group's depth as Ansible counts it: `all` is 0, a group is one deeper than its deepest parent. */
export function groupDepths(inv: Inventory): Map<string, number> {
  const parents = new Map<string, string[]>();
  for (const group of inv.groups.values()) {
    for (const child of group.children) parents.set(child, [...(parents.get(child) ?? []), group.name]);
  }
  const depths = new Map<string, number>([['all', 0]]);
  const depthOf = (name: string): number => {
    const known = depths.get(name);
    if (known !== undefined) return known;
    const above = (parents.get(name) ?? []).filter((p) => p !== 'all');
    const depth = above.length === 0 ? 1 : 1 + Math.max(...above.map(depthOf));
    depths.set(name, depth);
    return depth;
  };
  for (const name of inv.groups.keys()) depthOf(name);
  return depths;
}

/** Names of the hosts in a group or any of its descendants. */
export function groupHostNames(inv: Inventory, groupName: string): Set<string> {
  const hosts = new Set<string>();
  const seen = new Set<string>();
  const walk = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    const group = inv.groups.get(name);
    if (!group) return;
    for (const host of group.hosts) hosts.add(host);
    for (const child of group.children) walk(child);
  };
  walk(groupName);
  return hosts;
}

/** Every group a host belongs to, directly or through a child group, `all` included. */
export function hostGroupNames(inv: Inventory, hostName: string): string[] {
  const result = new Set<string>();
  const parents = new Map<string, string[]>();
  for (const group of inv.groups.values()) {
    for (const child of group.children) parents.set(child, [...(parents.get(child) ?? []), group.name]);
  }
  const climb = (name: string): void => {
    if (result.has(name)) return;
    result.add(name);
    for (const parent of parents.get(name) ?? []) climb(parent);
  };
  for (const group of inv.groups.values()) if (group.hosts.has(hostName)) climb(group.name);
  if (inv.hosts.has(hostName)) result.add('all');
  return [...result];
}
