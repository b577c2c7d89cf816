// Faults of issue 8 that a playbook alone shows: each test is named after its fault.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalCidr } from '../../../src/registry/cidr.ts';
import { desiredStates } from '../../../src/converge/desired.ts';
import { parseInventory } from '../../../src/inventory/index.ts';
import { parsePlaybook } from '../../../src/playbook/index.ts';
import { DISJOINT_INVENTORY, refusal, refusalWith, SHARED_NODE_INVENTORY } from './helpers.ts';

describe('issue 8, fault 1: a CIDR with host bits (192.168.1.1/24), which dockerd keeps as 192.168.1.0/24', () => {
  it('is read as the network dockerd keeps (IPv4 and IPv6), with a warning naming the entry', async () => {
    const text = `hosts: all
insecure_registries:
  - 192.168.1.1/24
  - FD00:0:0:0:1::7/64
  - 10.233.0.0/18
  - {value: 172.16.5.9/12, state: absent}
`;
    const { plays, warnings } = await parsePlaybook(text, 'site.yml');
    expect(plays[0]!.insecureRegistries).toEqual(['192.168.1.0/24', 'fd00::/64', '10.233.0.0/18']);
    expect(plays[0]!.absentInsecureRegistries).toEqual(['172.16.0.0/12']);
    expect(warnings).toEqual([
      'site.yml:3: insecure_registries[0]: "192.168.1.1/24" read as 192.168.1.0/24, the network dockerd keeps for it (host bits cleared)',
      'site.yml:4: insecure_registries[1]: "FD00:0:0:0:1::7/64" read as fd00::/64, the network dockerd keeps for it (host bits cleared)',
      'site.yml:6: insecure_registries[3]: "172.16.5.9/12" read as 172.16.0.0/12, the network dockerd keeps for it (host bits cleared)',
    ]);
  });

  it('writes CIDR blocks as Go prints them', () => {
    expect(canonicalCidr('10.0.0.1/32')).toBe('10.0.0.1/32');
    expect(canonicalCidr('10.1.2.3/0')).toBe('0.0.0.0/0');
    expect(canonicalCidr('10.1.255.3/17')).toBe('10.1.128.0/17');
    expect(canonicalCidr('2001:db8:0:0:1:0:0:1/128')).toBe('2001:db8::1:0:0:1/128');
    expect(canonicalCidr('2001:0db8:0000:0000:0000:0000:0000:0001/48')).toBe('2001:db8::/48');
    expect(canonicalCidr('fd00:1:2:3:4:5:6:7/128')).toBe('fd00:1:2:3:4:5:6:7/128');
    expect(canonicalCidr('fd00:0:1:0:0:1::/128')).toBe('fd00:0:1::1:0:0/128');
    expect(canonicalCidr('::ffff:10.1.2.3/120')).toBe('10.1.2.0/24');
    expect(canonicalCidr('::/0')).toBe('::/0');
  });

  it('masks like a bitwise AND of the address with the prefix (property)', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), (address, prefix) => {
        const toInt = (ip: string) => ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
        const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
        const [network, bits] = canonicalCidr(`${address}/${prefix}`).split('/');
        expect(Number(bits)).toBe(prefix);
        expect(toInt(network!)).toBe((toInt(address) & mask) >>> 0);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps an IPv6 block whole when it is its own network, only rewritten canonically (property)', () => {
    fc.assert(
      fc.property(fc.ipV6(), (address) => {
        const canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1);
        expect(canonicalCidr(`${address}/128`)).toBe(`${canonical}/128`);
      }),
      { numRuns: 500 },
    );
  });
});

describe('issue 8, fault 10: one registry name pinned to two addresses on one node', () => {
  /** One name pinned to .1 by a play for web and to .2 by a play for db. */
  const TWO_PINS = `- hosts: web
  registries: [{host: harbor.local:5000, ip: 10.0.0.1}]
- hosts: db
  registries: [{host: Harbor.Local, ip: 10.0.0.2}]
`;

  it('is refused in one play (harbor.local:5000 to .1, harbor.local:443 to .2), naming both places', async () => {
    const text = `hosts: all
registries:
  - {host: harbor.local:5000, ip: 10.0.0.1}
  - {host: "harbor.local:443", ip: 10.0.0.2}
`;
    expect(await refusal(text)).toEqual([
      'site.yml:4: registries[1].ip: "10.0.0.2" pins the name harbor.local (of harbor.local:443), which registries[0] (line 3) pins to 10.0.0.1 ' +
        '(for harbor.local:5000): /etc/hosts gives a name one address; give both the same ip',
    ]);
  });

  it('is refused across plays that share a node, naming both places and the node', async () => {
    const text = TWO_PINS;
    expect(await refusalWith(text, SHARED_NODE_INVENTORY)).toEqual([
      'site.yml:4: plays[1].registries[0].ip: "10.0.0.2" pins the name harbor.local (of Harbor.Local), which plays[0].registries[0] (line 2) pins to 10.0.0.1 ' +
        '(for harbor.local:5000): /etc/hosts gives a name one address; give both the same ip (node both1 is in both plays)',
    ]);
  });

  it('is accepted across plays whose nodes differ: each node pins the name to its own play\'s address', async () => {
    const text = TWO_PINS;
    expect(await refusalWith(text, DISJOINT_INVENTORY)).toEqual([]);
    const playbook = await parsePlaybook(text, 'site.yml');
    const inventory = parseInventory(DISJOINT_INVENTORY, 'hosts.ini');
    const states = desiredStates(playbook, inventory, new Set(['web1', 'db1']));
    expect(states.get('web1')!.registries.map((r) => [r.host, r.ip])).toEqual([['harbor.local:5000', '10.0.0.1']]);
    expect(states.get('db1')!.registries.map((r) => [r.host, r.ip])).toEqual([['Harbor.Local', '10.0.0.2']]);
  });

  it('is refused for a shared node whatever --limit selects: a playbook and an inventory are valid or not on their own', async () => {
    const text = `- hosts: web
  registries: [{host: harbor.local, ip: 10.0.0.1}]
- hosts: db
  registries: [{host: harbor.local:8443, ip: 10.0.0.2}]
`;
    const playbook = await parsePlaybook(text, 'site.yml');
    const inventory = parseInventory(SHARED_NODE_INVENTORY, 'hosts.ini');
    expect(() => desiredStates(playbook, inventory, new Set(['web1']))).toThrow(/\(node both1 is in both plays\)$/);
  });

  it('compares every pair of plays, not only with the first declaration', async () => {
    const text = `- hosts: web1
  registries: [{host: harbor.local, ip: 10.0.0.1}]
- hosts: db
  registries: [{host: harbor.local:5000, ip: 10.0.0.2}]
- hosts: both1
  registries: [{host: harbor.local:8443, ip: 10.0.0.1}]
`;
    expect(await refusalWith(text, SHARED_NODE_INVENTORY)).toEqual([
      'site.yml:6: plays[2].registries[0].ip: "10.0.0.1" pins the name harbor.local (of harbor.local:8443), which plays[1].registries[0] (line 4) pins to 10.0.0.2 ' +
        '(for harbor.local:5000): /etc/hosts gives a name one address; give both the same ip (node both1 is in both plays)',
    ]);
  });

  it('accepts one name on two ports pinned to one address (written either way), or pinned once', async () => {
    const text = `hosts: all
registries:
  - {host: harbor.local:5000, ip: "fd00::1"}
  - {host: harbor.local:443, ip: "FD00:0::1"}
  - {host: harbor.local:8443}
  - {host: other.local:5000, ip: 10.0.0.2, state: absent}
  - {host: other.local, ip: 10.0.0.3}
`;
    const { plays } = await parsePlaybook(text, 'site.yml');
    expect(plays[0]!.registries).toHaveLength(5);
  });
});
