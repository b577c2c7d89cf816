/**
 * Writing a registry's entry into a playbook the way a person would: the `yaml` package's Document gives
 * each node's place in the text, and only the bytes of the values that change are replaced (or new lines
 * inserted, indented and ended as their neighbours are). Every other byte stays: comments, blank lines,
 * quoting, key order, flow or block style, CRLF line ends, a byte order mark. An entry that already names
 * the registry is updated, never duplicated; a file that holds no play yet gets a minimal one.
 */
import { isMap, isScalar, isSeq, parse, parseDocument, type Document, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { registryHostOf } from '../playbook/registry-host.ts';
import { registryKey } from '../registry/name.ts';

export type EntryScalar = string | boolean;
export type EntryValue = EntryScalar | { readonly [key: string]: EntryScalar };

export interface RegistryEdit {
  /** The registry as image references write it (the entry's `host`). */
  readonly host: string;
  /** Keys to set, in the order a new entry lists them (`host` first). */
  readonly set: readonly (readonly [string, EntryValue])[];
  /** Keys to take out of an existing entry. */
  readonly remove: readonly string[];
  /** The `hosts:` of the play a new entry goes to (a new play when no play has it); default: the first play. */
  readonly hosts?: string | undefined;
  /** The name of a play written new. */
  readonly playName: string;
}

export interface EditResult {
  readonly text: string;
  readonly action: 'created' | 'added' | 'updated' | 'unchanged';
  /** Where the entry is (or entries are), e.g. `plays[0].registries[2]`. */
  readonly places: readonly string[];
}

/** A refusal to edit (the playbook's shape leaves no place that keeps its other bytes): the caller names the file. */
export class PlaybookEditError extends Error {}

interface Splice {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

type Range = [number, number, number];
const rangeOf = (node: Node | null | undefined): Range | undefined => (node?.range ?? undefined) as Range | undefined;

/** A scalar as YAML text that reads back as the same value (plain where it can, JSON-quoted otherwise). */
export function yamlScalar(value: EntryScalar): string {
  if (typeof value === 'boolean') return String(value);
  if (/^[A-Za-z0-9_./@~+-](?:[A-Za-z0-9_./:@~+ -]*[A-Za-z0-9_./@~+-])?$/.test(value) && !/:( |$)| #/.test(value)) {
    try {
      if (parse(value) === value) return value;
    } catch {
      // not plain YAML: quoted below
    }
  }
  return JSON.stringify(value);
}

function flowValue(value: EntryValue): string {
  if (typeof value !== 'object') return yamlScalar(value);
  return `{${Object.entries(value).map(([k, v]) => `${k}: ${yamlScalar(v)}`).join(', ')}}`;
}

/** `key: value` lines at `indent` (a mapping value as a nested block). */
function blockPair(key: string, value: EntryValue, indent: number, eol: string): string {
  const pad = ' '.repeat(indent);
  if (typeof value !== 'object') return `${pad}${key}: ${yamlScalar(value)}${eol}`;
  return `${pad}${key}:${eol}${Object.entries(value).map(([k, v]) => blockPair(k, v, indent + 2, eol)).join('')}`;
}

/** A sequence item holding a mapping: `- first: ...` at `dash`, the other keys at `keys`. */
function blockItem(pairs: readonly (readonly [string, EntryValue])[], dash: number, keys: number, eol: string): string {
  const lines = pairs.map(([k, v], i) => (i === 0 ? blockPair(k, v, keys, eol).replace(' '.repeat(keys), `${' '.repeat(dash)}-${' '.repeat(keys - dash - 1)}`) : blockPair(k, v, keys, eol)));
  return lines.join('');
}

class TextEditor {
  readonly #text: string;
  readonly eol: string;
  readonly #splices: Splice[] = [];

  constructor(text: string) {
    this.#text = text;
    this.eol = text.includes('\r\n') ? '\r\n' : '\n';
  }

  column(offset: number): number {
    return offset - (this.#text.lastIndexOf('\n', offset - 1) + 1);
  }

  /** The offset just after the line `offset` is on (after its line end), or the end of the text. */
  lineEndAfter(offset: number): number {
    if (offset > 0 && this.#text[offset - 1] === '\n') return offset;
    const newline = this.#text.indexOf('\n', offset);
    return newline < 0 ? this.#text.length : newline + 1;
  }

  /** Where the line `offset` is on starts, when only blanks precede `offset` on it; else `offset`. */
  lineStartBefore(offset: number): number {
    const start = this.#text.lastIndexOf('\n', offset - 1) + 1;
    return /^[ \t]*$/.test(this.#text.slice(start, offset)) ? start : offset;
  }

  /** Whole lines inserted at a line start (a line end is added first where the text does not end with one). */
  insertLines(offset: number, lines: string): void {
    const needsBreak = offset === this.#text.length && this.#text.length > 0 && !this.#text.endsWith('\n');
    this.#splices.push({ start: offset, end: offset, text: needsBreak ? `${this.eol}${lines.replace(new RegExp(`${this.eol}$`), '')}` : lines });
  }

  replace(start: number, end: number, text: string): void {
    this.#splices.push({ start, end, text });
  }

  charAt(offset: number): string {
    return this.#text[offset] ?? '';
  }

  slice(start: number, end: number): string {
    return this.#text.slice(start, end);
  }

  result(): string {
    // later places first, so earlier offsets stay true; insertions at one place keep the order they were made in
    const ordered = this.#splices.map((s, i) => ({ ...s, i })).sort((a, b) => b.start - a.start || b.i - a.i);
    let text = this.#text;
    for (const s of ordered) text = text.slice(0, s.start) + s.text + text.slice(s.end);
    return text;
  }
}

function pairOf(map: YAMLMap, key: string): Pair<Node, Node | null> | undefined {
  return (map.items as Pair<Node, Node | null>[]).find((p) => isScalar(p.key) && p.key.value === key);
}

function sameValue(node: Node | null, value: EntryValue): boolean {
  const current: unknown = node === null ? null : node.toJSON();
  if (typeof value !== 'object') return current === value;
  if (current === null || typeof current !== 'object' || Array.isArray(current)) return false;
  const a = Object.entries(current as Record<string, unknown>).filter(([, v]) => v !== null);
  return a.length === Object.keys(value).length && a.every(([k, v]) => value[k] === v);
}

/** Sets `key` in a mapping (block or flow), replacing only its value's bytes; true when something changes. */
function setKey(editor: TextEditor, map: YAMLMap, key: string, value: EntryValue): boolean {
  const pair = pairOf(map, key);
  const mapRange = rangeOf(map)!;
  if (pair === undefined) {
    if (map.flow === true) {
      const close = editor.slice(mapRange[0], mapRange[1]).lastIndexOf('}') + mapRange[0];
      editor.replace(close, close, `${map.items.length > 0 ? ', ' : ''}${key}: ${flowValue(value)}`);
      return true;
    }
    const first = rangeOf(map.items[0]?.key as Node | undefined);
    const last = map.items.at(-1) as Pair<Node, Node | null> | undefined;
    if (first === undefined || last === undefined) throw new PlaybookEditError('an empty block mapping has no place for a new key');
    const end = rangeOf(last.value) ?? rangeOf(last.key)!;
    editor.insertLines(editor.lineEndAfter(end[1]), blockPair(key, value, editor.column(first[0]), editor.eol));
    return true;
  }
  if (sameValue(pair.value, value)) return false;
  const current = pair.value;
  if (typeof value === 'object' && isMap(current) && current.flow !== true) {
    // a nested block mapping (verify:): set its keys one by one, drop the ones not wanted
    let changed = false;
    for (const [k, v] of Object.entries(value)) changed = setKey(editor, current, k, v) || changed;
    for (const p of current.items as Pair<Node, Node | null>[]) {
      if (isScalar(p.key) && !(String(p.key.value) in value)) changed = removeKey(editor, current, String(p.key.value)) || changed;
    }
    return changed;
  }
  const range = rangeOf(current);
  if (range === undefined || range[0] === range[1]) {
    // `key:` with no value: the value goes after the colon (a nested block on the lines below)
    const at = range?.[0] ?? rangeOf(pair.key)![1] + 1;
    if (typeof value === 'object' && map.flow !== true) {
      editor.insertLines(editor.lineEndAfter(at), Object.entries(value).map(([k, v]) => blockPair(k, v, editor.column(rangeOf(pair.key)![0]) + 2, editor.eol)).join(''));
    } else {
      editor.replace(at, at, ` ${flowValue(value)}`);
    }
    return true;
  }
  editor.replace(range[0], range[1], flowValue(value));
  return true;
}

/** Takes `key` out of a mapping (its whole line in block style); true when it was there. */
function removeKey(editor: TextEditor, map: YAMLMap, key: string): boolean {
  const pair = pairOf(map, key);
  if (pair === undefined) return false;
  const keyRange = rangeOf(pair.key)!;
  const valueEnd = (rangeOf(pair.value) ?? keyRange)[1];
  if (map.flow === true) {
    const index = map.items.indexOf(pair as never);
    const next = map.items[index + 1]?.key as Node | undefined;
    const previous = map.items[index - 1]?.value as Node | undefined;
    if (next !== undefined) editor.replace(keyRange[0], rangeOf(next)![0], '');
    else if (previous !== undefined) editor.replace(rangeOf(previous)![1], valueEnd, '');
    else editor.replace(keyRange[0], valueEnd, '');
    return true;
  }
  editor.replace(editor.lineStartBefore(keyRange[0]), editor.lineEndAfter(valueEnd), '');
  return true;
}

/** Appends a mapping to a sequence (block or flow), styled as its other items. */
function appendItem(editor: TextEditor, seq: YAMLSeq, pairs: readonly (readonly [string, EntryValue])[]): void {
  const range = rangeOf(seq)!;
  if (seq.flow === true) {
    const close = editor.slice(range[0], range[1]).lastIndexOf(']') + range[0];
    editor.replace(close, close, `${seq.items.length > 0 ? ', ' : ''}{${pairs.map(([k, v]) => `${k}: ${flowValue(v)}`).join(', ')}}`);
    return;
  }
  const last = seq.items.at(-1) as Node | undefined;
  const lastRange = rangeOf(last)!;
  const dash = editor.column(editor.slice(0, lastRange[0]).lastIndexOf('-'));
  const keys = isMap(last) && last.flow !== true ? editor.column(lastRange[0]) : dash + 2;
  editor.insertLines(editor.lineEndAfter(lastRange[1]), blockItem(pairs, dash, keys, editor.eol));
}

/** The plays of a playbook document: the list, or the one play the file is. */
function playsOf(doc: Document): { plays: YAMLMap[]; list: YAMLSeq | undefined } {
  const root = doc.contents;
  if (isSeq(root)) return { plays: root.items.filter((item): item is YAMLMap => isMap(item)), list: root };
  if (isMap(root)) return { plays: [root], list: undefined };
  return { plays: [], list: undefined };
}

function newPlay(edit: RegistryEdit, indent: number, eol: string): string {
  const entry = blockItem(edit.set, indent + 4, indent + 6, eol);
  const pad = ' '.repeat(indent);
  return `${pad}- name: ${yamlScalar(edit.playName)}${eol}${pad}  hosts: ${yamlScalar(edit.hosts ?? 'all')}${eol}${pad}  registries:${eol}${entry}`;
}

/** Every mapping of a `registries:` list that names `host` (as readRegistryHost reads it), with its place. */
function entriesFor(doc: Document, host: string): { map: YAMLMap; place: string }[] {
  const { plays, list } = playsOf(doc);
  const key = registryKey(host);
  return plays.flatMap((play, playIndex) => {
    const registries = pairOf(play, 'registries')?.value;
    if (!isSeq(registries)) return [];
    return registries.items.flatMap((item, index) => {
      const named = isMap(item) ? pairOf(item, 'host')?.value : undefined;
      if (!isMap(item) || !isScalar(named) || typeof named.value !== 'string' || registryKey(registryHostOf(named.value)) !== key) return [];
      return [{ map: item, place: `${list === undefined ? 'play' : `plays[${playIndex}]`}.registries[${index}]` }];
    });
  });
}

const BOM = '\uFEFF';

/** The first YAML error of a playbook's text (its line and message), or undefined when it parses. */
export function yamlProblem(text: string): { line: number | undefined; message: string } | undefined {
  const error = parseDocument(text.startsWith(BOM) ? text.slice(1) : text, { prettyErrors: true }).errors[0];
  if (error === undefined) return undefined;
  return { line: error.linePos?.[0].line, message: `invalid YAML: ${(error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}` };
}

/** The registry's entries in a playbook's text, as plain values, with where each is. */
export function registryEntries(text: string, host: string): { place: string; entry: Record<string, unknown> }[] {
  const doc = parseDocument(text.startsWith(BOM) ? text.slice(1) : text);
  if (doc.errors.length > 0) return [];
  return entriesFor(doc, host).map(({ map, place }) => ({ place, entry: map.toJSON() as Record<string, unknown> }));
}

/** The text with the registry's entry written; `text` undefined (or without a play) makes a new playbook. */
export function upsertRegistry(text: string | undefined, edit: RegistryEdit, header = ''): EditResult {
  if (text?.startsWith(BOM) === true) {
    // the byte order mark stays where it is; the Document's offsets count from after it
    const result = upsertRegistry(text.slice(1), edit, header);
    return { ...result, text: `${BOM}${result.text}` };
  }
  const doc = text === undefined ? undefined : parseDocument(text);
  if (doc !== undefined && doc.errors.length > 0) throw new PlaybookEditError(`it is not valid YAML (${doc.errors[0]!.message.split('\n')[0]})`);
  const { plays, list } = doc === undefined ? { plays: [], list: undefined } : playsOf(doc);
  if (doc === undefined || (plays.length === 0 && list === undefined)) {
    if (doc !== undefined && doc.contents !== null && !(isScalar(doc.contents) && (doc.contents.value === null || doc.contents.value === ''))) {
      throw new PlaybookEditError('its top level is neither a play nor a list of plays');
    }
    const eol = text?.includes('\r\n') === true ? '\r\n' : '\n';
    const before = text === undefined || text.trim() === '' ? header.replaceAll('\n', eol) : `${text}${text.endsWith('\n') ? '' : eol}`;
    return { text: `${before}${newPlay(edit, 0, eol)}`, action: 'created', places: ['plays[0].registries[0]'] };
  }
  const editor = new TextEditor(text!);
  const entries = entriesFor(doc, edit.host);
  let changed = false;
  for (const { map } of entries) {
    for (const [k, v] of edit.set) changed = setKey(editor, map, k, v) || changed;
    for (const k of edit.remove) changed = removeKey(editor, map, k) || changed;
  }
  if (entries.length > 0) return { text: editor.result(), action: changed ? 'updated' : 'unchanged', places: entries.map((e) => e.place) };

  const target = edit.hosts === undefined ? 0 : plays.findIndex((play) => pairOf(play, 'hosts')?.value?.toJSON() === edit.hosts);
  if (target < 0) {
    if (list === undefined) throw new PlaybookEditError(`it is a single play (a mapping), not for hosts ${edit.hosts}: make it a list of plays to add one`);
    const range = rangeOf(list)!;
    const dash = editor.column(editor.slice(0, rangeOf(list.items[0] as Node)![0]).lastIndexOf('-'));
    editor.insertLines(editor.lineEndAfter(range[1]), newPlay(edit, dash, editor.eol));
    return { text: editor.result(), action: 'added', places: [`plays[${list.items.length}].registries[0]`] };
  }
  const play = plays[target]!;
  const registries = pairOf(play, 'registries')?.value;
  const where = list === undefined ? 'play' : `plays[${list.items.indexOf(play)}]`;
  if (isSeq(registries) && (registries.items.length > 0 || registries.flow === true)) {
    appendItem(editor, registries, edit.set);
    return { text: editor.result(), action: 'added', places: [`${where}.registries[${registries.items.length}]`] };
  }
  // no registries yet (no key, `registries:` or an empty block): a block sequence under the play
  const keyColumn = editor.column(rangeOf(play.items[0]!.key as Node)![0]);
  const items = blockItem(edit.set, keyColumn + 2, keyColumn + 4, editor.eol);
  const pair = pairOf(play, 'registries');
  if (pair === undefined) {
    const last = play.items.at(-1) as Pair<Node, Node | null>;
    editor.insertLines(editor.lineEndAfter((rangeOf(last.value) ?? rangeOf(last.key)!)[1]), `${' '.repeat(keyColumn)}registries:${editor.eol}${items}`);
  } else {
    const at = (rangeOf(pair.value) ?? rangeOf(pair.key)!)[1];
    editor.replace(rangeOf(pair.value)?.[0] ?? at, at, '');
    editor.insertLines(editor.lineEndAfter(at), items);
  }
  return { text: editor.result(), action: 'added', places: [`${where}.registries[0]`] };
}
