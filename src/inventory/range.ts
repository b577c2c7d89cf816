/** Ansible host patterns as written in an inventory: ranges (`node[01:10]`, `[a:f]`, `[1:9:2]`) and a `:port` suffix. */
import { InputError } from '../errors.ts';

/** Where a host pattern was written, so errors can name it. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number | undefined;
}

/** A host pattern from an inventory: the names it expands to and the port it names, if any. */
export interface HostPattern {
  readonly names: string[];
  readonly port: string | undefined;
}

/** Expansion larger than this is almost certainly a typo (`node[0:100000]`), not a fleet. */
export const MAX_RANGE_HOSTS = 10_000;

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const RANGE = /^(\d*|[a-zA-Z]):(\d+|[a-zA-Z])(?::(\d+))?$/;

/** Expands every `[begin:end(:stride)]` in a host name, left to right, as Ansible does. */
export function expandHostRange(pattern: string, where: SourceLocation): string[] {
  const fail = (why: string): never => {
    throw new InputError('E_INVENTORY', where.file, where.line, `malformed host range in "${pattern}": ${why}`);
  };
  const open = pattern.indexOf('[');
  if (open < 0) {
    if (pattern.includes(']')) fail('"]" without "["');
    return [pattern];
  }
  const close = pattern.indexOf(']', open);
  if (close < 0) return fail('"[" without "]"');
  const head = pattern.slice(0, open);
  const tail = pattern.slice(close + 1);
  const values = rangeValues(pattern.slice(open + 1, close), fail);
  const names: string[] = [];
  for (const value of values) {
    for (const name of expandHostRange(head + value + tail, where)) {
      names.push(name);
      if (names.length > MAX_RANGE_HOSTS) fail(`expands to more than ${MAX_RANGE_HOSTS} hosts`);
    }
  }
  return names;
}

/** The values one range body (`01:10`, `a:f`, `1:9:2`) stands for, zero-padding kept. */
function rangeValues(body: string, fail: (why: string) => never): string[] {
  const match = RANGE.exec(body);
  if (!match) return fail(`"[${body}]" is not [begin:end] or [begin:end:stride]`);
  const begin = match[1] === '' ? '0' : (match[1] ?? '0');
  const end = match[2] ?? '';
  const stride = match[3] === undefined ? 1 : Number(match[3]);
  if (stride < 1) fail('stride must be at least 1');
  const numeric = /^\d+$/.test(begin);
  if (numeric !== /^\d+$/.test(end)) fail('begin and end must both be numbers or both be letters');
  if (!numeric) {
    const from = LETTERS.indexOf(begin);
    const to = LETTERS.indexOf(end);
    if (from > to) fail('begin must not come after end');
    const out: string[] = [];
    for (let i = from; i <= to; i += stride) out.push(LETTERS[i] ?? '');
    return out;
  }
  const padded = begin.length > 1 && begin.startsWith('0');
  if (padded && begin.length !== end.length) fail('a zero-padded begin and its end must have the same width');
  const from = Number(begin);
  const to = Number(end);
  if (from > to) fail('begin must not be greater than end');
  if ((to - from) / stride >= MAX_RANGE_HOSTS) fail(`expands to more than ${MAX_RANGE_HOSTS} hosts`);
  const out: string[] = [];
  for (let i = from; i <= to; i += stride) out.push(padded ? String(i).padStart(begin.length, '0') : String(i));
  return out;
}

/** Splits `name[:port]` (the port only when it is the single colon outside brackets) and expands ranges. */
export function parseHostPattern(text: string, where: SourceLocation): HostPattern {
  let depth = 0;
  const colons: number[] = [];
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (c === '[') depth += 1;
    else if (c === ']') depth -= 1;
    else if (c === ':' && depth === 0) colons.push(i);
  }
  const colon = colons[0];
  if (colon === 0) throw new InputError('E_INVENTORY', where.file, where.line, `host "${text}" has no name before ":"`);
  if (colons.length === 1 && colon !== undefined) {
    const port = text.slice(colon + 1);
    if (!/^\d+$/.test(port)) {
      throw new InputError('E_INVENTORY', where.file, where.line, `host "${text}": port after ":" must be a number`);
    }
    return { names: expandHostRange(text.slice(0, colon), where), port };
  }
  // Several colons outside brackets: a bare IPv6 address, taken as it is.
  if (colons.length > 1 && !text.includes('[')) return { names: [text], port: undefined };
  return { names: expandHostRange(text, where), port: undefined };
}
