/** Variable precedence as Ansible applies it to inventory vars. */
import { InputError } from '../errors.ts';
import { groupDepths, hostGroupNames } from './membership.ts';
import type { Inventory, Vars } from './types.ts';

/**
 * A host's vars after precedence: groups by depth (`all` first, then parents, then children), groups of
 * equal depth by `ansible_group_priority` (default 1) then name, later winning; host vars last.
 */
export function hostVars(inv: Inventory, hostName: string): Vars {
  const host = inv.hosts.get(hostName);
  if (!host) throw new InputError('E_INVENTORY', inv.source, undefined, `no host named "${hostName}" in the inventory`);
  const depths = groupDepths(inv);
  const ranked = hostGroupNames(inv, hostName).map((name) => {
    const vars = inv.groups.get(name)?.vars ?? {};
    return { name, vars, depth: depths.get(name) ?? 1, priority: groupPriority(inv, name, vars) };
  });
  ranked.sort((a, b) => a.depth - b.depth || a.priority - b.priority || compareNames(a.name, b.name));
  const merged: Vars = {};
  for (const group of ranked) Object.assign(merged, group.vars);
  return Object.assign(merged, host.vars);
}

function groupPriority(inv: Inventory, group: string, vars: Vars): number {
  const raw = vars['ansible_group_priority'];
  if (raw === undefined || raw === null) return 1;
  const priority = Number(raw);
  if (!Number.isInteger(priority)) {
    throw new InputError('E_INVENTORY', inv.source, undefined, `group "${group}": ansible_group_priority must be an integer, got ${JSON.stringify(raw)}`);
  }
  return priority;
}

/** Code-point order, as Python sorts strings (localeCompare would differ between machines). */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
