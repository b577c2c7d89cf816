/** Where a value sits in the playbook: its line (from the YAML nodes) and a readable path. */
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter } from 'yaml';

export type DocPath = readonly PropertyKey[];

/** Finds the line of a path in a parsed YAML document. */
export class Locator {
  readonly #doc: Document;
  readonly #lines: LineCounter;

  constructor(doc: Document, lines: LineCounter) {
    this.#doc = doc;
    this.#lines = lines;
  }

  /**
   * The line of the value at `path`: for a mapping member, the line of its key; for a list item,
   * the item's line. A path that does not exist (a missing key) gets its nearest ancestor's line.
   */
  line(path: DocPath): number | undefined {
    let node: unknown = this.#doc.contents;
    let at = this.#lineOf(node);
    for (const segment of path) {
      node = this.#deref(node);
      if (isMap(node)) {
        const pair = node.items.find((item) => {
          const key = this.#deref(item.key);
          return isScalar(key) ? String(key.value) === String(segment) : false;
        });
        if (!pair) return at;
        at = this.#lineOf(pair.key) ?? this.#lineOf(pair.value) ?? at;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment];
        if (item === undefined) return at;
        at = this.#lineOf(item) ?? at;
        node = item;
      } else {
        return at;
      }
    }
    return at;
  }

  #deref(node: unknown): unknown {
    return isAlias(node) ? node.resolve(this.#doc) : node;
  }

  #lineOf(node: unknown): number | undefined {
    const offset = (node as { range?: readonly number[] } | null | undefined)?.range?.[0];
    return offset === undefined ? undefined : this.#lines.linePos(offset).line;
  }
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * A path as messages write it: `plays[0].registries[1].ip`, or `registries[1].ip` for a file of one
 * play (pass `prefix` ''); the empty path is `the play` / `plays[0]`.
 */
export function formatPath(path: DocPath, prefix: string): string {
  let text = prefix;
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (typeof segment === 'string' && IDENTIFIER.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(String(segment))}]`;
  }
  return text === '' ? 'the play' : text;
}

/** A value for a message: JSON, at most 80 characters. */
export function formatValue(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

/** A file path for a message: as written, or JSON-quoted when it holds control characters. */
export function formatFileName(value: string): string {
  return /[\x00-\x1f\x7f]/.test(value) ? JSON.stringify(value) : value;
}

/** The value at `path` in plain data, or undefined. */
export function valueAt(data: unknown, path: DocPath): unknown {
  let value = data;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return value;
}
