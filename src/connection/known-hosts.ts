/**
 * OpenSSH known_hosts (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"): parse, check a presented host key,
 * format a line to record a new one. Pure: reading and appending the file is the caller's job.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** One host pattern of a plain entry; `!` negates, `*` and `?` are wildcards. */
export interface HostPattern {
  readonly pattern: string;
  readonly negated: boolean;
}

/** Which hosts an entry is for: a (comma-separated) pattern list, or a hashed `|1|salt|hash` host. */
export type HostSelector =
  | { readonly kind: 'patterns'; readonly patterns: readonly HostPattern[] }
  | { readonly kind: 'hashed'; readonly salt: Buffer; readonly hash: Buffer };

/** One key line of a known_hosts file. */
export interface KnownHostEntry {
  /** 1-based line number in the parsed text. */
  readonly line: number;
  readonly marker: 'revoked' | 'cert-authority' | null;
  readonly hosts: HostSelector;
  readonly keyType: string;
  readonly keyBase64: string;
  readonly comment: string;
}

/** The verdict on a presented host key. */
export type HostKeyCheck =
  | { readonly status: 'match' }
  | { readonly status: 'unknown' }
  | { readonly status: 'mismatch'; readonly expectedTypes: string[]; readonly line: number }
  | { readonly status: 'revoked' };

/** Parses known_hosts text; comments, blank lines and malformed lines are skipped. */
export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split('\n').forEach((raw, index) => {
    const entry = parseLine(raw, index + 1);
    if (entry !== null) entries.push(entry);
  });
  return entries;
}

function parseLine(raw: string, line: number): KnownHostEntry | null {
  const text = raw.trim();
  if (text === '' || text.startsWith('#')) return null;
  const fields = text.split(/\s+/);
  let marker: KnownHostEntry['marker'] = null;
  if (fields[0]?.startsWith('@')) {
    const name = fields.shift();
    if (name === '@revoked') marker = 'revoked';
    else if (name === '@cert-authority') marker = 'cert-authority';
    else return null;
  }
  const [hostField, keyType, keyBase64, ...comment] = fields;
  if (hostField === undefined || keyType === undefined || keyBase64 === undefined || /^\d+$/.test(keyType)) return null;
  const hosts = parseHosts(hostField);
  if (hosts === null) return null;
  return { line, marker, hosts, keyType, keyBase64, comment: comment.join(' ') };
}

function parseHosts(field: string): HostSelector | null {
  if (field.startsWith('|')) {
    const match = /^\|1\|([A-Za-z0-9+/=]+)\|([A-Za-z0-9+/=]+)$/.exec(field);
    if (!match?.[1] || !match[2]) return null;
    return { kind: 'hashed', salt: Buffer.from(match[1], 'base64'), hash: Buffer.from(match[2], 'base64') };
  }
  const patterns = field
    .split(',')
    .filter((p) => p !== '')
    .map((p) => (p.startsWith('!') ? { pattern: p.slice(1), negated: true } : { pattern: p, negated: false }));
  return patterns.length === 0 ? null : { kind: 'patterns', patterns };
}

/** The string known_hosts stores for a host: `host` on port 22, else `[host]:port` (lower-cased like ssh). */
export function knownHostsName(host: string, port: number): string {
  const name = host.toLowerCase();
  return port === 22 ? name : `[${name}]:${port}`;
}

const compiled = new Map<string, RegExp>();

/** Whether one glob pattern (`*`, `?`, case-insensitive) matches the whole name. */
export function matchPattern(name: string, pattern: string): boolean {
  if (!/[*?]/.test(pattern)) return name.toLowerCase() === pattern.toLowerCase();
  let regex = compiled.get(pattern);
  if (regex === undefined) {
    const source = pattern
      .toLowerCase()
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
    regex = new RegExp(`^${source}$`, 's');
    compiled.set(pattern, regex);
  }
  return regex.test(name.toLowerCase());
}

/** Whether an entry's hosts include `name` (a knownHostsName): a matching negated pattern excludes it. */
export function hostsMatch(hosts: HostSelector, name: string): boolean {
  if (hosts.kind === 'hashed') {
    const digest = createHmac('sha1', hosts.salt).update(name).digest();
    return digest.length === hosts.hash.length && timingSafeEqual(digest, hosts.hash);
  }
  let matched = false;
  for (const { pattern, negated } of hosts.patterns) {
    if (!matchPattern(name, pattern)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

function sameKey(a: string, b: string): boolean {
  return a !== '' && b !== '' && Buffer.from(a, 'base64').equals(Buffer.from(b, 'base64'));
}

/**
 * A known_hosts file's entries, indexed for lookups by host: entries naming plain hosts (no wildcard, no
 * negation) by each name, the others (wildcards, negations, hashed hosts) scanned. A run checks each of
 * its nodes against the file, so a scan of every entry per node would grow with the square of the fleet.
 */
export class KnownHostsIndex {
  readonly #revoked: KnownHostEntry[] = [];
  readonly #byName = new Map<string, { seq: number; entry: KnownHostEntry }[]>();
  readonly #scanned: { seq: number; entry: KnownHostEntry }[] = [];
  #seq = 0;

  constructor(entries: readonly KnownHostEntry[] = []) {
    for (const entry of entries) this.add(entry);
  }

  add(entry: KnownHostEntry): void {
    const seq = this.#seq++;
    if (entry.marker === 'revoked') this.#revoked.push(entry);
    if (entry.marker !== null) return;
    const { hosts } = entry;
    if (hosts.kind === 'hashed' || hosts.patterns.some((p) => p.negated || /[*?]/.test(p.pattern))) {
      this.#scanned.push({ seq, entry });
      return;
    }
    for (const name of new Set(hosts.patterns.map((p) => p.pattern.toLowerCase()))) {
      const list = this.#byName.get(name);
      if (list === undefined) this.#byName.set(name, [{ seq, entry }]);
      else list.push({ seq, entry });
    }
  }

  isRevoked(keyType: string, keyBase64: string): boolean {
    return this.#revoked.some((e) => e.keyType === keyType && sameKey(e.keyBase64, keyBase64));
  }

  /** The host entries (no marker) for a knownHostsName, in file order. */
  forHost(name: string): KnownHostEntry[] {
    const named = this.#byName.get(name) ?? [];
    const scanned = this.#scanned.filter((s) => hostsMatch(s.entry.hosts, name));
    if (scanned.length === 0) return named.map((s) => s.entry);
    return [...named, ...scanned].sort((a, b) => a.seq - b.seq).map((s) => s.entry);
  }
}

/**
 * Checks a presented key as OpenSSH does: a key listed under @revoked (for any host) is refused;
 * a host entry with the same type and key matches; one with the same type but another key is a
 * mismatch; entries only of other types (or none) leave the key unknown. @cert-authority lines are ignored.
 */
export function checkHostKey(
  entries: readonly KnownHostEntry[] | KnownHostsIndex,
  host: string,
  port: number,
  keyType: string,
  keyBase64: string,
): HostKeyCheck {
  const index = entries instanceof KnownHostsIndex ? entries : new KnownHostsIndex(entries);
  if (index.isRevoked(keyType, keyBase64)) return { status: 'revoked' };
  const forHost = index.forHost(knownHostsName(host, port));
  if (forHost.some((e) => e.keyType === keyType && sameKey(e.keyBase64, keyBase64))) return { status: 'match' };
  const conflicting = forHost.find((e) => e.keyType === keyType);
  if (conflicting === undefined) return { status: 'unknown' };
  return { status: 'mismatch', expectedTypes: [...new Set(forHost.map((e) => e.keyType))], line: conflicting.line };
}

/** A known_hosts line (no newline) recording a key; `hash` writes `|1|salt|hash` like `ssh-keygen -H`. */
export function formatKnownHostsLine(
  host: string,
  port: number,
  keyType: string,
  keyBase64: string,
  options: { hash: boolean; salt?: Uint8Array },
): string {
  const name = knownHostsName(host, port);
  if (!options.hash) return `${name} ${keyType} ${keyBase64}`;
  const salt = Buffer.from(options.salt ?? randomBytes(20));
  const hash = createHmac('sha1', salt).update(name).digest();
  return `|1|${salt.toString('base64')}|${hash.toString('base64')} ${keyType} ${keyBase64}`;
}

/** The key's fingerprint as OpenSSH prints it: `SHA256:` and unpadded base64 of the blob's SHA-256. */
export function fingerprintSha256(keyBase64: string): string {
  const digest = createHash('sha256').update(Buffer.from(keyBase64, 'base64')).digest('base64');
  return `SHA256:${digest.replace(/=+$/, '')}`;
}
