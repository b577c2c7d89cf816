/**
 * Where each statement of a TOML document sits in its text: blank lines, comment lines, table headers and
 * key/value pairs, with their key paths and byte offsets. It reads no values (that is smol-toml's job, see
 * read.ts); it exists so that an edit can remove or replace single statements and keep every other byte.
 *
 * The positions come from toml-eslint-parser (a TOML 1.0/1.1 parser that keeps comments and the range of
 * every node); this module cuts the text into whole lines around its nodes. It throws a LayoutError on text
 * that parser refuses; an editor turns that into "cannot edit safely", never into a guess.
 */
import { parseTOML, ParseError, type AST } from 'toml-eslint-parser';

export type StatementKind = 'blank' | 'comment' | 'table' | 'array-table' | 'key-value';

export interface Statement {
  kind: StatementKind;
  /** Offset of the first character of its first line. */
  start: number;
  /** Offset just past its last line break (or the end of the text). */
  end: number;
  /** Spaces and tabs before it. */
  indent: string;
  /** Headers: the header's key path. Key/value pairs and other lines: the table they sit in. */
  table: string[];
  /** Key/value pairs: the (dotted) key relative to `table`; empty otherwise. */
  key: string[];
  /** Key/value pairs: the offsets of the value text. */
  valueStart: number;
  valueEnd: number;
  /** Headers and keys: the quote used by the first quoted key segment, if any. */
  quote: '"' | "'" | null;
}

export interface TomlLayout {
  statements: Statement[];
  /** The line break the file uses (the first one found; `\n` when there is none). */
  lineBreak: '\n' | '\r\n';
  /** False when the last line has no line break. */
  endsWithLineBreak: boolean;
}

export class LayoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LayoutError';
  }
}

/** The absolute key path of a key/value statement (its table plus its key). */
export function statementPath(statement: Statement): string[] {
  return [...statement.table, ...statement.key];
}

/** Splits TOML text (without a BOM) into statements. Throws LayoutError on text it cannot follow. */
export function scanToml(text: string): TomlLayout {
  let program: AST.TOMLProgram;
  try {
    program = parseTOML(text, { tomlVersion: '1.1' });
  } catch (error) {
    if (error instanceof ParseError) throw new LayoutError(`line ${error.lineNumber}: ${error.message}`);
    throw error;
  }
  const statements: Statement[] = [];
  let table: string[] = [];
  let at = 0;
  const node = (n: AST.TOMLTable | AST.TOMLKeyValue, lastLine: number, fields: Omit<Statement, 'start' | 'end' | 'indent'>): void => {
    const start = lineStart(text, n.range[0]);
    if (start < at) throw new LayoutError(`line ${n.loc.start.line}: two statements on one line`);
    blankAndCommentLines(text, at, start, table, statements);
    const indent = text.slice(start, n.range[0]);
    if (!/^[ \t]*$/.test(indent)) throw new LayoutError(`line ${n.loc.start.line}: unexpected text before the statement`);
    at = lineEnd(text, lastLine);
    statements.push({ ...fields, start, end: at, indent });
  };
  const keyValue = (kv: AST.TOMLKeyValue): void =>
    node(kv, kv.value.range[1], { kind: 'key-value', table, key: keyNames(kv.key), valueStart: kv.value.range[0], valueEnd: kv.value.range[1], quote: quoteOf(kv.key) });
  for (const item of program.body[0].body) {
    if (item.type === 'TOMLKeyValue') {
      keyValue(item);
      continue;
    }
    const header = keyNames(item.key);
    // the header's own line (a header cannot span lines): its closing bracket and any comment after it
    node(item, item.key.range[1], { kind: item.kind === 'array' ? 'array-table' : 'table', table: header, key: [], valueStart: -1, valueEnd: -1, quote: quoteOf(item.key) });
    table = header;
    for (const kv of item.body) keyValue(kv);
  }
  blankAndCommentLines(text, at, text.length, table, statements);
  const firstBreak = text.indexOf('\n');
  return {
    statements,
    lineBreak: firstBreak > 0 && text[firstBreak - 1] === '\r' ? '\r\n' : '\n',
    endsWithLineBreak: text.length === 0 || text.endsWith('\n'),
  };
}

/** The lines between two statements: each blank (spaces and tabs only) or a comment. */
function blankAndCommentLines(text: string, from: number, to: number, table: string[], out: Statement[]): void {
  for (let start = from; start < to;) {
    const end = Math.min(lineEnd(text, start), to);
    const content = text.slice(start, end).replace(/\r?\n$/, '');
    const indent = /^[ \t]*/.exec(content)![0];
    const rest = content.slice(indent.length);
    if (rest !== '' && !rest.startsWith('#')) throw new LayoutError(`line ${text.slice(0, start).split('\n').length}: unexpected text between statements`);
    out.push({ kind: rest === '' ? 'blank' : 'comment', start, end, indent, table, key: [], valueStart: -1, valueEnd: -1, quote: null });
    start = end;
  }
}

function keyNames(key: AST.TOMLKey): string[] {
  return key.keys.map((k) => (k.type === 'TOMLBare' ? k.name : k.value));
}

function quoteOf(key: AST.TOMLKey): '"' | "'" | null {
  const quoted = key.keys.find((k) => k.type === 'TOMLQuoted');
  return quoted === undefined ? null : quoted.style === 'literal' ? "'" : '"';
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** Offset just past the line break that ends the line holding `offset` (the end of the text on the last line). */
function lineEnd(text: string, offset: number): number {
  const lf = text.indexOf('\n', offset);
  return lf < 0 ? text.length : lf + 1;
}
