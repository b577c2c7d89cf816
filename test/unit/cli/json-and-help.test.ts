import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockhand } from '../../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'dockhand-json-'));
const inventory = join(dir, 'hosts.ini');
writeFileSync(inventory, '[k8s-cluster]\nnode1 ansible_host=127.0.0.1 ansible_port=1\n');

describe('--json when the run cannot start', () => {
  it('a configuration error is a JSON document on stdout with its code, file and line, exit 1', async () => {
    const playbook = join(dir, 'bad.yml');
    writeFileSync(playbook, 'registries:\n  - host: "harbor.local; reboot"\n');
    const run = await dockhand(['check', playbook, '-i', inventory, '--json']);
    expect(run.exitCode).toBe(1);
    const doc = JSON.parse(run.stdout) as { error: { code: string; message: string; file: string; line: number }; hosts: unknown[] };
    expect(doc.error.code).toBe('E_PLAYBOOK');
    expect(doc.error.message).toContain('harbor.local; reboot');
    expect(doc.error.file).toBe(playbook);
    expect(doc.error.line).toBe(2);
    expect(doc.hosts).toEqual([]);
  });

  it('a usage error too', async () => {
    const run = await dockhand(['apply', 'x.yml', '-i', inventory, '--forks', 'many', '--json']);
    expect(run.exitCode).toBe(1);
    expect((JSON.parse(run.stdout) as { error: { code: string } }).error.code).toBe('E_USAGE');
  });

  it('without --json, stdout stays empty', async () => {
    const run = await dockhand(['check', join(dir, 'missing.yml'), '-i', inventory]);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toBe('');
  });
});

describe('help', () => {
  it('check --help does not offer --check (it is what check is); apply --help does', async () => {
    const check = await dockhand(['check', '--help']);
    expect(check.exitCode).toBe(0);
    expect(check.stdout).not.toMatch(/^\s+--check\b/m);
    expect((await dockhand(['apply', '--help'])).stdout).toMatch(/^\s+--check\b/m);
  });

  it('issue 20, item 8: facts --help speaks of every runtime it shows, containerd too', async () => {
    const facts = await dockhand(['facts', '--help']);
    const words = (text: string) => text.replace(/\s+/g, ' ');
    expect(words(facts.stdout)).toMatch(/how its container runtimes \(Docker, containerd\) are wired/);
    expect(words((await dockhand(['--help'])).stdout)).toMatch(/facts \[options\] show each node's OS family and how its container runtimes \(Docker, containerd\)/);
  }, 30_000);
});
