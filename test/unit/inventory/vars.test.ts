import { describe, expect, it } from 'vitest';
import { hostVars, loadInventory } from '../../../src/inventory/index.ts';
import { groupDepths } from '../../../src/inventory/membership.ts';
import { parseIniInventory } from '../../../src/inventory/ini.ts';
import { parseYamlInventory } from '../../../src/inventory/yaml.ts';
import { fixture } from './helpers.ts';

describe('hostVars: precedence', () => {
  it('counts depth from all', async () => {
    const inv = await loadInventory(fixture('precedence.ini'));
    const depths = groupDepths(inv);
    expect(Object.fromEntries(depths)).toMatchObject({ all: 0, cluster: 1, alpha: 1, workers: 2, zeta: 2, ungrouped: 1 });
  });

  it('applies all < parent < child < host', async () => {
    const inv = await loadInventory(fixture('precedence.ini'));
    expect(hostVars(inv, 'w1')).toEqual({
      level: 'host',
      from_all: 'yes',
      from_cluster: 'yes',
      tie: 'workers',
      ansible_user: 'admin',
    });
    expect(hostVars(inv, 'w3')).toMatchObject({ level: 'workers', from_cluster: 'yes', from_all: 'yes' });
  });

  it('orders groups of equal depth by name, later winning, whatever the file order', async () => {
    const inv = await loadInventory(fixture('precedence.ini'));
    // w2: all(0) < alpha(1) < cluster(1) < workers(2) < zeta(2).
    expect(hostVars(inv, 'w2')).toMatchObject({ level: 'zeta', tie: 'zeta' });
  });

  it('lets a deeper group win over a shallower one with a later name', () => {
    const inv = parseIniInventory('[zz:children]\naa\n[zz:vars]\nx=zz\n[aa]\nh\n[aa:vars]\nx=aa\n', 'd.ini');
    expect(hostVars(inv, 'h')).toEqual({ x: 'aa' });
  });

  it('honours ansible_group_priority among groups of equal depth', () => {
    const text = 'all:\n  children:\n    a:\n      vars: {x: a, ansible_group_priority: 10}\n      hosts: {h: }\n    b:\n      vars: {x: b}\n      hosts: {h: }\n';
    expect(hostVars(parseYamlInventory(text, 'p.yml'), 'h')).toMatchObject({ x: 'a' });
  });

  it('applies the same precedence to YAML inventories', () => {
    const text = [
      'all:',
      '  vars: {level: all, keep: all}',
      '  children:',
      '    parent:',
      '      vars: {level: parent}',
      '      children:',
      '        child:',
      '          vars: {level: child}',
      '          hosts:',
      '            h1: {level: host}',
      '            h2:',
    ].join('\n');
    const inv = parseYamlInventory(text, 'p.yml');
    expect(hostVars(inv, 'h1')).toEqual({ level: 'host', keep: 'all' });
    expect(hostVars(inv, 'h2')).toEqual({ level: 'child', keep: 'all' });
  });

  it('rejects an unknown host', async () => {
    const inv = await loadInventory(fixture('precedence.ini'));
    expect(() => hostVars(inv, 'nope')).toThrow(/no host named "nope"/);
  });
});
