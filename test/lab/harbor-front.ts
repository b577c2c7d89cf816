// The lab's Harbor stand-in (optional, LabSpec.harborFront): Debian's nginx-light in front of the https
// Distribution registry, answering as Harbor does (harbor-front.md says which responses and from where):
//   :80    308 to https
//   :443   its own certificate only; /api/v2.0/systeminfo/getcert serves the lab CA
//   :8443  certificate + CA (the chain's root); getcert answers 404 "cert not found"
//   :9443  a certificate of the same name that expired in 2021 (+ CA); getcert serves the lab CA
// Logins are checked by the registry behind (same user and password as harbor.lab.local).
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { GenericContainer } from 'testcontainers';
import { containerName } from './node.ts';
import { signServerCertificate, type LabPki } from './pki.ts';
import type { LabHarborFront } from './types.ts';
import { docker, LAB_LABEL, log, secs, sleep } from './util.ts';

export const HARBOR_FRONT_HOST = 'harbor-front.lab.local';
export const HARBOR_FRONT_PORTS = { http: 80, https: 443, noCert: 8443, expired: 9443 } as const;
/** The state files (in the lab's state directory) the stand-in's certificates are kept in. */
export const HARBOR_FRONT_FILES = [`${HARBOR_FRONT_HOST}.crt`, `${HARBOR_FRONT_HOST}.key`, `${HARBOR_FRONT_HOST}-expired.crt`, `${HARBOR_FRONT_HOST}-expired.key`];

const templateDir = path.join(import.meta.dirname, 'harbor-front');

class FrontContainer extends GenericContainer {
  /** no DNS lookups leave the lab (the stand-in proxies to an address) */
  withNoOutsideDns(): this {
    this.hostConfig.Dns = ['127.0.0.1'];
    return this;
  }
}

async function render(file: string, registry: { host: string; address: string }): Promise<string> {
  const text = await readFile(path.join(templateDir, file), 'utf8');
  return text.replaceAll('@@REGISTRY_HOST@@', registry.host).replaceAll('@@REGISTRY_ADDRESS@@', registry.address);
}

export interface HarborFrontStartOptions {
  labId: string;
  image: string;
  network: string;
  stateDir: string;
  pki: Pick<LabPki, 'caCertPath' | 'caKeyPath' | 'caCert'>;
  /** the https Distribution registry it stands in front of */
  registry: { host: string; address: string };
}

/** Signs the stand-in's certificates, starts it and waits until every port answers. */
export async function startHarborFront(o: HarborFrontStartOptions): Promise<LabHarborFront> {
  const started = Date.now();
  const [valid, expired] = await Promise.all([
    signServerCertificate(o.pki, o.stateDir, HARBOR_FRONT_HOST, HARBOR_FRONT_HOST, { days: 825 }),
    signServerCertificate(o.pki, o.stateDir, `${HARBOR_FRONT_HOST}-expired`, HARBOR_FRONT_HOST, { notBefore: '20200101000000Z', notAfter: '20210101000000Z' }),
  ]);
  const file = (content: string, target: string, mode = 0o644) => ({ content, target: `/etc/nginx/${target}`, mode });
  const container = await new FrontContainer(o.image)
    .withNoOutsideDns()
    .withName(containerName(o.labId, 'harbor-front'))
    .withHostname('harbor-front')
    .withLabels({ [LAB_LABEL]: o.labId, 'dockhand.lab.role': 'registry', 'dockhand.lab.registry': 'harbor-front' })
    .withNetworkMode(o.network)
    .withCopyContentToContainer([
      file(await render('nginx.conf', o.registry), 'nginx.conf'),
      file(await render('api.conf', o.registry), 'harbor/api.conf'),
      file(o.pki.caCert, 'harbor/ca.crt'),
      file(valid.cert, 'harbor/server.crt'),
      file(valid.cert + o.pki.caCert, 'harbor/server-chain.crt'),
      file(valid.key, 'harbor/server.key', 0o600),
      file(expired.cert + o.pki.caCert, 'harbor/expired-chain.crt'),
      file(expired.key, 'harbor/expired.key', 0o600),
    ])
    .start();
  const address = container.getIpAddress(o.network);
  await waitListening(container.getId(), address);
  log(`Harbor stand-in ready in ${secs(started)}: ${HARBOR_FRONT_HOST}=${address}:${Object.values(HARBOR_FRONT_PORTS).join(',')}`);
  return {
    host: HARBOR_FRONT_HOST,
    address,
    ports: { ...HARBOR_FRONT_PORTS },
    certPath: valid.certPath,
    expiredCertPath: expired.certPath,
    containerId: container.getId(),
  };
}

/** Waits until nginx accepts connections on every port. */
async function waitListening(containerId: string, address: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const closed = (await Promise.all(Object.values(HARBOR_FRONT_PORTS).map(async (port) => ((await accepts(address, port)) ? [] : [port])))).flat();
    if (closed.length === 0) return;
    last = `ports ${closed.join(', ')} closed`;
    await sleep(200);
  }
  const logs = await docker(['logs', '--tail', '40', containerId], { reject: false });
  throw new Error(`Harbor stand-in at ${address} not ready after ${timeoutMs / 1000}s (${last})\n--- docker logs ---\n${logs.output}`);
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 1000 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}
