import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockhand } from '../../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'dockhand-validation-'));
// Any connection to this node would fail as "unreachable" (exit 4): exit 1 proves none was tried.
const inventory = join(dir, 'hosts.ini');
writeFileSync(inventory, '[k8s-cluster]\nnode1 ansible_host=127.0.0.1 ansible_port=1\n');

describe('bad input is refused before any node is touched (exit 1)', () => {
  const cases: [string, string, RegExp][] = [
    ['an injected registry host', 'registries:\n  - host: "harbor.local; reboot"\n    insecure: true\n', /bad\.yml:2: registries\[0\]\.host: "harbor\.local; reboot"/],
    ['an ip that is not an address', 'registries:\n  - host: harbor.local\n    ip: 10.0.0.300\n', /bad\.yml:3: registries\[0\]\.ip: "10\.0\.0\.300" is not an IPv4 or IPv6 address/],
    ['a bad CIDR', 'insecure_registries: [10.0.0.0/33]\n', /bad\.yml:1: insecure_registries\[0\]: "10\.0\.0\.0\/33"/],
    ['a mirror that is not http(s)', 'registry_mirrors: [ftp://mirror.local]\n', /bad\.yml:1: registry_mirrors\[0\]: "ftp:\/\/mirror\.local"/],
    ['a missing CA file', 'registries:\n  - host: harbor.local\n    ca: nowhere.crt\n', /bad\.yml:3: registries\[0\]\.ca: nowhere\.crt/],
  ];
  for (const [name, playbook, message] of cases) {
    it(name, async () => {
      const file = join(dir, 'bad.yml');
      writeFileSync(file, playbook);
      const run = await dockhand(['apply', file, '-i', inventory, '--known-hosts', join(dir, 'kh')]);
      expect(run.exitCode, run.stderr).toBe(1);
      expect(run.stderr).toMatch(message);
      expect(run.stdout).toBe('');
    });
  }

  it('a bad port in the inventory', async () => {
    const bad = join(dir, 'bad-port.ini');
    writeFileSync(bad, '[k8s-cluster]\nnode1 ansible_host=127.0.0.1 ansible_port=70000\n');
    const run = await dockhand(['facts', '-i', bad]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/bad-port\.ini:2: .*ansible_port/);
  });

  it('a bad --serial', async () => {
    writeFileSync(join(dir, 'ok.yml'), 'registries:\n  - host: harbor.local\n    insecure: true\n');
    const run = await dockhand(['apply', join(dir, 'ok.yml'), '-i', inventory, '--serial', '0']);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/--serial/);
  });
});
