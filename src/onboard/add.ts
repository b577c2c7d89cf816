/**
 * `dockhand registry add URL -p PLAYBOOK`: the registry's entry written into the playbook from what the
 * registry is (a probe): `insecure: true` only for plain http; its CA pinned (see ca-pin.ts) and saved
 * next to the playbook as HOST-ca.crt; the `/etc/hosts` pin only when asked (`--ip`) or when the name does
 * not resolve from here; `verify:` when an image is named. The result is read back by the playbook loader
 * before anything is written; a second run with the same answers changes nothing.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { readFile, realpath, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError, RegistryError } from '../errors.ts';
import { parsePlaybook } from '../playbook/load.ts';
import { checkPastedImageReference, imageReferenceOf } from '../playbook/registry-host.ts';
import { checkIpAddress } from '../playbook/validate-values.ts';
import { writeFileAtomic } from '../report/atomic-file.ts';
import { waitForLock } from '../schedule/run-lock.ts';
import { stateDir } from '../schedule/state-dir.ts';
import { parseCaBundle } from '../resources/ca-certificate.ts';
import type { Ask } from './ask.ts';
import { chooseCa, describeCa, type CaChoice } from './ca-pin.ts';
import { PlaybookEditError, registryEntries, upsertRegistry, yamlProblem, type EntryValue } from './playbook-edit.ts';
import { probeRegistry, type Probe, type ProbeReport } from './probe.ts';
import type { RegistryTarget } from './target.ts';

export interface AddOptions {
  readonly playbook: string;
  readonly address?: string | undefined;
  readonly caFile?: string | undefined;
  /** 64 hex digits. */
  readonly caFingerprint?: string | undefined;
  readonly hosts?: string | undefined;
  readonly verify?: string | undefined;
  readonly usernameEnv?: string | undefined;
  readonly passwordEnv?: string | undefined;
  readonly timeoutMs: number;
  readonly ask: Ask;
  readonly now?: Date;
}

export interface AddResult {
  readonly registry: string;
  readonly scheme: 'http' | 'https';
  readonly harbor: boolean;
  readonly playbook: string;
  readonly action: 'created' | 'added' | 'updated' | 'unchanged';
  readonly places: readonly string[];
  /** The entry's keys as written (or found unchanged). */
  readonly entry: Readonly<Record<string, EntryValue>>;
  readonly ca:
    | { readonly file: string; readonly sha256: readonly string[]; readonly source: string; readonly how: string; readonly previous: readonly string[] | undefined; readonly summary: string }
    | undefined;
  readonly wrote: readonly string[];
  readonly notes: readonly string[];
}

const HEADER = '# Registries for dockhand (dockhand registry add wrote this file; edit it freely).\n';

/** The CA file dockhand keeps next to the playbook for a registry: `harbor.example.com_8443-ca.crt`. */
export function caFileName(registry: string): string {
  return `${registry.replace(/[[\]]/g, '').replaceAll(':', '_')}-ca.crt`;
}

function absoluteFrom(dir: string, path: string): string {
  return path === '~' ? homedir() : path.startsWith('~/') ? join(homedir(), path.slice(2)) : resolve(dir, path);
}

async function readIfThere(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The playbook's real path (a symlink is written through, not replaced) and its text, if it exists. */
async function openPlaybook(path: string): Promise<{ file: string; text: string | undefined; mode: number }> {
  let file = resolve(path);
  try {
    file = await realpath(file);
  } catch {
    // not there yet
  }
  let bytes: Buffer | undefined;
  try {
    bytes = await readIfThere(file);
  } catch (error) {
    throw new InputError('E_PLAYBOOK', path, undefined, `cannot read it: ${(error as Error).message}`);
  }
  if (bytes === undefined) return { file, text: undefined, mode: 0o644 };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new InputError('E_PLAYBOOK', path, undefined, 'it is not UTF-8 text: dockhand edits YAML in UTF-8 only; nothing written');
  }
  const invalid = yamlProblem(text);
  if (invalid !== undefined) throw new InputError('E_PLAYBOOK', path, invalid.line, `${invalid.message}: fix it first; nothing written`);
  return { file, text, mode: (await stat(file)).mode & 0o7777 };
}

/** The image `--verify` names, as a reference of this registry (`library/nginx:1` gets the registry in front). */
function verifyImage(given: string, registry: string): string {
  const image = imageReferenceOf(given.trim());
  const first = image.split('/')[0] ?? '';
  const named = image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('['));
  const full = named ? image : `${registry}/${image}`;
  if (!full.toLowerCase().startsWith(`${registry.toLowerCase()}/`)) {
    throw new InputError('E_USAGE', '--verify', undefined, `"${given}" is an image of ${first}, not of ${registry}`);
  }
  const reason = checkPastedImageReference(full);
  if (reason !== undefined) throw new InputError('E_USAGE', '--verify', undefined, `"${given}" ${reason}`);
  return full;
}

/** Probes, asking for an address where the name does not resolve and no pin exists. */
async function probeWithAddress(target: RegistryTarget, address: string | undefined, options: AddOptions): Promise<{ probe: Probe; address: string | undefined; asked: boolean }> {
  const caFile = options.caFile === undefined ? undefined : { name: options.caFile, bytes: await readCaFile(options.caFile) };
  const probe = await probeRegistry(target, { address, caFile, timeoutMs: options.timeoutMs, ...(options.now ? { now: options.now } : {}) });
  if (probe.report.verdict.kind !== 'not-resolved') return { probe, address, asked: false };
  const answer = await options.ask(`${target.name} does not resolve from this machine, so the nodes will need it pinned in /etc/hosts.\nIts address: `);
  if (answer === undefined || answer === '') {
    throw new RegistryError(`${target.name} does not resolve from this machine (${probe.report.resolution.error ?? 'no address'}): nodes will need its address pinned in /etc/hosts; give it with --ip ADDR; nothing written`);
  }
  const reason = checkIpAddress(answer);
  if (reason !== undefined) throw new InputError('E_USAGE', 'address', undefined, `"${answer}" ${reason}`);
  return { probe: await probeRegistry(target, { address: answer, caFile, timeoutMs: options.timeoutMs, ...(options.now ? { now: options.now } : {}) }), address: answer, asked: true };
}

async function readCaFile(file: string): Promise<Buffer> {
  try {
    const bytes = await readFile(file);
    parseCaBundle(bytes);
    return bytes;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError('E_USAGE', '--ca', undefined, `${file}: ${code === 'ENOENT' ? 'not found' : (error as Error).message}`);
  }
}

function refusalFor(report: ProbeReport): RegistryError {
  return new RegistryError(`${report.input}: ${report.verdict.said}; nothing written`);
}

/** Edits of one playbook wait for each other (two `registry add` at once both land); a stuck one is given up on after this. */
const EDIT_LOCK_WAIT_MS = 60_000;

/** The lock of one playbook's edits, in the state directory, named by the playbook's real path. */
function editLockFile(playbook: string): string {
  return join(stateDir(), 'locks', `${createHash('sha256').update(playbook).digest('hex').slice(0, 16)}.edit.lock`);
}

/** Writes (or updates) the registry's entry in the playbook; throws with what to do, having written nothing, when it cannot. */
export async function addRegistry(target: RegistryTarget, options: AddOptions): Promise<AddResult> {
  if (options.address !== undefined) {
    const reason = checkIpAddress(options.address);
    if (reason !== undefined) throw new InputError('E_USAGE', '--ip', undefined, `"${options.address}" ${reason}`);
  }
  const first = await openPlaybook(options.playbook);
  const named = [target.name, ...(target.port === undefined ? [] : [`${target.name}:${target.port}`])];
  const earlier = first.text === undefined ? [] : named.flatMap((host) => registryEntries(first.text!, host).map((e) => e.entry));
  const pinned = earlier.map((e) => e['ip']).find((ip): ip is string => typeof ip === 'string');
  const { probe, address, asked } = await probeWithAddress(target, options.address ?? pinned, options);
  const { report, endpoint } = probe;
  if (endpoint === undefined || report.registry === undefined) throw refusalFor(report);
  const registry = report.registry;
  const notes = [...report.notes];
  let verify: Record<string, string> | undefined;
  if (options.verify !== undefined) {
    verify = { image: verifyImage(options.verify, registry) };
    if (options.usernameEnv !== undefined && options.passwordEnv !== undefined) Object.assign(verify, { username_env: options.usernameEnv, password_env: options.passwordEnv });
  } else if (options.usernameEnv !== undefined || options.passwordEnv !== undefined) {
    throw new InputError('E_USAGE', '--username-env', undefined, 'a login for the pull check goes with --verify IMAGE');
  }
  let choice: CaChoice | undefined;
  if (endpoint.scheme === 'https') {
    const tls = report.endpoints.find((e) => e.url === report.verdict.url)?.tls;
    if (tls === undefined) throw refusalFor(report);
    if (report.verdict.problems.length > 0) throw new RegistryError(`${report.verdict.url ?? registry}: ${report.verdict.problems.join('; ')}; nothing written`);
    // asked before the playbook is locked: a person at a terminal may take their time
    choice = await chooseCa(report, tls, { fingerprint: options.caFingerprint, file: options.caFile !== undefined, ask: options.ask });
    if (choice.kind === 'system') notes.push(`this machine's trust store accepts ${registry}'s certificate: no ca: written (nodes need the same CA in theirs)`);
  }

  const release = await waitForLock(editLockFile(first.file), EDIT_LOCK_WAIT_MS);
  if (release === undefined) throw new RegistryError(`another dockhand has been editing ${options.playbook} for ${EDIT_LOCK_WAIT_MS / 1000} s: nothing written; run again when it is done`);
  try {
    // read again under the lock: another edit may have landed while the registry was probed
    const book = await openPlaybook(options.playbook);
    const dir = dirname(book.file);
    const entries = book.text === undefined ? [] : registryEntries(book.text, registry).map((e) => e.entry);
    const set: [string, EntryValue][] = [['host', registry]];
    const remove: string[] = ['state'];
    // the pin: asked for (--ip, or at the terminal), or the name's pin in the playbook where it does not resolve here
    const unresolved = !report.resolution.literal && report.resolution.addresses.length === 0;
    const ipToPin = options.address ?? (asked ? address : undefined) ?? (unresolved && entries.every((e) => e['ip'] === undefined) ? pinned : undefined);
    if (ipToPin !== undefined) set.push(['ip', ipToPin]);

    let ca: AddResult['ca'];
    const files = new Map<string, Uint8Array>();
    if (endpoint.scheme === 'http') {
      set.push(['insecure', true]);
      remove.push('ca');
    } else {
      remove.push('insecure');
      if (choice?.kind === 'pinned') {
        const wanted = choice.candidate.certificates.map((c) => c.sha256);
        const current = await currentCa(entries, dir);
        const summary = describeCa(choice.candidate);
        if (current !== undefined && sameSet(current.sha256, wanted)) {
          ca = { file: current.file, sha256: wanted, source: choice.candidate.source, how: choice.how, previous: undefined, summary };
        } else {
          const file = join(dir, caFileName(registry));
          const before = await readIfThere(file);
          if (before === undefined || before.toString('utf8') !== choice.candidate.pem) files.set(file, Buffer.from(choice.candidate.pem));
          set.push(['ca', basename(file)]);
          ca = { file, sha256: wanted, source: choice.candidate.source, how: choice.how, previous: current?.sha256, summary };
        }
      }
    }
    if (verify !== undefined) set.push(['verify', verify]);

    let edited;
    try {
      edited = upsertRegistry(book.text, { host: registry, set, remove, hosts: options.hosts, playName: `Trust ${registry}` }, HEADER);
    } catch (error) {
      if (error instanceof PlaybookEditError) throw new InputError('E_PLAYBOOK', options.playbook, undefined, `cannot add ${registry}: ${error.message}; nothing written`);
      throw error;
    }
    // read back as `apply` will read it, the new CA file included, before anything is written
    await parsePlaybook(edited.text, book.file, { files, ...(options.now ? { now: options.now } : {}) });
    const wrote: string[] = [];
    for (const [file, bytes] of files) {
      await writeFileAtomic(file, Buffer.from(bytes).toString('utf8'), 0o644);
      wrote.push(file);
    }
    if (edited.text !== book.text) {
      await writeFileAtomic(book.file, edited.text, book.mode);
      wrote.push(book.file);
    }
    return {
      registry,
      scheme: endpoint.scheme,
      harbor: report.harbor?.detected === true,
      playbook: book.file,
      action: edited.action === 'unchanged' && wrote.length > 0 ? 'updated' : edited.action,
      places: edited.places,
      entry: Object.fromEntries(set) as Record<string, EntryValue>,
      ca,
      wrote,
      notes,
    };
  } finally {
    release();
  }
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/** The CA an existing entry pins (its file's fingerprints), when it pins one that reads. */
async function currentCa(entries: readonly Record<string, unknown>[], dir: string): Promise<{ file: string; sha256: string[] } | undefined> {
  const given = entries.map((e) => e['ca']).find((c): c is string => typeof c === 'string' && c !== '');
  if (given === undefined) return undefined;
  const file = absoluteFrom(dir, given);
  try {
    const bundle = parseCaBundle(await readFile(file));
    return { file, sha256: bundle.certificates.map((pem) => new X509Certificate(pem).fingerprint256) };
  } catch {
    return { file, sha256: [] };
  }
}
