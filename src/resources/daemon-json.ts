/**
 * /etc/docker/daemon.json as the registry mechanism: `insecure-registries` and `registry-mirrors`
 * merged in, every other key kept (order included). Both keys are reloadable (SIGHUP): no restart.
 */
export const DAEMON_JSON_PATH = '/etc/docker/daemon.json';
export const INSECURE_KEY = 'insecure-registries';
export const MIRRORS_KEY = 'registry-mirrors';

export interface DaemonJsonEdit {
  readonly insecureRegistries: readonly string[];
  readonly registryMirrors: readonly string[];
  /** Insecure registries to take out (registries now absent). */
  readonly retiredInsecureRegistries: readonly string[];
}

const mirrorKey = (url: string): string => url.replace(/\/+$/, '').toLowerCase();

function merged(current: unknown, add: readonly string[], remove: readonly string[], key: (v: string) => string): string[] {
  const existing = Array.isArray(current) ? current.filter((v): v is string => typeof v === 'string') : [];
  const gone = new Set(remove.map(key));
  const kept = existing.filter((v) => !gone.has(key(v)));
  const have = new Set(kept.map(key));
  return [...kept, ...add.filter((v) => !have.has(key(v)))];
}

/**
 * The new daemon.json text, or `current` itself when nothing changes. Throws when the current
 * text is not a JSON object (dockerd would not start with it either).
 */
export function editDaemonJson(current: string | null, edit: DaemonJsonEdit): string | null {
  let config: Record<string, unknown> = {};
  if (current !== null && current.trim() !== '') {
    const parsed: unknown = JSON.parse(current);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('daemon.json is not a JSON object');
    config = parsed as Record<string, unknown>;
  }
  const next = { ...config };
  const insecure = merged(config[INSECURE_KEY], edit.insecureRegistries, edit.retiredInsecureRegistries, (v) => v.toLowerCase());
  const mirrors = merged(config[MIRRORS_KEY], edit.registryMirrors, [], mirrorKey);
  const same = (a: unknown, b: string[]) => JSON.stringify(Array.isArray(a) ? a : []) === JSON.stringify(b);
  if (same(config[INSECURE_KEY], insecure) && same(config[MIRRORS_KEY], mirrors)) return current;
  if (insecure.length > 0 || INSECURE_KEY in config) next[INSECURE_KEY] = insecure;
  if (mirrors.length > 0 || MIRRORS_KEY in config) next[MIRRORS_KEY] = mirrors;
  return `${JSON.stringify(next, null, 2)}\n`;
}
