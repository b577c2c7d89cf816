import { describe, expect, it } from 'vitest';
import { parsePlaybook } from '../../../src/playbook/index.ts';
import { DISJOINT_INVENTORY, refusal, refusalWith, SHARED_NODE_INVENTORY } from './helpers.ts';

describe('insecure_registries and registry_mirrors entries: a string, or {value, state} (issue 12, item 6)', () => {
  it('keeps the string form as present and reads state: absent apart', async () => {
    const text = `hosts: all
insecure_registries:
  - 10.233.0.0/18
  - {value: 10.99.0.0/16, state: absent}
  - {value: old.example.local:5000}
registry_mirrors:
  - https://mirror.example.com
  - {value: "https://old-mirror.example.com/", state: absent}
`;
    const { plays } = await parsePlaybook(text, 'site.yml');
    expect(plays[0]).toMatchObject({
      insecureRegistries: ['10.233.0.0/18', 'old.example.local:5000'],
      absentInsecureRegistries: ['10.99.0.0/16'],
      registryMirrors: ['https://mirror.example.com'],
      absentRegistryMirrors: ['https://old-mirror.example.com/'],
    });
  });

  it('a play of absent entries alone is a play', async () => {
    const { plays } = await parsePlaybook('hosts: all\ninsecure_registries: [{value: 10.99.0.0/16, state: absent}]\n', 'site.yml');
    expect(plays[0]!.absentInsecureRegistries).toEqual(['10.99.0.0/16']);
  });

  it('names a bad value, state, key or shape by file, line and path', async () => {
    const text = `hosts: all
insecure_registries:
  - {value: "a.local; reboot", state: absent}
  - {value: 10.0.0.0/8, state: gone}
  - {value: 10.1.0.0/16, colour: blue}
  - 5000
registry_mirrors:
  - {state: absent}
`;
    expect(await refusal(text)).toEqual([
      'site.yml:3: insecure_registries[0].value: "a.local; reboot" is neither a registry host nor a CIDR block: it contains whitespace',
      'site.yml:4: insecure_registries[1].state: "gone" must be one of "present", "absent"',
      'site.yml:5: insecure_registries[2].colour: unknown key, with value "blue"; expected one of value, state',
      'site.yml:6: insecure_registries[3]: 5000 must be a string, or a mapping like {value: ..., state: absent}',
      'site.yml:8: registry_mirrors[0].value: is required',
    ]);
  });

  it('refuses a value both present and absent across plays that share a node, naming both places and the nodes', async () => {
    const text = `- hosts: web
  insecure_registries: [10.99.0.0/16]
  registry_mirrors: [https://mirror.example.com]
- hosts: db
  insecure_registries: [{value: 10.99.0.0/16, state: absent}]
  registry_mirrors: [{value: "https://MIRROR.example.com/", state: absent}]
`;
    expect(await refusalWith(text, SHARED_NODE_INVENTORY)).toEqual([
      'site.yml:5: plays[1].insecure_registries[0]: "10.99.0.0/16" is absent here but present at plays[0].insecure_registries[0] (line 2): ' +
        'a value is either kept (a string) or taken back ({value: ..., state: absent}), not both (node both1 is in both plays)',
      'site.yml:6: plays[1].registry_mirrors[0]: "https://MIRROR.example.com/" is absent here but present at plays[0].registry_mirrors[0] (line 3): ' +
        'a value is either kept (a string) or taken back ({value: ..., state: absent}), not both (node both1 is in both plays)',
    ]);
  });

  it('accepts a value kept by one play and taken back by another when no node is in both', async () => {
    const text = `- hosts: web
  insecure_registries: [10.99.0.0/16]
- hosts: db
  insecure_registries: [{value: 10.99.0.0/16, state: absent}]
`;
    expect(await refusalWith(text, DISJOINT_INVENTORY)).toEqual([]);
  });

  it('refuses an insecure registry taken back in the list while a registry entry keeps it insecure', async () => {
    const text = `hosts: all
registries:
  - {host: harbor.local, insecure: true}
insecure_registries:
  - {value: HARBOR.local, state: absent}
`;
    expect(await refusal(text)).toEqual([
      'site.yml:5: insecure_registries[0]: "HARBOR.local" is absent here but present at registries[0].host (line 3): ' +
        'a value is either kept (a string) or taken back ({value: ..., state: absent}), not both',
    ]);
  });
});
