import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadInventory, resolveTarget } from '../../../src/inventory/index.ts';
import { parseIniInventory } from '../../../src/inventory/ini.ts';
import { parseYamlInventory } from '../../../src/inventory/yaml.ts';
import { fixture } from './helpers.ts';

const file = fixture('target.ini');
const inv = await loadInventory(file);

describe('resolveTarget', () => {
  it('reads every connection var', () => {
    const target = resolveTarget(inv, 'full');
    expect(target).toMatchObject({
      name: 'full',
      address: '10.0.0.5',
      port: 2222,
      user: 'ops',
      privateKeyFile: join(dirname(file), 'keys/id_ed25519'),
      password: 'pw',
      become: true,
      becomeUser: 'admin',
      becomePassword: 'bpw',
      connection: 'ssh',
    });
    expect(target.vars['ip']).toBe('10.0.0.99');
  });

  it("falls back to KubeSphere's ip, ansible_ssh_pass and the defaults", () => {
    expect(resolveTarget(inv, 'kubesphere')).toMatchObject({
      address: '10.0.0.6',
      port: 22,
      user: undefined,
      password: 'old',
      become: false,
      becomeUser: 'root',
      becomePassword: 'new',
      connection: 'ssh',
    });
    expect(resolveTarget(inv, 'bare')).toMatchObject({ address: 'bare', privateKeyFile: undefined, password: undefined });
  });

  it('expands ~/ and keeps absolute key paths', () => {
    expect(resolveTarget(inv, 'homekey').privateKeyFile).toBe(join(homedir(), '.ssh/id_rsa'));
    expect(resolveTarget(inv, 'abskey').privateKeyFile).toBe('/etc/dockhand/key');
  });

  it('reads quoted values and a host:port', () => {
    expect(resolveTarget(inv, 'quoted')).toMatchObject({ user: 'deploy user', password: 'p#ss word' });
    // as Ansible (shlex): an unquoted # starts a comment, even inside a word
    expect(resolveTarget(inv, 'quoted').vars['note']).toBe('keep');
    expect(resolveTarget(inv, 'sshport').port).toBe(2200);
  });

  it('exposes ansible_connection=local from the KubeSphere hosts.ini', async () => {
    const ks = await loadInventory(fixture('kubesphere-hosts.ini'));
    expect(resolveTarget(ks, 'master')).toMatchObject({ connection: 'local', address: '192.168.0.2' });
    expect(resolveTarget(ks, 'node1')).toMatchObject({ connection: 'ssh', address: '192.168.0.3', password: 'PASSWORD' });
  });

  it.each([
    ['true', true], ['False', false], ['YES', true], ['no', false], ['1', true], ['0', false],
  ])('reads ansible_become=%s', (value, expected) => {
    const one = parseIniInventory(`h ansible_become=${value}\n`, 'b.ini');
    expect(resolveTarget(one, 'h').become).toBe(expected);
  });

  it('reads YAML-typed values', () => {
    const one = parseYamlInventory('all:\n  hosts:\n    h: {ansible_become: true, ansible_port: 2022, ansible_user: 1000}\n', 'y.yml');
    expect(resolveTarget(one, 'h')).toMatchObject({ become: true, port: 2022, user: '1000' });
  });

  it.each([
    ['ansible_port=0', /host "h": ansible_port must be an integer from 1 to 65535, got 0/],
    ['ansible_port=65536', /ansible_port must be an integer from 1 to 65535/],
    ['ansible_port=22.5', /ansible_port must be an integer/],
    ['ansible_port=ssh', /ansible_port must be an integer/],
    ['ansible_become=maybe', /host "h": ansible_become must be a boolean/],
    ['ansible_connection=winrm', /host "h": ansible_connection "winrm" is not supported/],
  ])('rejects %s, naming the file, line, host and var', (assignment, message) => {
    const bad = parseIniInventory(`# header\n[g]\nh ${assignment}\n`, 'bad.ini');
    expect(() => resolveTarget(bad, 'h')).toThrow(message);
    expect(() => resolveTarget(bad, 'h')).toThrow(/^bad\.ini:3: /);
  });

  it('rejects a var of the wrong YAML type', () => {
    const bad = parseYamlInventory('all:\n  hosts:\n    h: {ansible_user: [a]}\n', 'y.yml');
    expect(() => resolveTarget(bad, 'h')).toThrow('y.yml:3: host "h": ansible_user must be a string, got ["a"]');
  });
});
