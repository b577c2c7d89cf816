/**
 * The byte-keeping edit of config.toml's text: which statements go, where `config_path` is set or added,
 * and where a `version` line goes. Everything else stays as it was, byte for byte: comments, blank lines,
 * order, indentation, quoting, line breaks. What it cannot do in place (inline tables) becomes a blocker.
 */
import { statementPath, type Statement, type TomlLayout } from '../../formats/toml/layout.ts';
import { tomlKeyPath, tomlString, type QuoteStyle } from '../../formats/toml/write.ts';

/** A subtree of the document whose statements are removed. */
export interface RemovedRoot {
  path: string[];
  /** Keep a `[header]` naming exactly this path (e.g. an emptied `[...registry.mirrors]`). */
  keepHeader: boolean;
  /** How to name it in a blocker. */
  label: string;
}

export interface TextEditRequest {
  registryPath: string[];
  removedRoots: RemovedRoot[];
  /** The value `config_path` must hold, and the value it holds now (undefined: not set). */
  configPath: string;
  currentConfigPath: string | undefined;
  /** Add `version = 2` before the first statement (a version 1 file without plugin tables). */
  addVersionLine: boolean;
}

export interface Splice {
  start: number;
  end: number;
  text: string;
}

export interface TextPlan {
  splices: Splice[];
  blockers: string[];
}

const startsWith = (path: readonly string[], prefix: readonly string[]) =>
  path.length >= prefix.length && prefix.every((segment, i) => path[i] === segment);
const isStrictPrefix = (prefix: readonly string[], path: readonly string[]) => prefix.length < path.length && startsWith(path, prefix);
const isHeader = (s: Statement) => s.kind === 'table' || s.kind === 'array-table';

export function planTextEdit(body: string, layout: TomlLayout, request: TextEditRequest): TextPlan {
  const { statements, lineBreak } = layout;
  const blockers: string[] = [];
  const removed = removedStatements(statements, request.removedRoots, blockers);
  const splices: Splice[] = [];
  for (const index of removed) {
    const s = statements[index]!;
    splices.push({ start: s.start, end: s.end, text: '' });
  }
  const first = statements.find((s) => s.kind !== 'blank' && s.kind !== 'comment');
  const versionAtEnd = request.addVersionLine && first === undefined;
  if (request.addVersionLine) {
    const line = `version = 2${lineBreak}`;
    splices.push(first === undefined ? appendAtEnd(body, layout, line, { close: true, blank: false }) : { start: first.start, end: first.start, text: line });
  }
  const configPath = configPathSplice(body, layout, request, removed, blockers, versionAtEnd);
  if (configPath !== null) splices.push(configPath);
  return { splices, blockers };
}

/** Applies non-overlapping splices; keeps a missing final line break missing. */
export function applySplices(body: string, layout: TomlLayout, splices: readonly Splice[]): string {
  // At one offset, insertions come before a removal that starts there; otherwise the order they were planned in.
  const isInsert = (s: Splice) => (s.start === s.end ? 0 : 1);
  const ordered = splices
    .map((s, order) => ({ ...s, order }))
    .sort((a, b) => a.start - b.start || isInsert(a) - isInsert(b) || a.order - b.order);
  let out = '';
  let at = 0;
  for (const splice of ordered) {
    if (splice.start < at) throw new Error('overlapping edits of config.toml');
    out += body.slice(at, splice.start) + splice.text;
    at = splice.end;
  }
  out += body.slice(at);
  if (!layout.endsWithLineBreak && out.endsWith(layout.lineBreak)) out = out.slice(0, -layout.lineBreak.length);
  return out;
}

function removedStatements(statements: readonly Statement[], roots: readonly RemovedRoot[], blockers: string[]): Set<number> {
  const removed = new Set<number>();
  const underRoot = (path: string[], forHeader: boolean) =>
    roots.some((root) => startsWith(path, root.path) && !(forHeader && root.keepHeader && path.length === root.path.length));
  statements.forEach((s, i) => {
    if (s.kind !== 'key-value') return;
    const path = statementPath(s);
    if (underRoot(path, false)) removed.add(i);
    else {
      const root = roots.find((r) => isStrictPrefix(path, r.path));
      if (root !== undefined) {
        blockers.push(`the inline table \`${tomlKeyPath(path)}\` holds ${root.label}; dockhand does not rewrite inline tables: write ${root.label} as a \`[table]\` and run again`);
      }
    }
  });
  let lastKept: Statement | null = null;
  for (let i = 0; i < statements.length; i++) {
    const s = statements[i]!;
    if (!isHeader(s) || !underRoot(s.table, true)) {
      if (!removed.has(i)) lastKept = s;
      continue;
    }
    let next = i + 1;
    while (next < statements.length && !isHeader(statements[next]!)) next++;
    let lastContent = i;
    for (let j = i + 1; j < next; j++) if (statements[j]!.kind === 'key-value') lastContent = j;
    // Comment lines right above the next header are that header's; the others in the tail are this table's.
    let suffix = next;
    while (suffix > lastContent + 1 && statements[suffix - 1]!.kind === 'comment') suffix--;
    const dropBlanks = lastKept === null || lastKept.kind === 'blank';
    for (let j = i; j < suffix; j++) {
      if (j <= lastContent || statements[j]!.kind === 'comment' || dropBlanks) removed.add(j);
    }
    for (let j = i; j < next; j++) if (!removed.has(j)) lastKept = statements[j]!;
    i = next - 1;
  }
  return removed;
}

function configPathSplice(
  body: string,
  layout: TomlLayout,
  request: TextEditRequest,
  removed: Set<number>,
  blockers: string[],
  versionAtEnd: boolean,
): Splice | null {
  if (request.currentConfigPath === request.configPath) return null;
  const { statements, lineBreak } = layout;
  const registry = request.registryPath;
  const keyPath = [...registry, 'config_path'];
  const existing = statements.find((s) => s.kind === 'key-value' && statementPath(s).join('\0') === keyPath.join('\0'));
  if (existing !== undefined) {
    const currentText = body.slice(existing.valueStart, existing.valueEnd);
    const style: QuoteStyle = currentText.startsWith("'") ? "'" : '"';
    if (currentText === tomlString(request.configPath, style)) return null;
    return { start: existing.valueStart, end: existing.valueEnd, text: tomlString(request.configPath, style) };
  }
  const inline = statements.find((s, i) => s.kind === 'key-value' && !removed.has(i) && isStrictPrefix(statementPath(s), keyPath));
  if (inline !== undefined) {
    blockers.push(`the CRI registry settings sit in the inline table \`${tomlKeyPath(statementPath(inline))}\`; dockhand does not rewrite inline tables: set config_path there by hand or use \`[${tomlKeyPath(registry)}]\``);
    return null;
  }
  const style = statements.find((s) => isHeader(s) && s.quote !== null)?.quote ?? '"';
  const step = keyIndentStep(statements);
  const line = (indent: string, key: string[]) => `${indent}${tomlKeyPath(key, style)} = ${tomlString(request.configPath, style)}${lineBreak}`;
  const header = (indent: string) => `${indent}[${tomlKeyPath(registry, style)}]${lineBreak}${line(indent + step, ['config_path'])}`;

  // The registry table has a header: add the key right below it.
  const own = statements.findIndex((s) => s.kind === 'table' && s.table.join('\0') === registry.join('\0'));
  if (own >= 0) {
    const h = statements[own]!;
    const body = statements.slice(own + 1, nextHeader(statements, own));
    const indent = body.find((s) => s.kind === 'key-value')?.indent ?? h.indent + step;
    return { start: h.end, end: h.end, text: line(indent, ['config_path']) };
  }
  // The registry table is made by dotted keys (`registry.mirrors.x = ...`): a header would redefine it.
  const dotted = statements.filter((s) => s.kind === 'key-value' && isStrictPrefix(s.table, registry) && isStrictPrefix(registry, statementPath(s)));
  const lastDotted = dotted.at(-1);
  if (lastDotted !== undefined) {
    return { start: lastDotted.end, end: lastDotted.end, text: line(lastDotted.indent, [...registry.slice(lastDotted.table.length), 'config_path']) };
  }
  // Sub-tables of the registry table exist: put its header before the first one (before that one's comments,
  // unless that one goes: then its comments stay above the registry table that replaces it).
  const firstSub = statements.findIndex((s) => isHeader(s) && isStrictPrefix(registry, s.table));
  if (firstSub >= 0) {
    let at = firstSub;
    while (!removed.has(firstSub) && at > 0 && statements[at - 1]!.kind === 'comment') at--;
    const start = statements[at]!.start;
    return { start, end: start, text: header(statements[firstSub]!.indent) };
  }
  // Tables of the plugin exist: add the registry table after the last one's keys.
  const plugin = registry.slice(0, -1);
  let last = -1;
  statements.forEach((s, i) => {
    if (isHeader(s) && startsWith(s.table, plugin)) last = i;
  });
  if (last >= 0) {
    let end = last;
    for (let j = last + 1; j < nextHeader(statements, last); j++) if (statements[j]!.kind === 'key-value') end = j;
    const sibling = statements.find((s) => isHeader(s) && s.table.length === registry.length && startsWith(s.table, plugin));
    const parent = statements.find((s) => s.kind === 'table' && s.table.join('\0') === plugin.join('\0'));
    const indent = sibling?.indent ?? (parent !== undefined && parent.indent !== '' ? parent.indent + step : statements[last]!.indent);
    const at = statements[end]!.end;
    const needsBreak = at === body.length && !layout.endsWithLineBreak;
    return { start: at, end: at, text: `${needsBreak ? lineBreak : ''}${header(indent)}` };
  }
  return appendAtEnd(body, layout, header(''), versionAtEnd ? { close: false, blank: true } : {});
}

/**
 * Text appended at the end of the file: after the last line's missing line break (`close`, default: when
 * missing) and after a blank line (`blank`, default: when the last line is not blank).
 */
function appendAtEnd(body: string, layout: TomlLayout, text: string, options: { close?: boolean; blank?: boolean }): Splice {
  const { lineBreak, statements } = layout;
  const last = statements.at(-1);
  const close = (options.close ?? true) && body !== '' && !layout.endsWithLineBreak;
  const blank = options.blank ?? (last !== undefined && last.kind !== 'blank');
  return { start: body.length, end: body.length, text: (close ? lineBreak : '') + (blank ? lineBreak : '') + text };
}

function nextHeader(statements: readonly Statement[], from: number): number {
  let next = from + 1;
  while (next < statements.length && !isHeader(statements[next]!)) next++;
  return next;
}

/** How much deeper than its header the file indents keys (two spaces when it cannot tell). */
function keyIndentStep(statements: readonly Statement[]): string {
  for (let i = 0; i + 1 < statements.length; i++) {
    const [h, k] = [statements[i]!, statements[i + 1]!];
    if (isHeader(h) && k.kind === 'key-value' && k.indent.startsWith(h.indent) && k.indent.length > h.indent.length) {
      return k.indent.slice(h.indent.length);
    }
  }
  return '  ';
}
