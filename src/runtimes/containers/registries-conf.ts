/**
 * containers-registries.conf(5) and containers-registries.conf.d(5), as containers/image reads them
 * (pkg/sysregistriesv2): the main file in the v2 format (`[[registry]]` tables) or the deprecated v1
 * format (`[registries.insecure]` ...), never both in one file; drop-ins `*.conf` in byte order after it,
 * v2 only. A drop-in's `[[registry]]` replaces the table of the same prefix whole, not field by field;
 * within one file the first table of a prefix counts. `location` takes no URL scheme: plain http is
 * `insecure = true`. The one reader of these files, and the one writer of dockhand's drop-ins.
 */
import { isTable, parseToml, type TomlTable } from '../../formats/toml/read.ts';
import { basicString } from '../../formats/toml/write.ts';

export const REGISTRIES_CONF = '/etc/containers/registries.conf';
export const DROP_IN_DIR = '/etc/containers/registries.conf.d';

/** One mirror of a registry, tried before it in order. */
export interface MirrorEndpoint {
  /** `host[:port][/namespace]`, no scheme. */
  readonly location: string;
  /** Plain http, or TLS that is not verified. */
  readonly insecure: boolean;
  /** `all`, `digest-only` or `tag-only`; null: not set. */
  readonly pullFromMirror: string | null;
}

/** One `[[registry]]` table, normalised as containers/image does (prefix defaults to location, no trailing slash). */
export interface RegistryEntry {
  readonly prefix: string;
  readonly location: string;
  readonly insecure: boolean;
  readonly blocked: boolean;
  readonly mirrorByDigestOnly: boolean;
  readonly mirrors: readonly MirrorEndpoint[];
}

/**
 * v2: `[[registry]]` tables or other v2 keys; v1: the deprecated `[registries.search|insecure|block]`;
 * mixed: both (containers/image refuses it); empty: neither (comments only); invalid: not readable.
 */
export type RegistriesFormat = 'v2' | 'v1' | 'mixed' | 'empty' | 'invalid';

/** One registries configuration file as a node has it. */
export interface RegistriesFile {
  readonly path: string;
  readonly format: RegistriesFormat;
  /** Why containers/image cannot read it (invalid TOML, a wrong type, a URL scheme...); null when it can. */
  readonly error: string | null;
  /** Its registry tables, one per prefix (the first of a prefix), in file order. */
  readonly entries: readonly RegistryEntry[];
}

/** The top-level keys of the v2 format (containers/image V2RegistriesConf). */
const V2_KEYS = ['registry', 'unqualified-search-registries', 'credential-helpers', 'short-name-mode', 'additional-layer-store-auth-helper', 'aliases'];
const PULL_FROM_MIRROR = ['all', 'digest-only', 'tag-only'];

class Unreadable extends Error {}

/** A location or prefix as containers/image keeps it: trailing slashes dropped, no URL scheme allowed. */
function location(value: unknown, what: string): string {
  if (value === undefined) return '';
  if (typeof value !== 'string') throw new Unreadable(`${what} must be a string`);
  const trimmed = value.replace(/\/+$/, '');
  if (/^https?:\/\//.test(trimmed)) throw new Unreadable(`${what} ${JSON.stringify(value)} has a URL scheme, which containers/image does not accept (plain http is insecure = true)`);
  return trimmed;
}

function flag(table: TomlTable, key: string, where: string): boolean {
  const value = table[key];
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new Unreadable(`${where} ${key} must be true or false`);
  return value;
}

function tables(value: unknown, what: string): TomlTable[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every(isTable)) throw new Unreadable(`${what} must be an array of tables ([[${what}]])`);
  return value as TomlTable[];
}

function mirror(table: TomlTable, where: string): MirrorEndpoint {
  const at = location(table['location'], `${where} location`);
  if (at === '') throw new Unreadable(`${where} has no location`);
  const pull = table['pull-from-mirror'];
  if (pull !== undefined && (typeof pull !== 'string' || !PULL_FROM_MIRROR.includes(pull))) {
    throw new Unreadable(`${where} pull-from-mirror must be one of ${PULL_FROM_MIRROR.join(', ')}`);
  }
  return { location: at, insecure: flag(table, 'insecure', where), pullFromMirror: pull ?? null };
}

function entry(table: TomlTable, index: number): RegistryEntry {
  const where = `[[registry]] #${index + 1}`;
  const at = location(table['location'], `${where} location`);
  const prefix = location(table['prefix'], `${where} prefix`) || at;
  if (prefix === '') throw new Unreadable(`${where} has neither prefix nor location`);
  if (at === '' && !prefix.startsWith('*.')) throw new Unreadable(`${where} has no location and its prefix is not *.domain`);
  return {
    prefix,
    location: at,
    insecure: flag(table, 'insecure', where),
    blocked: flag(table, 'blocked', where),
    mirrorByDigestOnly: flag(table, 'mirror-by-digest-only', where),
    mirrors: tables(table['mirror'], `${where} mirror`).map((m, i) => mirror(m, `${where} [[registry.mirror]] #${i + 1}`)),
  };
}

/** Whether the file sets anything of the v1 format (as containers/image judges it: an empty list counts). */
function hasV1(data: TomlTable): boolean {
  const v1 = data['registries'];
  return isTable(v1) && ['search', 'insecure', 'block'].some((key) => isTable(v1[key]) && v1[key]['registries'] !== undefined);
}

/** Reads one registries configuration file (the main one or a drop-in). Never throws: a file that cannot be read says why. */
export function readRegistriesFile(path: string, text: string): RegistriesFile {
  const parsed = parseToml(text);
  if (!parsed.ok) return { path, format: 'invalid', error: `not valid TOML (${parsed.error})`, entries: [] };
  const data = parsed.data;
  const v1 = hasV1(data);
  const v2 = V2_KEYS.some((key) => data[key] !== undefined);
  const format: RegistriesFormat = v1 && v2 ? 'mixed' : v1 ? 'v1' : v2 ? 'v2' : 'empty';
  if (format === 'mixed') return { path, format, error: 'it mixes the v1 format ([registries.*]) and the v2 format ([[registry]]), which containers/image refuses', entries: [] };
  if (format !== 'v2') return { path, format, error: null, entries: [] };
  try {
    const seen = new Set<string>();
    const entries = tables(data['registry'], 'registry').map(entry).filter((e) => !seen.has(e.prefix) && seen.add(e.prefix));
    return { path, format, error: null, entries };
  } catch (error) {
    if (error instanceof Unreadable) return { path, format: 'invalid', error: error.message, entries: [] };
    throw error;
  }
}

/** The file name of a drop-in (`dir/name.conf` -> `name.conf`). */
export function fileName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Where each prefix's table comes from once the files are merged as containers/image merges them. */
export interface MergedEntry {
  readonly entry: RegistryEntry;
  /** The file whose table takes effect. */
  readonly file: string;
}

/**
 * The registry tables in effect after the main file and the drop-ins, in the order given (the main file
 * first, then the drop-ins by name): a later file's table replaces an earlier one of the same prefix.
 */
export function mergeRegistries(files: readonly RegistriesFile[]): Map<string, MergedEntry> {
  const merged = new Map<string, MergedEntry>();
  for (const file of files) for (const entry of file.entries) merged.set(entry.prefix, { entry, file: file.path });
  return merged;
}

const HEADER = '# Managed by dockhand: changes made here are replaced on the next apply.';

/** Whether a file's text is one of dockhand's drop-ins (its first line). */
export function isDockhandDropIn(text: string | null | undefined): boolean {
  return text?.startsWith(HEADER) === true;
}

/** The text of dockhand's drop-in for one registry: the whole entry, since a drop-in replaces its prefix's table. */
export function renderDropIn(entry: RegistryEntry, comments: readonly string[] = []): string {
  const lines = [HEADER, ...comments.map((c) => `# ${c}`), '[[registry]]', `prefix = ${basicString(entry.prefix)}`, `location = ${basicString(entry.location)}`];
  if (entry.insecure) lines.push('insecure = true');
  if (entry.blocked) lines.push('blocked = true');
  if (entry.mirrorByDigestOnly) lines.push('mirror-by-digest-only = true');
  for (const m of entry.mirrors) {
    lines.push('', '[[registry.mirror]]', `location = ${basicString(m.location)}`);
    if (m.insecure) lines.push('insecure = true');
    if (m.pullFromMirror !== null) lines.push(`pull-from-mirror = ${basicString(m.pullFromMirror)}`);
  }
  return `${lines.join('\n')}\n`;
}
