// A corporate proxy for the lab: Debian's tinyproxy on the lab's network, refusing the hosts it is told to
// (`Filter` + `FilterDefaultDeny No`: a listed host gets 403, every other one goes through), and nodes whose
// runtime units send everything to it, as Kubespray's http-proxy.conf drop-ins do. Started by the tests
// that need it, labelled with the lab's id so `npm run lab:down` removes it with the lab.
import { GenericContainer } from 'testcontainers';
import { ensureProxyImage } from './images.ts';
import { containerExec, containerName } from './node.ts';
import type { Lab, LabNode } from './types.ts';
import { docker, LAB_LABEL, log, secs, sleep } from './util.ts';
import { VARIANTS } from './variants.ts';

export const PROXY_PORT = 8888;

export interface LabProxy {
  readonly address: string;
  readonly port: number;
  /** http://ADDRESS:PORT, as a runtime's HTTP_PROXY gives it */
  readonly url: string;
  readonly containerId: string;
  /** tinyproxy's log so far */
  log(): Promise<string>;
  stop(): Promise<void>;
}

export interface ProxyOptions {
  /** names and addresses the proxy refuses (403) */
  readonly refuse: readonly string[];
  /** names only the proxy resolves (its /etc/hosts): a registry nodes can reach through it alone */
  readonly names?: readonly { readonly host: string; readonly address: string }[];
}

class ProxyContainer extends GenericContainer {
  /** no DNS lookups leave the lab: the proxy resolves only what its /etc/hosts says */
  withNoOutsideDns(): this {
    this.hostConfig.Dns = ['127.0.0.1'];
    return this;
  }
}

function config(): string {
  return [
    'User tinyproxy',
    'Group tinyproxy',
    `Port ${PROXY_PORT}`,
    'Timeout 30',
    'LogFile "/var/log/tinyproxy/tinyproxy.log"',
    'LogLevel Info',
    'MaxClients 100',
    'Allow 0.0.0.0/0',
    'Filter "/etc/tinyproxy/filter"',
    'FilterDefaultDeny No',
    'FilterType ere',
    '',
  ].join('\n');
}

const anchored = (value: string) => `^${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;

/** Starts the proxy on the lab's network; it answers once it is started. */
export async function startLabProxy(lab: Lab, options: ProxyOptions): Promise<LabProxy> {
  const started = Date.now();
  const image = await ensureProxyImage();
  const container = await new ProxyContainer(image)
    .withNoOutsideDns()
    .withName(containerName(lab.id, 'proxy'))
    .withHostname('proxy')
    .withLabels({ [LAB_LABEL]: lab.id, 'dockhand.lab.role': 'proxy' })
    .withNetworkMode(lab.network.name)
    .withExtraHosts((options.names ?? []).map((n) => ({ host: n.host, ipAddress: n.address })))
    .withCopyContentToContainer([
      { content: config(), target: '/etc/tinyproxy/lab.conf', mode: 0o644 },
      { content: `${options.refuse.map(anchored).join('\n')}\n`, target: '/etc/tinyproxy/filter', mode: 0o644 },
    ])
    .start();
  const address = container.getIpAddress(lab.network.name);
  const id = container.getId();
  // tinyproxy listens once it has read its configuration
  for (let i = 0; i < 100; i += 1) {
    const up = await containerExec(id, ['sh', '-c', `grep -q 'listening on' /var/log/tinyproxy/tinyproxy.log 2>/dev/null || grep -qi 'Accepting' /var/log/tinyproxy/tinyproxy.log 2>/dev/null`]);
    if (up.exitCode === 0) break;
    await sleep(100);
  }
  log(`proxy ${address}:${PROXY_PORT} up in ${secs(started)} (refusing ${options.refuse.join(', ')})`);
  return {
    address,
    port: PROXY_PORT,
    url: `http://${address}:${PROXY_PORT}`,
    containerId: id,
    log: async () => (await containerExec(id, ['cat', '/var/log/tinyproxy/tinyproxy.log'])).stdout,
    stop: async () => {
      await docker(['rm', '-f', '-v', id], { reject: false });
    },
  };
}

/** Where a node's administrator sets its runtime's proxy (Kubespray's file name). */
export function proxyDropInPath(node: Pick<LabNode, 'variant'>): string {
  const unit = VARIANTS[node.variant].runtime === 'docker' ? 'docker' : 'containerd';
  return `/etc/systemd/system/${unit}.service.d/http-proxy.conf`;
}

/** The administrator's drop-in: HTTP_PROXY and HTTPS_PROXY to the proxy, NO_PROXY as given. */
export function proxyDropIn(proxy: Pick<LabProxy, 'url'>, noProxy: string): string {
  return `[Service]\nEnvironment="HTTP_PROXY=${proxy.url}" "HTTPS_PROXY=${proxy.url}" "NO_PROXY=${noProxy}"\n`;
}

/** Puts a node's runtime behind the proxy: the drop-in, daemon-reload, a restart. */
export async function proxyNode(node: LabNode, proxy: Pick<LabProxy, 'url'>, noProxy: string): Promise<void> {
  const unit = VARIANTS[node.variant].runtime === 'docker' ? 'docker' : 'containerd';
  const path = proxyDropInPath(node);
  const script = `set -e
mkdir -p ${path.slice(0, path.lastIndexOf('/'))}
cat > ${path}
systemctl daemon-reload
systemctl reset-failed ${unit}.service
systemctl restart ${unit}.service
n=0; until systemctl is-active --quiet ${unit}.service; do n=$((n+1)); [ $n -ge 60 ] && exit 1; sleep 0.5; done`;
  const r = await containerExec(node.containerId, ['sh', '-c', script], proxyDropIn(proxy, noProxy));
  if (r.exitCode !== 0) throw new Error(`${node.name}: putting ${unit} behind the proxy failed: ${r.output}`);
}
