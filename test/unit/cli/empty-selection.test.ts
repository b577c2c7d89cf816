import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockhand } from '../../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'dockhand-selection-'));
// Every node is a port where nothing listens: a run that tried one would end unreachable (exit 4), not 1.
const inventory = join(dir, 'hosts.ini');
writeFileSync(inventory, '[k8s-cluster]\nnode1 ansible_host=127.0.0.1 ansible_port=1\n[other]\nce1 ansible_host=127.0.0.1 ansible_port=1\n');
const playbook = join(dir, 'site.yml');
writeFileSync(playbook, '- name: Trust the registry\n  hosts: k8s-cluster\n  registries:\n    - {host: harbor.local, insecure: true}\n');

describe('a run that selects no node is an error (issue 12, item 2)', () => {
  for (const command of ['apply', 'check']) {
    it(`${command} with a --limit outside the play's hosts exits 1, naming the limit and the play's pattern`, async () => {
      const run = await dockhand([command, playbook, '-i', inventory, '--limit', 'ce1', '--known-hosts', join(dir, 'kh')]);
      expect(run.exitCode, run.stderr).toBe(1);
      expect(run.stderr).toBe(`dockhand: ${playbook}: --limit "ce1" selects no node the plays are for: play "Trust the registry" is for hosts "k8s-cluster"`);
      expect(run.stdout).toBe('');
    });
  }

  it('facts with a limit that matches nothing exits 1, naming the limit', async () => {
    const run = await dockhand(['facts', '-i', inventory, '--limit', 'node1:&other', '--known-hosts', join(dir, 'kh')]);
    expect(run.exitCode, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/--limit: pattern "node1:&other" matches no host/);
  });
});
