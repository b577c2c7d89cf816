import { execa } from 'execa';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { dockerNodes, loadLab, nodeExec, readSecret, type LabNode } from '../lab/lab.ts';
import { dockhand, REPO, startDockhand } from '../support/cli.ts';
import { scratchDir, writeInventory } from '../support/lab-files.ts';
import { resetNodes } from '../support/reset.ts';
import { waitFor } from '../support/wait.ts';

const lab = loadLab();
const debian = lab.nodes.filter((n) => n.variant === 'debian');
const docker = dockerNodes(lab);
const dir = scratchDir('rollout');
const knownHosts = join(dir, 'known_hosts');
const http = lab.registries.http;
const https = lab.registries.https;

interface Report {
  hosts: { name: string; status: string; mechanism: string | null; handlers: string[]; error: string | null; changes: { resource: string }[] }[];
}

const sh = (node: LabNode, script: string, input?: string) => nodeExec(node, ['sh', '-c', script], input);
const dockerStart = async (node: LabNode) => Number((await sh(node, 'systemctl show docker -p ExecMainStartTimestampMonotonic --value')).stdout.trim());
const dropIn = '/etc/systemd/system/docker.service.d/docker-options.conf';

function playbook(name: string, body: string): string {
  const file = join(dir, `${name}.yml`);
  writeFileSync(file, body);
  return file;
}

const httpPlay = (extra = '') =>
  playbook(
    `http${extra.length}`,
    `${extra}registries:
  - host: ${http.host}
    ip: ${http.address}
    insecure: true
`,
  );

async function apply(book: string, nodes: readonly LabNode[], extra: string[] = [], env: Record<string, string> = {}) {
  const inventory = writeInventory(dir, lab, nodes, `inv-${nodes.map((n) => n.name).join('-')}.ini`);
  const run = await dockhand(['apply', book, '-i', inventory, '--known-hosts', knownHosts, '--json', ...extra], env);
  return { run, report: JSON.parse(run.stdout || '{"hosts": []}') as Report };
}

/** Everything dockhand may touch on a node, as content hashes (absent files show as absent). */
async function snapshot(node: LabNode): Promise<string> {
  const result = await sh(
    node,
    `for f in /etc/hosts ${dropIn} /etc/docker/daemon.json; do if [ -e "$f" ]; then sha256sum "$f"; stat -c '%a %U %G %n' "$f"; else echo "absent $f"; fi; done
find /etc/docker/certs.d /usr/local/share/ca-certificates /etc/systemd/system/docker.service.d -type f 2>/dev/null | sort | xargs -r sha256sum`,
  );
  return result.stdout;
}

describe('safe rollout on the lab', () => {
  beforeEach(() => resetNodes(docker), 600_000);

  it('keeps every flag of a Kubespray-style drop-in, and dockerd still gets them', async () => {
    const node = debian[0]!;
    const kubespray = `[Service]
Environment="DOCKER_OPTS= --insecure-registry=10.233.0.0/18 --log-opt max-size=50m --log-opt max-file=5 \\
--iptables=false \\
 --data-root=/var/lib/docker"
`;
    await sh(node, `mkdir -p /etc/systemd/system/docker.service.d && cat > ${dropIn} && systemctl daemon-reload && systemctl restart docker`, kubespray);
    const { run, report } = await apply(httpPlay(), [node]);
    expect(run.exitCode, run.stdout).toBe(0);
    expect(report.hosts[0]).toMatchObject({ status: 'changed', mechanism: 'drop-in' });
    expect((await sh(node, `cat ${dropIn}`)).stdout).toBe(kubespray.replace('/var/lib/docker"', `/var/lib/docker --insecure-registry=${http.host}"`));
    const args = (await sh(node, 'ps -o args= -C dockerd')).stdout;
    for (const flag of ['--insecure-registry=10.233.0.0/18', '--log-opt max-size=50m', '--log-opt max-file=5', '--iptables=false', '--data-root=/var/lib/docker', `--insecure-registry=${http.host}`]) {
      expect(args).toContain(flag);
    }
    const info = (await sh(node, "docker info --format '{{json .RegistryConfig}}'")).stdout;
    expect(info).toContain('10.233.0.0/18');
    expect(info).toContain(http.host);
  });

  it('rolls a node back byte-for-byte when its Docker refuses the new options, while the others converge', async () => {
    const [refusing, fine] = [debian[1]!, debian[2]!];
    // This node's dockerd will not start once its DOCKER_OPTS names the http registry.
    await sh(
      refusing,
      `mkdir -p /etc/systemd/system/docker.service.d && cat > /etc/systemd/system/docker.service.d/00-refuse.conf && systemctl daemon-reload`,
      `[Service]\nExecStartPre=/bin/sh -c 'case "$$DOCKER_OPTS" in *harbor-http*) echo "refusing harbor-http" >&2; exit 1;; esac'\n`,
    );
    const before = await snapshot(refusing);
    const { run, report } = await apply(httpPlay(), [refusing, fine]);
    expect(run.exitCode).toBe(2);
    const [a, b] = report.hosts;
    expect(a).toMatchObject({ name: refusing.name, status: 'rolled_back' });
    expect(a!.error).toMatch(/rolled back: docker did not start with the new configuration/);
    expect(b).toMatchObject({ name: fine.name, status: 'changed' });
    expect(await snapshot(refusing)).toBe(before);
    expect((await sh(refusing, 'systemctl is-active docker')).stdout.trim()).toBe('active');
    expect((await sh(refusing, `getent hosts ${http.host} || echo none`)).stdout.trim()).toBe('none');
  });

  it('restarts Docker in separate waves with serial: 5, and stops after a failing batch', async () => {
    const restarting = docker.filter((n) => n.variant !== 'docker-ce');
    expect(docker.length).toBeGreaterThanOrEqual(10);
    const book = httpPlay('serial: 5\n');
    const { run, report } = await apply(book, docker);
    expect(run.exitCode, run.stdout).toBe(0);
    expect(report.hosts.every((h) => h.status === 'changed')).toBe(true);
    const order = report.hosts.map((h) => h.name);
    const starts = new Map(await Promise.all(restarting.map(async (n) => [n.name, await dockerStart(n)] as const)));
    const first = order.slice(0, 5).filter((name) => starts.has(name)).map((name) => starts.get(name)!);
    const second = order.slice(5).filter((name) => starts.has(name)).map((name) => starts.get(name)!);
    expect(first.length).toBeGreaterThan(0);
    expect(second.length).toBeGreaterThan(0);
    expect(Math.max(...first)).toBeLessThan(Math.min(...second));

    // Now a failure in the first batch: no later batch starts (max_fail_percentage 0).
    await resetNodes(docker);
    const firstNode = docker.find((n) => n.name === order[0])!;
    await sh(
      firstNode,
      `mkdir -p /etc/systemd/system/docker.service.d && cat > /etc/systemd/system/docker.service.d/00-refuse.conf && systemctl daemon-reload`,
      `[Service]\nExecStartPre=/bin/sh -c 'case "$$DOCKER_OPTS" in *harbor-http*) exit 1;; esac'\n`,
    );
    const stopped = await apply(book, docker);
    expect(stopped.run.exitCode).toBe(2);
    const statuses = stopped.report.hosts.map((h) => h.status);
    expect(statuses.slice(0, 5)).toContain('rolled_back');
    expect(statuses.slice(5)).toEqual(Array(statuses.length - 5).fill('skipped'));
    expect(stopped.report.hosts[5]!.error).toMatch(/not started: 1 of 5 nodes in batch 1 failed/);
    for (const name of order.slice(5)) {
      const node = docker.find((n) => n.name === name)!;
      expect((await sh(node, `test -e ${dropIn} -o -e /etc/docker/daemon.json && echo touched || echo untouched`)).stdout.trim(), name).toBe('untouched');
    }
  });

  it('two runs at once leave one hosts line per name and consistent files', async () => {
    const nodes = debian.slice(0, 3);
    const a = httpPlay();
    const b = playbook(
      'https-and-cidr',
      `registries:
  - host: ${https.host}
    ip: ${https.address}
    ca: ${https.caCertPath}
insecure_registries: [10.55.0.0/16]
`,
    );
    const [ra, rb] = await Promise.all([apply(a, nodes), apply(b, nodes)]);
    expect(ra.run.exitCode, ra.run.stdout).toBe(0);
    expect(rb.run.exitCode, rb.run.stdout).toBe(0);
    for (const node of nodes) {
      const hosts = (await sh(node, 'cat /etc/hosts')).stdout;
      expect(hosts.split('\n').filter((l) => l.endsWith(http.host)), node.name).toHaveLength(1);
      expect(hosts.split('\n').filter((l) => l.endsWith(https.host)), node.name).toHaveLength(1);
      const options = (await sh(node, `cat ${dropIn}`)).stdout;
      expect(options.split(`--insecure-registry=${http.host}`)).toHaveLength(2);
      expect(options.split('--insecure-registry=10.55.0.0/16')).toHaveLength(2);
      const info = (await sh(node, "docker info --format '{{json .RegistryConfig}}'")).stdout;
      expect(info).toContain(http.host);
      expect(info).toContain('10.55.0.0/16');
    }
  });

  it('SIGINT starts no new node, lets the ones in flight finish, and still prints the recap', async () => {
    const inventory = writeInventory(dir, lab, docker, 'interrupt.ini');
    const child = startDockhand(['apply', httpPlay(), '-i', inventory, '--known-hosts', knownHosts, '--json', '--serial', '1'], { reject: false });
    await new Promise((r) => setTimeout(r, 2500));
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(130);
    const hosts = (JSON.parse(String(result.stdout)) as Report).hosts;
    expect(hosts.filter((h) => h.status === 'changed').length).toBeGreaterThan(0);
    const skipped = hosts.filter((h) => h.status === 'skipped');
    expect(skipped.length).toBeGreaterThan(0);
    expect(skipped[0]!.error).toMatch(/interrupted/);
    expect(hosts.every((h) => h.status === 'changed' || h.status === 'skipped')).toBe(true);
  });

  it('issue 20, item 4: a second SIGINT quits at once, names the node in flight, prints what is known; that node\'s transaction carries on', async () => {
    const inventory = writeInventory(dir, lab, docker, 'interrupt-twice.ini');
    const child = startDockhand(['apply', httpPlay(), '-i', inventory, '--known-hosts', knownHosts, '--json', '--serial', '1', '-vv'], { reject: false });
    let stderr = '';
    const waiting: (() => void)[] = [];
    child.stderr!.on('data', (data: Buffer) => {
      stderr += String(data);
      for (const wake of waiting.splice(0)) wake();
    });
    const seen = async (pattern: RegExp) => {
      while (!pattern.test(stderr)) await new Promise<void>((resolve) => waiting.push(resolve));
    };
    // the second node (the first one finished) has started its transaction: interrupt, and interrupt again at once
    const node = docker[1]!;
    await seen(new RegExp(`${node.name}: run as root:[\\s\\S]*${node.name}: run as root:`));
    await waitFor(async () => (await sh(node, 'ls /var/lib/dockhand/txn/*/launcher 2>/dev/null')).stdout !== '', 30_000, 100);
    child.kill('SIGINT');
    await seen(/no new node starts/);
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(130);
    const document = JSON.parse(String(result.stdout)) as Report & { in_flight: string[]; run: { exit_code: number } };
    expect(document.in_flight).toEqual([node.name]);
    expect(document.run.exit_code).toBe(130);
    expect(document.hosts.find((h) => h.name === docker[0]!.name)?.status).toBe('changed');
    expect(document.hosts.filter((h) => h.status === 'skipped').map((h) => h.name)).toEqual(docker.slice(2).map((n) => n.name));
    expect(document.hosts.map((h) => h.name)).not.toContain(node.name);
    expect(String(result.stderr)).toMatch(new RegExp(`SIGINT again: quitting now, without waiting for ${node.name} \\(in flight\\): a transaction a node has started carries on on the node`));
    // the node in flight ends its transaction on its own: its Docker takes the registry
    let info = '';
    await waitFor(async () => (info = (await sh(node, "docker info --format '{{json .RegistryConfig.IndexConfigs}}' 2>/dev/null")).stdout).includes(http.host), 150_000, 500);
    expect(info, `${node.name} did not finish its transaction`).toContain(http.host);
  }, 600_000);

  it('issue 20, item 7: state: absent deletes the drop-in dockhand created (dockerd drops the flag); an administrator\'s drop-in stays', async () => {
    const [node, other] = [debian[0]!, debian[1]!];
    const converged = await apply(httpPlay(), [node]);
    expect(converged.run.exitCode, converged.run.stdout).toBe(0);
    expect((await sh(node, `head -1 ${dropIn}`)).stdout).toMatch(/^# Written by dockhand/);
    const retire = playbook('retire-http', `registries:\n  - host: ${http.host}\n    state: absent\n`);
    const retired = await apply(retire, [node]);
    expect(retired.run.exitCode, retired.run.stdout).toBe(0);
    expect(retired.report.hosts[0]!.handlers).toEqual(expect.arrayContaining(['daemon-reload', 'restart-docker']));
    expect((await sh(node, `test -e ${dropIn} && echo present || echo absent`)).stdout.trim()).toBe('absent');
    expect((await sh(node, 'systemctl show docker -p DropInPaths --value')).stdout).not.toContain('docker-options.conf');
    expect((await sh(node, "docker info --format '{{json .RegistryConfig.IndexConfigs}}'")).stdout).not.toContain(http.host);
    expect((await apply(retire, [node])).report.hosts[0]!.status).toBe('ok');
    // a drop-in an administrator wrote keeps its assignment, emptied of the registry
    await sh(other, `mkdir -p ${dropIn.replace(/\/[^/]+$/, '')} && printf '[Service]\\nEnvironment="DOCKER_OPTS=--insecure-registry=${http.host}"\\n' > ${dropIn} && systemctl daemon-reload && systemctl restart docker`);
    const kept = await apply(retire, [other]);
    expect(kept.run.exitCode, kept.run.stdout).toBe(0);
    expect((await sh(other, `cat ${dropIn}`)).stdout).toBe('[Service]\nEnvironment="DOCKER_OPTS="\n');
  });

  it('a pull check proves every node can pull, with a login from named environment variables, and fails a node that cannot', async () => {
    const nodes = [debian[0]!, lab.nodes.find((n) => n.variant === 'rhel')!, lab.nodes.find((n) => n.variant === 'docker-ce')!];
    const password = readSecret(https.passwordFile);
    const verified = (tag: string) =>
      playbook(
        `verify-${tag}`,
        `registries:
  - host: ${http.host}
    ip: ${http.address}
    insecure: true
    verify: {image: ${http.host}/library/tiny:1}
  - host: ${https.host}
    ip: ${https.address}
    ca: ${https.caCertPath}
    verify: {image: ${https.host}/library/tiny:${tag}, username_env: LAB_REGISTRY_USER, password_env: LAB_REGISTRY_PASSWORD}
`,
      );
    const env = { LAB_REGISTRY_USER: https.username, LAB_REGISTRY_PASSWORD: password };

    const missing = await apply(verified('1'), nodes, ['-vvv'], { LAB_REGISTRY_USER: https.username, LAB_REGISTRY_PASSWORD: '' });
    expect(missing.run.exitCode).toBe(1);
    expect(missing.run.stderr).toMatch(/verify needs the environment variable LAB_REGISTRY_PASSWORD, which is not set/);

    const ok = await apply(verified('1'), nodes, ['-vvv'], env);
    expect(ok.run.exitCode, ok.run.stdout).toBe(0);
    expect(ok.report.hosts.map((h) => h.status)).toEqual(['changed', 'changed', 'changed']);
    expect(ok.run.stdout + ok.run.stderr).not.toContain(password);
    for (const node of nodes) {
      // the check image is removed again, and no login is left behind
      expect((await sh(node, `docker image inspect ${https.host}/library/tiny:1 >/dev/null 2>&1 && echo kept || echo gone`)).stdout.trim()).toBe('gone');
      expect((await sh(node, 'cat /root/.docker/config.json 2>/dev/null || true')).stdout).not.toContain(https.host);
    }

    const broken = await apply(verified('404'), nodes.slice(0, 1), [], env);
    expect(broken.run.exitCode).toBe(2);
    expect(broken.report.hosts[0]!.status).toBe('failed');
    expect(broken.report.hosts[0]!.error).toMatch(new RegExp(`pull check: docker pull ${https.host.replaceAll('.', '\\.')}/library/tiny:404 failed`));
  });
});
