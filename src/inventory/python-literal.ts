/**
 * Values of Ansible INI inventories. Ansible passes every value (a `[g:vars]` line's right-hand side, a
 * host line's `key=value` word after shell-like unquoting) to Python's `ast.literal_eval`, and keeps the
 * text as it is when that fails. So `x = 42 # n` is the number 42 (Python ignores the comment), while
 * `x = pa55 #word` is not a Python literal and stays the string "pa55 #word".
 *
 * This reads the same subset of Python: strings (with prefixes, escapes and implicit concatenation),
 * numbers, True/False/None, lists, tuples, dicts and sets, signed numbers, comments. Anything else, or
 * anything that has no JSON-like equivalent (complex numbers), is `undefined`: the caller keeps the text.
 */

type Literal = string | number | bigint | boolean | null | Literal[] | { [key: string]: Literal };

class NotLiteral extends Error {}

const fail = (): never => {
  throw new NotLiteral();
};

/** The value `ast.literal_eval(text)` gives, or undefined where it would raise. */
export function literalEval(text: string): Literal | undefined {
  try {
    const reader = new Reader(text.replace(/^[ \t]+/, ''));
    const value = reader.expression();
    reader.end();
    return value;
  } catch (error) {
    if (error instanceof NotLiteral) return undefined;
    throw error;
  }
}

const STRING_START = /^(?:[rRuUbB]|[bB][rR]|[rR][bB])?['"]/;
const NUMBER = /^(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:[0-9](?:_?[0-9])*)?\.?(?:[0-9](?:_?[0-9])*)?(?:[eE][+-]?[0-9](?:_?[0-9])*)?)[jJ]?/;

class Reader {
  readonly #text: string;
  #at = 0;

  constructor(text: string) {
    this.#text = text;
  }

  /** Only blanks and a comment may follow the value. */
  end(): void {
    this.#skip();
    if (this.#at < this.#text.length) fail();
  }

  expression(): Literal {
    this.#skip();
    const c = this.#text[this.#at];
    if (c === undefined) return fail();
    if (c === '[') return this.#sequence(']');
    if (c === '(') return this.#parenthesised();
    if (c === '{') return this.#braces();
    if (c === '+' || c === '-') return this.#signed();
    if (STRING_START.test(this.#text.slice(this.#at))) return this.#strings();
    if (/[0-9.]/.test(c)) return this.#number();
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.#text.slice(this.#at))?.[0];
    if (name === undefined) return fail();
    this.#at += name.length;
    if (name === 'True') return true;
    if (name === 'False') return false;
    if (name === 'None') return null;
    if (name === 'set' && this.#take('(') && this.#take(')')) return [];
    return fail();
  }

  #skip(): void {
    while (this.#at < this.#text.length) {
      const c = this.#text[this.#at];
      if (c === ' ' || c === '\t' || c === '\f') this.#at += 1;
      else if (c === '#') this.#at = this.#text.length;
      else break;
    }
  }

  #take(token: string): boolean {
    this.#skip();
    if (!this.#text.startsWith(token, this.#at)) return false;
    this.#at += token.length;
    return true;
  }

  /** `[a, b]` or the inside of `(a, b)`, up to `close`; a trailing comma is allowed. */
  #sequence(close: string): Literal[] {
    if (close === ']') this.#at += 1;
    const items: Literal[] = [];
    while (!this.#take(close)) {
      items.push(this.expression());
      if (!this.#take(',')) {
        if (!this.#take(close)) fail();
        break;
      }
    }
    return items;
  }

  /** `(x)` is x; `(x,)`, `(x, y)` and `()` are tuples. */
  #parenthesised(): Literal {
    this.#at += 1;
    if (this.#take(')')) return [];
    const first = this.expression();
    if (this.#take(')')) return first;
    if (!this.#take(',')) fail();
    return [first, ...this.#sequence(')')];
  }

  /** `{}` and `{k: v}` are dicts, `{a, b}` a set (read as a list). */
  #braces(): Literal {
    this.#at += 1;
    if (this.#take('}')) return {};
    const first = this.expression();
    if (!this.#take(':')) {
      const items = [first];
      while (this.#take(',')) {
        if (this.#take('}')) return items;
        items.push(this.expression());
      }
      if (!this.#take('}')) fail();
      return items;
    }
    const dict: { [key: string]: Literal } = {};
    let key = first;
    for (;;) {
      dict[dictKey(key)] = this.expression();
      if (!this.#take(',')) break;
      if (this.#take('}')) return dict;
      key = this.expression();
      if (!this.#take(':')) fail();
    }
    if (!this.#take('}')) fail();
    return dict;
  }

  /** `-5`, `+1.5`: a sign applies to a number only, once. */
  #signed(): Literal {
    const negative = this.#text[this.#at] === '-';
    this.#at += 1;
    this.#skip();
    if (!/[0-9.]/.test(this.#text[this.#at] ?? '')) fail();
    const value = this.#number();
    if (typeof value === 'bigint') return negative ? -value : value;
    if (typeof value !== 'number') return fail();
    return negative ? -value : value;
  }

  #number(): number | bigint {
    const rest = this.#text.slice(this.#at);
    const text = NUMBER.exec(rest)?.[0] ?? '';
    if (text === '' || text === '.' || /[jJ]$/.test(text)) return fail(); // complex: no JSON equivalent
    if (/^[A-Za-z0-9_]/.test(rest.slice(text.length))) fail(); // `1abc`, `0x1g`
    this.#at += text.length;
    const digits = text.replaceAll('_', '');
    if (/^0[xXoObB]/.test(digits)) return integer(BigInt(digits));
    if (/[.eE]/.test(digits)) return Number(digits);
    if (/^0+[1-9]/.test(digits)) return fail(); // leading zeros in a decimal integer
    return integer(BigInt(digits));
  }

  /** One or more adjacent string literals, concatenated (bytes and text never mix). */
  #strings(): string {
    let out = '';
    let kind: 'bytes' | 'text' | undefined;
    do {
      const prefix = /^[A-Za-z]*/.exec(this.#text.slice(this.#at))?.[0].toLowerCase() ?? '';
      const bytes = prefix.includes('b');
      if (kind !== undefined && kind !== (bytes ? 'bytes' : 'text')) fail();
      kind = bytes ? 'bytes' : 'text';
      this.#at += prefix.length;
      out += this.#string(prefix.includes('r'), bytes);
      this.#skip();
    } while (STRING_START.test(this.#text.slice(this.#at)));
    return out;
  }

  #string(raw: boolean, bytes: boolean): string {
    const quote = this.#text.startsWith(this.#text[this.#at]!.repeat(3), this.#at) ? this.#text[this.#at]!.repeat(3) : this.#text[this.#at]!;
    this.#at += quote.length;
    let out = '';
    for (;;) {
      if (this.#at >= this.#text.length) return fail();
      if (this.#text.startsWith(quote, this.#at)) {
        this.#at += quote.length;
        return out;
      }
      const c = this.#text[this.#at]!;
      if (bytes && c.charCodeAt(0) > 0x7f) fail();
      if (c !== '\\') {
        out += c;
        this.#at += 1;
      } else if (raw) {
        // a raw string keeps the backslash, but it still keeps the next character from closing the string
        out += this.#text.slice(this.#at, this.#at + 2);
        this.#at += 2;
      } else {
        out += this.#escape(bytes);
      }
    }
  }

  #escape(bytes: boolean): string {
    const next = this.#text[this.#at + 1];
    if (next === undefined) return fail();
    const simple: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
    if (simple[next] !== undefined) {
      this.#at += 2;
      return simple[next];
    }
    const octal = /^[0-7]{1,3}/.exec(this.#text.slice(this.#at + 1))?.[0];
    if (octal !== undefined) {
      this.#at += 1 + octal.length;
      return String.fromCharCode(Number.parseInt(octal, 8));
    }
    const width = next === 'x' ? 2 : !bytes && next === 'u' ? 4 : !bytes && next === 'U' ? 8 : 0;
    if (width > 0) {
      const hex = this.#text.slice(this.#at + 2, this.#at + 2 + width);
      if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) fail();
      const code = Number.parseInt(hex, 16);
      if (code > 0x10ffff) fail();
      this.#at += 2 + width;
      return String.fromCodePoint(code);
    }
    if (!bytes && next === 'N') return fail(); // \N{NAME}: Unicode names are not worth a table here
    // Python keeps an unknown escape as it is, backslash included.
    this.#at += 2;
    return `\\${next}`;
  }
}

/** A number as JavaScript holds it: a bigint only where a number would lose digits. */
function integer(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

/** A dict key as the JSON Ansible prints would write it; containers cannot be keys here. */
function dictKey(key: Literal): string {
  if (typeof key === 'string') return key;
  if (typeof key === 'number' || typeof key === 'bigint') return String(key);
  if (typeof key === 'boolean') return key ? 'true' : 'false';
  if (key === null) return 'null';
  return fail();
}
