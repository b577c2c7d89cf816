import { describe, expect, it } from 'vitest';
import { loadInventory } from '../../../src/inventory/index.ts';
import { parseIniInventory } from '../../../src/inventory/ini.ts';
import type { Inventory } from '../../../src/inventory/types.ts';
import { fixture } from './helpers.ts';

function members(inv: Inventory, group: string): string[] {
  return [...(inv.groups.get(group)?.hosts ?? [])];
}

describe('INI inventory: KubeSphere hosts.ini', () => {
  it('reads hosts, their vars and where they were declared', async () => {
    const inv = await loadInventory(fixture('kubesphere-hosts.ini'));
    expect([...inv.hosts.keys()]).toEqual(['master', 'node1', 'node2']);
    expect(inv.hosts.get('master')?.vars).toEqual({ ansible_connection: 'local', ip: '192.168.0.2' });
    expect(inv.hosts.get('node1')?.vars).toEqual({ ansible_host: '192.168.0.3', ip: '192.168.0.3', ansible_ssh_pass: 'PASSWORD' });
    expect(inv.hosts.get('node2')?.line).toBe(4);
    expect(inv.hosts.get('node2')?.file).toBe(fixture('kubesphere-hosts.ini'));
  });

  it('reads groups and children; all and ungrouped always exist', async () => {
    const inv = await loadInventory(fixture('kubesphere-hosts.ini'));
    expect(members(inv, 'kube-master')).toEqual(['master']);
    expect(members(inv, 'kube-node')).toEqual(['node1', 'node2']);
    expect(members(inv, 'etcd')).toEqual(['master']);
    expect([...(inv.groups.get('k8s-cluster')?.children ?? [])]).toEqual(['kube-node', 'kube-master']);
    expect(members(inv, 'all')).toEqual(['master', 'node1', 'node2']);
    expect(members(inv, 'ungrouped')).toEqual([]);
    expect([...(inv.groups.get('all')?.children ?? [])].sort()).toEqual(['etcd', 'k8s-cluster', 'ungrouped']);
  });
});

describe('INI inventory: lines', () => {
  it('puts hosts before any section, or only under [all], in ungrouped', () => {
    const inv = parseIniInventory('loose1\n[all]\nloose2\ngrouped\n[g]\ngrouped\n', 'h.ini');
    expect(members(inv, 'ungrouped')).toEqual(['loose1', 'loose2']);
  });

  // Each expectation is what ansible-inventory 2.14 --list prints for the same file.
  it('handles quotes, escapes, comments and inline comments as Ansible does', () => {
    const text = [
      '# a comment',
      '; another comment',
      'h1 a="two words" b=\'x # y\' c=plain # trailing comment',
      'h2 pw=pa#ss empty="" esc="say \\"hi\\"" # comment',
      'h3 empty="" esc="say \\"hi\\"" n=42 t=True q="\'quoted\'" # comment',
      '[g:vars]',
      'spaced = value with spaces  # comment',
      "quoted = 'kept # this'",
      'n=42',
      '[g]',
      'h1',
    ].join('\n');
    const inv = parseIniInventory(text, 'q.ini');
    expect(inv.hosts.get('h1')?.vars).toEqual({ a: 'two words', b: 'x # y', c: 'plain' });
    // shlex: an unquoted # starts a comment even inside a word, so the rest of h2's line is gone.
    expect(inv.hosts.get('h2')?.vars).toEqual({ pw: 'pa' });
    expect(inv.hosts.get('h3')?.vars).toEqual({ empty: '', esc: 'say "hi"', n: 42, t: true, q: 'quoted' });
    expect(inv.warnings).toEqual(['q.ini:4: an unquoted "#" inside a word starts a comment, as in Ansible: the rest of the line is ignored (quote the value if "#" belongs to it)']);
    // a :vars value is the rest of the line, comment included, unless it is a Python literal
    expect(inv.groups.get('g')?.vars).toEqual({ spaced: 'value with spaces  # comment', quoted: 'kept # this', n: 42 });
  });

  it('merges vars of a host declared twice, later winning, and keeps the first line', () => {
    const inv = parseIniInventory('[a]\nh x=1 y=1\n[b]\nh y=2\n', 'twice.ini');
    expect(inv.hosts.get('h')?.vars).toEqual({ x: 1, y: 2 });
    expect(inv.hosts.get('h')?.line).toBe(2);
  });

  it('reads host:port as ansible_port, and a section header with a comment', () => {
    const inv = parseIniInventory('[g] # web tier\nh1:2222\n10.0.0.1:22 ansible_port=2200\n', 'p.ini');
    expect(inv.hosts.get('h1')?.vars).toEqual({ ansible_port: 2222 });
    expect(inv.hosts.get('10.0.0.1')?.vars).toEqual({ ansible_port: 2200 });
  });

  it('accepts a child defined after its parent, and vars before their group', () => {
    const inv = parseIniInventory('[p:vars]\nx=1\n[p:children]\nc\n[c]\nh\n[p]\n', 'late.ini');
    expect(inv.groups.get('p')?.vars).toEqual({ x: 1 });
    expect([...(inv.groups.get('p')?.children ?? [])]).toEqual(['c']);
  });
});

describe('INI inventory: ranges', () => {
  it('expands padded, stride, alpha and multiple ranges, and ranges with a port', async () => {
    const inv = await loadInventory(fixture('ranges.ini'));
    expect(members(inv, 'padded')).toEqual(['node01', 'node02', 'node03']);
    expect(inv.hosts.get('node02')?.vars).toEqual({ ansible_user: 'ops' });
    expect(members(inv, 'stride')).toEqual(['w1', 'w4', 'w7']);
    expect(members(inv, 'alpha')).toEqual(['db-a', 'db-b', 'db-c']);
    expect(members(inv, 'grid')).toEqual(['r1-ca.example.com', 'r1-cb.example.com', 'r2-ca.example.com', 'r2-cb.example.com']);
    expect(members(inv, 'ported')).toEqual(['edge1', 'edge2']);
    expect(inv.hosts.get('edge2')?.vars).toEqual({ ansible_port: 2222 });
  });
});
