import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.ts';
import { parseInventory, resolveTarget } from '../../../src/inventory/index.ts';

const SENTINEL = 'hunter2-Sentinel-77zq';

function errorOf(run: () => unknown): InputError {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

/** Faults found in review (issue 8), each reproduced as it was reported. */
describe('inventory faults', () => {
  it('fault 4: a YAML host given as a string is reported without echoing the password in it', () => {
    const text = `all:\n  hosts:\n    web1: ansible_host=10.0.0.1 ansible_become_password=${SENTINEL}\n`;
    const error = errorOf(() => parseInventory(text, '/inv/hosts.yml'));
    expect(error.message).toMatch(/^\/inv\/hosts\.yml:3: host "web1" must be a mapping/);
    expect(error.message).not.toContain(SENTINEL);
  });

  it('fault 4: an INI [g:children] line holding ansible_become_password=... is reported without echoing it', () => {
    const text = `[web]\nw1\n[k8s:children]\nweb ansible_become_password=${SENTINEL}\n`;
    const error = errorOf(() => parseInventory(text, '/inv/hosts.ini'));
    expect(error.message).toMatch(/^\/inv\/hosts\.ini:4: a \[k8s:children\] line holds one group name/);
    expect(error.message).not.toContain(SENTINEL);
  });

  it('fault 4: a key=value line in a host section, a bad section header and a bad YAML value never echo a password', () => {
    const cases = [
      `[web]\nansible_become_password=${SENTINEL}\n`,
      `[web ansible_become_password=${SENTINEL}\n`,
      `all:\n  hosts:\n    h: {ansible_password: [${SENTINEL}]}\n`,
    ];
    for (const text of cases) {
      const file = text.startsWith('all') ? '/inv/h.yml' : '/inv/h.ini';
      const message = (() => {
        try {
          const inv = parseInventory(text, file);
          resolveTarget(inv, 'h');
          return '';
        } catch (error) {
          return (error as Error).message;
        }
      })();
      expect(message, text).toMatch(/^\/inv\/h\.(ini|yml):\d+: /);
      expect(message, text).not.toContain(SENTINEL);
    }
  });

  it('fault 5: YAML merge keys (<<: *common) give hosts the common vars, as Ansible honours them', () => {
    // ansible-inventory 2.14 --list on this file: n2 {ansible_become: true, ansible_host, ansible_user: ops};
    // n3 {ansible_become: false, ansible_port: 2222, ansible_user: ops} (an earlier merged mapping wins over a later one).
    const text = [
      'all:',
      '  hosts:',
      '    n1: &common',
      '      ansible_user: ops',
      '      ansible_become: yes',
      '    n2:',
      '      <<: *common',
      '      ansible_host: 10.0.0.2',
      '    n3:',
      '      <<: [*common, {ansible_user: other, ansible_port: 2222}]',
      '      ansible_become: false',
    ].join('\n');
    const inv = parseInventory(text, 'merge.yml');
    expect(resolveTarget(inv, 'n2')).toMatchObject({ user: 'ops', become: true, address: '10.0.0.2' });
    expect(inv.hosts.get('n2')?.vars).toEqual({ ansible_user: 'ops', ansible_become: true, ansible_host: '10.0.0.2' });
    expect(inv.hosts.get('n3')?.vars).toEqual({ ansible_user: 'ops', ansible_become: false, ansible_port: 2222 });
  });

  it('fault 5: a merge key in a group\'s vars and children works too', () => {
    const text = 'all:\n  vars: &v {ansible_user: ops}\n  children:\n    web:\n      vars:\n        <<: *v\n        ansible_port: 2200\n      hosts: {w1: }\n';
    const inv = parseInventory(text, 'merge.yml');
    expect(inv.groups.get('web')?.vars).toEqual({ ansible_user: 'ops', ansible_port: 2200 });
  });

  it('fault 5: an !vault value is refused with a message naming the file and line, never used as a password', () => {
    const text = [
      'all:',
      '  hosts:',
      '    h1:',
      '      ansible_become_password: !vault |',
      '        $ANSIBLE_VAULT;1.1;AES256',
      '        62313365396662343061393464336163383764373764613633653634306231386433626436623361',
    ].join('\n');
    const error = errorOf(() => parseInventory(text, '/inv/vault.yml'));
    expect(error.message).toMatch(/^\/inv\/vault\.yml:4: .*Ansible Vault \(!vault\)/);
    expect(error.message).toMatch(/dockhand cannot decrypt it/);
  });

  it('fault 11: an INI [g:vars] value "pa55 #word" stays whole, as Ansible keeps it', () => {
    // ansible-inventory 2.14 --host w1: {"ansible_become_password": "pa55 #word"}
    const inv = parseInventory('[web]\nw1\n[web:vars]\nansible_become_password=pa55 #word\n', 'f11.ini');
    expect(resolveTarget(inv, 'w1').becomePassword).toBe('pa55 #word');
  });

  it('fault 11: a :vars value that is a Python literal loses its comment, as Ansible (ast.literal_eval) does', () => {
    const inv = parseInventory('[web]\nw1\n[web:vars]\na = "quoted" # c\nb = 42 # c\nc = value # c\n', 'f11.ini');
    expect(inv.groups.get('web')?.vars).toEqual({ a: 'quoted', b: 42, c: 'value # c' });
  });
});
