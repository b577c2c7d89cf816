/** Reads what a running dockerd reports, as `docker_state` (src/runtimes/docker/node.sh) prints it. */

/** What the running daemon reports. */
export interface DockerInfo {
  readonly serverVersion: string;
  readonly liveRestore: boolean;
  readonly containersRunning: number;
  /** Insecure CIDR blocks, then the insecure registries' names. */
  readonly insecureRegistries: string[];
  readonly registryMirrors: string[];
  /** The proxy environment it runs with (dockerd masks credentials): '' where none. */
  readonly httpProxy: string;
  readonly httpsProxy: string;
  readonly noProxy: string;
}

/** A Go template prints a missing field as `<no value>`. */
const proxyValue = (value: string): string => (value === '<no value>' ? '' : value);

/** The daemon's state, or null when no daemon answered (no output, server errors, no version). */
export function parseDockerState(text: string | null): DockerInfo | null {
  if (text === null) return null;
  const items = text.split('\n').map((line) => {
    const space = line.indexOf(' ');
    return space < 0 ? { key: line.trim(), value: '' } : { key: line.slice(0, space), value: line.slice(space + 1).trim() };
  });
  const one = (key: string) => items.find((item) => item.key === key)?.value ?? '';
  const all = (key: string) => items.filter((item) => item.key === key && item.value !== '').map((item) => item.value);
  const version = one('version');
  if (version === '' || version === '<no value>' || (one('errors') !== '' && one('errors') !== '0')) return null;
  const running = Number(one('containers-running'));
  return {
    serverVersion: version,
    liveRestore: one('live-restore') === 'true',
    containersRunning: Number.isInteger(running) ? running : 0,
    insecureRegistries: [...new Set(all('insecure'))],
    registryMirrors: all('mirror'),
    httpProxy: proxyValue(one('http-proxy')),
    httpsProxy: proxyValue(one('https-proxy')),
    noProxy: proxyValue(one('no-proxy')),
  };
}
