/** Parses `docker info --format '{{json .}}'` into the few fields dockhand uses. */

/** What the running daemon reports. */
export interface DockerInfo {
  readonly serverVersion: string;
  readonly liveRestore: boolean;
  readonly containersRunning: number;
  /** InsecureRegistryCIDRs, then the names of index configs with Secure=false. */
  readonly insecureRegistries: string[];
  readonly registryMirrors: string[];
}

/** The daemon's info, or null when the output is not JSON or the daemon could not be reached. */
export function parseDockerInfo(text: string | null): DockerInfo | null {
  if (text === null || text.trim() === '') return null;
  let json: unknown;
  try {
    json = JSON.parse(text.trim().split('\n')[0] ?? '');
  } catch {
    return null;
  }
  if (!isRecord(json)) return null;
  const errors = json['ServerErrors'];
  if ((Array.isArray(errors) && errors.length > 0) || typeof json['ServerVersion'] !== 'string' || json['ServerVersion'] === '') {
    return null;
  }
  const registry = isRecord(json['RegistryConfig']) ? json['RegistryConfig'] : {};
  const insecure = strings(registry['InsecureRegistryCIDRs']);
  const indexConfigs = isRecord(registry['IndexConfigs']) ? registry['IndexConfigs'] : {};
  for (const [name, config] of Object.entries(indexConfigs)) {
    if (isRecord(config) && config['Secure'] === false) insecure.push(typeof config['Name'] === 'string' ? config['Name'] : name);
  }
  return {
    serverVersion: json['ServerVersion'],
    liveRestore: json['LiveRestoreEnabled'] === true,
    containersRunning: typeof json['ContainersRunning'] === 'number' ? json['ContainersRunning'] : 0,
    insecureRegistries: [...new Set(insecure)],
    registryMirrors: strings(registry['Mirrors']),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
