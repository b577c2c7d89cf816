/** Variable precedence as Ansible applies it to inventory vars. */
import { InputError } from '../errors.ts';
import { groupDepths, hostGroupNames } from './membership.ts';
import type { GroupEntry, Inventory, VarOrigin, Vars } from './types.ts';

/** A host's vars after precedence, with where each one that won was set. */
export interface ResolvedVars {
  readonly vars: Vars;
  readonly origins: Readonly<Record<string, VarOrigin>>;
}

/**
 * A host's vars after precedence, as Ansible's default VARIABLE_PRECEDENCE orders them: the inventory's
 * own group vars (`all` first, then the host's other groups by depth, `ansible_group_priority`
 * (default 1) and name, later winning), then group_vars/ files in the same order (so
 * `group_vars/all` wins over a child group's `[g:vars]`), then the host's own vars, then host_vars/.
 */
export function hostVars(inv: Inventory, hostName: string): Vars {
  return resolveHostVars(inv, hostName).vars;
}

export function resolveHostVars(inv: Inventory, hostName: string): ResolvedVars {
  const host = inv.hosts.get(hostName);
  if (!host) throw new InputError('E_INVENTORY', inv.source, undefined, `no host named "${hostName}" in the inventory`);
  const depths = groupDepths(inv);
  const groups = hostGroupNames(inv, hostName)
    .map((name) => inv.groups.get(name))
    .filter((group): group is GroupEntry => group !== undefined)
    .map((group) => ({ group, depth: depths.get(group.name) ?? 1, priority: groupPriority(inv, group) }));
  groups.sort((a, b) => a.depth - b.depth || a.priority - b.priority || compareNames(a.group.name, b.group.name));
  const vars: Vars = {};
  const origins: Record<string, VarOrigin> = {};
  const apply = (values: Vars, from: Readonly<Record<string, VarOrigin>>): void => {
    for (const [key, value] of Object.entries(values)) {
      vars[key] = value;
      const origin = from[key];
      if (origin) origins[key] = origin;
      else delete origins[key];
    }
  };
  for (const { group } of groups) apply(group.vars, group.origins);
  for (const { group } of groups) apply(group.fileVars.values, group.fileVars.origins);
  apply(host.vars, host.origins);
  apply(host.fileVars.values, host.fileVars.origins);
  return { vars, origins };
}

/** A group's `ansible_group_priority`, set in the inventory itself (as Ansible reads it). */
function groupPriority(inv: Inventory, group: GroupEntry): number {
  const raw = group.vars['ansible_group_priority'];
  if (raw === undefined || raw === null) return 1;
  const priority = Number(raw);
  if (!Number.isInteger(priority)) {
    const origin = group.origins['ansible_group_priority'];
    throw new InputError('E_INVENTORY', origin?.file ?? inv.source, origin?.line, `group "${group.name}": ansible_group_priority must be an integer, got ${JSON.stringify(raw)}`);
  }
  return priority;
}

/** Code-point order, as Python sorts strings (localeCompare would differ between machines). */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
