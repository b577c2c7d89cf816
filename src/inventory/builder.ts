/** Collects hosts, groups and vars as parsers read one or more sources, then checks and seals the inventory. */
import { InputError } from '../errors.ts';
import { isSecretName } from './mask.ts';
import type { GroupEntry, HostEntry, Inventory, VarLayer, VarOrigin, Vars } from './types.ts';

interface MutableHost {
  readonly name: string;
  readonly vars: Vars;
  readonly origins: Record<string, VarOrigin>;
  fileVars: VarLayer;
  readonly file: string;
  readonly line: number | undefined;
}

interface MutableGroup extends GroupEntry {
  readonly origins: Record<string, VarOrigin>;
  fileVars: VarLayer;
}

/** A group named somewhere (as a child, or by a `:vars` section) before or without being defined. */
interface Reference {
  readonly line: number | undefined;
  readonly why: string;
}

const EMPTY_LAYER: VarLayer = { values: {}, origins: {} };

/**
 * Accumulates hosts and groups from each source in turn (as Ansible reads several `-i` into one
 * inventory); `build()` validates them and returns the Inventory.
 */
export class InventoryBuilder {
  #file: string;
  readonly #sources: string[] = [];
  readonly #hosts = new Map<string, MutableHost>();
  readonly #groups = new Map<string, MutableGroup>();
  /** Groups used but not (yet) defined in the current source, with where they were first used. */
  readonly #references = new Map<string, Reference>();
  /** `parent\0child` → where child was made a child of parent. */
  readonly #edges = new Map<string, { file: string; line: number | undefined }>();
  /** Vars set on a group before it was defined. */
  readonly #pendingVars = new Map<string, { vars: Vars; origins: Record<string, VarOrigin> }>();
  readonly #warnings: string[] = [];
  readonly #secretFiles = new Set<string>();

  constructor(file: string) {
    this.#file = file;
    this.#sources.push(file);
    this.defineGroup('all');
    this.defineGroup('ungrouped');
  }

  /** The source being read, named in errors. */
  get file(): string {
    return this.#file;
  }

  /** Ends the current source (its references must be resolved by now) and starts reading `file`. */
  nextSource(file: string): void {
    this.#endSource();
    this.#file = file;
    this.#sources.push(file);
  }

  /** Adds a source that was read without parsing (a directory) to the inventory's sources. */
  addSource(path: string): void {
    if (!this.#sources.includes(path)) this.#sources.push(path);
  }

  /** Declares a group (a `[g]` or `[g:children]` section, or a YAML group key); idempotent. */
  defineGroup(name: string): GroupEntry {
    let group = this.#groups.get(name);
    if (!group) {
      group = { name, hosts: new Set(), children: new Set(), vars: {}, origins: {}, fileVars: EMPTY_LAYER };
      this.#groups.set(name, group);
    }
    this.#references.delete(name);
    return group;
  }

  hasGroup(name: string): boolean {
    return this.#groups.has(name);
  }

  groupNames(): string[] {
    return [...this.#groups.keys()];
  }

  hostNames(): string[] {
    return [...this.#hosts.keys()];
  }

  /**
   * Declares a host (or adds to one seen before: later vars win) and makes it a member of `group`.
   * Each var was set at `line` of the current source unless `origins` says otherwise.
   */
  addHost(name: string, vars: Vars, line: number | undefined, group: string, origins: Record<string, VarOrigin> = {}): void {
    const located = this.#origins(vars, line, origins);
    const host = this.#hosts.get(name);
    if (host) {
      Object.assign(host.vars, vars);
      Object.assign(host.origins, located);
    } else {
      this.#hosts.set(name, { name, vars: { ...vars }, origins: located, fileVars: EMPTY_LAYER, file: this.#file, line });
    }
    this.defineGroup(group).hosts.add(name);
  }

  /** Makes `child` a child of `parent`; `child` must be defined in this source or an earlier one. */
  addChild(parent: string, child: string, line: number | undefined): void {
    if (child === 'all') this.#fail(line, `group "all" cannot be a child of "${parent}"`);
    this.defineGroup(parent).children.add(child);
    const edge = `${parent}\0${child}`;
    if (!this.#edges.has(edge)) this.#edges.set(edge, { file: this.#file, line });
    this.#reference(child, line, `[${parent}:children] names group "${child}", which is never defined`);
  }

  /** Sets vars on a group; later assignments win. The group must be defined in this source or an earlier one. */
  setGroupVars(group: string, vars: Vars, line: number | undefined, origins: Record<string, VarOrigin> = {}): void {
    const located = this.#origins(vars, line, origins);
    const entry = this.#groups.get(group);
    if (entry) {
      Object.assign(entry.vars, vars);
      Object.assign(entry.origins, located);
      return;
    }
    this.#reference(group, line, `[${group}:vars] sets vars on group "${group}", which is never defined`);
    const pending = this.#pendingVars.get(group) ?? { vars: {}, origins: {} };
    Object.assign(pending.vars, vars);
    Object.assign(pending.origins, located);
    this.#pendingVars.set(group, pending);
  }

  /** Vars from group_vars/ (or host_vars/) files for an existing group (or host). */
  setFileVars(kind: 'group' | 'host', name: string, layer: VarLayer): void {
    const entry = kind === 'group' ? this.#groups.get(name) : this.#hosts.get(name);
    if (!entry) throw new Error(`internal: no ${kind} ${name}`);
    entry.fileVars = layer;
    this.#noteSecrets(layer.values, layer.origins);
  }

  /** Something to tell the user about `line` of the current source, without stopping. */
  warn(line: number | undefined, message: string): void {
    this.#warnings.push(`${this.#file}${line === undefined ? '' : `:${line}`}: ${message}`);
  }

  /** Checks references and cycles, fills `all` and `ungrouped`, and returns the inventory. */
  build(): Inventory {
    this.#endSource();
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
      source: this.#sources[0] ?? this.#file,
      sources: [...this.#sources],
      hosts: new Map<string, HostEntry>(this.#hosts),
      groups: new Map<string, GroupEntry>(this.#groups),
      warnings: [...this.#warnings],
      secretFiles: [...this.#secretFiles],
    };
  }

  #endSource(): void {
    for (const [, reference] of this.#references) this.#fail(reference.line, reference.why);
    for (const [group, pending] of this.#pendingVars) {
      const entry = this.#groups.get(group);
      // Vars sections seen before their group: apply them under any vars the group set itself later.
      if (entry) {
        for (const [key, value] of Object.entries(pending.vars)) {
          if (key in entry.vars) continue;
          entry.vars[key] = value;
          const origin = pending.origins[key];
          if (origin) entry.origins[key] = origin;
        }
      }
    }
    this.#pendingVars.clear();
  }

  #origins(vars: Vars, line: number | undefined, given: Record<string, VarOrigin>): Record<string, VarOrigin> {
    const origins: Record<string, VarOrigin> = {};
    for (const key of Object.keys(vars)) origins[key] = given[key] ?? { file: this.#file, line };
    this.#noteSecrets(vars, origins);
    return origins;
  }

  #noteSecrets(vars: Vars, origins: Readonly<Record<string, VarOrigin>>): void {
    for (const [key, value] of Object.entries(vars)) {
      // a key's path (ansible_ssh_private_key_file) names a secret; it is not one
      if (/_file$/i.test(key)) continue;
      if (value !== null && value !== undefined && value !== '' && isSecretName(key)) this.#secretFiles.add(origins[key]?.file ?? this.#file);
    }
  }

  #reference(group: string, line: number | undefined, why: string): void {
    if (!this.#groups.has(group) && !this.#references.has(group)) this.#references.set(group, { line, why });
  }

  #group(name: string): MutableGroup {
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
          const edge = this.#edges.get(`${name}\0${child}`);
          throw new InputError('E_INVENTORY', edge?.file ?? this.#file, edge?.line, `group "${child}" is its own descendant: ${loop}`);
        }
        visit(child);
      }
      path.pop();
      done.add(name);
    };
    for (const name of this.#groups.keys()) visit(name);
  }

  #fail(line: number | undefined, message: string): never {
    throw new InputError('E_INVENTORY', this.#file, line, message);
  }
}
