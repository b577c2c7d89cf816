/**
 * Reads a playbook: YAML holding one play (a mapping) or a list of plays. Every problem found is
 * collected, located by line and document path, and thrown as one InputError.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { core } from 'zod';
import { InputError } from '../errors.ts';
import { parseCaBundle } from '../resources/ca-certificate.ts';
import { formatFileName, formatPath, formatValue, Locator, valueAt, type DocPath } from './locate.ts';
import { canonicalCidr, insecureKey, mirrorKey } from '../registry/name.ts';
import { checkPresentAndAbsent, LIST_ENTRY_KEYS, type ListEntry, type PlacedValue } from './list-entries.ts';
import { checkAcrossPlays, checkDuplicates, checkPins, spec, type IssueSink, type LoadedRegistry } from './registries.ts';
import { imageReferenceOf, readRegistryHost } from './registry-host.ts';
import { MIRROR_KEYS, PLAY_KEYS, PlaySchema, REGISTRY_KEYS, RegistrySchema, VERIFY_KEYS, type RawPlay, type RawRegistry } from './schema.ts';
import type { Play, PlayConflict, Playbook } from './types.ts';
import { isCidr } from './validate-values.ts';

/** One problem in a playbook: its line, where in the document (if anywhere), and what is wrong. */
export interface PlaybookIssue {
  readonly line: number | undefined;
  /** Readable document path, e.g. `plays[0].registries[1].ip`; undefined for file-level problems. */
  readonly path: string | undefined;
  readonly message: string;
}

/** Every problem found in a playbook, one per line of the message; `line` is the first one's. */
export class PlaybookError extends InputError {
  readonly issues: readonly PlaybookIssue[];

  constructor(file: string, issues: readonly PlaybookIssue[]) {
    const [first, ...rest] = issues;
    const detail = (issue: PlaybookIssue): string => (issue.path === undefined ? issue.message : `${issue.path}: ${issue.message}`);
    const others = rest.map((issue) => `\n${file}${issue.line === undefined ? '' : `:${issue.line}`}: ${detail(issue)}`);
    super('E_PLAYBOOK', file, first?.line, `${first === undefined ? 'invalid playbook' : detail(first)}${others.join('')}`);
    this.name = 'PlaybookError';
    this.issues = issues;
  }
}

export interface LoadPlaybookOptions {
  /** The time CA expiry is judged against (tests). */
  readonly now?: Date;
  /**
   * The runtimes a play may name: each name or alias -> the runtime's name (src/runtimes/index.ts). Given,
   * a name not in it is an error at its line and an alias reads as its runtime; not given, names are taken as written.
   */
  readonly runtimes?: ReadonlyMap<string, string>;
  /** CA files by absolute path, read from here instead of the disk (a playbook checked before it is written). */
  readonly files?: ReadonlyMap<string, Uint8Array>;
}

/** Loads and checks the playbook at `path`, CA files included (read relative to its directory). */
export async function loadPlaybook(path: string, options: LoadPlaybookOptions = {}): Promise<Playbook> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError('E_PLAYBOOK', path, undefined, readFailure(error, 'playbook'));
  }
  return parsePlaybook(text, path, options);
}

/** Checks playbook text; `file` names it in messages and anchors relative CA paths. */
export async function parsePlaybook(text: string, file: string, options: LoadPlaybookOptions = {}): Promise<Playbook> {
  const lineCounter = new LineCounter();
  // a byte order mark (some editors write one) is not part of the YAML: yaml misreads a list after it
  const doc = parseDocument(text.startsWith('\uFEFF') ? text.slice(1) : text, { lineCounter });
  if (doc.errors.length > 0) {
    throw new PlaybookError(
      file,
      doc.errors.map((error) => ({
        line: error.linePos?.[0].line,
        path: undefined,
        message: `invalid YAML: ${(error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}`,
      })),
    );
  }
  const locator = new Locator(doc, lineCounter);
  const root = doc.contents;
  const fail = (message: string): never => {
    throw new PlaybookError(file, [{ line: locator.line([]), path: undefined, message }]);
  };
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) {
    fail('the playbook is empty: expected a play (a mapping) or a list of plays');
  }
  if (!isMap(root) && !isSeq(root)) fail(`the top level must be a play (a mapping) or a list of plays, got ${describe(doc.toJS())}`);
  if (isSeq(root) && root.items.length === 0) fail('the playbook is an empty list: it holds no plays');

  const checker = new Checker(file, locator, options.now ?? new Date(), isSeq(root), options.runtimes, options.files);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    fail(`invalid YAML: ${(error as Error).message}`); // e.g. an alias expanding too far
  }
  const raws = Array.isArray(data) ? data : [data];
  const plays = await checker.check(raws);
  const issues = [...checker.issues].sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
  if (issues.length > 0 || plays === undefined) throw new PlaybookError(file, issues);
  return { file, plays, warnings: checker.warnings, conflicts: checker.conflicts };
}

class Checker {
  readonly issues: PlaybookIssue[] = [];
  readonly warnings: string[] = [];
  readonly conflicts: PlayConflict[] = [];
  readonly #file: string;
  readonly #locator: Locator;
  readonly #now: Date;
  readonly #list: boolean;
  readonly #caReads = new Map<string, Promise<Uint8Array>>();
  readonly #runtimes: ReadonlyMap<string, string> | undefined;

  constructor(
    file: string,
    locator: Locator,
    now: Date,
    list: boolean,
    runtimes: ReadonlyMap<string, string> | undefined,
    files: ReadonlyMap<string, Uint8Array> = new Map(),
  ) {
    this.#file = file;
    this.#locator = locator;
    this.#now = now;
    this.#list = list;
    this.#runtimes = runtimes;
    for (const [path, bytes] of files) this.#caReads.set(path, Promise.resolve(bytes));
  }

  /** A name in a play's `runtimes` that no runtime has is an issue at its index (whatever else is wrong with the play). */
  #checkRuntimeNames(base: DocPath, runtimes: unknown): void {
    const known = this.#runtimes;
    if (known === undefined || !Array.isArray(runtimes)) return;
    const names = [...new Set(known.values())].map((n) => JSON.stringify(n)).join(', ');
    runtimes.forEach((name: unknown, index) => {
      if (typeof name === 'string' && /^[a-z][a-z0-9-]*$/.test(name) && !known.has(name)) {
        this.#add([...base, 'runtimes', index], `${formatValue(name)} must be one of ${names}`);
      }
    });
  }

  /** The play's runtimes by their own names (an alias reads as its runtime). */
  #runtimeNames(runtimes: 'auto' | readonly string[] | undefined): 'auto' | string[] {
    if (runtimes === undefined || runtimes === 'auto') return 'auto';
    return [...new Set(runtimes.map((name) => this.#runtimes?.get(name) ?? name))];
  }

  /** Checks every play; the plays, or undefined when any could not be read at all. */
  async check(raws: readonly unknown[]): Promise<Play[] | undefined> {
    const sink: IssueSink = {
      add: (path, message) => this.#add(path, message),
      disagree: (path, other, message) => this.#disagree(path, other, message),
      playOf: (path) => this.#playOf(path),
      where: (path) => this.#where(path),
    };
    const plays: Play[] = [];
    const values: PlacedValue[] = [];
    const registriesByPlay: LoadedRegistry[][] = [];
    let complete = true;
    for (const [index, raw] of raws.entries()) {
      const base: DocPath = this.#list ? [index] : [];
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
        this.#add(base, `${formatValue(raw)} must be a play (a mapping with hosts and registries), got ${describe(raw)}`);
        complete = false;
        registriesByPlay.push([]);
        continue;
      }
      const result = PlaySchema.safeParse(raw);
      this.#checkRuntimeNames([...base], (raw as Record<string, unknown>)['runtimes']);
      if (!result.success) {
        complete = false;
        for (const issue of result.error.issues) this.#addZodIssue(base, raw, issue);
      }
      const registries = this.#usableRegistries(base, result.success ? result.data : raw);
      registriesByPlay.push(registries);
      checkDuplicates(registries, sink);
      values.push(...insecureValuesOf(registries));
      if (result.success) plays.push(this.#play(index, base, result.data, values));
    }
    await Promise.all(registriesByPlay.flat().map((registry) => this.#loadCa(registry)));
    checkAcrossPlays(registriesByPlay, sink);
    checkPins(registriesByPlay, sink);
    checkPresentAndAbsent(values, sink);
    return complete ? plays.map((play, i) => ({ ...play, registries: registriesByPlay[i]!.map((r) => spec(r)) })) : undefined;
  }

  /**
   * Every registry entry, with the fields that are valid on their own, so the later checks (CA
   * files, duplicates) still run on a play with other mistakes; `valid` says the entry is whole.
   */
  #usableRegistries(base: DocPath, play: RawPlay | object): LoadedRegistry[] {
    const list = (play as { registries?: unknown }).registries;
    if (!Array.isArray(list)) return [];
    const usable: LoadedRegistry[] = [];
    list.forEach((item: unknown, index) => {
      const path = [...base, 'registries', index];
      const parsed = RegistrySchema.safeParse(item);
      if (parsed.success) {
        usable.push({ index, raw: this.#pasted(path, parsed.data), path, valid: true, mirrorCas: new Map() });
        return;
      }
      if (item === null || typeof item !== 'object' || Array.isArray(item)) return;
      const field = <K extends keyof RawRegistry>(key: K): RawRegistry[K] | undefined => {
        const result = RegistrySchema.shape[key].safeParse((item as Record<string, unknown>)[key]);
        return result.success ? (result.data as RawRegistry[K]) : undefined;
      };
      const given = field('host');
      const host = given === undefined ? undefined : this.#pasted(path, { host: given, verify: undefined }, false).host;
      const state = field('state');
      const ca = field('ca');
      if (host === undefined && ca === undefined) return;
      usable.push({ index, raw: { host: host ?? '', ip: field('ip'), insecure: field('insecure'), ca, state, verify: undefined }, path, valid: false, hostValid: host !== undefined, mirrorCas: new Map() });
    });
    return usable;
  }

  /**
   * A registry entry as image references name it: a host pasted as a URL (`https://harbor.example.com/`)
   * or with a trailing slash is read as the bare host, and a warning says so; `http://` means
   * `insecure: true` unless the entry sets `insecure`. A `verify.image` pasted with `https://` loses it.
   */
  #pasted<R extends Pick<RawRegistry, 'host' | 'verify'> & { insecure?: boolean | null | undefined }>(path: DocPath, raw: R, warn = true): R {
    const reading = readRegistryHost(raw.host);
    let result = raw;
    if ('host' in reading && reading.rewritten) {
      const insecure = reading.scheme === 'http' && (raw.insecure === undefined || raw.insecure === null);
      if (warn) {
        const note = insecure ? ', insecure: true (plain http)' : reading.scheme === 'http' ? ' (http://, but the entry sets insecure: false)' : '';
        this.#warn([...path, 'host'], `${formatValue(raw.host)} read as ${reading.host}${note}`);
      }
      result = { ...result, host: reading.host, ...(insecure ? { insecure: true } : {}) };
    }
    const image = raw.verify?.image;
    if (raw.verify && image !== undefined && imageReferenceOf(image) !== image) {
      if (warn) this.#warn([...path, 'verify', 'image'], `${formatValue(image)} read as ${imageReferenceOf(image)}`);
      result = { ...result, verify: { ...raw.verify, image: imageReferenceOf(image) } };
    }
    return result;
  }

  /** The play without its registries, which are added once their CA files are read; its list values go to `values`. */
  #play(index: number, base: DocPath, raw: RawPlay, values: PlacedValue[]): Play {
    const insecure = (raw.insecure_registries ?? []).map((entry, i) => this.#insecureEntry([...base, 'insecure_registries', i], entry));
    const mirrors = raw.registry_mirrors ?? [];
    insecure.forEach((entry, i) => values.push(placed(entry, insecureKey(entry.value), [...base, 'insecure_registries', i])));
    mirrors.forEach((entry, i) => values.push(placed(entry, `mirror ${mirrorKey(entry.value)}`, [...base, 'registry_mirrors', i])));
    const having = (entries: readonly ListEntry[], state: ListEntry['state']) => entries.filter((e) => e.state === state).map((e) => e.value);
    return {
      name: raw.name ?? `play ${index + 1}`,
      hosts: raw.hosts ?? 'all',
      registries: [],
      insecureRegistries: having(insecure, 'present'),
      registryMirrors: having(mirrors, 'present'),
      absentInsecureRegistries: having(insecure, 'absent'),
      absentRegistryMirrors: having(mirrors, 'absent'),
      dockerConfig: raw.docker_config ?? 'auto',
      runtimes: this.#runtimeNames(raw.runtimes),
      restart: raw.restart ?? 'if-idle',
      liveRestore: raw.live_restore ?? 'keep',
      reachability: raw.reachability ?? 'report',
      ...(raw.serial === undefined ? {} : { serial: raw.serial }),
      ...(raw.max_fail_percentage === undefined ? {} : { maxFailPercentage: raw.max_fail_percentage }),
      ...(raw.start_timeout === undefined ? {} : { startTimeout: raw.start_timeout }),
      source: { file: this.#file, index, line: this.#locator.line(base) },
    };
  }

  /**
   * A CIDR block as dockerd keeps it (masked to its network, canonical): `192.168.1.1/24` is
   * `192.168.1.0/24` in `docker info`, so that is what dockhand writes, with a warning.
   */
  #insecureEntry(path: DocPath, entry: ListEntry): ListEntry {
    if (!isCidr(entry.value)) return entry;
    const network = canonicalCidr(entry.value);
    if (network === entry.value) return entry;
    this.#warn(path, `${formatValue(entry.value)} read as ${network}, the network dockerd keeps for it (host bits cleared)`);
    return { ...entry, value: network };
  }

  async #loadCa(registry: LoadedRegistry): Promise<void> {
    if ((registry.raw.state ?? 'present') === 'absent') return;
    const given = registry.raw.ca;
    const mirrors = registry.raw.mirrors ?? [];
    await Promise.all([
      given === undefined || given === null
        ? undefined
        : this.#readCa([...registry.path, 'ca'], given).then((ca) => {
            if (ca === undefined) registry.caFailed = true;
            else registry.ca = ca;
          }),
      ...mirrors.map(async (mirror, index) => {
        if (typeof mirror === 'string' || mirror.ca === undefined || mirror.ca === null) return;
        const ca = await this.#readCa([...registry.path, 'mirrors', index, 'ca'], mirror.ca);
        if (ca !== undefined) registry.mirrorCas.set(index, ca);
      }),
    ]);
  }

  /** Reads and checks one CA file named at `path`; undefined (and an issue) when it cannot be used. */
  async #readCa(path: DocPath, given: string): Promise<{ file: string; pem: string } | undefined> {
    const absolute =
      given === '~' ? homedir()
      : given.startsWith('~/') ? join(homedir(), given.slice(2))
      : resolve(dirname(resolve(this.#file)), given);
    const shown = formatFileName(given);
    let bytes: Uint8Array;
    try {
      let read = this.#caReads.get(absolute);
      if (read === undefined) {
        read = readFile(absolute);
        this.#caReads.set(absolute, read);
      }
      bytes = await read;
    } catch (error) {
      this.#add(path, `${shown}: ${readFailure(error, 'CA file')} (${formatFileName(absolute)})`);
      return undefined;
    }
    try {
      const bundle = parseCaBundle(bytes, this.#now);
      for (const soon of bundle.expiringSoon) this.#warn(path, `${shown}: "${soon.subject}" expires on ${soon.validTo}`);
      return { file: absolute, pem: bundle.pem };
    } catch (error) {
      this.#add(path, `${shown}: ${(error as Error).message}`);
      return undefined;
    }
  }

  #addZodIssue(base: DocPath, raw: object, issue: core.$ZodIssue): void {
    const path = issue.path as PropertyKey[];
    if (issue.code === 'unrecognized_keys') {
      const parent = path[path.length - 1];
      const allowed = path.length === 0 ? PLAY_KEYS
        : parent === 'verify' ? VERIFY_KEYS
        : path[path.length - 2] === 'mirrors' ? MIRROR_KEYS
        : path[path.length - 2] === 'insecure_registries' || path[path.length - 2] === 'registry_mirrors' ? LIST_ENTRY_KEYS
        : REGISTRY_KEYS;
      for (const key of issue.keys) {
        const value = valueAt(raw, [...path, key]);
        this.#add([...base, ...path, key], `unknown key, with value ${formatValue(value)}; expected one of ${allowed.join(', ')}`);
      }
      return;
    }
    const value = valueAt(raw, path);
    const at = [...base, ...path];
    if (value === undefined && issue.code !== 'custom') return this.#add(at, 'is required');
    const shown = value === undefined ? '' : `${formatValue(value)} `;
    switch (issue.code) {
      case 'invalid_type':
        return this.#add(at, `${shown}must be ${expected(issue.expected)}, got ${describe(value)}`);
      case 'invalid_value':
        return this.#add(at, `${shown}must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`);
      case 'custom':
        if (path.length === 1 && path[0] === 'registries') {
          const why = value === undefined ? 'is required' : 'is empty';
          return this.#add(at, `${shown}${why}: a play needs at least one registry, unless it sets insecure_registries or registry_mirrors`);
        }
        return this.#add(at, `${shown}${issue.message}`);
      default:
        return this.#add(at, `${shown}is invalid: ${issue.message}`);
    }
  }

  #add(path: DocPath, message: string): void {
    this.issues.push({ line: this.#locator.line(path), path: this.#format(path), message });
  }

  /** In one play, an issue; in two, a conflict for the inventory to judge. */
  #disagree(path: DocPath, other: DocPath, message: string): void {
    const [earlier, later] = [this.#playOf(other), this.#playOf(path)];
    if (earlier === later) return this.#add(path, message);
    this.conflicts.push({ plays: [earlier, later], line: this.#locator.line(path), path: this.#format(path), message });
  }

  #playOf(path: DocPath): number {
    return this.#list && typeof path[0] === 'number' ? path[0] : 0;
  }

  #warn(path: DocPath, message: string): void {
    const line = this.#locator.line(path);
    this.warnings.push(`${this.#file}${line === undefined ? '' : `:${line}`}: ${this.#format(path)}: ${message}`);
  }

  #format(path: DocPath): string {
    return this.#list ? formatPath(path.slice(1), `plays[${String(path[0])}]`) : formatPath(path, '');
  }

  #where(path: DocPath): string {
    const line = this.#locator.line(path);
    return `${this.#format(path)}${line === undefined ? '' : ` (line ${line})`}`;
  }
}

/** What a registry entry implies for `--insecure-registry`: its host kept (insecure) or taken back (absent). */
function insecureValuesOf(registries: readonly LoadedRegistry[]): PlacedValue[] {
  return registries
    .filter((r) => r.valid && (r.raw.state === 'absent' || r.raw.insecure === true))
    .map((r) => ({ key: insecureKey(r.raw.host), value: r.raw.host, state: r.raw.state === 'absent' ? 'absent' : 'present', path: [...r.path, 'host'], fromRegistry: true }));
}

function placed(entry: ListEntry, key: string, path: DocPath): PlacedValue {
  return { key, value: entry.value, state: entry.state, path, fromRegistry: false };
}

function readFailure(error: unknown, what: string): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? `${what} not found`
    : code === 'EISDIR' ? `${what} is a directory; give the file`
    : code === 'EACCES' ? `${what} is not readable (permission denied)`
    : `cannot read ${what}: ${(error as Error).message}`;
}

function expected(type: string): string {
  switch (type) {
    case 'string': return 'a string';
    case 'boolean': return 'true or false';
    case 'array': return 'a list';
    case 'object': return 'a mapping';
    case 'number': return 'a number';
    default: return type;
  }
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'boolean') return 'a boolean';
  return `a ${typeof value}`;
}
