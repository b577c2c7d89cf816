/** Ansible YAML (and JSON) inventories: `all: {hosts: {h: {…}}, vars: {…}, children: {g: {…}}}`. */
import { isMap } from 'yaml';
import { InventoryBuilder } from './builder.ts';
import { parseHostPattern } from './range.ts';
import type { Inventory, VarOrigin, Vars } from './types.ts';
import { AnsibleYaml, describe, isNull } from './yaml-doc.ts';

const GROUP_KEYS = ['hosts', 'vars', 'children'];

/** Parses the text of an Ansible YAML inventory; `file` names it in errors. */
export function parseYamlInventory(text: string, file: string): Inventory {
  const builder = new InventoryBuilder(file);
  readYamlInventory(builder, new AnsibleYaml(text, file));
  return builder.build();
}

/** Reads a parsed YAML inventory into `builder` (its current source). */
export function readYamlInventory(builder: InventoryBuilder, yaml: AnsibleYaml): void {
  new YamlReader(builder, yaml).read();
}

/** A var block: null (no vars) or a mapping of names to any YAML values, each with where it was set. */
export function readVarBlock(yaml: AnsibleYaml, value: unknown, at: unknown, owner: string): { vars: Vars; origins: Record<string, VarOrigin> } {
  const block = yaml.deref(value);
  const vars: Vars = {};
  const origins: Record<string, VarOrigin> = {};
  if (isNull(block)) return { vars, origins };
  if (!isMap(block)) yaml.fail(at, `${owner} must be a mapping of variable names to values, got ${describe(block)}`);
  for (const [key, pair] of yaml.entries(block, (v) => `variable "${v}" of ${owner}`)) {
    vars[key] = yaml.toJS(pair.value);
    origins[key] = { file: yaml.file, line: yaml.line(pair.key), locate: (path) => yaml.lineAt(pair.value, path) };
  }
  return { vars, origins };
}

class YamlReader {
  readonly #builder: InventoryBuilder;
  readonly #yaml: AnsibleYaml;

  constructor(builder: InventoryBuilder, yaml: AnsibleYaml) {
    this.#builder = builder;
    this.#yaml = yaml;
  }

  read(): void {
    const root = this.#yaml.contents;
    if (isNull(root)) return;
    if (!isMap(root)) this.#yaml.fail(root, `the top level must be a mapping of group names, got ${describe(root)}`);
    if (root.items.some((pair) => this.#yaml.keyName(pair.key) === 'plugin')) {
      this.#yaml.fail(root, 'this is the configuration of an Ansible inventory plugin ("plugin:"): dockhand reads INI and YAML inventories only');
    }
    for (const [name, pair] of this.#yaml.entries(root, (n) => `group "${n}"`)) this.#readGroup(name, pair.value, pair.key);
  }

  /** A group body: null, or a mapping with `hosts`, `vars` and `children`. */
  #readGroup(name: string, value: unknown, at: unknown): void {
    this.#builder.defineGroup(name);
    const body = this.#yaml.deref(value);
    if (isNull(body)) return;
    if (!isMap(body)) this.#yaml.fail(at, `group "${name}" must be a mapping with hosts, vars or children, got ${describe(body)}`);
    for (const [key, pair] of this.#yaml.entries(body, (k) => `key "${k}" of group "${name}"`)) {
      const line = this.#yaml.line(pair.key);
      if (key === 'hosts') this.#readHosts(name, pair.value, pair.key);
      else if (key === 'vars') {
        const { vars, origins } = readVarBlock(this.#yaml, pair.value, pair.key, `group "${name}" vars`);
        this.#builder.setGroupVars(name, vars, line, origins);
      } else if (key === 'children') this.#readChildren(name, pair.value, pair.key);
      else this.#yaml.fail(pair.key, `group "${name}" has unknown key "${key}" (expected one of ${GROUP_KEYS.join(', ')})`);
    }
  }

  /** `hosts:` maps host names (ranges allowed) to their vars or null. */
  #readHosts(group: string, value: unknown, at: unknown): void {
    const hosts = this.#yaml.deref(value);
    if (isNull(hosts)) return;
    if (!isMap(hosts)) {
      this.#yaml.fail(at, `"hosts" of group "${group}" must be a mapping of host names to vars, got ${describe(hosts)}`);
    }
    for (const [pattern, pair] of this.#yaml.entries(hosts, (h) => `host "${h}" under "hosts" of group "${group}"`)) {
      const line = this.#yaml.line(pair.key);
      const { vars, origins } = readVarBlock(this.#yaml, pair.value, pair.key, `host "${pattern}"`);
      const parsed = parseHostPattern(pattern, { file: this.#yaml.file, line });
      if (parsed.port !== undefined && vars['ansible_port'] === undefined) {
        vars['ansible_port'] = Number(parsed.port);
        origins['ansible_port'] = { file: this.#yaml.file, line };
      }
      for (const name of parsed.names) this.#builder.addHost(name, vars, line, group, origins);
    }
  }

  /** `children:` maps group names to group bodies; naming a child defines it. */
  #readChildren(parent: string, value: unknown, at: unknown): void {
    const children = this.#yaml.deref(value);
    if (isNull(children)) return;
    if (!isMap(children)) {
      this.#yaml.fail(at, `"children" of group "${parent}" must be a mapping of group names, got ${describe(children)}`);
    }
    for (const [child, pair] of this.#yaml.entries(children, (c) => `child "${c}" of group "${parent}"`)) {
      this.#builder.defineGroup(child);
      this.#builder.addChild(parent, child, this.#yaml.line(pair.key));
      this.#readGroup(child, pair.value, pair.key);
    }
  }
}
