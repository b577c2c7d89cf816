/**
 * k3s's and RKE2's `registries.yaml` (k3s-io/docs installation/private-registry.md; docs.rke2.io
 * install/private_registry): `mirrors.<registry>.endpoint` (URLs tried in order before the registry's
 * own https endpoint; `http://` for plain http) and `configs.<registry>.tls` (`ca_file`,
 * `insecure_skip_verify`; `auth` and the client certificate are never dockhand's). A quoted `"*"` entry
 * gives defaults to every registry without an entry of its own.
 *
 * An entry dockhand creates carries `# managed by dockhand` on its key's line: dockhand keeps such an
 * entry exactly as the plays want it and takes it out when they retire the registry. An entry someone
 * else wrote keeps everything: dockhand only adds the endpoints and TLS settings a play asks for, and
 * takes back nothing of it but a `ca_file` naming dockhand's own CA file of a retired registry.
 */
import { mirrorKey } from '../../registry/name.ts';
import { YamlEdit, YamlEditError, type Mark } from './yaml-edit.ts';

export { YamlEditError } from './yaml-edit.ts';

export const MANAGED_MARK = 'managed by dockhand';
const MARK: Mark = { depth: 1, comment: MANAGED_MARK };
const MARKED = /#\s*managed by dockhand\s*$/;

/** The TLS settings dockhand sets for one registry (or mirror host). */
export interface RegistryTls {
  readonly caFile?: string;
  readonly skipVerify?: boolean;
}

/** What the plays ask of registries.yaml, by the names k3s looks registries up by. */
export interface WantedRegistries {
  /** Registry -> the endpoints to try before its own (mirrors, then `http://HOST` for plain http). */
  readonly mirrors: ReadonlyMap<string, readonly string[]>;
  /** Registry or mirror host -> its TLS settings. */
  readonly configs: ReadonlyMap<string, RegistryTls>;
  /** The plays' registries: an entry dockhand made for one is kept exactly as wanted, and goes when none is. */
  readonly managed: ReadonlySet<string>;
  /** Registries the plays take back (`state: absent`): the entries dockhand made for them go. */
  readonly retired: ReadonlySet<string>;
  /** Endpoints to take out of a registry's list wherever they are (`registry_mirrors` with `state: absent`). */
  readonly retiredEndpoints: ReadonlyMap<string, readonly string[]>;
  /** The CA file dockhand writes for a registry: its own, wherever it is named. */
  readonly caFiles: ReadonlyMap<string, string>;
}

/** The edited text (unchanged when nothing is to do) and what the report should say about it. */
export interface RegistriesEdit {
  readonly text: string;
  readonly notes: readonly string[];
}

type Section = 'mirrors' | 'configs';

const sameEndpoints = (a: readonly unknown[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((item, i) => typeof item === 'string' && mirrorKey(item) === mirrorKey(b[i]!));

/** Edits `text` (null: no file yet) to what `wanted` asks; a file dockhand will not edit is a YamlEditError. */
export function editRegistriesYaml(text: string | null, file: string, wanted: WantedRegistries): RegistriesEdit {
  const yaml = new YamlEdit(text, file);
  const notes: string[] = [];
  const owned = (section: Section, host: string): boolean => MARKED.test(yaml.keyLine([section, host]) ?? '');
  const present = (section: Section, host: string): boolean => yaml.keyLine([section, host]) !== undefined;
  const shadowing = (section: Section, host: string): void => {
    if (present(section, '*')) notes.push(`${file}: ${section}."${host}" takes the place of the "*" defaults for ${host}`);
  };

  const mirrorHosts = new Set([...wanted.mirrors.keys(), ...wanted.managed, ...wanted.retired, ...wanted.retiredEndpoints.keys()]);
  for (const host of mirrorHosts) {
    const path = ['mirrors', host];
    const want = wanted.mirrors.get(host);
    const now = yaml.get([...path, 'endpoint']);
    const list = Array.isArray(now) ? (now as unknown[]) : [];
    if (want !== undefined && !present('mirrors', host)) {
      shadowing('mirrors', host);
      yaml.set(path, { endpoint: want }, MARK);
    } else if (want !== undefined && owned('mirrors', host)) {
      if (!sameEndpoints(list, want)) yaml.set([...path, 'endpoint'], want);
    } else if (want !== undefined) {
      const missing = want.filter((url) => !list.some((item) => typeof item === 'string' && mirrorKey(item) === mirrorKey(url)));
      if (missing.length > 0) {
        yaml.append([...path, 'endpoint'], missing);
        notes.push(`${file}: mirrors."${host}" was written by someone else: dockhand added ${missing.join(', ')} to its endpoints and kept the rest`);
      }
    } else if (owned('mirrors', host) && (wanted.retired.has(host) || wanted.managed.has(host))) {
      yaml.delete(path, 0);
    } else if (present('mirrors', host) && wanted.retired.has(host)) {
      notes.push(`${file}: left mirrors."${host}" as it is: dockhand did not write it`);
    }
    const retiredUrls = (wanted.retiredEndpoints.get(host) ?? []).map(mirrorKey);
    if (retiredUrls.length > 0 && present('mirrors', host)) {
      yaml.remove([...path, 'endpoint'], (item) => typeof item === 'string' && retiredUrls.includes(mirrorKey(item)) && !(want ?? []).some((url) => mirrorKey(url) === mirrorKey(item)));
    }
  }

  const configHosts = new Set([...wanted.configs.keys(), ...wanted.managed, ...wanted.retired]);
  for (const host of configHosts) {
    const path = ['configs', host];
    const tls = [...path, 'tls'];
    const want = wanted.configs.get(host);
    const mine = wanted.caFiles.get(host);
    if (want !== undefined && !present('configs', host)) {
      shadowing('configs', host);
      yaml.set(path, { tls: tlsValue(want) }, MARK);
    } else if (want !== undefined) {
      const isOwned = owned('configs', host);
      const caNow = yaml.get([...tls, 'ca_file']);
      if (want.caFile !== undefined && caNow !== want.caFile) {
        if (!isOwned && typeof caNow === 'string' && caNow !== '') notes.push(`${file}: configs."${host}".tls.ca_file named ${caNow}; the play's CA replaces it`);
        yaml.set([...tls, 'ca_file'], want.caFile);
      } else if (want.caFile === undefined && isOwned && caNow !== undefined) {
        yaml.delete([...tls, 'ca_file'], 2);
      }
      const skipNow = yaml.get([...tls, 'insecure_skip_verify']);
      if (want.skipVerify === true && skipNow !== true) yaml.set([...tls, 'insecure_skip_verify'], true);
      else if (want.skipVerify !== true && isOwned && skipNow !== undefined) yaml.delete([...tls, 'insecure_skip_verify'], 2);
      if (!isOwned && (want.caFile !== undefined || want.skipVerify === true)) notes.push(`${file}: configs."${host}" was written by someone else: dockhand set its TLS settings and kept the rest`);
    } else if (owned('configs', host) && (wanted.retired.has(host) || wanted.managed.has(host))) {
      yaml.delete(path, 0);
    } else if (present('configs', host) && wanted.retired.has(host)) {
      if (mine !== undefined && yaml.get([...tls, 'ca_file']) === mine) yaml.delete([...tls, 'ca_file'], 2);
      notes.push(`${file}: left configs."${host}" as it is${mine !== undefined && yaml.get([...tls, 'ca_file']) === undefined ? ' but for the ca_file of dockhand\'s CA' : ''}: dockhand did not write it`);
    }
  }
  return { text: yaml.result(), notes };
}

function tlsValue(tls: RegistryTls): { ca_file?: string; insecure_skip_verify?: boolean } {
  return { ...(tls.caFile === undefined ? {} : { ca_file: tls.caFile }), ...(tls.skipVerify === true ? { insecure_skip_verify: true } : {}) };
}

/** The registries a registries.yaml has an entry for (either section), `"*"` included. */
export function registriesIn(text: string | null, file: string): Set<string> {
  const yaml = new YamlEdit(text, file);
  return new Set([...yaml.keys(['mirrors']), ...yaml.keys(['configs'])]);
}

/** A YamlEditError as a blocker naming the file and line. */
export function refusal(file: string, error: unknown): string {
  if (!(error instanceof YamlEditError)) throw error;
  const where = error.line === undefined ? file : `${file}:${error.line}`;
  const message = error.message.startsWith(`${file} `) ? error.message.slice(file.length + 1) : error.message;
  return error.invalid
    ? `${where}: ${message}: fix it first (k3s and RKE2 do not start with a registries.yaml they cannot read)`
    : `${where}: ${message}: dockhand does not edit it this way; make the change by hand`;
}
