/** Ansible host patterns (`--limit`, a play's `hosts:`): names, groups, globs, `~regex`, `:`/`,`, `&`, `!`, `[i]`/`[a:b]`. */
import { InputError } from '../errors.ts';
import { groupHostNames } from './membership.ts';
import type { HostEntry, Inventory } from './types.ts';

interface Term {
  readonly op: 'union' | 'intersect' | 'exclude';
  readonly name: string;
  readonly subscript: Subscript | undefined;
}

/** `[i]` picks one host (negative counts from the end); `[a:b]` a slice, both ends inclusive. */
type Subscript = { readonly index: number } | { readonly start: number; readonly end: number | undefined };

const SUBSCRIPT = /^(.+)\[(?:(-?\d+)|(\d+)?\s*:\s*(\d+)?)\]$/;

/**
 * The hosts a pattern selects, in inventory order without duplicates; undefined selects every host.
 * `source` ('--limit', 'site.yml: hosts') names the pattern's origin in errors.
 */
export function selectHosts(inv: Inventory, pattern: string | undefined, source: string): HostEntry[] {
  if (pattern === undefined) return [...inv.hosts.values()];
  const fail = (message: string): never => {
    throw new InputError('E_USAGE', source, undefined, message);
  };
  const terms = splitPattern(pattern).map(parseTerm);
  if (terms.length === 0) fail(`empty host pattern "${pattern}"`);
  // Ansible's order: unions, then intersections, then exclusions; with no union, start from all.
  const unions = terms.filter((t) => t.op === 'union');
  let selected = new Set<string>(unions.length === 0 ? inv.hosts.keys() : []);
  for (const term of unions) for (const host of matchTerm(inv, term, pattern, fail)) selected.add(host);
  for (const term of terms.filter((t) => t.op === 'intersect')) {
    const matched = new Set(matchTerm(inv, term, pattern, fail));
    selected = new Set([...selected].filter((h) => matched.has(h)));
  }
  for (const term of terms.filter((t) => t.op === 'exclude')) {
    for (const host of matchTerm(inv, term, pattern, fail)) selected.delete(host);
  }
  const hosts = [...inv.hosts.values()].filter((h) => selected.has(h.name));
  if (hosts.length === 0) fail(`pattern "${pattern}" matches no host`);
  return hosts;
}

/** Splits on `,`, then on `:` outside brackets (a `~regex` term is never split on `:`). */
export function splitPattern(pattern: string): string[] {
  const terms: string[] = [];
  for (const piece of pattern.split(',')) {
    if (/^[!&]?~/.test(piece.trim())) {
      terms.push(piece.trim());
      continue;
    }
    let depth = 0;
    let current = '';
    for (const c of piece) {
      if (c === '[') depth += 1;
      if (c === ']') depth -= 1;
      if (c === ':' && depth === 0) {
        terms.push(current.trim());
        current = '';
      } else current += c;
    }
    terms.push(current.trim());
  }
  return terms.filter((t) => t !== '');
}

function parseTerm(text: string): Term {
  const op = text.startsWith('!') ? 'exclude' : text.startsWith('&') ? 'intersect' : 'union';
  const body = op === 'union' ? text : text.slice(1);
  const match = body.startsWith('~') ? null : SUBSCRIPT.exec(body);
  if (!match) return { op, name: body, subscript: undefined };
  const [, name = body, index, start, end] = match;
  const subscript: Subscript =
    index !== undefined ? { index: Number(index) } : { start: Number(start ?? 0), end: end === undefined ? undefined : Number(end) };
  return { op, name, subscript };
}

/** Host names one term selects, in inventory order, with its subscript applied. */
function matchTerm(inv: Inventory, term: Term, pattern: string, fail: (m: string) => never): string[] {
  const names = new Set<string>();
  const { name } = term;
  if (name.startsWith('~') || /[*?]/.test(name)) {
    const re = name.startsWith('~') ? compileRegex(name.slice(1), fail) : globToRegExp(name);
    for (const group of inv.groups.keys()) if (re.test(group)) for (const h of groupHostNames(inv, group)) names.add(h);
    for (const host of inv.hosts.keys()) if (re.test(host)) names.add(host);
  } else if (inv.groups.has(name)) {
    for (const h of groupHostNames(inv, name)) names.add(h);
  } else if (inv.hosts.has(name)) {
    names.add(name);
  } else {
    fail(`pattern "${pattern}": no host or group named "${name}"`);
  }
  const ordered = [...inv.hosts.keys()].filter((h) => names.has(h));
  return applySubscript(ordered, term.subscript);
}

function applySubscript(hosts: string[], subscript: Subscript | undefined): string[] {
  if (!subscript) return hosts;
  if ('index' in subscript) {
    const host = hosts.at(subscript.index);
    return host === undefined ? [] : [host];
  }
  const end = subscript.end ?? hosts.length - 1;
  return hosts.slice(subscript.start, end + 1);
}

/** Ansible matches `~regex` at the start of a name (Python's re.match). */
function compileRegex(source: string, fail: (m: string) => never): RegExp {
  try {
    return new RegExp(`^(?:${source})`);
  } catch (error) {
    return fail(`invalid regular expression "~${source}": ${(error as Error).message}`);
  }
}

/** `*` any run of characters, `?` one character; the whole name must match, case-sensitive. */
export function globToRegExp(glob: string): RegExp {
  const body = [...glob].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')));
  return new RegExp(`^${body.join('')}$`, 's');
}
