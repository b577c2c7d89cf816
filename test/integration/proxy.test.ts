// Nodes behind a corporate proxy, and each node's own view of its registries, proven on the lab: a tinyproxy
// on the lab network that refuses the lab's registries; a Docker node and a containerd node whose units send
// everything to it (the administrator's http-proxy.conf drop-in, as Kubespray writes it); a Docker node with
// a firewall rule to each registry's port. Outcomes are what a user sees: pulls that fail, then work; the
// administrator's file untouched; the original NO_PROXY back after `state: absent`; a wrong CA refused on
// every node before anything is written; the firewalled registry named, with the reason, by check.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CriClient, unixSocket } from '../../src/cri/index.ts';
import { findNode, loadLab, nodeExec, readSecret, type LabNode } from '../lab/lab.ts';
import { proxyDropInPath, proxyNode, startLabProxy, type LabProxy } from '../lab/proxy.ts';
import { dockhand, reportHosts, said, type CliRun } from '../support/cli.ts';
import { scratchDir, writeInventory } from '../support/lab-files.ts';
import { resetNodes } from '../support/reset.ts';

const lab = loadLab();
const dockerNode = findNode('deb2', lab);
const containerdNode = findNode('ctrd1', lab);
const walled = findNode('deb3', lab);
const { http, https } = lab.registries;
const password = readSecret(https.passwordFile);
const image = (host: string) => `${host}/${lab.seededImage.repository}:${lab.seededImage.tags[0]}`;
const env = { LAB_USER: https.username, LAB_PASSWORD: password };
const dir = scratchDir('proxy');
const knownHosts = join(dir, 'known_hosts');
/** A registry only the proxy can resolve (it maps the name to the http registry): nodes reach it through the proxy alone. */
const OUTSIDE = 'outside.lab.local';
/** The administrator's NO_PROXY. */
const ADMIN_NO_PROXY = 'localhost,127.0.0.1,.svc';
const DOCKHAND_DROP_IN = { docker: '/etc/systemd/system/docker.service.d/zz-dockhand-no-proxy.conf', containerd: '/etc/systemd/system/containerd.service.d/zz-dockhand-no-proxy.conf' };

interface Reach {
  registry: string;
  outcome: string;
  detail: string;
  direct: { outcome: string; detail: string } | null;
  proxied: { runtime: string; proxy: string; result: { outcome: string; detail: string } }[];
  paths: { runtime: string; now: string; after: string }[];
  served: { subject: string; issuer: string; expires: string }[];
}
interface HostReport {
  name: string;
  status: string;
  changes: { resource: string; path: string; action: string }[];
  handlers: string[];
  verified: string[];
  blocked: string[];
  reach: Reach[];
  error: string | null;
}

async function must(node: LabNode, script: string): Promise<string> {
  const result = await nodeExec(node, ['sh', '-c', script]);
  if (result.exitCode !== 0) throw new Error(`${node.name}: ${script}\n=> exit ${result.exitCode}: ${result.output}`);
  return result.stdout;
}
const sha = (node: LabNode, paths: string) => must(node, `for f in ${paths}; do if [ -e "$f" ]; then sha256sum "$f"; else echo "absent $f"; fi; done`);

/** A playbook of the lab's registries; `ca` is the CA file for the https one, `extra` more play keys. */
function playbook(name: string, options: { ca?: string; state?: 'present' | 'absent'; extra?: string; verify?: boolean } = {}): string {
  const file = join(dir, `${name}.yml`);
  const state = options.state ?? 'present';
  const verify = options.verify !== false && state === 'present';
  writeFileSync(
    file,
    `- name: ${name}
  hosts: all
  registries:
    - host: ${http.host}
      ip: ${http.address}
      insecure: true
      state: ${state}
${verify ? `      verify: {image: ${image(http.host)}}\n` : ''}    - host: ${https.host}
      ip: ${https.address}
      ca: ${options.ca ?? https.caCertPath}
      state: ${state}
${verify ? `      verify: {image: ${image(https.host)}, username_env: LAB_USER, password_env: LAB_PASSWORD}\n` : ''}${options.extra ?? ''}`,
  );
  return file;
}

async function run(command: 'apply' | 'check', book: string, targets: readonly LabNode[], extra: string[] = []): Promise<{ run: CliRun; hosts: HostReport[] }> {
  const inventory = writeInventory(dir, lab, targets, `${targets.map((n) => n.name).join('-')}.ini`);
  const result = await dockhand([command, book, '-i', inventory, '--known-hosts', knownHosts, '--json', ...extra], env);
  return { run: result, hosts: reportHosts<HostReport>(result) };
}
const host = (hosts: HostReport[], node: LabNode) => hosts.find((h) => h.name === node.name)!;
const reachOf = (report: HostReport, registry: string) => report.reach.find((r) => r.registry === registry)!;

const cri = new CriClient({ connect: unixSocket(containerdNode.criSocket!), target: containerdNode.name, pullTimeoutMs: 60_000 });
async function criPull(ref: string, login = false): Promise<void> {
  await cri.pullImage(ref, login ? { auth: { username: https.username, password } } : {});
  await cri.removeImage(ref);
}
const dockerPull = (ref: string) => nodeExec(dockerNode, ['sh', '-c', `docker pull -q ${ref} && docker rmi ${ref} >/dev/null`]);
const noProxyOf = {
  docker: async () => (await must(dockerNode, "docker info --format '{{.NoProxy}}'")).trim(),
  containerd: async () => (await must(containerdNode, `tr '\\0' '\\n' < /proc/$(pidof containerd)/environ | sed -n 's/^NO_PROXY=//p'`)).trim(),
};

/** A valid CA that did not sign the registry's certificate (made once). */
let other: Promise<string> | undefined;
function otherCa(): Promise<string> {
  other ??= (async () => {
    const work = mkdtempSync(join(tmpdir(), 'dockhand-other-ca-'));
    const file = join(work, 'other-ca.crt');
    await execa('openssl', [
      'req', '-x509', '-new', '-nodes', '-newkey', 'rsa:2048', '-sha256', '-days', '3650', '-keyout', join(work, 'other-ca.key'), '-out', file,
      '-subj', '/O=elsewhere/CN=a CA that signed nothing here', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    return file;
  })();
  return other;
}

let proxy: LabProxy;
let adminDropIns: string;
const FIREWALL = [
  `OUTPUT -p tcp -d ${https.address} --dport 443 -j REJECT --reject-with tcp-reset`,
  `OUTPUT -p tcp -d ${http.address} --dport 80 -j DROP`,
];
const unwall = () => must(walled, FIREWALL.map((rule) => `while iptables -D ${rule} 2>/dev/null; do :; done`).join('; '));

describe('nodes behind a proxy that cannot reach the registries', () => {
  beforeAll(async () => {
    await resetNodes([dockerNode, containerdNode, walled]);
    proxy = await startLabProxy(lab, { refuse: [http.host, https.host, http.address, https.address], names: [{ host: OUTSIDE, address: http.address }] });
    await Promise.all([proxyNode(dockerNode, proxy, ADMIN_NO_PROXY), proxyNode(containerdNode, proxy, ADMIN_NO_PROXY)]);
    adminDropIns = (await sha(dockerNode, proxyDropInPath(dockerNode))) + (await sha(containerdNode, proxyDropInPath(containerdNode)));
  }, 600_000);

  afterAll(async () => {
    await cri.close();
    await unwall().catch(() => undefined);
    await proxy?.stop();
    await resetNodes([dockerNode, containerdNode, walled]);
  }, 600_000);

  it('before apply, pulls go to the proxy and fail; check shows the proxy in the way and that apply takes it out', async () => {
    const pulled = await dockerPull(image(https.host));
    expect(pulled.exitCode, pulled.output).not.toBe(0);
    expect(pulled.output).toMatch(/Filtered|Forbidden|403|proxy/i);
    await expect(criPull(image(https.host), true)).rejects.toThrow(/Filtered|403|Forbidden|proxy/i);

    const { run: check, hosts } = await run('check', playbook('before'), [dockerNode, containerdNode]);
    expect(check.exitCode, said(check)).toBe(3);
    for (const [node, runtime] of [[dockerNode, 'docker'], [containerdNode, 'containerd']] as const) {
      const report = host(hosts, node);
      expect(report.changes.map((c) => c.path), node.name).toContain(DOCKHAND_DROP_IN[runtime]);
      const seen = reachOf(report, https.host);
      expect(seen.paths, node.name).toEqual([{ runtime, now: 'proxy', after: 'direct' }]);
      expect(seen.proxied[0]?.result.outcome, node.name).toBe('proxy');
      expect(seen.proxied[0]?.proxy).toBe(proxy.url);
      expect(seen.outcome, node.name).toBe('reachable');
      expect(seen.served[0]?.subject).toContain(`CN=${https.host}`);
    }
  }, 300_000);

  it('apply: both nodes pull from both registries, straight; the administrator\'s drop-ins are byte-for-byte unchanged; a registry the proxy may reach still goes through it', async () => {
    const book = playbook('proxied', { extra: `  insecure_registries: [${OUTSIDE}]\n` });
    const { run: apply, hosts } = await run('apply', book, [dockerNode, containerdNode]);
    expect(apply.exitCode, said(apply)).toBe(0);
    for (const node of [dockerNode, containerdNode]) {
      expect(host(hosts, node), node.name).toMatchObject({ status: 'changed', verified: [image(http.host), image(https.host)] });
    }
    expect(host(hosts, dockerNode).handlers).toEqual(['update-trust', 'daemon-reload', 'restart-docker']);
    expect(host(hosts, containerdNode).handlers).toEqual(['update-trust', 'daemon-reload', 'restart-containerd']);
    expect((await sha(dockerNode, proxyDropInPath(dockerNode))) + (await sha(containerdNode, proxyDropInPath(containerdNode)))).toBe(adminDropIns);

    const composed = `${ADMIN_NO_PROXY},${http.host},${http.address},${https.host},${https.address}`;
    for (const [node, runtime] of [[dockerNode, 'docker'], [containerdNode, 'containerd']] as const) {
      const ours = await must(node, `cat ${DOCKHAND_DROP_IN[runtime]}`);
      expect(ours).toContain(`Environment="NO_PROXY=${composed}"`);
      expect(ours).toContain(`Environment="no_proxy=${composed}"`);
      expect(await noProxyOf[runtime]()).toBe(composed);
    }
    // pulls as a user makes them, after the run's own checks
    const pulled = await dockerPull(image(http.host));
    expect(pulled.exitCode, pulled.output).toBe(0);
    await criPull(image(http.host));
    // the registry the proxy may reach: the nodes cannot resolve its name, so only the proxy can have fetched it
    expect((await nodeExec(dockerNode, ['getent', 'hosts', OUTSIDE])).exitCode).not.toBe(0);
    const outside = await dockerPull(image(OUTSIDE));
    expect(outside.exitCode, outside.output).toBe(0);
    await criPull(image(OUTSIDE));
    expect(await proxy.log()).toContain(OUTSIDE);
  }, 600_000);

  it('a second apply changes and restarts nothing', async () => {
    const { run: again, hosts } = await run('apply', playbook('proxied', { extra: `  insecure_registries: [${OUTSIDE}]\n` }), [dockerNode, containerdNode]);
    expect(again.exitCode, said(again)).toBe(0);
    expect(hosts.map((h) => [h.name, h.status, h.changes.length, h.handlers.length])).toEqual([
      [dockerNode.name, 'ok', 0, 0],
      [containerdNode.name, 'ok', 0, 0],
    ]);
  }, 300_000);

  it('a play whose CA did not sign the registry\'s certificate is refused on every node before any file changes, whatever the node trusted before', async () => {
    const wrong = await otherCa();
    const nodes = [dockerNode, containerdNode, walled];
    const watched = '/etc/hosts /etc/docker/certs.d/*/ca.crt /etc/containerd/certs.d/*/* /usr/local/share/ca-certificates/dockhand/*/*';
    const before = await Promise.all(nodes.map((n) => sha(n, watched)));
    const { run: apply, hosts } = await run('apply', playbook('wrong-ca', { ca: wrong }), nodes);
    expect(apply.exitCode, said(apply)).toBe(2);
    for (const node of nodes) {
      const report = host(hosts, node);
      expect(report.status, node.name).toBe('failed');
      expect(report.changes, node.name).toEqual([]);
      expect(report.error, node.name).toMatch(/^nothing changed: /);
      expect(report.error, node.name).toContain(`${https.host} serves a certificate the play's CA does not accept: "O=dockhand lab, CN=${https.host}" issued by "O=dockhand lab, CN=dockhand lab CA ${lab.id}"`);
      expect(report.error, node.name).toContain('CN=a CA that signed nothing here');
    }
    expect(await Promise.all(nodes.map((n) => sha(n, watched)))).toEqual(before);
  }, 300_000);

  it('a bundle of the old and the new CA (the rotation path) goes in; the replaced system CA owes each runtime its restart; --metrics exports both CAs\' expiry and the served certificate\'s', async () => {
    const wrong = await otherCa();
    const bundle = join(dir, 'rotation-bundle.crt');
    writeFileSync(bundle, readFileSync(https.caCertPath, 'utf8') + readFileSync(wrong, 'utf8'));
    const metrics = join(dir, 'dockhand-proxy.prom');
    const { run: apply, hosts } = await run('apply', playbook('rotation', { ca: bundle, extra: `  insecure_registries: [${OUTSIDE}]\n` }), [dockerNode, containerdNode], ['--metrics', metrics]);
    expect(apply.exitCode, said(apply)).toBe(0);
    expect(host(hosts, dockerNode).handlers).toContain('restart-docker');
    expect(host(hosts, containerdNode).handlers).toContain('restart-containerd');
    for (const node of [dockerNode, containerdNode]) expect(host(hosts, node).verified, node.name).toContain(image(https.host));

    const families = parsePrometheusTextFormat(readFileSync(metrics, 'utf8'));
    const family = (name: string) => families.find((f) => f.name === name)?.metrics ?? [];
    const cas = family('dockhand_registry_ca_expiry_timestamp_seconds') as { labels: Record<string, string>; value: string }[];
    expect(cas.map((m) => [m.labels['registry'], m.labels['subject']])).toEqual([
      [https.host, `O=dockhand lab, CN=dockhand lab CA ${lab.id}`],
      [https.host, 'O=elsewhere, CN=a CA that signed nothing here'],
    ]);
    const served = family('dockhand_registry_certificate_expiry_timestamp_seconds') as { labels: Record<string, string>; value: string }[];
    expect(served.map((m) => [m.labels['node'], m.labels['registry']]).sort()).toEqual([[containerdNode.name, https.host], [dockerNode.name, https.host]].sort());
    for (const m of served) expect(Number(m.value)).toBeGreaterThan(Date.now() / 1000);
  }, 600_000);

  it('state: absent takes dockhand\'s NO_PROXY entries back out: the original NO_PROXY is back, on disk and in the running daemons', async () => {
    const { run: apply, hosts } = await run('apply', playbook('retire', { state: 'absent' }), [dockerNode, containerdNode]);
    expect(apply.exitCode, said(apply)).toBe(0);
    for (const [node, runtime] of [[dockerNode, 'docker'], [containerdNode, 'containerd']] as const) {
      expect(host(hosts, node).changes.map((c) => `${c.action} ${c.path}`), node.name).toContainEqual(`delete ${DOCKHAND_DROP_IN[runtime]}`);
      expect((await nodeExec(node, ['test', '-e', DOCKHAND_DROP_IN[runtime]])).exitCode).not.toBe(0);
      expect(await noProxyOf[runtime]()).toBe(ADMIN_NO_PROXY);
    }
    expect((await sha(dockerNode, proxyDropInPath(dockerNode))) + (await sha(containerdNode, proxyDropInPath(containerdNode)))).toBe(adminDropIns);
  }, 300_000);
});

describe('a node with a firewall rule to each registry', () => {
  beforeAll(async () => {
    await unwall();
    await must(walled, FIREWALL.map((rule) => `iptables -I ${rule}`).join(' && '));
  }, 120_000);
  afterAll(() => unwall(), 120_000);

  it('check names each unreachable registry with the reason (refused, timed out within the probe\'s bound) and changes nothing there', async () => {
    const before = await sha(walled, '/etc/hosts /etc/docker/certs.d/*/ca.crt /etc/systemd/system/docker.service.d/*');
    const { run: check, hosts } = await run('check', playbook('walled', { verify: false }), [walled]);
    expect(check.exitCode, said(check)).toBe(3);
    const report = host(hosts, walled);
    expect(reachOf(report, https.host)).toMatchObject({ outcome: 'refused', direct: { outcome: 'refused' } });
    expect(reachOf(report, http.host)).toMatchObject({ outcome: 'timed-out', detail: 'no answer within 3 s' });
    const text = await dockhand(['check', playbook('walled', { verify: false }), '-i', writeInventory(dir, lab, [walled], 'walled.ini'), '--known-hosts', knownHosts], env);
    expect(text.stdout).toContain(`reach ${https.host} (https, ${https.address}:443): refused`);
    expect(text.stdout).toContain(`reach ${http.host} (http, ${http.address}:80): timed out (no answer within 3 s)`);
    expect(await sha(walled, '/etc/hosts /etc/docker/certs.d/*/ca.crt /etc/systemd/system/docker.service.d/*')).toBe(before);
  }, 300_000);

  it('with reachability: require, apply leaves the node unchanged and says why', async () => {
    const before = await sha(walled, '/etc/hosts /etc/docker/certs.d/*/ca.crt /etc/systemd/system/docker.service.d/*');
    const { run: apply, hosts } = await run('apply', playbook('required', { verify: false, extra: '  reachability: require\n' }), [walled]);
    expect(apply.exitCode, said(apply)).toBe(3);
    const report = host(hosts, walled);
    expect(report.status).toBe('blocked');
    expect(report.blocked.join('\n')).toMatch(new RegExp(`cannot reach ${https.host.replaceAll('.', '\\.')} at .*: refused.*\\(reachability: require\\)`));
    expect(await sha(walled, '/etc/hosts /etc/docker/certs.d/*/ca.crt /etc/systemd/system/docker.service.d/*')).toBe(before);
  }, 300_000);
});
