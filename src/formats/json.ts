/**
 * JSON files dockhand reads and edits (daemon.json): one reader for facts and editors alike, and an
 * editor that changes only the keys it is asked to, so every other byte (key order, spacing, numbers
 * beyond 2^53 written as they are) stays as written. A UTF-8 byte order mark is allowed (dockerd
 * accepts it) and kept.
 */
import { applyEdits, modify } from 'jsonc-parser';

const BOM = '\uFEFF';

export type JsonObjectRead =
  | { readonly ok: true; readonly value: Record<string, unknown> }
  | { readonly ok: false; readonly error: string };

/** Reads text that must hold one JSON object (an empty file counts as `{}`). */
export function readJsonObject(text: string): JsonObjectRead {
  const body = text.startsWith(BOM) ? text.slice(1) : text;
  if (body.trim() === '') return { ok: true, value: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { ok: false, error: 'the file must hold a JSON object' };
  return { ok: true, value: parsed as Record<string, unknown> };
}

/**
 * `text` with top-level keys set (or removed, with `undefined`), everything else byte for byte. New
 * keys go at the end, indented like the file's other keys (two spaces in a new file).
 */
export function setJsonKeys(text: string | null, keys: ReadonlyMap<string, unknown>): string {
  return setJsonPaths(text, [...keys].map(([key, value]) => [[key], value] as const));
}

/**
 * `text` with values set at paths of keys (`['proxies', 'no-proxy']`), objects on the way created where
 * absent, everything else byte for byte.
 */
export function setJsonPaths(text: string | null, edits: readonly (readonly [readonly string[], unknown])[]): string {
  const bom = text?.startsWith(BOM) === true;
  let body = text === null ? '' : bom ? text.slice(1) : text;
  if (body.trim() === '') body = '{}\n';
  const indent = /\n([ \t]+)"/.exec(body)?.[1] ?? '  ';
  const formattingOptions = { insertSpaces: !indent.includes('\t'), tabSize: indent.includes('\t') ? 1 : indent.length, eol: body.includes('\r\n') ? '\r\n' : '\n' };
  for (const [path, value] of edits) {
    body = applyEdits(body, modify(body, [...path], value, { formattingOptions }));
  }
  return `${bom ? BOM : ''}${body}`;
}
