/**
 * Lexing of single INI inventory lines, by the rules of Ansible's INI inventory plugin:
 *
 * - a host line is split as Python's `shlex.split(line, comments=True)` does, so an unquoted `#`
 *   starts a comment wherever it stands, even inside a word (`pw=pa#ss` is `pw=pa`);
 * - a `[g:vars]` line is `key = value`, split at the first `=`: the value is the rest of the line,
 *   with no comment removed (`pw = pa55 #word` is "pa55 #word");
 * - either value then goes through Python's `ast.literal_eval`, kept as text when that fails: so
 *   `n=42` is a number, `x="quoted" # c` the string "quoted", and `pw = pa55 #word` stays whole.
 */
import { maskSecrets } from './mask.ts';
import { literalEval } from './python-literal.ts';

/** One word of a line, after quotes and escapes are removed. */
export interface Word {
  readonly text: string;
  /** The word held a quoted part, so an empty value was written on purpose (`key=""`). */
  readonly quoted: boolean;
}

/** Reports a problem on the current line; never returns. */
export type Fail = (message: string) => never;

/** Tells the user something about the current line that does not stop the run. */
export type Warn = (message: string) => void;

/**
 * Splits a line into words as shlex does in POSIX mode with comments: whitespace separates, '…' is
 * literal, "…" allows \" and \\, a backslash outside quotes escapes the next character, and an
 * unquoted `#` ends the line. `warn` hears of a `#` that cut a word in two.
 */
export function splitWords(line: string, fail: Fail, warn?: Warn): Word[] {
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
    } else if (c === '#') {
      if (inWord && warn) {
        warn('an unquoted "#" inside a word starts a comment, as in Ansible: the rest of the line is ignored (quote the value if "#" belongs to it)');
      }
      break;
    } else if (c === "'" || c === '"') {
      const close = closingQuote(line, i, fail);
      const body = line.slice(i + 1, close);
      text += c === '"' ? body.replace(/\\(["\\])/g, '$1') : body;
      quoted = true;
      inWord = true;
      i = close + 1;
    } else if (c === '\\') {
      if (i + 1 >= line.length) fail('a backslash ends the line with nothing to escape');
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

/** A value as Ansible types it: a Python literal when the text is one, else the text itself. */
export function iniValue(text: string): unknown {
  const value = literalEval(text);
  return value === undefined ? text : value;
}

/** Splits a `key=value` word from a host line; a missing or empty unquoted value is an error. */
export function splitAssignment(word: Word, fail: Fail): [string, unknown] {
  const eq = word.text.indexOf('=');
  // Messages never quote the words themselves: a stray word may be half of a password.
  if (eq < 0) return fail(`expected key=value after the host name, got a word without "=" (${word.text.length} characters)`);
  const key = word.text.slice(0, eq);
  const value = word.text.slice(eq + 1);
  if (key === '') return fail('a word has no variable name before "="');
  if (value === '' && !word.quoted) return fail(`variable "${key}" has no value (write ${key}="" for an empty string)`);
  return [key, iniValue(value)];
}

/** Parses a `[group:vars]` line: `key = value`, the value being the rest of the line, typed as Ansible types it. */
export function parseVarLine(line: string, fail: Fail): [string, unknown] {
  const eq = line.indexOf('=');
  // Messages never quote the line: it may hold a password.
  if (eq < 0) return fail('expected key=value in a :vars section, got a line without "="');
  const key = line.slice(0, eq).trim();
  if (key === '' || /\s/.test(key)) return fail('expected key=value in a :vars section: the name before "=" is empty or has spaces');
  const rest = line.slice(eq + 1).trim();
  if (rest === '') return fail(`variable "${key}" has no value (write ${key}="" for an empty string)`);
  return [key, iniValue(rest)];
}

/** A line for a message: secret-looking assignments masked. */
export function shownLine(line: string): string {
  return maskSecrets(line);
}
