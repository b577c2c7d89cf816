import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLab } from '../lab/lab.ts';
import { VARIANTS } from '../lab/variants.ts';
import { dockhand, REPO } from '../support/cli.ts';

const lab = loadLab();
const scratch = mkdtempSync(join(tmpdir(), 'dockhand-facts-'));

interface FactsJson {
  hosts: {
    name: string;
    address: string;
    status: string;
    os_family: string | null;
    os: { id: string; versionId: string | null } | null;
    docker: { installed: boolean; running: boolean; honoursDockerOpts: boolean; version: string | null; liveRestore: boolean | null; containersRunning: number | null } | null;
    containerd: { installed: boolean; running: boolean; criStatus: string | null; version: string | null } | null;
    containers: { installed: boolean; running: boolean; podman: boolean; skopeo: boolean; version: string | null; crio: unknown } | null;
    runtimes: { installed: string[]; auto: string[] } | null;
    error: string | null;
  }[];
}

function freshKnownHosts(name: string): string {
  const file = join(scratch, `${name}-known_hosts`);
  writeFileSync(file, '');
  return file;
}

function expectRightFacts(document: FactsJson): void {
  expect(document.hosts.map((h) => h.name).sort()).toEqual(lab.nodes.map((n) => n.name).sort());
  for (const node of lab.nodes) {
    const host = document.hosts.find((h) => h.name === node.name)!;
    expect(host, node.name).toMatchObject({ status: 'ok', error: null, address: node.address, os_family: node.family });
    expect(host.os?.id).toBe(node.family === 'rhel' ? 'rocky' : 'debian');
    if (VARIANTS[node.variant].runtime === 'containers') {
      expect(host.docker?.installed, node.name).toBe(false);
      expect(host.containerd?.installed, node.name).toBe(false);
      expect(host.containers, node.name).toMatchObject({ installed: true, running: true, podman: true, skopeo: true, crio: null });
      expect(host.containers?.version, node.name).toMatch(/^4\.3\./);
      expect(host.runtimes, node.name).toMatchObject({ installed: ['containers'], auto: ['containers'] });
      continue;
    }
    if (VARIANTS[node.variant].runtime === 'k3s') {
      // the stand-in: a k3s.service running containerd on k3s's paths (the containerd package is there too)
      expect(host.docker?.installed, node.name).toBe(false);
      expect((host as { k3s?: unknown }).k3s, node.name).toMatchObject({ installed: true, running: true, distribution: 'k3s', unit: 'k3s.service', killMode: 'process' });
      expect(host.runtimes, node.name).toMatchObject({ auto: ['k3s'] });
      continue;
    }
    if (VARIANTS[node.variant].runtime === 'containerd') {
      expect(host.docker?.installed, node.name).toBe(false);
      expect(host.containerd, node.name).toMatchObject({ installed: true, running: true, criStatus: 'ok' });
      expect(host.containerd?.version, node.name).toMatch(/^1\.[67]\./);
      continue;
    }
    expect(host.docker?.running).toBe(true);
    expect(host.docker?.honoursDockerOpts).toBe(node.variant !== 'docker-ce');
    expect(host.docker?.version).toMatch(/^\d+\.\d+/);
    expect(host.docker?.containersRunning).toBe(0);
  }
}

describe('dockhand facts on the lab', () => {
  it('reports every node right over root logins (INI inventory)', async () => {
    const run = await dockhand(['facts', '-i', join(REPO, lab.inventories.root), '--json', '--known-hosts', freshKnownHosts('root')]);
    expect(run.exitCode, run.stderr).toBe(0);
    expectRightFacts(JSON.parse(run.stdout) as FactsJson);
  });

  it('reports every node right over a sudo user with a password (the password never shows)', async () => {
    const run = await dockhand(['facts', '-i', join(REPO, lab.inventories.sudo), '--json', '--known-hosts', freshKnownHosts('sudo')]);
    expect(run.exitCode, run.stderr).toBe(0);
    expectRightFacts(JSON.parse(run.stdout) as FactsJson);
    const password = readFileSync(lab.opsPasswordFile, 'utf8').trim();
    expect(password.length).toBeGreaterThan(8);
    expect(run.stdout).not.toContain(password);
    expect(run.stderr).not.toContain(password);
  });

  it('reads the YAML inventory the same way and prints a table by default', async () => {
    const run = await dockhand(['facts', '-i', join(REPO, lab.inventories.yaml), '--known-hosts', freshKnownHosts('yaml')]);
    expect(run.exitCode, run.stderr).toBe(0);
    for (const node of lab.nodes) expect(run.stdout).toMatch(new RegExp(`^${node.name}\\s+${node.address.replaceAll('.', '\\.')}\\s+ok\\s`, 'm'));
  });

  it('refuses a node whose host key differs from known_hosts, names it, and goes on with the others', async () => {
    const victim = lab.nodes[1]!;
    const knownHosts = freshKnownHosts('mismatch');
    // A real ed25519 key that is not the node's.
    writeFileSync(knownHosts, `${victim.address} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n`);
    const run = await dockhand(['facts', '-i', join(REPO, lab.inventories.root), '--json', '--known-hosts', knownHosts]);
    expect(run.exitCode).toBe(4);
    const document = JSON.parse(run.stdout) as FactsJson;
    for (const host of document.hosts) {
      if (host.name === victim.name) {
        expect(host.status).toBe('unreachable');
        expect(host.error).toMatch(/host key/);
        expect(host.error).toContain(victim.name);
      } else {
        expect(host.status, host.name).toBe('ok');
      }
    }
  });

  it('reports an address where nothing listens as unreachable within the connect timeout', async () => {
    const inventory = join(scratch, 'dead.ini');
    const [a, b, c] = lab.network.subnet.split('.');
    writeFileSync(
      inventory,
      [
        '[all:vars]',
        'ansible_user=root',
        `ansible_ssh_private_key_file=${lab.sshKeyPath}`,
        '[nodes]',
        `${lab.nodes[0]!.name} ansible_host=${lab.nodes[0]!.address}`,
        `ghost ansible_host=${a}.${b}.${c}.250`,
        'refused ansible_host=127.0.0.1 ansible_port=1',
        '',
      ].join('\n'),
    );
    const run = await dockhand(['facts', '-i', inventory, '--json', '--connect-timeout', '3', '--known-hosts', freshKnownHosts('dead')]);
    expect(run.exitCode).toBe(4);
    const hosts = (JSON.parse(run.stdout) as FactsJson).hosts;
    expect(hosts.find((h) => h.name === lab.nodes[0]!.name)?.status).toBe('ok');
    for (const name of ['ghost', 'refused']) {
      const host = hosts.find((h) => h.name === name)!;
      expect(host.status, name).toBe('unreachable');
      expect(host.error, name).toMatch(/cannot reach|no SSH/);
    }
    expect(run.durationMs).toBeLessThan(3_000 + 5_000);
  });
});
