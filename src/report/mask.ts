/**
 * Credentials in what dockhand reads from nodes (proxy URLs in daemon.json or drop-ins, tokens in
 * environment lines, passwords and request headers in containerd's TOML files) are masked before anything
 * is shown: facts, diffs, errors. Values are read the way their files write them: TOML's multi-line and
 * escaped strings and arrays, JSON strings, YAML and environment values.
 */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/:@"'\\]+):([^\s/@"'\\]+)@/gi;
const SECRET_ASSIGNMENT = /\b([A-Za-z0-9_]*(?:PASSWORD|PASSWD|TOKEN|SECRET|API_KEY|ACCESS_KEY)[A-Za-z0-9_]*)=("(?:[^"\\\n]|\\.)*"?|'[^'\n]*'?|[^\s"']+)/gi;
/** One segment of a TOML key: bare, "basic" (escapes allowed) or 'literal'. */
const KEY_SEGMENT = String.raw`(?:[A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*')`;
/**
 * A key at the start of a line (after blanks, or a diff's `+`/`-`): TOML `key = `, dotted keys included,
 * JSON `"key": ` and YAML `key: `.
 */
const KEY_AT_LINE = new RegExp(String.raw`^[ \t+-]*(${KEY_SEGMENT}(?:[ \t]*\.[ \t]*${KEY_SEGMENT})*)[ \t]*[=:][ \t]*`, 'gm');
/**
 * A key holds a secret when its last segment, without separators, ends with one of these: `password`,
 * `auth` (containerd's registry.configs.*.auth), `identitytoken`, request headers such as
 * `Authorization`, `Proxy-Authorization`, `X-Auth-Token`, `Cookie`, `X-Api-Key`.
 */
const SECRET_NAME = /(?:password|passwd|auth|authorization|token|secret|cookie|apikey|accesskey|secretkey|privatekey)$/;
const MASK = '********';

/** `text` with the passwords of `scheme://user:password@` URLs and every secret-looking value masked. */
export function maskCredentials(text: string): string {
  return maskSecretKeys(
    text
      .replace(URL_CREDENTIALS, (_m, scheme: string, user: string) => `${scheme}${user}:${MASK}@`)
      .replace(SECRET_ASSIGNMENT, (_m, name: string) => `${name}=${MASK}`),
  );
}

/** Every string inside `value` (objects and arrays walked), masked. */
export function maskDeep<T>(value: T): T {
  return mapStrings(value, maskCredentials);
}

/** `value` with every string inside it (objects and arrays walked) replaced by `change(string)`. */
export function mapStrings<T>(value: T, change: (text: string) => string): T {
  if (typeof value === 'string') return change(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => mapStrings(item, change)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapStrings(item, change)])) as T;
  }
  return value;
}

/** The values of keys that name a secret, each replaced whole (a multi-line string or an array too). */
function maskSecretKeys(text: string): string {
  let out = '';
  let from = 0;
  KEY_AT_LINE.lastIndex = 0;
  for (let match = KEY_AT_LINE.exec(text); match !== null; match = KEY_AT_LINE.exec(text)) {
    if (match.index < from) continue;
    const valueStart = match.index + match[0].length;
    const value = SECRET_NAME.test(keyName(match[1]!)) ? scanValue(text, valueStart) : undefined;
    if (value === undefined) continue;
    out += text.slice(from, valueStart) + value.masked;
    from = value.end;
    KEY_AT_LINE.lastIndex = Math.max(KEY_AT_LINE.lastIndex, value.end);
  }
  return out + text.slice(from);
}

/** The last segment of a (dotted) key, unquoted, lower case, without `-`, `_` and `.`. */
function keyName(key: string): string {
  const segments = key.match(new RegExp(KEY_SEGMENT, 'g')) ?? [];
  const last = segments.at(-1) ?? '';
  const unquoted = /^["']/.test(last) ? last.slice(1, -1) : last;
  return unquoted.toLowerCase().replace(/[-_.\s]/g, '');
}

interface Scanned {
  readonly end: number;
  readonly masked: string;
}

/** The value starting at `i`: where it ends, and what replaces it. Undefined when the line holds no value. */
function scanValue(text: string, i: number): Scanned | undefined {
  if (text.startsWith('"""', i)) return { end: closeMultiline(text, i + 3, '"""', true), masked: `"""${MASK}"""` };
  if (text.startsWith("'''", i)) return { end: closeMultiline(text, i + 3, "'''", false), masked: `'''${MASK}'''` };
  const char = text[i];
  if (char === '"') return { end: closeString(text, i + 1, '"', true), masked: `"${MASK}"` };
  if (char === "'") return { end: closeString(text, i + 1, "'", false), masked: `'${MASK}'` };
  if (char === '[') return { end: closeArray(text, i + 1), masked: `["${MASK}"]` };
  const bare = /^[^\s#,]+/.exec(text.slice(i, i + 4096));
  return bare === null ? undefined : { end: i + bare[0].length, masked: MASK };
}

/** Past the closing quote of a one-line string (or the line's end, when it has none). */
function closeString(text: string, i: number, quote: string, escapes: boolean): number {
  let j = i;
  while (j < text.length && text[j] !== quote && text[j] !== '\n') j += escapes && text[j] === '\\' ? 2 : 1;
  return text[j] === quote ? j + 1 : Math.min(j, text.length);
}

/** Past the closing delimiter of a multi-line string (up to two more quotes belong to it), or the end of the text. */
function closeMultiline(text: string, i: number, delimiter: string, escapes: boolean): number {
  let j = i;
  while (j < text.length) {
    if (escapes && text[j] === '\\') j += 2;
    else if (text.startsWith(delimiter, j)) {
      let end = j + 3;
      for (let extra = 0; extra < 2 && text[end] === delimiter[0]; extra += 1) end += 1;
      return end;
    } else j += 1;
  }
  return text.length;
}

/** Past the `]` that closes an array (nested arrays, strings of every kind and comments inside), or the end of the text. */
function closeArray(text: string, i: number): number {
  let depth = 1;
  let j = i;
  while (j < text.length && depth > 0) {
    if (text.startsWith('"""', j)) j = closeMultiline(text, j + 3, '"""', true);
    else if (text.startsWith("'''", j)) j = closeMultiline(text, j + 3, "'''", false);
    else if (text[j] === '"') j = closeString(text, j + 1, '"', true);
    else if (text[j] === "'") j = closeString(text, j + 1, "'", false);
    else if (text[j] === '#') j = text.indexOf('\n', j) < 0 ? text.length : text.indexOf('\n', j);
    else {
      if (text[j] === '[') depth += 1;
      else if (text[j] === ']') depth -= 1;
      j += 1;
    }
  }
  return j;
}
