/** Lexing of single INI inventory lines: shell-like words for host lines, `key=value` for vars lines. */

/** One word of a line, after quotes and escapes are removed. */
export interface Word {
  readonly text: string;
  /** The word held a quoted part, so an empty value was written on purpose (`key=""`). */
  readonly quoted: boolean;
}

/** Reports a problem on the current line; never returns. */
export type Fail = (message: string) => never;

/**
 * Splits a line into words as Ansible's shlex does: whitespace separates, '…' is literal, "…" allows
 * \" and \\, a backslash outside quotes escapes the next character. A `#` at the start of a word
 * begins a comment; inside a word it is kept (passwords contain `#`).
 */
export function splitWords(line: string, fail: Fail): Word[] {
  const words: Word[] = [];
  let text = '';
  let quoted = false;
  let inWord = false;
  let i = 0;
  const end = (): void => {
    if (inWord) words.push({ text, quoted });
    text = '';
    quoted = false;
    inWord = false;
  };
  while (i < line.length) {
    const c = line[i] ?? '';
    if (/\s/.test(c)) {
      end();
      i += 1;
    } else if (c === '#' && !inWord) {
      break;
    } else if (c === "'" || c === '"') {
      const close = closingQuote(line, i, fail);
      const body = line.slice(i + 1, close);
      text += c === '"' ? body.replace(/\\(["\\])/g, '$1') : body;
      quoted = true;
      inWord = true;
      i = close + 1;
    } else if (c === '\\' && i + 1 < line.length) {
      text += line[i + 1] ?? '';
      inWord = true;
      i += 2;
    } else {
      text += c;
      inWord = true;
      i += 1;
    }
  }
  end();
  return words;
}

/** The index of the quote closing the one at `open`; in "…" a backslash escapes. */
function closingQuote(line: string, open: number, fail: Fail): number {
  const quote = line[open];
  for (let i = open + 1; i < line.length; i += 1) {
    if (quote === '"' && line[i] === '\\') i += 1;
    else if (line[i] === quote) return i;
  }
  return fail(`unterminated ${quote === '"' ? 'double' : 'single'} quote`);
}

/** Splits a `key=value` word from a host line; a missing or empty unquoted value is an error. */
export function splitAssignment(word: Word, fail: Fail): [string, string] {
  const eq = word.text.indexOf('=');
  // Messages never quote the words themselves: a stray word may be half of a password.
  if (eq < 0) return fail(`expected key=value after the host name, got a word without "=" (${word.text.length} characters)`);
  const key = word.text.slice(0, eq);
  const value = word.text.slice(eq + 1);
  if (key === '') return fail('a word has no variable name before "="');
  if (value === '' && !word.quoted) return fail(`variable "${key}" has no value (write ${key}="" for an empty string)`);
  return [key, value];
}

/**
 * Parses a `[group:vars]` line: `key = value`, the value being the rest of the line (spaces kept)
 * up to a ` #` comment, or one quoted string.
 */
export function parseVarLine(line: string, fail: Fail): [string, string] {
  const eq = line.indexOf('=');
  // Messages never quote the line: it may hold a password.
  if (eq < 0) return fail('expected key=value in a :vars section, got a line without "="');
  const key = line.slice(0, eq).trim();
  if (key === '' || /\s/.test(key)) return fail('expected key=value in a :vars section: the name before "=" is empty or has spaces');
  const rest = line.slice(eq + 1).trim();
  if (rest.startsWith('"') || rest.startsWith("'")) {
    const words = splitWords(rest, fail);
    const [only, extra] = words;
    if (!only || extra) return fail(`variable "${key}": unexpected text after the quoted value`);
    return [key, only.text];
  }
  const value = rest.replace(/\s#.*$/, '').trim();
  if (value === '') return fail(`variable "${key}" has no value (write ${key}="" for an empty string)`);
  return [key, value];
}
