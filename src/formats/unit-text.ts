/**
 * systemd's unit file syntax (systemd.syntax(7), as src/shared/conf-parser.c reads it), the one reader
 * of unit files and drop-ins: logical lines (a line ending in an odd number of backslashes joins the
 * next, the backslash read as a space; comment lines are skipped, inside a continuation too), sections,
 * and the words of a value (quotes and C escapes), each with its offsets in the original text, so an
 * edit of one assignment keeps every other byte.
 */
import { memoByText } from './text-memo.ts';

export interface UnitWord {
  /** Offsets of the word's raw text (quotes included) in the original file. */
  readonly start: number;
  readonly end: number;
  /** The word as systemd reads it (quotes removed, C escapes resolved). */
  readonly value: string;
  /** The quote character around the word, when it is wholly quoted. */
  readonly quote: '"' | "'" | null;
}

export interface Assignment {
  readonly section: string | null;
  readonly key: string;
  /** Words of the value, e.g. each VAR=value of an Environment= line. */
  readonly words: readonly UnitWord[];
  /** Offsets of the whole logical line (without its final newline). */
  readonly start: number;
  readonly end: number;
}

interface LogicalLine {
  /** The line as systemd reads it: continuations joined with a space. */
  readonly text: string;
  /** For each character of `text`, its offset in the original file. */
  readonly offsets: readonly number[];
  readonly start: number;
  readonly end: number;
}

function isCommentLine(physical: string): boolean {
  return /^[ \t]*[#;]/.test(physical);
}

/** An odd number of backslashes at the end: the last one escapes the newline. */
function continues(text: string): boolean {
  let count = 0;
  for (let i = text.length - 1; i >= 0 && text[i] === '\\'; i -= 1) count += 1;
  return count % 2 === 1;
}

function logicalLines(source: string): LogicalLine[] {
  const lines: LogicalLine[] = [];
  let text = '';
  let offsets: number[] = [];
  let start = 0;
  let lineStart = 0;
  for (let i = 0; i <= source.length; i += 1) {
    const ch = source[i];
    if (ch !== undefined && ch !== '\n') {
      text += ch;
      offsets.push(i);
      continue;
    }
    const physical = source.slice(lineStart, i);
    const inContinuation = text.length > physical.length;
    if (isCommentLine(physical)) {
      // a comment line is skipped, also in the middle of a continued value
      text = text.slice(0, text.length - physical.length);
      offsets = offsets.slice(0, offsets.length - physical.length);
      if (!inContinuation) start = i + 1;
    } else if (ch === '\n' && continues(text)) {
      // a continuation: the backslash and newline read as one space
      offsets[offsets.length - 1] = i - 1;
      text = `${text.slice(0, -1)} `;
    } else {
      lines.push({ text, offsets, start, end: i });
      text = '';
      offsets = [];
      start = i + 1;
    }
    lineStart = i + 1;
  }
  return lines;
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", ' ': ' ' };

function splitWords(line: LogicalLine, from: number): UnitWord[] {
  const words: UnitWord[] = [];
  let i = from;
  const { text, offsets } = line;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i]!)) i += 1;
    if (i >= text.length) break;
    const wordStart = i;
    let value = '';
    let quote: '"' | "'" | null = null;
    let quotedWhole = text[i] === '"' || text[i] === "'";
    while (i < text.length && (quote !== null || !/\s/.test(text[i]!))) {
      const ch = text[i]!;
      if (quote === null && (ch === '"' || ch === "'")) {
        quote = ch;
        if (i !== wordStart) quotedWhole = false;
      } else if (quote !== null && ch === quote) {
        quote = null;
        if (i + 1 < text.length && !/\s/.test(text[i + 1]!)) quotedWhole = false;
      } else if (ch === '\\' && i + 1 < text.length) {
        i += 1;
        value += ESCAPES[text[i]!] ?? text[i]!;
      } else {
        value += ch;
      }
      i += 1;
    }
    words.push({
      start: offsets[wordStart]!,
      end: offsets[i - 1]! + 1,
      value,
      quote: quotedWhole ? (text[wordStart] as '"' | "'") : null,
    });
  }
  return words;
}

/** The words of a value as systemd reads them (quotes removed, C escapes resolved). */
export function systemdWords(value: string): string[] {
  const offsets = [...value].map((_, i) => i);
  return splitWords({ text: value, offsets, start: 0, end: value.length }, 0).map((w) => w.value);
}

/** Every `Key=value` assignment in the file, in order, with its section (each text parsed once per run). */
export const parseAssignments: (source: string) => readonly Assignment[] = memoByText(assignmentsOf);

function assignmentsOf(source: string): readonly Assignment[] {
  const assignments: Assignment[] = [];
  let section: string | null = null;
  for (const line of logicalLines(source)) {
    const trimmed = line.text.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    const header = /^\[([^\]]+)\]$/.exec(trimmed);
    if (header) {
      section = header[1]!;
      continue;
    }
    const eq = line.text.indexOf('=');
    if (eq < 0) continue;
    const key = line.text.slice(0, eq).trim();
    assignments.push({ section, key, words: splitWords(line, eq + 1), start: line.start, end: line.end });
  }
  return assignments;
}

/** The section the file ends in (where appended lines land). */
export function lastSection(source: string): string | null {
  let section: string | null = null;
  for (const line of logicalLines(source)) {
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(line.text);
    if (header) section = header[1]!;
  }
  return section;
}
