import { describe, expect, it } from 'vitest';
import { desiredStates } from '../../../src/converge/desired.ts';
import { parseInventory } from '../../../src/inventory/index.ts';
import { parsePlaybook } from '../../../src/playbook/index.ts';

const inventory = parseInventory('[web]\nweb1\n[db]\ndb1\n', 'hosts.ini');

describe('desired state: entries taken back from insecure_registries and registry_mirrors', () => {
  it('puts state: absent entries in retiredInsecureRegistries and retiredRegistryMirrors, per node, merged across plays', async () => {
    const playbook = await parsePlaybook(
      `- hosts: all
  registries: [{host: old.local, state: absent}]
  insecure_registries: [10.233.0.0/18, {value: 10.99.0.0/16, state: absent}]
  registry_mirrors: [{value: "https://old-mirror.example.com", state: absent}]
- hosts: db
  insecure_registries: [{value: 192.168.7.7/24, state: absent}]
  registry_mirrors: [https://mirror.example.com]
`,
      'site.yml',
    );
    const states = desiredStates(playbook, inventory, new Set(['web1', 'db1']));
    expect(states.get('web1')).toMatchObject({
      insecureRegistries: ['10.233.0.0/18'],
      retiredInsecureRegistries: ['old.local', '10.99.0.0/16'],
      registryMirrors: [],
      retiredRegistryMirrors: ['https://old-mirror.example.com'],
    });
    expect(states.get('db1')).toMatchObject({
      insecureRegistries: ['10.233.0.0/18'],
      retiredInsecureRegistries: ['old.local', '10.99.0.0/16', '192.168.7.0/24'],
      registryMirrors: ['https://mirror.example.com'],
      retiredRegistryMirrors: ['https://old-mirror.example.com'],
    });
  });

  it('waits for a restarted runtime as long as the longest start_timeout of the plays that select the node', async () => {
    const playbook = await parsePlaybook(
      `- hosts: all
  registries: [{host: a.local}]
  start_timeout: 90
- hosts: db
  registries: [{host: b.local}]
  start_timeout: 240
- hosts: db
  registries: [{host: c.local}]
  start_timeout: 30
`,
      'site.yml',
    );
    const states = desiredStates(playbook, inventory, new Set(['web1', 'db1']));
    expect(states.get('web1')!.startTimeout).toBe(90);
    expect(states.get('db1')!.startTimeout).toBe(240);
    const unset = desiredStates(await parsePlaybook('hosts: all\nregistries: [{host: a.local}]\n', 'site.yml'), inventory, new Set(['web1']));
    expect(unset.get('web1')!.startTimeout).toBeUndefined();
  });

  it('retires nothing when no entry is absent', async () => {
    const playbook = await parsePlaybook('hosts: all\ninsecure_registries: [10.233.0.0/18]\n', 'site.yml');
    const state = desiredStates(playbook, inventory, new Set(['web1'])).get('web1')!;
    expect(state.retiredInsecureRegistries).toEqual([]);
    expect(state.retiredRegistryMirrors).toEqual([]);
  });
});
