/**
 * Writing TOML text: strings, keys and key paths, escaped per TOML 1.0. Reading is smol-toml's job
 * (see read.ts); these helpers only produce text that smol-toml and containerd's go-toml read back.
 */

/** The quote a file uses for its strings: `"basic"` or `'literal'`. */
export type QuoteStyle = '"' | "'";

const BARE_KEY = /^[A-Za-z0-9_-]+$/;

/** A TOML basic string: `"..."` with `\`, `"` and control characters escaped. */
export function basicString(value: string): string {
  let out = '"';
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (char === '"') out += '\\"';
    else if (char === '\\') out += '\\\\';
    else if (char === '\b') out += '\\b';
    else if (char === '\t') out += '\\t';
    else if (char === '\n') out += '\\n';
    else if (char === '\f') out += '\\f';
    else if (char === '\r') out += '\\r';
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, '0').toUpperCase()}`;
    else out += char;
  }
  return `${out}"`;
}

/** A string in the given style; falls back to a basic string where a literal one cannot hold the value. */
export function tomlString(value: string, style: QuoteStyle = '"'): string {
  if (style === "'" && !/['\u0000-\u0008\u000a-\u001f\u007f]/.test(value)) return `'${value}'`;
  return basicString(value);
}

/** One key segment: bare where TOML allows it, quoted otherwise. */
export function tomlKey(segment: string, style: QuoteStyle = '"'): string {
  return BARE_KEY.test(segment) ? segment : tomlString(segment, style);
}

/** A dotted key path, e.g. `plugins."io.containerd.grpc.v1.cri".registry`. */
export function tomlKeyPath(segments: readonly string[], style: QuoteStyle = '"'): string {
  return segments.map((segment) => tomlKey(segment, style)).join('.');
}
