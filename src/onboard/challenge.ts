/**
 * A registry's `WWW-Authenticate` challenge on `GET /v2/`: Basic (a login checked on every request), or
 * Bearer (a token service at `realm` issues tokens for `service`: Distribution's token auth, Docker Hub,
 * Harbor, whose service is `harbor-registry` and realm `.../service/token`).
 *
 * Read by RFC 9110's grammar (section 11.6.1: `auth-scheme [ 1*SP ( token68 / #auth-param ) ]`, challenges
 * separated by commas, quoted-strings with `\` quoting any character). Not the npm `auth-header` package
 * (unreleased since 2017): it leaves `\\` in a quoted-string undone; `http-auth-utils` refuses parameters
 * outside its list, `service` among them.
 */

export type Challenge =
  | { readonly scheme: 'basic'; readonly realm: string | undefined }
  | { readonly scheme: 'bearer'; readonly realm: string; readonly service: string | undefined; readonly scope: string | undefined }
  | { readonly scheme: 'other'; readonly name: string };

/** Harbor's token service answers for this service name. */
export const HARBOR_SERVICE = 'harbor-registry';

/** One challenge as written: its scheme and its parameters (names in lower case; the first of a name wins). */
export interface RawChallenge {
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

const TOKEN = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y;
const TOKEN68 = /[A-Za-z0-9._~+/-]+=*/y;
const WHITESPACE = /[ \t]*/y;

class Reader {
  readonly #text: string;
  at = 0;

  constructor(text: string) {
    this.#text = text;
  }

  get done(): boolean {
    return this.at >= this.#text.length;
  }

  peek(): string {
    return this.#text[this.at] ?? '';
  }

  match(pattern: RegExp): string | undefined {
    pattern.lastIndex = this.at;
    const found = pattern.exec(this.#text)?.[0];
    if (found !== undefined && found !== '') this.at += found.length;
    return found === '' ? undefined : found;
  }

  skipSpace(): void {
    this.match(WHITESPACE);
  }

  /** A quoted-string's value (quoted-pairs undone), or undefined when there is none here or it never ends. */
  quoted(): string | undefined {
    if (this.peek() !== '"') return undefined;
    let value = '';
    for (let i = this.at + 1; i < this.#text.length; i += 1) {
      const c = this.#text[i]!;
      if (c === '"') {
        this.at = i + 1;
        return value;
      }
      if (c === '\\' && i + 1 < this.#text.length) i += 1;
      value += this.#text[i]!;
    }
    return undefined;
  }
}

/** Every challenge in a header value, in order. */
export function parseChallenges(value: string): RawChallenge[] {
  const reader = new Reader(value);
  const challenges: RawChallenge[] = [];
  while (!reader.done) {
    reader.skipSpace();
    if (reader.peek() === ',') {
      reader.at += 1;
      continue;
    }
    const scheme = reader.match(TOKEN);
    if (scheme === undefined) break;
    const params: Record<string, string> = {};
    reader.skipSpace();
    for (;;) {
      const start = reader.at;
      const name = reader.match(TOKEN);
      reader.skipSpace();
      if (name === undefined || reader.peek() !== '=') {
        reader.at = start;
        if (Object.keys(params).length === 0 && reader.match(TOKEN68) !== undefined) reader.skipSpace();
        break;
      }
      reader.at += 1;
      reader.skipSpace();
      const given = reader.peek() === '"' ? reader.quoted() : reader.match(TOKEN);
      if (given === undefined) {
        reader.at = start; // a token68 such as "abc=" after the scheme
        reader.match(TOKEN68);
        break;
      }
      params[name.toLowerCase()] ??= given;
      reader.skipSpace();
      if (reader.peek() !== ',') break;
      const comma = reader.at;
      reader.at += 1;
      reader.skipSpace();
      // a token not followed by "=" starts the next challenge: leave it for the outer loop
      const lookahead = reader.at;
      const next = reader.match(TOKEN);
      reader.skipSpace();
      const isParam = next !== undefined && reader.peek() === '=';
      reader.at = isParam ? lookahead : comma;
      if (!isParam) break;
    }
    challenges.push({ scheme, params });
    reader.skipSpace();
    if (!reader.done && reader.peek() !== ',') break;
  }
  return challenges;
}

/** The challenge a header value states (Bearer first, then Basic, where it states several), or undefined. */
export function readChallenge(value: string | undefined): Challenge | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const all = parseChallenges(value);
  const bearer = all.find((c) => c.scheme.toLowerCase() === 'bearer' && (c.params['realm'] ?? '') !== '');
  if (bearer !== undefined) return { scheme: 'bearer', realm: bearer.params['realm']!, service: bearer.params['service'], scope: bearer.params['scope'] };
  const basic = all.find((c) => c.scheme.toLowerCase() === 'basic');
  if (basic !== undefined) return { scheme: 'basic', realm: basic.params['realm'] };
  const other = all.find((c) => c.scheme.toLowerCase() !== 'bearer');
  return other === undefined ? undefined : { scheme: 'other', name: other.scheme };
}

/** Harbor's challenge: Bearer, service `harbor-registry`, realm ending in `/service/token`. */
export function isHarborChallenge(challenge: Challenge | undefined): boolean {
  return challenge?.scheme === 'bearer' && challenge.service === HARBOR_SERVICE && /\/service\/token\/?$/.test(challenge.realm);
}

/** The challenge in words: `Bearer realm="..." service="..."`. */
export function describeChallenge(challenge: Challenge): string {
  switch (challenge.scheme) {
    case 'basic':
      return `Basic${challenge.realm === undefined ? '' : ` realm="${challenge.realm}"`}`;
    case 'bearer':
      return `Bearer realm="${challenge.realm}"${challenge.service === undefined ? '' : ` service="${challenge.service}"`}`;
    default:
      return challenge.name;
  }
}
