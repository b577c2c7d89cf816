/** Collects hosts, groups and vars as a parser reads them, then checks and seals the inventory. */
import { InputError } from '../errors.ts';
import type { GroupEntry, HostEntry, Inventory, Vars } from './types.ts';

interface MutableHost {
  readonly name: string;
  readonly vars: Vars;
  readonly file: string;
  readonly line: number | undefined;
}

/** A group named somewhere (as a child, or by a `:vars` section) before or without being defined. */
interface Reference {
  readonly line: number | undefined;
  readonly why: string;
}

/** Accumulates one file's hosts and groups; `build()` validates them and returns the Inventory. */
export class InventoryBuilder {
  readonly file: string;
  readonly #hosts = new Map<string, MutableHost>();
  readonly #groups = new Map<string, GroupEntry>();
  /** Groups used but not (yet) defined, with where they were first used. */
  readonly #references = new Map<string, Reference>();
  /** `parent\0child` → the line that made child a child of parent. */
  readonly #edges = new Map<string, number | undefined>();
  /** Vars set on a group before it was defined. */
  readonly #pendingVars = new Map<string, Vars>();

  constructor(file: string) {
    this.file = file;
    this.defineGroup('all');
    this.defineGroup('ungrouped');
  }

  /** Declares a group (a `[g]` or `[g:children]` section, or a YAML group key); idempotent. */
  defineGroup(name: string): GroupEntry {
    let group = this.#groups.get(name);
    if (!group) {
      group = { name, hosts: new Set(), children: new Set(), vars: {} };
      this.#groups.set(name, group);
    }
    this.#references.delete(name);
    return group;
  }

  /** Declares a host (or adds to one seen before: later vars win) and makes it a member of `group`. */
  addHost(name: string, vars: Vars, line: number | undefined, group: string): void {
    const host = this.#hosts.get(name);
    if (host) Object.assign(host.vars, vars);
    else this.#hosts.set(name, { name, vars: { ...vars }, file: this.file, line });
    this.defineGroup(group).hosts.add(name);
  }

  /** Makes `child` a child of `parent`; `child` must be defined somewhere in the file. */
  addChild(parent: string, child: string, line: number | undefined): void {
    if (child === 'all') this.#fail(line, `group "all" cannot be a child of "${parent}"`);
    this.defineGroup(parent).children.add(child);
    const edge = `${parent}\0${child}`;
    if (!this.#edges.has(edge)) this.#edges.set(edge, line);
    this.#reference(child, line, `[${parent}:children] names group "${child}", which is never defined`);
  }

  /** Sets vars on a group; later assignments win. The group must be defined somewhere in the file. */
  setGroupVars(group: string, vars: Vars, line: number | undefined): void {
    const entry = this.#groups.get(group);
    if (entry) {
      Object.assign(entry.vars, vars);
      return;
    }
    this.#reference(group, line, `[${group}:vars] sets vars on group "${group}", which is never defined`);
    const pending = this.#pendingVars.get(group) ?? {};
    this.#pendingVars.set(group, Object.assign(pending, vars));
  }

  /** Checks references and cycles, fills `all` and `ungrouped`, and returns the inventory. */
  build(): Inventory {
    for (const [, reference] of this.#references) this.#fail(reference.line, reference.why);
    for (const [group, vars] of this.#pendingVars) {
      const entry = this.#groups.get(group);
      // Vars sections seen before their group: apply them under any vars the group set itself later.
      if (entry) Object.assign(entry.vars, { ...vars, ...entry.vars });
    }
    this.#checkCycles();
    const all = this.#group('all');
    const ungrouped = this.#group('ungrouped');
    const hasParent = new Set([...this.#groups.values()].flatMap((g) => [...g.children]));
    for (const group of this.#groups.values()) {
      if (group.name !== 'all' && !hasParent.has(group.name)) all.children.add(group.name);
    }
    for (const name of this.#hosts.keys()) {
      all.hosts.add(name);
      const grouped = [...this.#groups.values()].some(
        (g) => g.name !== 'all' && g.name !== 'ungrouped' && g.hosts.has(name),
      );
      if (grouped) ungrouped.hosts.delete(name);
      else ungrouped.hosts.add(name);
    }
    return {
      source: this.file,
      hosts: new Map<string, HostEntry>(this.#hosts),
      groups: new Map(this.#groups),
    };
  }

  #reference(group: string, line: number | undefined, why: string): void {
    if (!this.#groups.has(group) && !this.#references.has(group)) this.#references.set(group, { line, why });
  }

  #group(name: string): GroupEntry {
    const group = this.#groups.get(name);
    if (!group) throw new Error(`internal: group ${name} missing`);
    return group;
  }

  /** Depth-first search over children; a child already on the path closes a cycle. */
  #checkCycles(): void {
    const done = new Set<string>();
    const path: string[] = [];
    const visit = (name: string): void => {
      if (done.has(name)) return;
      path.push(name);
      for (const child of this.#groups.get(name)?.children ?? []) {
        const at = path.indexOf(child);
        if (at >= 0) {
          const loop = [...path.slice(at), child].join(' → ');
          this.#fail(this.#edges.get(`${name}\0${child}`), `group "${child}" is its own descendant: ${loop}`);
        }
        visit(child);
      }
      path.pop();
      done.add(name);
    };
    for (const name of this.#groups.keys()) visit(name);
  }

  #fail(line: number | undefined, message: string): never {
    throw new InputError('E_INVENTORY', this.file, line, message);
  }
}
