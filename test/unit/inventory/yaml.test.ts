import { describe, expect, it } from 'vitest';
import { loadInventory } from '../../../src/inventory/index.ts';
import { parseYamlInventory } from '../../../src/inventory/yaml.ts';
import { fixture } from './helpers.ts';

describe('YAML inventory', () => {
  it('reads the KubeSphere cluster the same as the INI file', async () => {
    const yaml = await loadInventory(fixture('kubesphere-hosts.yml'));
    const ini = await loadInventory(fixture('kubesphere-hosts.ini'));
    expect([...yaml.hosts.keys()]).toEqual([...ini.hosts.keys()]);
    for (const [name, group] of ini.groups) {
      const other = yaml.groups.get(name);
      expect(other, name).toBeDefined();
      expect([...(other?.hosts ?? [])].sort(), name).toEqual([...group.hosts].sort());
      // YAML nests kube-master under all as well as under k8s-cluster; INI only under k8s-cluster.
      if (name === 'all') expect([...(other?.children ?? [])]).toEqual(expect.arrayContaining([...group.children]));
      else expect([...(other?.children ?? [])].sort(), name).toEqual([...group.children].sort());
    }
    expect(yaml.hosts.get('node1')?.vars).toEqual({ ansible_host: '192.168.0.3', ip: '192.168.0.3', ansible_ssh_pass: 'PASSWORD' });
    expect(yaml.hosts.get('node1')?.line).toBe(7);
  });

  it('expands ranges in host names', async () => {
    const inv = await loadInventory(fixture('ranges.yml'));
    expect([...inv.hosts.keys()]).toEqual(['node01', 'node02', 'node03', 'w1', 'w4', 'w7', 'db-a', 'db-b', 'db-c']);
    expect(inv.hosts.get('node03')?.vars).toEqual({ ansible_user: 'ops' });
  });

  it('keeps YAML types of vars, reads top-level groups besides all, null bodies and anchors', () => {
    const text = [
      'all:',
      '  vars: &common',
      '    ansible_become: true',
      '    ansible_port: 2222',
      '    labels: [a, b]',
      'web:',
      '  hosts:',
      '    web1: *common',
      '    web2:',
      'empty:',
    ].join('\n');
    const inv = parseYamlInventory(text, 'x.yml');
    expect(inv.groups.get('all')?.vars).toEqual({ ansible_become: true, ansible_port: 2222, labels: ['a', 'b'] });
    expect(inv.hosts.get('web1')?.vars).toEqual({ ansible_become: true, ansible_port: 2222, labels: ['a', 'b'] });
    expect([...(inv.groups.get('web')?.hosts ?? [])]).toEqual(['web1', 'web2']);
    expect(inv.groups.has('empty')).toBe(true);
  });

  it('merges a group that appears under several parents', () => {
    const text = 'all:\n  children:\n    a:\n      children:\n        shared:\n          hosts: {h1: }\n    b:\n      children:\n        shared:\n          hosts: {h2: }\n          vars: {x: 1}\n';
    const inv = parseYamlInventory(text, 'm.yml');
    expect([...(inv.groups.get('shared')?.hosts ?? [])]).toEqual(['h1', 'h2']);
    expect(inv.groups.get('shared')?.vars).toEqual({ x: 1 });
  });

  it('reads JSON inventories', () => {
    const inv = parseYamlInventory('{"all": {"hosts": {"h1": {"ansible_user": "ops"}}}}', 'inv.json');
    expect(inv.hosts.get('h1')?.vars).toEqual({ ansible_user: 'ops' });
  });
});
