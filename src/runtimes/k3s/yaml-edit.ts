/**
 * Edits of a block-style YAML file that keep every byte they do not change: the `yaml` package's
 * Document API finds each node and its source range, the edit splices text at those ranges (a value
 * replaced, a key added at the end of its mapping, a key's lines cut out), and every edit is applied
 * to the plain data as well. `result()` parses the new text again and gives it only when it means
 * exactly that data: an edit that would mean anything else (a YAML alias, an unusual layout) is an
 * error, never a silently different file.
 */
import { isDeepStrictEqual } from 'node:util';
import { isAlias, isMap, isScalar, isSeq, parseAllDocuments, parseDocument, type Document, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';

/** A value dockhand writes: a string, a boolean, a list of strings, or a mapping of them. */
export type YamlValue = string | boolean | readonly string[] | { readonly [key: string]: YamlValue };

/** Plain data as the parser gives it. */
type Data = unknown;

/**
 * A file dockhand will not edit, with the line (1-based) where the reason is, when there is one:
 * `invalid`, it is not YAML of the shape its reader needs; otherwise only a layout dockhand does not
 * edit (flow style, aliases, anchors).
 */
export class YamlEditError extends Error {
  readonly line: number | undefined;
  readonly invalid: boolean;
  constructor(message: string, line?: number, invalid = false) {
    super(message);
    this.name = 'YamlEditError';
    this.line = line;
    this.invalid = invalid;
  }
}

/** The comment dockhand puts on the line of a key it creates, when asked to mark it. */
export interface Mark {
  /** Path depth (0-based index into the path) of the key that gets the comment. */
  readonly depth: number;
  readonly comment: string;
}

const PLAIN_KEY = /^[a-z]+(?:_[a-z]+)*$/;
/** Words YAML 1.1 reads as booleans or null: never plain keys. */
const YAML11_WORDS = new Set(['y', 'n', 'yes', 'no', 'on', 'off', 'true', 'false', 'null']);

/** How dockhand writes a key: field names (`ca_file`) plain, anything else (registry hosts) double-quoted. */
function keyText(key: string): string {
  return PLAIN_KEY.test(key) && !YAML11_WORDS.has(key) && !key.includes('.') ? key : JSON.stringify(key);
}

/** A scalar as dockhand writes it: strings double-quoted (JSON's escapes are YAML's), booleans bare. */
function scalarText(value: string | boolean): string {
  return typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}

function isList(value: YamlValue): value is readonly string[] {
  return Array.isArray(value);
}

function isRecord(value: YamlValue): value is { readonly [key: string]: YamlValue } {
  return typeof value === 'object' && !Array.isArray(value);
}

/** The plain data of a value dockhand writes. */
function dataOf(value: YamlValue): Data {
  if (isList(value)) return [...value];
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, dataOf(v)]));
  return value;
}

function parse(text: string, file: string): Document.Parsed {
  const options = { version: '1.1' as const };
  const all = parseAllDocuments(text, options);
  // an empty document after an end marker (`...`) is no second document
  const docs = (Array.isArray(all) ? all : []).filter((doc, i) => i === 0 || doc.contents !== null);
  if (docs.length > 1) throw new YamlEditError(`${file} holds ${docs.length} YAML documents; only the first is read`, lineOf(text, docs[1]?.range[0] ?? 0));
  const doc = parseDocument(text, options);
  const [error] = doc.errors;
  const star = /^[ \t]*\*[ \t]*:/m.exec(text);
  if (error !== undefined && star !== null) {
    throw new YamlEditError('an unquoted * key: the wildcard must be quoted ("*":)', lineOf(text, star.index), true);
  }
  if (error !== undefined) {
    const first = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    throw new YamlEditError(`invalid YAML: ${first}`, error.linePos?.[0].line, true);
  }
  return doc;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text[i] === '\n') line++;
  return line;
}

/** The offset where the line holding `offset` starts (a byte order mark stays before the first line). */
function lineStart(text: string, offset: number): number {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return start === 0 && text.startsWith('\uFEFF') && offset > 0 ? 1 : start;
}

/** The offset just past the end of the line holding `offset` (past its newline), or the text's end. */
function lineEnd(text: string, offset: number): number {
  if (offset > 0 && text[offset - 1] === '\n') return offset;
  const newline = text.indexOf('\n', offset);
  return newline < 0 ? text.length : newline + 1;
}

/**
 * The end of the lines from `from` through `end` (past a newline), without the comment and blank
 * lines at their end: the parser counts those into the node before them, but they are not its text.
 */
function contentEnd(text: string, from: number, end: number): number {
  let stop = lineEnd(text, end);
  while (stop > from) {
    const last = lineStart(text, stop - 1);
    if (last <= from) break;
    const line = text.slice(last, stop).trim();
    if (line !== '' && !line.startsWith('#')) break;
    stop = last;
  }
  return stop;
}

function column(text: string, offset: number): number {
  return offset - lineStart(text, offset);
}

function range(node: Node): [number, number, number] {
  const r = node.range;
  if (r === undefined || r === null) throw new YamlEditError('a YAML node without a source position');
  return [r[0], r[1], r[2]];
}

function keyOf(pair: Pair): string | undefined {
  return isScalar(pair.key) && (typeof pair.key.value === 'string' || typeof pair.key.value === 'number') ? String(pair.key.value) : undefined;
}

function isNull(node: unknown): boolean {
  return node === null || node === undefined || (isScalar(node) && node.value === null);
}

/** The data at `path` in plain data, or undefined. */
function dataAt(data: Data, path: readonly string[]): Data {
  let here: Data = data;
  for (const key of path) {
    if (here === null || typeof here !== 'object' || Array.isArray(here)) return undefined;
    here = (here as Record<string, Data>)[key];
  }
  return here;
}

/** A YAML text and the edits made to it so far. */
export class YamlEdit {
  #text: string;
  #doc: Document.Parsed;
  #expected: Data;
  readonly #file: string;
  readonly #eol: string;

  /** Parses `text` (null: no file yet); an invalid or multi-document file is a YamlEditError. */
  constructor(text: string | null, file: string) {
    this.#file = file;
    this.#text = text ?? '';
    this.#eol = this.#text.includes('\r\n') ? '\r\n' : '\n';
    this.#doc = parse(this.#text, file);
    const end = /^\.\.\.[ \t]*(?:#.*)?\r?$/m.exec(this.#text);
    if (end !== null) throw new YamlEditError('an end-of-document marker (...): dockhand adds nothing past it', lineOf(this.#text, end.index));
    const root = this.#doc.contents;
    if (!isNull(root) && !isMap(root)) throw new YamlEditError(`${file} is not a mapping (of \`mirrors:\` and \`configs:\`)`, this.#line(root), true);
    this.#expected = structuredClone(this.#doc.toJS() as Data) ?? {};
  }

  /** The data at `path` as the file has it now (undefined: absent). */
  get(path: readonly string[]): Data {
    return dataAt(this.#doc.toJS() ?? {}, path);
  }

  /** The text of the line a key at `path` stands on, or undefined when there is no such key. */
  keyLine(path: readonly string[]): string | undefined {
    const found = this.#find(path);
    if (found === undefined || found.pair === undefined) return undefined;
    const start = range(found.pair.key as Node)[0];
    const end = this.#text.indexOf('\n', start);
    return this.#text.slice(lineStart(this.#text, start), end < 0 ? this.#text.length : end).replace(/\r$/, '');
  }

  /** The keys of the mapping at `path` (none when it is absent or not a mapping). */
  keys(path: readonly string[]): string[] {
    const node = path.length === 0 ? this.#doc.contents : this.#find(path)?.pair?.value;
    if (!isMap(node)) return [];
    return node.items.map((pair) => keyOf(pair as Pair)).filter((k) => k !== undefined);
  }

  /** Sets the value at `path`, creating the mappings on the way; `mark` comments a key it creates. */
  set(path: readonly string[], value: YamlValue, mark?: Mark): void {
    this.#setText(path, value, mark);
    this.#setData(path, dataOf(value));
    this.#reparse();
  }

  /** Adds `items` at the end of the list at `path` (the list is created when absent). */
  append(path: readonly string[], items: readonly string[]): void {
    if (items.length === 0) return;
    const found = this.#find(path);
    const value = found?.pair?.value;
    if (isAlias(value)) throw new YamlEditError(`${path.join('.')} is a YAML alias: dockhand does not edit through aliases`, this.#line(value));
    if (found?.pair !== undefined && !isNull(value) && !isSeq(value)) throw new YamlEditError(`${path.join('.')} is not a list`, this.#line(value), true);
    if (found?.pair === undefined || isNull(value) || !isSeq(value)) {
      const now = this.get(path);
      this.set(path, [...(Array.isArray(now) ? (now as string[]) : []), ...items]);
      return;
    }
    const [start, end] = range(value as Node);
    if (value.flow === true) {
      const close = this.#text.lastIndexOf(']', end);
      const joined = items.map(scalarText).join(', ');
      this.#splice(close, close, value.items.length === 0 ? joined : `, ${joined}`);
    } else {
      const pad = ' '.repeat(column(this.#text, start));
      const at = lineEnd(this.#text, end);
      const lead = at === this.#text.length && at > 0 && !this.#text.endsWith('\n') ? this.#eol : '';
      this.#splice(at, at, lead + items.map((item) => `${pad}- ${scalarText(item)}${this.#eol}`).join(''));
    }
    const list = dataAt(this.#expected, path) as Data[];
    list.push(...items);
    this.#reparse();
  }

  /** Takes the items `drop` says out of the list at `path`; an emptied list becomes `[]`. */
  remove(path: readonly string[], drop: (item: Data) => boolean): void {
    const found = this.#find(path);
    const value = found?.pair?.value;
    if (!isSeq(value)) return;
    const data = dataAt(this.#expected, path) as Data[];
    const kept = data.filter((item) => !drop(item));
    if (kept.length === data.length) return;
    if (kept.length === 0 || value.flow === true || !kept.every((item) => typeof item === 'string')) {
      if (!kept.every((item) => typeof item === 'string')) throw new YamlEditError(`${path.join('.')} holds a value that is not a string`, this.#line(value));
      this.set(path, kept as string[]);
      return;
    }
    // block list: cut the lines of the dropped items, last first
    const items = (value as YAMLSeq<unknown>).items;
    for (let i = items.length - 1; i >= 0; i--) {
      if (!drop(data[i])) continue;
      const item = items[i] as Node;
      const [start, end] = range(item);
      const from = lineStart(this.#text, start);
      if (!/^\s*-\s*$/.test(this.#text.slice(from, start))) throw new YamlEditError(`${path.join('.')}: an item that does not start its own line`, this.#line(item));
      this.#splice(from, contentEnd(this.#text, from, end), '');
    }
    (dataAt(this.#expected, path.slice(0, -1)) as Record<string, Data>)[path.at(-1)!] = kept;
    this.#reparse();
  }

  /**
   * Takes the key at `path` out with its lines. A mapping this empties goes too, up to depth `keep`
   * (0: up to the document itself); the mapping at depth `keep` stays, empty (YAML null). Only the keys'
   * own lines go: the comment and blank lines between the entries of a mapping that goes stay.
   */
  delete(path: readonly string[], keep: number): void {
    const found = this.#find(path);
    if (found?.pair === undefined) return;
    const parentPath = path.slice(0, -1);
    const parent = dataAt(this.#expected, parentPath) as Record<string, Data>;
    const { pair, map } = found;
    if (map.flow === true) {
      // a flow mapping ({...}) this empties goes whole, as a value of its block parent
      if (Object.keys(parent).length === 1 && parentPath.length > keep) return this.delete(parentPath, keep);
      throw new YamlEditError(`${parentPath.join('.') || 'the document'} is written in flow style ({...}): dockhand edits block style only`, this.#line(map));
    }
    const keyStart = range(pair.key as Node)[0];
    const from = lineStart(this.#text, keyStart);
    if (this.#text.slice(from, keyStart).trim() !== '') throw new YamlEditError(`${path.join('.')}: a key that does not start its own line`, this.#line(pair.key));
    // through the end of the value's own text: comment lines after it stay
    const value = pair.value as Node | null;
    const end = value === null || isNull(value) ? range(pair.key as Node)[1] : range(value)[1];
    this.#splice(from, contentEnd(this.#text, from, end), '');
    delete parent[path.at(-1)!];
    const emptied = Object.keys(parent).length === 0 && parentPath.length > 0;
    if (emptied) (dataAt(this.#expected, parentPath.slice(0, -1)) as Record<string, Data>)[parentPath.at(-1)!] = null;
    this.#reparse();
    // the emptied mapping's key is now `key:` with at most comments under it: its own line goes
    if (emptied && parentPath.length > keep) this.delete(parentPath, keep);
  }

  /** The new text, checked: it parses, and means exactly the data the edits asked for. */
  result(): string {
    const doc = parse(this.#text, this.#file);
    const actual = doc.toJS() ?? {};
    if (!isDeepStrictEqual(actual, this.#expected)) {
      throw new YamlEditError(`editing ${this.#file} would not give the intended content (an unusual layout): edit it by hand`);
    }
    return this.#text;
  }

  #line(node: unknown): number | undefined {
    const r = (node as { range?: readonly number[] } | null)?.range;
    return r === undefined ? undefined : lineOf(this.#text, r[0] ?? 0);
  }

  #splice(from: number, to: number, insert: string): void {
    this.#text = this.#text.slice(0, from) + insert + this.#text.slice(to);
  }

  #reparse(): void {
    this.#doc = parse(this.#text, this.#file);
  }

  /** The pair at `path` and the mapping holding it (pair undefined: the mapping lacks the last key). */
  #find(path: readonly string[]): { map: YAMLMap<unknown, unknown>; pair: Pair | undefined } | undefined {
    let node: unknown = this.#doc.contents;
    for (let depth = 0; depth < path.length; depth++) {
      if (isAlias(node)) throw new YamlEditError(`${path.slice(0, depth).join('.')} is a YAML alias: dockhand does not edit through aliases`, this.#line(node));
      if (!isMap(node)) return undefined;
      const pair = node.items.find((p) => keyOf(p as Pair) === path[depth]) as Pair | undefined;
      if (depth === path.length - 1) return { map: node, pair };
      if (pair === undefined) return undefined;
      node = pair.value;
    }
    return undefined;
  }

  /** The lines of `key: value` at `indent` (each ending in the file's line end). */
  #render(key: string, value: YamlValue, indent: number, path: readonly string[], mark: Mark | undefined): string {
    const pad = ' '.repeat(indent);
    const comment = mark !== undefined && mark.depth === path.length - 1 ? ` # ${mark.comment}` : '';
    const eol = this.#eol;
    if (isList(value)) {
      if (value.length === 0) return `${pad}${keyText(key)}: []${comment}${eol}`;
      return `${pad}${keyText(key)}:${comment}${eol}${value.map((item) => `${pad}  - ${scalarText(item)}${eol}`).join('')}`;
    }
    if (isRecord(value)) {
      const inner = Object.entries(value).map(([k, v]) => this.#render(k, v, indent + 2, [...path, k], mark));
      return `${pad}${keyText(key)}:${comment}${eol}${inner.join('')}`;
    }
    return `${pad}${keyText(key)}: ${scalarText(value)}${comment}${eol}`;
  }

  #setText(path: readonly string[], value: YamlValue, mark: Mark | undefined): void {
    let node: unknown = this.#doc.contents;
    let parentKey: Pair | undefined;
    for (let depth = 0; depth < path.length; depth++) {
      const key = path[depth]!;
      if (isAlias(node)) throw new YamlEditError(`${path.slice(0, depth).join('.')} is a YAML alias: dockhand does not edit through aliases`, this.#line(node));
      if (isNull(node)) {
        this.#insertUnderNull(parentKey, this.#subtree(path.slice(depth), value), path.slice(0, depth), mark);
        return;
      }
      if (!isMap(node)) throw new YamlEditError(`${path.slice(0, depth).join('.')} is not a mapping`, this.#line(node), true);
      if ((node as { anchor?: string }).anchor !== undefined) throw new YamlEditError(`${path.slice(0, depth).join('.') || 'the document'} carries a YAML anchor: dockhand does not edit anchored values`, this.#line(node));
      const pair = node.items.find((p) => keyOf(p as Pair) === key) as Pair | undefined;
      if (pair === undefined) {
        this.#insertInto(node, parentKey, this.#subtree(path.slice(depth), value), path.slice(0, depth), mark);
        return;
      }
      if (depth === path.length - 1) {
        this.#replace(pair, value, path);
        return;
      }
      parentKey = pair;
      node = pair.value;
    }
  }

  /** `{a: {b: value}}` for the keys still missing below an existing mapping. */
  #subtree(keys: readonly string[], value: YamlValue): { key: string; value: YamlValue } {
    let inner: YamlValue = value;
    for (let i = keys.length - 1; i >= 1; i--) inner = { [keys[i]!]: inner };
    return { key: keys[0]!, value: inner };
  }

  /** Adds a key at the end of an existing mapping (block, or an empty `{}`). */
  #insertInto(map: YAMLMap<unknown, unknown>, parentKey: Pair | undefined, entry: { key: string; value: YamlValue }, at: readonly string[], mark: Mark | undefined): void {
    if (map.flow === true) {
      if (map.items.length > 0) throw new YamlEditError(`${at.join('.') || 'the document'} is written in flow style ({...}): dockhand edits block style only`, this.#line(map));
      if (parentKey === undefined) {
        // the whole document is `{}`
        const [start, end] = range(map);
        this.#splice(start, end, this.#render(entry.key, entry.value, 0, [...at, entry.key], mark).replace(/(\r?\n)$/, ''));
        return;
      }
      // `key: {}` becomes `key:` and the new lines below it, keeping what followed `{}` on its line
      const [start, end] = range(map);
      const colon = this.#text.indexOf(':', range(parentKey.key as Node)[1]);
      if (colon < 0 || this.#text.slice(colon + 1, start).trim() !== '') throw new YamlEditError(`${at.join('.')}: an unusual layout`, this.#line(map));
      const stop = lineEnd(this.#text, end);
      const rest = this.#text.slice(end, stop).replace(/\r?\n$/, '');
      const lines = this.#render(entry.key, entry.value, column(this.#text, range(parentKey.key as Node)[0]) + 2, [...at, entry.key], mark);
      this.#splice(colon + 1, stop, `${rest}${this.#eol}${lines}`);
      return;
    }
    const first = map.items[0] as Pair | undefined;
    if (first === undefined) throw new YamlEditError(`${at.join('.') || 'the document'}: an empty block mapping`, this.#line(map));
    const indent = column(this.#text, range(first.key as Node)[0]);
    const at2 = lineEnd(this.#text, range(map)[1]);
    const lead = at2 === this.#text.length && at2 > 0 && !this.#text.endsWith('\n') ? this.#eol : '';
    this.#splice(at2, at2, lead + this.#render(entry.key, entry.value, indent, [...at, entry.key], mark));
  }

  /** Gives a key that has no value (`key:`) a mapping: the new lines go below its line. */
  #insertUnderNull(parentKey: Pair | undefined, entry: { key: string; value: YamlValue }, at: readonly string[], mark: Mark | undefined): void {
    if (parentKey === undefined) {
      // an empty document (nothing, or only comments): the new keys go at its end
      const end = this.#text.length;
      const lead = end > 0 && !this.#text.endsWith('\n') ? this.#eol : '';
      this.#splice(end, end, lead + this.#render(entry.key, entry.value, 0, [...at, entry.key], mark));
      return;
    }
    const keyStart = range(parentKey.key as Node)[0];
    const value = parentKey.value as Node | null;
    const from = value === null ? range(parentKey.key as Node)[1] : range(value)[0];
    const at2 = lineEnd(this.#text, from);
    const lead = at2 === this.#text.length && !this.#text.endsWith('\n') ? this.#eol : '';
    this.#splice(at2, at2, lead + this.#render(entry.key, entry.value, column(this.#text, keyStart) + 2, [...at, entry.key], mark));
  }

  /** A new value for an existing key: a scalar or a list in place, in the style the list had. */
  #replace(pair: Pair, value: YamlValue, path: readonly string[]): void {
    const node = pair.value as Node | null;
    if (isRecord(value)) throw new YamlEditError(`${path.join('.')}: dockhand replaces only scalars and lists`);
    const keyEnd = range(pair.key as Node)[1];
    const colon = this.#text.indexOf(':', keyEnd);
    if (node === null || isNull(node)) {
      // `key:` (maybe a comment after it): the value goes right after the colon
      this.#splice(colon + 1, colon + 1, ` ${isList(value) ? `[${value.map(scalarText).join(', ')}]` : scalarText(value)}`);
      return;
    }
    if (isAlias(node) || (node as { anchor?: string }).anchor !== undefined) throw new YamlEditError(`${path.join('.')} is a YAML alias or anchor: dockhand does not edit it`, this.#line(node));
    const [start, end] = range(node);
    if (isMap(node)) throw new YamlEditError(`${path.join('.')} is a mapping, not a ${isList(value) ? 'list' : 'value'}`, this.#line(node), true);
    if (isList(value)) {
      if (isSeq(node) && node.flow !== true && value.length > 0) {
        const pad = ' '.repeat(column(this.#text, start));
        const stop = lineEnd(this.#text, end);
        const last = stop === this.#text.length && !this.#text.endsWith('\n') ? '' : this.#eol;
        this.#splice(start, stop, value.map((item) => `- ${scalarText(item)}`).join(`${this.#eol}${pad}`) + last);
        return;
      }
      if (isSeq(node) && node.flow !== true) {
        // a block list emptied: `key: []` on the key's line
        const stop = lineEnd(this.#text, end);
        const last = stop === this.#text.length && !this.#text.endsWith('\n') ? '' : this.#eol;
        this.#splice(colon + 1, stop, ` []${last}`);
        return;
      }
      this.#splice(start, end, `[${value.map(scalarText).join(', ')}]`);
      return;
    }
    if (isSeq(node)) throw new YamlEditError(`${path.join('.')} is a list, not a value`, this.#line(node), true);
    this.#splice(start, end, scalarText(value));
  }

  #setData(path: readonly string[], value: Data): void {
    let here = this.#expected as Record<string, Data>;
    for (const key of path.slice(0, -1)) {
      const next = here[key];
      if (next === null || next === undefined || typeof next !== 'object') here[key] = {};
      here = here[key] as Record<string, Data>;
    }
    here[path.at(-1)!] = value;
  }
}
