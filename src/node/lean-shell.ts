/**
 * A node-side .sh file as it travels: without its comment lines, blank lines and indentation, which are
 * for its readers (and shellcheck) and cost on every node of every run: they are a third of the bytes the
 * state read sends, encrypts, and has each node's shell read. The shell's own words are kept byte for
 * byte: a line is dropped or unindented only where the shell would start a new command there, outside
 * quotes and here-documents, as the small lexer below tracks them. A comment after code stays.
 */

type Quote = 'none' | 'single' | 'double';

/** A here-document's end: its delimiter word, and whether leading tabs are stripped (`<<-`). */
interface HereDoc {
  readonly word: string;
  readonly tabs: boolean;
}

const HEREDOC = /^<<(-?)[ \t]*(?:'([^']+)'|"([^"]+)"|\\?([A-Za-z_][A-Za-z0-9_]*))/;
/** Characters after which a `#` starts a comment (a word starts there). */
const WORD_BREAK = new Set([' ', '\t', ';', '&', '|', '(', ')', '<', '>']);

export function leanShell(text: string): string {
  const lines = text.split('\n');
  const out: string[] = [];
  let quote: Quote = 'none';
  const pending: HereDoc[] = [];
  let inside: HereDoc | undefined;
  /** The previous line ended with a backslash outside quotes: this one continues its command. */
  let continued = false;

  for (const line of lines) {
    if (inside !== undefined) {
      out.push(line);
      if ((inside.tabs ? line.replace(/^\t+/, '') : line) === inside.word) inside = pending.shift();
      continue;
    }
    // where a new command starts, its comment lines, blank lines and indentation go
    const starts = quote === 'none' && !continued;
    const kept = starts ? line.replace(/^[ \t]+/, '') : line;
    if (starts && (kept === '' || kept.startsWith('#'))) continue;
    const scan = scanLine(kept, quote);
    out.push(kept);
    quote = scan.quote;
    continued = scan.continued;
    pending.push(...scan.heredocs);
    // the here-documents' bodies follow the line that opened them, one after the other
    if (quote === 'none' && !continued) inside = pending.shift();
  }
  if (inside !== undefined || quote !== 'none') {
    // a file the lexer cannot follow to its end travels as it is
    return text;
  }
  if (out.length === 0) return '';
  return `${out.join('\n')}\n`;
}

/** One line from the quote state it starts in: the state it ends in, its here-documents, a trailing backslash. */
function scanLine(line: string, start: Quote): { quote: Quote; heredocs: HereDoc[]; continued: boolean } {
  let quote = start;
  const heredocs: HereDoc[] = [];
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i]!;
    if (quote === 'single') {
      if (c === "'") quote = 'none';
      continue;
    }
    if (c === '\\') {
      if (i === line.length - 1) return { quote, heredocs, continued: quote === 'none' };
      i += 1;
      continue;
    }
    if (quote === 'double') {
      if (c === '"') quote = 'none';
      continue;
    }
    if (c === "'") quote = 'single';
    else if (c === '"') quote = 'double';
    else if (c === '#' && (i === 0 || WORD_BREAK.has(line[i - 1]!))) break;
    else if (c === '<' && line[i + 1] === '<' && line[i - 1] !== '<' && line[i - 1] !== '(') {
      const match = HEREDOC.exec(line.slice(i));
      if (match !== null) {
        heredocs.push({ word: (match[2] ?? match[3] ?? match[4])!, tabs: match[1] === '-' });
        i += match[0].length - 1;
      }
    }
  }
  return { quote, heredocs, continued: false };
}
