/**
 * Where each statement of a TOML document sits in its text: blank lines, comment lines, table headers and
 * key/value pairs, with their key paths and byte offsets. It reads no values (that is smol-toml's job, see
 * read.ts); it exists so that an edit can remove or replace single statements and keep every other byte.
 *
 * It expects text that smol-toml has already accepted, and throws a LayoutError on anything it does not
 * follow; an editor turns that into "cannot edit safely", never into a guess.
 */

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

const BARE_KEY_CHAR = /[A-Za-z0-9_-]/;
const SIMPLE_ESCAPES: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', e: '\u001b', '"': '"', '\\': '\\' };

class Scanner {
  i = 0;
  readonly s: string;

  constructor(s: string) {
    this.s = s;
  }

  fail(what: string): never {
    const line = this.s.slice(0, this.i).split('\n').length;
    throw new LayoutError(`line ${line}: ${what}`);
  }

  peek(offset = 0): string {
    return this.s.charAt(this.i + offset);
  }

  startsWith(token: string): boolean {
    return this.s.startsWith(token, this.i);
  }

  atLineEnd(): boolean {
    return this.i >= this.s.length || this.peek() === '\n' || this.startsWith('\r\n');
  }

  skipSpaces(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.i++;
  }

  /** Skips a comment up to (not including) its line break. */
  skipComment(): void {
    while (!this.atLineEnd()) this.i++;
  }

  /** Skips spaces, line breaks and comments (inside arrays and inline tables). */
  skipBlankSpace(): void {
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t' || c === '\n') this.i++;
      else if (this.startsWith('\r\n')) this.i += 2;
      else if (c === '#') this.skipComment();
      else return;
    }
  }

  /** Consumes a line break; returns it ('' at the end of the text). */
  lineBreak(): string {
    if (this.i >= this.s.length) return '';
    if (this.peek() === '\n') {
      this.i++;
      return '\n';
    }
    if (this.startsWith('\r\n')) {
      this.i += 2;
      return '\r\n';
    }
    return this.fail('expected the end of the line');
  }

  /** Reads a dotted key; returns its segments and the first quote used. */
  key(): { segments: string[]; quote: '"' | "'" | null } {
    const segments: string[] = [];
    let quote: '"' | "'" | null = null;
    for (;;) {
      this.skipSpaces();
      const c = this.peek();
      if (c === '"') {
        quote ??= '"';
        segments.push(this.basicStringValue());
      } else if (c === "'") {
        quote ??= "'";
        const close = this.s.indexOf("'", this.i + 1);
        if (close < 0 || this.s.slice(this.i + 1, close).includes('\n')) this.fail('unterminated literal key');
        segments.push(this.s.slice(this.i + 1, close));
        this.i = close + 1;
      } else {
        const from = this.i;
        while (BARE_KEY_CHAR.test(this.peek())) this.i++;
        if (this.i === from) this.fail('expected a key');
        segments.push(this.s.slice(from, this.i));
      }
      this.skipSpaces();
      if (this.peek() !== '.') return { segments, quote };
      this.i++;
    }
  }

  /** Reads a one-line basic string and returns its decoded value. */
  basicStringValue(): string {
    this.i++;
    let out = '';
    for (;;) {
      const c = this.peek();
      if (c === '' || c === '\n' || c === '\r') this.fail('unterminated string');
      this.i++;
      if (c === '"') return out;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.peek();
      this.i++;
      if (e in SIMPLE_ESCAPES) out += SIMPLE_ESCAPES[e];
      else if (e === 'u' || e === 'U' || e === 'x') {
        const length = e === 'u' ? 4 : e === 'U' ? 8 : 2;
        const hex = this.s.slice(this.i, this.i + length);
        if (!/^[0-9A-Fa-f]+$/.test(hex) || hex.length !== length) this.fail('bad escape in string');
        out += String.fromCodePoint(Number.parseInt(hex, 16));
        this.i += length;
      } else this.fail('bad escape in string');
    }
  }

  /** Skips one value of any type. */
  value(): void {
    const c = this.peek();
    if (this.startsWith('"""')) this.multiLineString('"""', true);
    else if (this.startsWith("'''")) this.multiLineString("'''", false);
    else if (c === '"') this.basicStringValue();
    else if (c === "'") {
      const close = this.s.indexOf("'", this.i + 1);
      if (close < 0 || this.s.slice(this.i + 1, close).includes('\n')) this.fail('unterminated string');
      this.i = close + 1;
    } else if (c === '[') this.array();
    else if (c === '{') this.inlineTable();
    else this.scalar();
  }

  multiLineString(delimiter: string, escapes: boolean): void {
    this.i += 3;
    for (;;) {
      if (this.i >= this.s.length) this.fail('unterminated multi-line string');
      if (escapes && this.peek() === '\\') {
        this.i += 2;
        continue;
      }
      if (this.startsWith(delimiter)) {
        // Up to two quotes may sit right before the closing delimiter (`""""` ends with one quote inside).
        let run = 3;
        while (run < 5 && this.peek(run) === delimiter.charAt(0)) run++;
        this.i += run;
        return;
      }
      this.i++;
    }
  }

  array(): void {
    this.i++;
    for (;;) {
      this.skipBlankSpace();
      if (this.peek() === ']') {
        this.i++;
        return;
      }
      if (this.i >= this.s.length) this.fail('unterminated array');
      this.value();
      this.skipBlankSpace();
      if (this.peek() === ',') this.i++;
      else if (this.peek() !== ']') this.fail('expected , or ] in array');
    }
  }

  inlineTable(): void {
    this.i++;
    for (;;) {
      this.skipBlankSpace();
      if (this.peek() === '}') {
        this.i++;
        return;
      }
      if (this.i >= this.s.length) this.fail('unterminated inline table');
      this.key();
      if (this.peek() !== '=') this.fail('expected = in inline table');
      this.i++;
      this.skipSpaces();
      this.value();
      this.skipBlankSpace();
      if (this.peek() === ',') this.i++;
      else if (this.peek() !== '}') this.fail('expected , or } in inline table');
    }
  }

  /** Numbers, booleans, dates and times (a date and a time may be separated by one space). */
  scalar(): void {
    const from = this.i;
    while (this.i < this.s.length && !/[\s,\]}#]/.test(this.peek())) this.i++;
    if (this.i === from) this.fail('expected a value');
    if (/^\d{4}-\d{2}-\d{2}$/.test(this.s.slice(from, this.i)) && /^ \d{2}:/.test(this.s.slice(this.i, this.i + 4))) {
      this.i++;
      while (this.i < this.s.length && !/[\s,\]}#]/.test(this.peek())) this.i++;
    }
  }
}

/** Splits TOML text (without a BOM) into statements. Throws LayoutError on text it cannot follow. */
export function scanToml(text: string): TomlLayout {
  const sc = new Scanner(text);
  const statements: Statement[] = [];
  let table: string[] = [];
  let firstBreak: '\n' | '\r\n' | null = null;
  let lastBreak = '';
  while (sc.i < text.length) {
    const start = sc.i;
    sc.skipSpaces();
    const indent = text.slice(start, sc.i);
    const base = { start, indent, key: [] as string[], valueStart: -1, valueEnd: -1, quote: null };
    let statement: Omit<Statement, 'end'>;
    const c = sc.peek();
    if (sc.atLineEnd()) {
      statement = { ...base, kind: 'blank', table };
    } else if (c === '#') {
      sc.skipComment();
      statement = { ...base, kind: 'comment', table };
    } else if (c === '[') {
      const array = sc.peek(1) === '[';
      sc.i += array ? 2 : 1;
      const { segments, quote } = sc.key();
      if (!sc.startsWith(array ? ']]' : ']')) sc.fail('expected the end of a table header');
      sc.i += array ? 2 : 1;
      table = segments;
      statement = { ...base, kind: array ? 'array-table' : 'table', table, quote };
    } else {
      const { segments, quote } = sc.key();
      if (sc.peek() !== '=') sc.fail('expected =');
      sc.i++;
      sc.skipSpaces();
      const valueStart = sc.i;
      sc.value();
      statement = { ...base, kind: 'key-value', table, key: segments, valueStart, valueEnd: sc.i, quote };
    }
    sc.skipSpaces();
    if (sc.peek() === '#') sc.skipComment();
    lastBreak = sc.lineBreak();
    if (firstBreak === null && lastBreak !== '') firstBreak = lastBreak as '\n' | '\r\n';
    statements.push({ ...statement, end: sc.i });
  }
  return { statements, lineBreak: firstBreak ?? '\n', endsWithLineBreak: text.length === 0 || lastBreak !== '' };
}
