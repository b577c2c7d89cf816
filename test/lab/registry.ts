// The lab's two registries (Debian's docker-registry = CNCF Distribution), one image, configured at start:
//   http:  plain http on :80, no auth          (harbor-http.lab.local)
//   https: TLS on :443 (lab CA), htpasswd login (harbor.lab.local)
import { GenericContainer } from 'testcontainers';
import { stringify } from 'yaml';
import { containerName, containerExec } from './node.ts';
import { registryRequest, type RegistryEndpoint } from './registry-client.ts';
import { docker, LAB_LABEL, log, secs, sleep } from './util.ts';

export const HTTP_REGISTRY_HOST = 'harbor-http.lab.local';
export const HTTPS_REGISTRY_HOST = 'harbor.lab.local';

class RegistryContainer extends GenericContainer {
  /** no DNS lookups leave the lab (the registry never needs any) */
  withNoOutsideDns(): this {
    this.hostConfig.Dns = ['127.0.0.1'];
    return this;
  }
}

function registryConfig(tls: boolean): string {
  return stringify({
    version: 0.1,
    log: { level: 'info', fields: { service: 'registry' } },
    storage: {
      cache: { blobdescriptor: 'inmemory' },
      filesystem: { rootdirectory: '/var/lib/docker-registry' },
      delete: { enabled: true },
    },
    http: {
      addr: tls ? ':443' : ':80',
      headers: { 'X-Content-Type-Options': ['nosniff'] },
      ...(tls ? { tls: { certificate: '/etc/docker/registry/server.crt', key: '/etc/docker/registry/server.key' } } : {}),
    },
    ...(tls ? { auth: { htpasswd: { realm: 'dockhand-lab', path: '/etc/docker/registry/htpasswd' } } } : {}),
  });
}

/** bcrypt htpasswd line, computed in a throwaway container (password on stdin, never in argv). */
async function htpasswdLine(image: string, username: string, password: string): Promise<string> {
  const r = await docker(['run', '--rm', '-i', '--network', 'none', image, 'htpasswd', '-niB', username], { input: password });
  const line = r.stdout.trim();
  if (!line.startsWith(`${username}:$2`)) throw new Error(`htpasswd gave an unexpected line: ${line.slice(0, 20)}...`);
  return `${line}\n`;
}

export interface StartedRegistry {
  host: string;
  address: string;
  port: number;
  containerId: string;
}

export interface RegistryStartOptions {
  labId: string;
  image: string;
  network: string;
}

async function startOne(o: RegistryStartOptions, kind: 'http' | 'https', files: { content: string; target: string; mode?: number }[]): Promise<StartedRegistry> {
  const host = kind === 'http' ? HTTP_REGISTRY_HOST : HTTPS_REGISTRY_HOST;
  const container = await new RegistryContainer(o.image)
    .withNoOutsideDns()
    .withName(containerName(o.labId, kind === 'http' ? 'harbor-http' : 'harbor'))
    .withHostname(kind === 'http' ? 'harbor-http' : 'harbor')
    .withLabels({ [LAB_LABEL]: o.labId, 'dockhand.lab.role': 'registry', 'dockhand.lab.registry': kind })
    .withNetworkMode(o.network)
    .withCopyContentToContainer([{ content: registryConfig(kind === 'https'), target: '/etc/docker/registry/config.yml', mode: 0o644 }, ...files])
    .start();
  return { host, address: container.getIpAddress(o.network), port: kind === 'http' ? 80 : 443, containerId: container.getId() };
}

/** Polls GET /v2/ until the registry answers (200, or 401 when it asks for a login). */
export async function waitRegistryReady(ep: RegistryEndpoint, containerId: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const r = await registryRequest(ep, 'GET', '/v2/', {}, undefined, 2000);
      if (r.status === 200 || r.status === 401) return;
      last = `HTTP ${r.status}`;
    } catch (err) {
      last = String(err);
    }
    await sleep(200);
  }
  const logs = await docker(['logs', '--tail', '40', containerId], { reject: false });
  const ps = await containerExec(containerId, ['ls', '-l', '/etc/docker/registry']);
  throw new Error(`registry ${ep.host} at ${ep.address}:${ep.port} not ready after ${timeoutMs / 1000}s (${last})\n` +
    `--- docker logs ---\n${logs.output}\n--- /etc/docker/registry ---\n${ps.output}`);
}

export async function startRegistries(
  o: RegistryStartOptions & { username: string; password: string; serverCert: string; serverKey: string; caCert: string },
): Promise<{ http: StartedRegistry; https: StartedRegistry }> {
  const started = Date.now();
  const htpasswd = await htpasswdLine(o.image, o.username, o.password);
  const [http, https] = await Promise.all([
    startOne(o, 'http', []),
    startOne(o, 'https', [
      { content: o.serverCert, target: '/etc/docker/registry/server.crt', mode: 0o644 },
      { content: o.serverKey, target: '/etc/docker/registry/server.key', mode: 0o600 },
      { content: htpasswd, target: '/etc/docker/registry/htpasswd', mode: 0o600 },
    ]),
  ]);
  await Promise.all([
    waitRegistryReady({ host: http.host, address: http.address, port: http.port }, http.containerId),
    waitRegistryReady({ host: https.host, address: https.address, port: https.port, ca: o.caCert }, https.containerId),
  ]);
  log(`registries ready in ${secs(started)}: ${http.host}=${http.address}:80, ${https.host}=${https.address}:443`);
  return { http, https };
}
