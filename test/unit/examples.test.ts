import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { desiredStates } from '../../src/converge/desired.ts';
import { loadInventory, resolveTarget, selectHosts } from '../../src/inventory/index.ts';
import { loadPlaybook } from '../../src/playbook/index.ts';

const root = join(import.meta.dirname, '..', '..');
const shipped = (dir: string, pattern: RegExp) =>
  readdirSync(join(root, dir)).filter((f) => pattern.test(f) && !f.startsWith('lab')).map((f) => join(root, dir, f));

describe('the shipped examples', () => {
  it('every playbook in playbooks/ loads', async () => {
    const files = shipped('playbooks', /\.ya?ml$/);
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const file of files) await expect(loadPlaybook(file), file).resolves.toBeDefined();
  });

  it('the INI and YAML inventories describe the same cluster', async () => {
    const [ini, yaml] = await Promise.all([loadInventory(join(root, 'inventory/hosts.ini')), loadInventory(join(root, 'inventory/hosts.yml'))]);
    const names = (inv: typeof ini, pattern: string) => selectHosts(inv, pattern, 'test').map((h) => h.name).sort();
    for (const pattern of ['all', 'k8s-cluster', 'kube-node', 'etcd', 'node0*']) expect(names(yaml, pattern), pattern).toEqual(names(ini, pattern));
    for (const name of names(ini, 'all')) {
      const [a, b] = [resolveTarget(ini, name), resolveTarget(yaml, name)];
      expect({ ...b, vars: undefined, privateKeyFile: undefined }, name).toEqual({ ...a, vars: undefined, privateKeyFile: undefined });
    }
  });

  it('the KubeSphere playbook selects every cluster node of the sample inventory', async () => {
    const playbook = await loadPlaybook(join(root, 'playbooks/kubesphere-registries.yml'));
    const inventory = await loadInventory(join(root, 'inventory/hosts.ini'));
    const all = new Set(selectHosts(inventory, 'all', 'test').map((h) => h.name));
    const desired = desiredStates(playbook, inventory, all);
    expect(desired.size).toBe(11);
    expect(desired.get('node05')).toMatchObject({
      insecureRegistries: ['harbor-http.example.local', '10.233.0.0/18'],
      registryMirrors: ['https://mirror.example.com'],
    });
  });
});
