/** Ansible YAML (and JSON) inventories: `all: {hosts: {h: {…}}, vars: {…}, children: {g: {…}}}`. */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Pair, type YAMLMap } from 'yaml';
import { InputError } from '../errors.ts';
import { InventoryBuilder } from './builder.ts';
import { parseHostPattern } from './range.ts';
import type { Inventory, Vars } from './types.ts';

const GROUP_KEYS = ['hosts', 'vars', 'children'];

/** Parses the text of an Ansible YAML inventory; `file` names it in errors. */
export function parseYamlInventory(text: string, file: string): Inventory {
  const lineCounter = new LineCounter();
  // Duplicate keys are checked by the reader, which can name the duplicate's own line.
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false });
  const reader = new YamlReader(file, doc, lineCounter);
  const [error] = doc.errors;
  if (error) {
    const firstLine = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    throw new InputError('E_INVENTORY', file, error.linePos?.[0].line, `invalid YAML: ${firstLine}`);
  }
  return reader.read();
}

class YamlReader {
  readonly #builder: InventoryBuilder;
  readonly #file: string;
  readonly #doc: Document;
  readonly #lines: LineCounter;

  constructor(file: string, doc: Document, lines: LineCounter) {
    this.#file = file;
    this.#doc = doc;
    this.#lines = lines;
    this.#builder = new InventoryBuilder(file);
  }

  read(): Inventory {
    const root = this.#deref(this.#doc.contents);
    if (!isNull(root)) {
      if (!isMap(root)) this.#fail(root, `the top level must be a mapping of group names, got ${describe(root)}`);
      for (const [name, pair] of this.#entries(root, (n) => `group "${n}"`)) this.#readGroup(name, pair.value, pair.key);
    }
    return this.#builder.build();
  }

  /** A group body: null, or a mapping with `hosts`, `vars` and `children`. */
  #readGroup(name: string, value: unknown, at: unknown): void {
    this.#builder.defineGroup(name);
    const body = this.#deref(value);
    if (isNull(body)) return;
    if (!isMap(body)) this.#fail(at, `group "${name}" must be a mapping with hosts, vars or children, got ${describe(body)}`);
    for (const [key, pair] of this.#entries(body, (k) => `key "${k}" of group "${name}"`)) {
      const line = this.#line(pair.key);
      if (key === 'hosts') this.#readHosts(name, pair.value, pair.key);
      else if (key === 'vars') this.#builder.setGroupVars(name, this.#vars(pair.value, pair.key, `group "${name}" vars`), line);
      else if (key === 'children') this.#readChildren(name, pair.value, pair.key);
      else this.#fail(pair.key, `group "${name}" has unknown key "${key}" (expected one of ${GROUP_KEYS.join(', ')})`);
    }
  }

  /** `hosts:` maps host names (ranges allowed) to their vars or null. */
  #readHosts(group: string, value: unknown, at: unknown): void {
    const hosts = this.#deref(value);
    if (isNull(hosts)) return;
    if (!isMap(hosts)) {
      this.#fail(at, `"hosts" of group "${group}" must be a mapping of host names to vars, got ${describe(hosts)}`);
    }
    for (const [pattern, pair] of this.#entries(hosts, (h) => `host "${h}" under "hosts" of group "${group}"`)) {
      const line = this.#line(pair.key);
      const vars = this.#vars(pair.value, pair.key, `host "${pattern}"`);
      const parsed = parseHostPattern(pattern, { file: this.#file, line });
      if (parsed.port !== undefined) vars['ansible_port'] ??= Number(parsed.port);
      for (const name of parsed.names) this.#builder.addHost(name, vars, line, group);
    }
  }

  /** `children:` maps group names to group bodies; naming a child defines it. */
  #readChildren(parent: string, value: unknown, at: unknown): void {
    const children = this.#deref(value);
    if (isNull(children)) return;
    if (!isMap(children)) {
      this.#fail(at, `"children" of group "${parent}" must be a mapping of group names, got ${describe(children)}`);
    }
    for (const [child, pair] of this.#entries(children, (c) => `child "${c}" of group "${parent}"`)) {
      this.#builder.defineGroup(child);
      this.#builder.addChild(parent, child, this.#line(pair.key));
      this.#readGroup(child, pair.value, pair.key);
    }
  }

  /** A var block: null (no vars) or a mapping of names to any YAML values. */
  #vars(value: unknown, at: unknown, owner: string): Vars {
    const block = this.#deref(value);
    if (isNull(block)) return {};
    if (!isMap(block)) this.#fail(at, `${owner} must be a mapping of variable names to values, got ${describe(block)}`);
    const vars: Vars = {};
    for (const [key, pair] of this.#entries(block, (v) => `variable "${v}" of ${owner}`)) {
      const item = this.#deref(pair.value);
      vars[key] = isNull(item) ? null : (item as { toJS(doc: Document): unknown }).toJS(this.#doc);
    }
    return vars;
  }

  /** A mapping's entries by key name; a key given twice is an error on the second one's line. */
  *#entries(map: YAMLMap, what: (name: string) => string): Generator<[string, Pair]> {
    const seen = new Set<string>();
    for (const pair of map.items) {
      const name = this.#keyName(pair.key);
      if (seen.has(name)) this.#fail(pair.key, `${what(name)} appears twice`);
      seen.add(name);
      yield [name, pair];
    }
  }

  #keyName(key: unknown): string {
    const node = this.#deref(key);
    if (isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number')) return String(node.value);
    return this.#fail(key, `expected a name as key, got ${describe(node)}`);
  }

  #deref(node: unknown): unknown {
    return isAlias(node) ? node.resolve(this.#doc) : node;
  }

  #line(node: unknown): number | undefined {
    const range = (node as { range?: readonly number[] } | null | undefined)?.range;
    const offset = range?.[0];
    return offset === undefined ? undefined : this.#lines.linePos(offset).line;
  }

  #fail(at: unknown, message: string): never {
    throw new InputError('E_INVENTORY', this.#file, this.#line(at), message);
  }
}

function isNull(node: unknown): boolean {
  return node === null || node === undefined || (isScalar(node) && node.value === null);
}

function describe(node: unknown): string {
  if (isSeq(node)) return 'a list';
  if (isMap(node)) return 'a mapping';
  if (isScalar(node)) return `${typeof node.value} ${JSON.stringify(node.value)}`;
  return 'something else';
}
