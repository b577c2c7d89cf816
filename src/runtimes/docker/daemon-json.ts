/**
 * /etc/docker/daemon.json: read once for facts, edited for the registry options. `insecure-registries`,
 * `registry-mirrors` and `live-restore` are merged in, every other byte kept (src/formats/json.ts). All
 * three are reloadable (SIGHUP): no restart.
 */
import type { DaemonJson } from './types.ts';
import { readJsonObject, setJsonPaths } from '../../formats/json.ts';
import { insecureKey, mirrorKey } from '../../registry/name.ts';

export const DAEMON_JSON_PATH = '/etc/docker/daemon.json';
export const INSECURE_KEY = 'insecure-registries';
export const MIRRORS_KEY = 'registry-mirrors';
export const LIVE_RESTORE_KEY = 'live-restore';
/** Docker 23 and later: `"proxies": {"http-proxy", "https-proxy", "no-proxy"}`, which override the unit's environment. */
export const PROXIES_KEY = 'proxies';
export const NO_PROXY_KEY = 'no-proxy';

/** daemon.json's `proxies`, each value a string or null; null when the file sets none of them. */
export function daemonJsonProxies(content: Record<string, unknown> | null): { http: string | null; https: string | null; no: string | null } | null {
  const proxies = content?.[PROXIES_KEY];
  if (proxies === null || typeof proxies !== 'object' || Array.isArray(proxies)) return null;
  const value = (key: string): string | null => {
    const v = (proxies as Record<string, unknown>)[key];
    return typeof v === 'string' && v !== '' ? v : null;
  };
  const found = { http: value('http-proxy'), https: value('https-proxy'), no: value(NO_PROXY_KEY) };
  return found.http === null && found.https === null && found.no === null ? null : found;
}

/** The daemon.json fact for the file's raw text, or for an absent file when `raw` is null. */
export function parseDaemonJson(raw: string | null): DaemonJson {
  if (raw === null) return { present: false, valid: true, error: null, keys: [], content: null, raw: null };
  const read = readJsonObject(raw);
  if (!read.ok) return { present: true, valid: false, error: read.error, keys: [], content: null, raw };
  return { present: true, valid: true, error: null, keys: Object.keys(read.value), content: read.value, raw };
}

export interface DaemonJsonEdit {
  readonly insecureRegistries: readonly string[];
  readonly registryMirrors: readonly string[];
  /** Insecure registries to take out (registries now absent, retired entries). */
  readonly retiredInsecureRegistries: readonly string[];
  /** Mirrors to take out. */
  readonly retiredRegistryMirrors?: readonly string[];
  /** Turn live-restore on. */
  readonly liveRestore?: boolean;
  /** The new `proxies.no-proxy`. */
  readonly noProxy?: string | undefined;
}

function merged(current: unknown, add: readonly string[], remove: readonly string[], key: (v: string) => string): string[] {
  const existing = Array.isArray(current) ? current.filter((v): v is string => typeof v === 'string') : [];
  const gone = new Set(remove.map(key));
  const kept = existing.filter((v) => !gone.has(key(v)));
  const have = new Set(kept.map(key));
  return [...kept, ...add.filter((v) => !have.has(key(v)))];
}

/**
 * The new daemon.json text, or `current` itself when nothing changes. Throws when the current text
 * is not a JSON object (dockerd would not start with it either): the planner reports that as a
 * blocker from the same reader, before it gets here.
 */
export function editDaemonJson(current: string | null, edit: DaemonJsonEdit): string | null {
  const read = readJsonObject(current ?? '');
  if (!read.ok) throw new Error(`daemon.json is not a JSON object: ${read.error}`);
  const config = read.value;
  const keys = new Map<string, unknown>();
  const paths: [string[], unknown][] = [];
  const insecure = merged(config[INSECURE_KEY], edit.insecureRegistries, edit.retiredInsecureRegistries, insecureKey);
  const mirrors = merged(config[MIRRORS_KEY], edit.registryMirrors, edit.retiredRegistryMirrors ?? [], mirrorKey);
  const same = (a: unknown, b: string[]) => JSON.stringify(Array.isArray(a) ? a : []) === JSON.stringify(b);
  if (!same(config[INSECURE_KEY], insecure) && (insecure.length > 0 || INSECURE_KEY in config)) keys.set(INSECURE_KEY, insecure);
  if (!same(config[MIRRORS_KEY], mirrors) && (mirrors.length > 0 || MIRRORS_KEY in config)) keys.set(MIRRORS_KEY, mirrors);
  if (edit.liveRestore === true && config[LIVE_RESTORE_KEY] !== true) keys.set(LIVE_RESTORE_KEY, true);
  const proxies = config[PROXIES_KEY];
  const noProxyNow = proxies !== null && typeof proxies === 'object' ? (proxies as Record<string, unknown>)[NO_PROXY_KEY] : undefined;
  if (edit.noProxy !== undefined && noProxyNow !== edit.noProxy) paths.push([[PROXIES_KEY, NO_PROXY_KEY], edit.noProxy]);
  if (keys.size === 0 && paths.length === 0) return current;
  return setJsonPaths(current, [...[...keys].map(([key, value]) => [[key], value] as const), ...paths]);
}
