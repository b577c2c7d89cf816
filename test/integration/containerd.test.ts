// dockhand on containerd nodes, proven the way kubelet sees it: a pull through each node's CRI (from this
// machine, on the node's own socket) works from both lab registries after apply; running containers
// survive; a second apply does nothing; check names the node that drifted; a containerd that refuses its
// new config.toml is rolled back byte-for-byte with its CRI serving; the containerd a Docker node runs
// is never restarted by a play about Docker.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CriClient, registryConfigPath, unixSocket } from '../../src/cri/index.ts';
import { containerdTaskPid, startContainerdTask } from '../lab/containerd-task.ts';
import { containerdNodes, oneOfEachVariant, dockerNodes, loadLab, nodeExec, readSecret, type LabNode } from '../lab/lab.ts';
import { dockhand, reportHosts, said, type CliRun } from '../support/cli.ts';
import { scratchDir, writeInventory } from '../support/lab-files.ts';
import { resetNodes } from '../support/reset.ts';

const lab = loadLab();
const nodes = oneOfEachVariant(containerdNodes(lab));
const dir = scratchDir('containerd');
const knownHosts = join(dir, 'known_hosts');
const { http, https } = lab.registries;
const password = readSecret(https.passwordFile);
const image = (host: string) => `${host}/${lab.seededImage.repository}:${lab.seededImage.tags[0]}`;

interface HostReport {
  name: string;
  status: string;
  runtimes: string[];
  changes: { resource: string; path: string }[];
  handlers: string[];
  verified: string[];
  error: string | null;
}

const sh = (node: LabNode, script: string, input?: string) => nodeExec(node, ['sh', '-c', script], input);

async function must(node: LabNode, script: string, input?: string): Promise<string> {
  const result = await sh(node, script, input);
  if (result.exitCode !== 0) throw new Error(`${node.name}: ${script}\n=> exit ${result.exitCode}: ${result.output}`);
  return result.stdout;
}

const book = join(dir, 'registries.yml');
writeFileSync(
  book,
  `- name: Trust the lab registries
  hosts: all
  registries:
    - host: ${http.host}
      ip: ${http.address}
      insecure: true
      verify: {image: ${image(http.host)}}
    - host: ${https.host}
      ip: ${https.address}
      ca: ${https.caCertPath}
      verify: {image: ${image(https.host)}, username_env: LAB_USER, password_env: LAB_PASSWORD}
`,
);
const env = { LAB_USER: https.username, LAB_PASSWORD: password };

async function run(command: 'apply' | 'check', targets: readonly LabNode[], extra: string[] = []): Promise<{ run: CliRun; hosts: HostReport[] }> {
  const inventory = writeInventory(dir, lab, targets, `${targets.map((n) => n.name).join('-')}.ini`);
  const result = await dockhand([command, book, '-i', inventory, '--known-hosts', knownHosts, '--json', ...extra], env);
  return { run: result, hosts: reportHosts<HostReport>(result) };
}

const clients = new Map<string, CriClient>();
function cri(node: LabNode): CriClient {
  let client = clients.get(node.name);
  if (client === undefined) {
    client = new CriClient({ connect: unixSocket(node.criSocket!), target: node.name, pullTimeoutMs: 60_000 });
    clients.set(node.name, client);
  }
  return client;
}

/** A pull through the node's CRI image service, as kubelet pulls; the image is removed again. */
async function criPull(node: LabNode, ref: string, login: boolean): Promise<void> {
  await cri(node).pullImage(ref, login ? { auth: { username: https.username, password } } : {});
  await cri(node).removeImage(ref);
}

const startedAt = async (node: LabNode, unit: string) => (await must(node, `systemctl show ${unit} -p ExecMainStartTimestampMonotonic --value`)).trim();
const snapshot = (node: LabNode) =>
  must(node, `sha256sum /etc/containerd/config.toml; stat -c '%a %U %G %n' /etc/containerd/config.toml; find /etc/containerd -type f | sort | xargs sha256sum`);

describe('containerd nodes converge, proven through the CRI', () => {
  beforeAll(() => resetNodes(nodes), 300_000);
  afterAll(async () => {
    for (const client of clients.values()) await client.close();
    await resetNodes(nodes);
  }, 300_000);

  it('before apply, a CRI pull from either registry fails on every containerd node', async () => {
    for (const node of nodes) {
      await expect(criPull(node, image(http.host), false), node.name).rejects.toThrow();
    }
  });

  it('apply makes a CRI pull from both registries work on every containerd node, and a container started before it still runs', async () => {
    const tasks = new Map(await Promise.all(nodes.map(async (n) => [n.name, await startContainerdTask(n)] as const)));
    const kubespray = nodes.find((n) => n.variant === 'kubespray')!;
    const quay = await must(kubespray, 'cat /etc/containerd/certs.d/quay.io/hosts.toml');

    const { run: result, hosts } = await run('apply', nodes);
    expect(result.exitCode, said(result)).toBe(0);
    for (const host of hosts) {
      expect(host, host.name).toMatchObject({ status: 'changed', runtimes: ['containerd'], verified: [image(http.host), image(https.host)] });
    }
    for (const node of nodes) {
      await criPull(node, image(http.host), false);
      await criPull(node, image(https.host), true);
      expect(registryConfigPath(await cri(node).status({ verbose: true })), node.name).toBe('/etc/containerd/certs.d');
      expect(await containerdTaskPid(node), `${node.name}: the task started before the run`).toBe(tasks.get(node.name));
    }
    // Kubespray's own hosts.toml for another registry survives
    expect(await must(kubespray, 'cat /etc/containerd/certs.d/quay.io/hosts.toml')).toBe(quay);
    // KubeKey's deprecated registry.mirrors/configs.tls are gone from config.toml; its auth stays
    const kubekey = nodes.find((n) => n.variant === 'kubekey')!;
    const config = await must(kubekey, 'cat /etc/containerd/config.toml');
    expect(config).not.toMatch(/registry\.mirrors\."/);
    expect(config).not.toMatch(/\.tls\]/);
    expect(config).toContain('config_path = "/etc/containerd/certs.d"');
  });

  it('a second apply changes and restarts nothing; check exits 0', async () => {
    const before = new Map(await Promise.all(nodes.map(async (n) => [n.name, await startedAt(n, 'containerd')] as const)));
    const again = await run('apply', nodes);
    expect(again.run.exitCode, said(again.run)).toBe(0);
    expect(again.hosts.map((h) => [h.name, h.status, h.changes.length, h.handlers.length])).toEqual(nodes.map((n) => [n.name, 'ok', 0, 0]));
    for (const node of nodes) expect(await startedAt(node, 'containerd'), node.name).toBe(before.get(node.name));
    const check = await run('check', nodes);
    expect(check.run.exitCode, said(check.run)).toBe(0);
  });

  it('a check asks a containerd it read before nothing (no containerd, ctr or crictl run), yet asks one restarted since', async () => {
    // every containerd, ctr and crictl run on the nodes, logged (the node scripts' PATH puts /usr/local/sbin first)
    const wrap = `for c in containerd ctr crictl; do
      real=$(PATH=/usr/sbin:/usr/bin:/sbin:/bin:/usr/local/bin command -v $c) || continue
      printf '%s\\n' '#!/bin/sh' "echo \\"$c \\$*\\" >> /run/probe-calls" "exec $real \\"\\$@\\"" > /usr/local/sbin/$c
      chmod 755 /usr/local/sbin/$c
    done`;
    const calls = async (node: LabNode) => (await sh(node, 'cat /run/probe-calls 2>/dev/null')).stdout.split('\n').filter(Boolean);
    const clear = () => Promise.all(nodes.map((n) => must(n, 'rm -f /run/probe-calls')));
    try {
      for (const node of nodes) await must(node, wrap);
      // the binaries asked are others now (the wrappers): the first check asks, and keeps
      const first = await run('check', nodes);
      expect(first.run.exitCode, said(first.run)).toBe(0);
      for (const node of nodes) expect((await calls(node)).length, node.name).toBeGreaterThan(0);
      await clear();
      const kept = await run('check', nodes);
      expect(kept.run.exitCode, said(kept.run)).toBe(0);
      for (const node of nodes) expect(await calls(node), node.name).toEqual([]);

      // a restarted containerd is another process: asked again, and still ok
      const node = nodes[0]!;
      await must(node, 'systemctl restart containerd');
      await expect.poll(() => cri(node).version().then(() => true, () => false), { timeout: 30_000, interval: 250 }).toBe(true);
      const after = await run('check', nodes);
      expect(after.run.exitCode, said(after.run)).toBe(0);
      expect((await calls(node)).map((c) => c.split(' ').slice(0, 2).join(' ')), node.name).toEqual(expect.arrayContaining(['containerd --version', 'ctr plugins']));
      for (const other of nodes.slice(1)) expect(await calls(other), other.name).toEqual([]);

      // an apply that restarts containerd keeps what its verification asked: the first check after it asks nothing
      await must(node, "sed -i '/config_path/d' /etc/containerd/config.toml");
      const repair = await run('apply', [node]);
      expect(repair.run.exitCode, said(repair.run)).toBe(0);
      expect(repair.hosts[0]!.handlers, said(repair.run)).toContain('restart-containerd');
      await clear();
      const next = await run('check', nodes);
      expect(next.run.exitCode, said(next.run)).toBe(0);
      for (const each of nodes) expect(await calls(each), each.name).toEqual([]);
    } finally {
      await Promise.all(nodes.map((n) => must(n, 'rm -f /usr/local/sbin/containerd /usr/local/sbin/ctr /usr/local/sbin/crictl /run/probe-calls')));
    }
  });

  it('a node without crictl: config.toml edited after containerd started is drift; the config an apply wrote before its restart is not', async () => {
    const node = nodes[0]!;
    // crictl moved away where the node has one (the lab's plain containerd node has none)
    const crictl = (await sh(node, 'command -v crictl')).stdout.trim();
    if (crictl !== '') await must(node, `mv ${crictl} ${crictl}.off`);
    try {
      // an apply that writes config.toml and restarts containerd: the check right after it finds nothing
      await must(node, "sed -i '/config_path/d' /etc/containerd/config.toml");
      const repair = await run('apply', [node]);
      expect(repair.run.exitCode, said(repair.run)).toBe(0);
      expect(repair.hosts[0]!.handlers).toContain('restart-containerd');
      const after = await run('check', [node]);
      expect(after.run.exitCode, said(after.run)).toBe(0);
      // the same file touched two seconds after the start: the running containerd has not read it
      await new Promise((r) => setTimeout(r, 2000));
      await must(node, 'touch /etc/containerd/config.toml');
      const edited = await run('check', [node]);
      expect(edited.run.exitCode, said(edited.run)).toBe(3);
      expect(said(edited.run)).toContain('containerd runs on an older /etc/containerd/config.toml than the one on disk');
      const restarted = await run('apply', [node]);
      expect(restarted.run.exitCode, said(restarted.run)).toBe(0);
      expect((await run('check', [node])).run.exitCode).toBe(0);
    } finally {
      if (crictl !== '') await must(node, `mv ${crictl}.off ${crictl}`);
    }
  });

  it('issue 20, item 6: the plain-http registry is pulled over http with no https attempt: http first in its hosts.toml, and containerd tries no other host', async () => {
    for (const node of nodes) {
      const text = await must(node, `cat /etc/containerd/certs.d/${http.host}/hosts.toml`);
      expect(/^\[host\."([^"]+)"\]/m.exec(text)?.[1], `${node.name}:\n${text}`).toBe(`http://${http.host}`);
      const since = (await must(node, 'date +%s')).trim();
      await criPull(node, image(http.host), false);
      // containerd logs every host it gives up on ("trying next host", at its default level, info)
      const journal = await must(node, `journalctl -u containerd --since @${since} --no-pager -o cat`);
      expect(journal, node.name).not.toContain(`https://${http.host}`);
      expect(journal, node.name).not.toContain('trying next host');
    }
  });

  it('check exits 3 naming exactly the node whose hosts.toml was deleted, and apply puts it back without a restart', async () => {
    const victim = nodes[1]!;
    await must(victim, `rm /etc/containerd/certs.d/${http.host}/hosts.toml`);
    const check = await run('check', nodes);
    expect(check.run.exitCode, said(check.run)).toBe(3);
    expect(check.hosts.filter((h) => h.status === 'drift').map((h) => h.name)).toEqual([victim.name]);
    expect(check.hosts.find((h) => h.name === victim.name)!.changes).toEqual([
      expect.objectContaining({ resource: 'hosts-toml', path: `/etc/containerd/certs.d/${http.host}/hosts.toml` }),
    ]);
    const restarted = await startedAt(victim, 'containerd');
    const repair = await run('apply', [victim]);
    expect(repair.run.exitCode, said(repair.run)).toBe(0);
    expect(repair.hosts[0]!.handlers).toEqual([]);
    expect(await startedAt(victim, 'containerd')).toBe(restarted);
    await criPull(victim, image(http.host), false);
  });

  it('a containerd that refuses its new config.toml is rolled back byte-for-byte, its CRI serving', async () => {
    const node = nodes[0]!;
    await resetNodes([node]);
    // this node's containerd will not start once its config.toml sets config_path
    await must(node, 'cat > /usr/local/sbin/refuse-config-path && chmod +x /usr/local/sbin/refuse-config-path', '#!/bin/sh\n! grep -q \'^ *config_path = "/\' /etc/containerd/config.toml\n');
    await must(
      node,
      'mkdir -p /etc/systemd/system/containerd.service.d && cat > /etc/systemd/system/containerd.service.d/00-refuse.conf && systemctl daemon-reload',
      '[Service]\nExecStartPre=/usr/local/sbin/refuse-config-path\n',
    );
    const before = await snapshot(node);
    const { run: result, hosts } = await run('apply', [node]);
    expect(result.exitCode, said(result)).toBe(2);
    expect(hosts[0]!.status).toBe('rolled_back');
    expect(hosts[0]!.error).toMatch(/rolled back: containerd did not start with the new configuration/);
    expect(await snapshot(node)).toBe(before);
    expect((await cri(node).version()).runtimeName).toBe('containerd');
    await must(node, 'rm -f /etc/systemd/system/containerd.service.d/00-refuse.conf /usr/local/sbin/refuse-config-path && systemctl daemon-reload');
  });
});

describe('a play about Docker', () => {
  it('never restarts the containerd that a Docker node runs (docker.io brings one, CRI enabled)', async () => {
    const node = dockerNodes(lab).find((n) => n.variant === 'debian')!;
    await resetNodes([node]);
    const containerdBefore = await startedAt(node, 'containerd');
    const dockerPlay = join(dir, 'docker.yml');
    writeFileSync(dockerPlay, `registries:\n  - host: ${http.host}\n    ip: ${http.address}\n    insecure: true\n`);
    const result = await dockhand(['apply', dockerPlay, '-i', writeInventory(dir, lab, [node], 'docker-node.ini'), '--known-hosts', knownHosts, '--json']);
    expect(result.exitCode, said(result)).toBe(0);
    const host = (JSON.parse(result.stdout) as { hosts: HostReport[] }).hosts[0]!;
    expect(host).toMatchObject({ status: 'changed', runtimes: ['docker'] });
    expect(host.handlers).toContain('restart-docker');
    expect(host.handlers).not.toContain('restart-containerd');
    expect(await startedAt(node, 'containerd')).toBe(containerdBefore);
    await resetNodes([node]);
  });
});
