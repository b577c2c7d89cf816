/**
 * YAML as Ansible reads it (inventories, group_vars/ and host_vars/ files): YAML 1.1 like PyYAML, so
 * `yes` is true and merge keys (`<<: *common`) work; `!vault` values, which need a vault password
 * dockhand does not have, are refused; every node's line is at hand for messages.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Pair, type YAMLError, type YAMLMap } from 'yaml';
import { InputError } from '../errors.ts';
import { maskSecrets } from './mask.ts';

type Code = 'E_INVENTORY' | 'E_PLAYBOOK' | 'E_USAGE';

/** Tags Ansible's loader knows: `!unsafe` marks a string not to template, which dockhand never does anyway. */
const HARMLESS_TAGS = new Set(['!unsafe']);

/** A YAML syntax error as an input error: the file, the line, the parser's first sentence (secrets masked). */
export function yamlSyntaxError(error: YAMLError, file: string, code: Code): InputError {
  const firstLine = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
  return new InputError(code, file, error.linePos?.[0].line, `invalid YAML: ${maskSecrets(firstLine)}`);
}

export class AnsibleYaml {
  readonly file: string;
  readonly doc: Document;
  readonly #lines: LineCounter;
  readonly #code: Code;

  /** Parses `text`; a syntax error, a vault-encrypted value or an unknown tag is an InputError naming `file`. */
  constructor(text: string, file: string, code: Code = 'E_INVENTORY') {
    this.file = file;
    this.#code = code;
    this.#lines = new LineCounter();
    if (text.startsWith('$ANSIBLE_VAULT;')) {
      throw new InputError(code, file, 1, 'the file is encrypted with Ansible Vault: dockhand cannot decrypt it (decrypt it, or keep the secret in an environment-fed file dockhand can read)');
    }
    // Duplicate keys are checked by the readers, which can name the duplicate's own line.
    this.doc = parseDocument(text, { lineCounter: this.#lines, uniqueKeys: false, version: '1.1' });
    const [error] = this.doc.errors;
    if (error) throw yamlSyntaxError(error, file, code);
    visit(this.doc, {
      Node: (_key, node) => {
        const tag = (node as { tag?: string }).tag;
        if (tag === undefined || tag.startsWith('tag:yaml.org,2002:') || HARMLESS_TAGS.has(tag)) return;
        if (tag === '!vault') {
          this.fail(node, 'the value is encrypted with Ansible Vault (!vault): dockhand cannot decrypt it; give the value itself in a file only you can read, or leave it out');
        }
        this.fail(node, `unknown tag ${JSON.stringify(tag)}`);
      },
    });
  }

  get contents(): unknown {
    return this.deref(this.doc.contents);
  }

  deref(node: unknown): unknown {
    return isAlias(node) ? node.resolve(this.doc) : node;
  }

  /** The line a node starts on. */
  line(node: unknown): number | undefined {
    const range = (node as { range?: readonly number[] } | null | undefined)?.range;
    const offset = range?.[0];
    return offset === undefined ? undefined : this.#lines.linePos(offset).line;
  }

  /** The line of the value at `path` below `node` (for a mapping member, its key's line). */
  lineAt(node: unknown, path: readonly PropertyKey[]): number | undefined {
    let at = this.line(node);
    let current = this.deref(node);
    for (const segment of path) {
      if (isMap(current)) {
        const pair = [...this.entries(current, () => '', false)].find(([name]) => name === String(segment))?.[1];
        if (!pair) return at;
        at = this.line(pair.key) ?? at;
        current = this.deref(pair.value);
      } else if (isSeq(current) && typeof segment === 'number') {
        const item = current.items[segment];
        if (item === undefined) return at;
        at = this.line(item) ?? at;
        current = this.deref(item);
      } else {
        return at;
      }
    }
    return at;
  }

  /**
   * A mapping's entries by key name, merge keys applied as PyYAML applies them: the merged mappings'
   * entries first (an earlier mapping of a `<<: [*a, *b]` list winning over a later one), then the
   * mapping's own entries, which win over merged ones. A key given twice in the mapping itself is an
   * error on the second one's line (when `unique`).
   */
  *entries(map: YAMLMap, what: (name: string) => string, unique = true): Generator<[string, Pair]> {
    const merged = new Map<string, Pair>();
    const own = new Map<string, Pair>();
    for (const pair of map.items) {
      if (isMergeKey(pair.key)) {
        for (const source of this.#mergeSources(pair)) {
          for (const [name, inner] of this.entries(source, what, false)) if (!merged.has(name)) merged.set(name, inner);
        }
        continue;
      }
      const name = this.keyName(pair.key);
      if (own.has(name) && unique) this.fail(pair.key, `${what(name)} appears twice`);
      own.set(name, pair);
    }
    for (const [name, pair] of merged) if (!own.has(name)) yield [name, pair];
    yield* own;
  }

  /** A mapping as plain data, merge keys applied. */
  toJS(node: unknown): unknown {
    const value = this.deref(node);
    if (value === null || value === undefined) return null;
    return (value as { toJS(doc: Document, options?: object): unknown }).toJS(this.doc, { maxAliasCount: 1000 });
  }

  keyName(key: unknown): string {
    const node = this.deref(key);
    if (isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number' || typeof node.value === 'boolean')) {
      return String(node.value);
    }
    return this.fail(key, `expected a name as key, got ${describe(node)}`);
  }

  fail(at: unknown, message: string): never {
    throw new InputError(this.#code, this.file, this.line(at), message);
  }

  #mergeSources(pair: Pair): YAMLMap[] {
    const value = this.deref(pair.value);
    const items = isSeq(value) ? value.items.map((item) => this.deref(item)) : [value];
    return items.map((item) => {
      if (!isMap(item)) this.fail(pair.key, `a merge key (<<) takes a mapping or a list of mappings, got ${describe(item)}`);
      return item;
    });
  }
}

function isMergeKey(key: unknown): boolean {
  return isScalar(key) && typeof key.value === 'symbol';
}

export function isNull(node: unknown): boolean {
  return node === null || node === undefined || (isScalar(node) && node.value === null);
}

/** A node for a message: its kind, and a scalar's value with secret-looking assignments masked. */
export function describe(node: unknown): string {
  if (isSeq(node)) return 'a list';
  if (isMap(node)) return 'a mapping';
  if (isPair(node)) return 'a pair';
  if (isScalar(node)) {
    const shown = typeof node.value === 'string' ? maskSecrets(JSON.stringify(node.value)) : JSON.stringify(node.value);
    return `${typeof node.value} ${shown.length > 80 ? `${shown.slice(0, 79)}…` : shown}`;
  }
  return 'something else';
}
