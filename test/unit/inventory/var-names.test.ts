import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadInventory, parseInventory, resolveTarget, resolveTargets } from '../../../src/inventory/index.ts';

/** Issue 12, item 3: inventory typos are never silently ignored. */
describe('misspelt and unsupported ansible_ variables', () => {
  it('warns on every unknown ansible_-like variable with the nearest known name, misspelt prefixes included', () => {
    const inv = parseInventory('[web]\nw1 ansible_hosts=10.0.0.1 ansible_becom=true\nw2 ansibel_become=yes ansble_user=ops\n', 'typos.ini');
    expect(inv.warnings).toEqual([
      'typos.ini:2: unknown variable "ansible_hosts": did you mean ansible_host?',
      'typos.ini:2: unknown variable "ansible_becom": did you mean ansible_become?',
      'typos.ini:3: unknown variable "ansibel_become": did you mean ansible_become?',
      'typos.ini:3: unknown variable "ansble_user": did you mean ansible_user?',
    ]);
  });

  it('warns once per place a variable is set, for YAML group vars too, and says what dockhand does not use', () => {
    const text = 'all:\n  vars:\n    ansible_ssh_common_args: "-o ProxyJump=bastion"\n    ansible_python_interpreter: /usr/bin/python3\n    ansible_become_pasword: x\n  hosts: {a: , b: }\n';
    const inv = parseInventory(text, 'g.yml');
    expect(inv.warnings).toEqual([
      'g.yml:3: ansible_ssh_common_args is an Ansible variable dockhand does not use: dockhand passes no extra arguments to SSH (no ProxyCommand/ProxyJump)',
      'g.yml:5: unknown variable "ansible_become_pasword": did you mean ansible_become_password?',
    ]);
  });

  it('says nothing about the variables dockhand reads, nor about other variables', () => {
    const inv = parseInventory('[web]\nw1 ansible_host=1.2.3.4 ansible_port=22 ip=1.2.3.4 my_var=x ansible_become_pass=p\n', 'ok.ini');
    expect(inv.warnings).toEqual([]);
  });

  it('refuses ansible_become_method other than sudo, naming the file and the line that set it', () => {
    const inv = parseInventory('[web]\nw1\n[web:vars]\nansible_become=true\nansible_become_method=su\n', 'su.ini');
    expect(() => resolveTarget(inv, 'w1')).toThrow('su.ini:5: host "w1": ansible_become_method "su" is not supported: dockhand escalates with sudo only');
    const sudo = parseInventory('[web]\nw1 ansible_become_method=sudo\n', 'sudo.ini');
    expect(resolveTarget(sudo, 'w1').connection).toBe('ssh');
  });

  it('refuses an ansible_connection dockhand cannot honour, naming where it was set', () => {
    const inv = parseInventory('[web]\nw1\n[all:vars]\nansible_connection=winrm\n', 'c.ini');
    expect(() => resolveTarget(inv, 'w1')).toThrow('c.ini:4: host "w1": ansible_connection "winrm" is not supported (use ssh or local)');
  });

  it('refuses a Jinja template in a connection variable rather than use it as it is', () => {
    const inv = parseInventory('all:\n  hosts:\n    w1:\n      ansible_host: "{{ access_ip }}"\n', 'j.yml');
    expect(() => resolveTarget(inv, 'w1')).toThrow(/^j\.yml:4: host "w1": ansible_host holds a Jinja template/);
  });
});

/** Issue 12, item 4: a private key file that cannot be read is an input error, found before any connection. */
describe('private key files', () => {
  it('names a missing key file and the line that named it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dockhand-keys-'));
    await writeFile(join(dir, 'hosts.ini'), '[web]\nw1\nw2 ansible_ssh_private_key_file=keys/missing\n[web:vars]\nansible_ssh_private_key_file=/etc/hostname\n');
    const inv = await loadInventory(join(dir, 'hosts.ini'));
    await expect(resolveTargets(inv, ['w1'])).resolves.toHaveLength(1);
    await expect(resolveTargets(inv, ['w1', 'w2'])).rejects.toThrow(
      `${join(dir, 'hosts.ini')}:3: host "w2": ansible_ssh_private_key_file ${join(dir, 'keys/missing')}: private key file not found`,
    );
  });

  it('refuses a directory given as a key file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dockhand-keys-'));
    await mkdir(join(dir, 'keys'));
    await writeFile(join(dir, 'hosts.yml'), 'all:\n  vars:\n    ansible_ssh_private_key_file: keys\n  hosts: {h: }\n');
    const inv = await loadInventory(join(dir, 'hosts.yml'));
    await expect(resolveTargets(inv, ['h'])).rejects.toThrow(/hosts\.yml:3: host "h": ansible_ssh_private_key_file .*keys: is a directory, not a private key file/);
  });
});
