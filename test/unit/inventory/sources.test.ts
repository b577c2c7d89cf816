import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostVars, loadInventory } from '../../../src/inventory/index.ts';
import type { Inventory } from '../../../src/inventory/types.ts';
import { fixture } from './helpers.ts';

const members = (inv: Inventory, group: string): string[] => [...(inv.groups.get(group)?.hosts ?? [])];

/** Ansible's habits with inventories; each expectation is what ansible-inventory 2.14 --list prints for the same files. */
describe('inventory sources as Ansible reads them', () => {
  it('merges -i given twice: hosts and groups joined, the later source winning var by var', async () => {
    const inv = await loadInventory([fixture('merge/first.ini'), fixture('merge/second.yml')]);
    expect([...inv.hosts.keys()]).toEqual(['web1', 'web2', 'web3', 'db1']);
    expect(members(inv, 'web')).toEqual(['web1', 'web2', 'web3']);
    expect([...(inv.groups.get('k8s')?.children ?? [])]).toEqual(['web']);
    expect(hostVars(inv, 'web1')).toEqual({ ansible_host: '10.0.0.1', ansible_user: 'admin', only_first: 1, tier: 'second' });
    expect(hostVars(inv, 'web3')).toEqual({ only_first: 1, tier: 'second' });
    expect(inv.sources).toEqual([fixture('merge/first.ini'), fixture('merge/second.yml')]);
  });

  it('reads a directory: its files in sorted order, subdirectories too, skipping hidden files, backups, docs and .ini', async () => {
    const inv = await loadInventory(fixture('dir-inventory'));
    expect([...inv.hosts.keys()].sort()).toEqual(['cache1', 'db1', 'web1', 'web2']);
    expect(members(inv, 'web')).toEqual(['web1', 'web2']);
    expect([...(inv.groups.get('cache')?.children ?? [])]).toEqual(['web']);
    expect(inv.groups.has('ignored')).toBe(false);
  });

  it('applies group_vars/ and host_vars/ inside the directory, group_vars/all winning over a group\'s inventory vars', async () => {
    const inv = await loadInventory(fixture('dir-inventory'));
    expect(hostVars(inv, 'web1')).toEqual({ ansible_host: '10.0.0.1', from_all_file: true, from_web_file: 2, tier: 'host-file', web_second: true });
    expect(hostVars(inv, 'web2')).toEqual({ from_all_file: true, from_web_file: 2, tier: 'all-file', web_second: true });
    expect(hostVars(inv, 'db1')).toEqual({ ansible_host: '10.0.0.3', from_all_file: true, tier: 'all-file' });
  });

  it('applies group_vars/ beside an inventory file, and names the vars file and line in messages', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dockhand-gv-'));
    await mkdir(join(dir, 'group_vars'));
    await writeFile(join(dir, 'hosts.ini'), '[web]\nweb1\n');
    await writeFile(join(dir, 'group_vars', 'web.yml'), '# web tier\nansible_user: ops\nansible_hosts: 10.0.0.9\n');
    const inv = await loadInventory(join(dir, 'hosts.ini'));
    expect(hostVars(inv, 'web1')).toMatchObject({ ansible_user: 'ops' });
    expect(inv.warnings).toEqual([`${join(dir, 'group_vars', 'web.yml')}:3: unknown variable "ansible_hosts": did you mean ansible_host?`]);
  });

  it('refuses a vault-encrypted vars file, naming it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dockhand-gv-'));
    await mkdir(join(dir, 'group_vars'));
    await writeFile(join(dir, 'hosts.ini'), '[web]\nweb1\n');
    await writeFile(join(dir, 'group_vars', 'all.yml'), '$ANSIBLE_VAULT;1.1;AES256\n6231336539\n');
    await expect(loadInventory(join(dir, 'hosts.ini'))).rejects.toThrow(`${join(dir, 'group_vars', 'all.yml')}:1: the file is encrypted with Ansible Vault`);
  });

  it('notes the files that hold passwords, for the warning about their mode', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dockhand-gv-'));
    await mkdir(join(dir, 'group_vars'));
    await writeFile(join(dir, 'hosts.ini'), '[web]\nweb1\n');
    await writeFile(join(dir, 'group_vars', 'all.yml'), 'ansible_become_password: s3cret-pass\n');
    const inv = await loadInventory(join(dir, 'hosts.ini'));
    expect(inv.secretFiles).toEqual([join(dir, 'group_vars', 'all.yml')]);
  });
});
