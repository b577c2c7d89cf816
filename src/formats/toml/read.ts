/**
 * The one reader of TOML values: smol-toml (TOML 1.0/1.1, pure JavaScript). A syntax error is a value
 * with its line and column, never an exception, so a node's broken file becomes a fact. (Where each
 * statement sits in the text, for byte-keeping edits, is layout.ts's job.)
 */
import { parse, TomlError } from 'smol-toml';

/** A parsed TOML table. smol-toml returns objects without a prototype; values are plain data. */
export type TomlTable = Record<string, unknown>;

export type TomlParse = { ok: true; data: TomlTable } | { ok: false; error: string };

/** Parses `text` (a leading UTF-8 BOM is ignored). */
export function parseToml(text: string): TomlParse {
  try {
    return { ok: true, data: parse(text.replace(/^\uFEFF/, '')) as TomlTable };
  } catch (error) {
    if (error instanceof TomlError) {
      const reason = (error.message.split('\n')[0] ?? '').replace(/^Invalid TOML document: /, '');
      return { ok: false, error: `line ${error.line}, column ${error.column}: ${reason}` };
    }
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** True for a TOML table (not an array, not a date, not a scalar). */
export function isTable(value: unknown): value is TomlTable {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === null || proto === Object.prototype;
}

/** The value at `path` below `table`, or undefined where any step is missing or not a table. */
export function valueAt(table: TomlTable, path: readonly string[]): unknown {
  let current: unknown = table;
  for (const segment of path) {
    if (!isTable(current) || !Object.hasOwn(current, segment)) return undefined;
    current = current[segment];
  }
  return current;
}
