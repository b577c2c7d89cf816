import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.ts';
import { desiredStates } from '../../../src/converge/desired.ts';
import { parseInventory } from '../../../src/inventory/index.ts';
import { loadPlaybook, PlaybookError } from '../../../src/playbook/index.ts';
import { DISJOINT_INVENTORY, fixture, SHARED_NODE_INVENTORY } from './helpers.ts';

/**
 * Each broken fixture, and the line and message every error must carry: `file:line: path: value …`
 * (the file name is added by the test). A line of `undefined` means the file has none to give.
 */
const CASES: Array<[file: string, line: number | undefined, message: string | RegExp]> = [
  // YAML and the top level
  ['yaml-tab.yml', 3, /^invalid YAML: .*[Tt]ab/],
  ['yaml-unclosed.yml', 5, /^invalid YAML: /],
  ['yaml-duplicate-key.yml', 4, /^invalid YAML: Map keys must be unique/],
  ['empty.yml', undefined, 'the playbook is empty: expected a play (a mapping) or a list of plays'],
  ['comments-only.yml', undefined, 'the playbook is empty: expected a play (a mapping) or a list of plays'],
  ['scalar.yml', 2, 'the top level must be a play (a mapping) or a list of plays, got a string'],
  ['empty-list.yml', 1, 'the playbook is an empty list: it holds no plays'],
  ['list-non-mapping.yml', 4, 'plays[1]: "just text" must be a play (a mapping with hosts and registries), got a string'],
  // shape
  ['unknown-play-key.yml', 2, 'hostz: unknown key, with value "web"; expected one of name, hosts, registries, insecure_registries, registry_mirrors, docker_config, serial, max_fail_percentage, runtimes, restart, live_restore, reachability, start_timeout'],
  ['unknown-registry-key.yml', 5, 'plays[0].registries[0].cert: unknown key, with value "certs/harbor-ca.crt"; expected one of host, ip, insecure, ca, state, verify, mirrors'],
  ['missing-host.yml', 4, 'registries[1].host: is required'],
  ['bad-host-type.yml', 3, 'registries[0].host: 5000 must be a string, got a number'],
  ['bad-insecure.yml', 4, 'registries[0].insecure: "yes" must be true or false, got a string'],
  ['bad-state.yml', 4, 'registries[0].state: "gone" must be one of "present", "absent"'],
  ['registries-not-list.yml', 2, 'registries: "a.local" must be a list, got a string'],
  ['registry-not-mapping.yml', 3, 'registries[0]: "a.local" must be a mapping, got a string'],
  ['hosts-list.yml', 1, 'hosts: ["web","db"] must be a string, got a list'],
  ['empty-name.yml', 1, 'name: "" is empty'],
  ['no-registries.yml', 3, 'plays[0].registries: [] is empty: a play needs at least one registry, unless it sets insecure_registries or registry_mirrors'],
  ['registries-missing.yml', 2, 'registries: is required: a play needs at least one registry, unless it sets insecure_registries or registry_mirrors'],
  // values
  ['bad-host.yml', 4, 'registries[1].host: "$(id)" contains the forbidden character "$"'],
  ['bad-ip.yml', 4, 'registries[0].ip: "192.168.0.999" is not an IPv4 or IPv6 address'],
  ['bad-cidr.yml', 5, 'insecure_registries[1]: "10.0.0.0/33" is neither a registry host nor a CIDR block: it has prefix length "33", expected 0 to 32'],
  ['bad-insecure-entry.yml', 3, 'insecure_registries[1]: "a.local; reboot" is neither a registry host nor a CIDR block: it contains whitespace'],
  ['mirror-credentials.yml', 3, 'registry_mirrors[0]: "https://user:secret@mirror.example.com" holds credentials (user:password@): dockerd refuses them'],
  ['mirror-scheme.yml', 2, 'registry_mirrors[0]: "ftp://mirror.example.com" has scheme "ftp", expected http or https'],
  ['mirror-relative.yml', 2, 'registry_mirrors[0]: "mirror.example.com" is not an absolute URL (expected http://… or https://…)'],
  ['bad-serial.yml', 2, 'serial[1]: 0 must be a positive whole number or a percentage like "25%"'],
  ['bad-serial-percent.yml', 2, 'serial: "150%" must be a positive whole number or a percentage from above 0% to 100%, like "25%"'],
  ['bad-max-fail.yml', 2, 'max_fail_percentage: 150 must be a number from 0 to 100'],
  ['bad-start-timeout.yml', 3, 'start_timeout: 2.5 must be a whole number of seconds from 5 to 900'],
  ['start-timeout-string.yml', 2, 'start_timeout: "90" must be a whole number of seconds from 5 to 900'],
  // duplicates
  ['duplicate-host.yml', 6, 'registries[2].host: "Harbor.local" is declared twice in this play: also at registries[0] (line 3)'],
  // CA files
  ['ca-missing.yml', 5, `registries[1].ca: ../certs/nope.crt: CA file not found (${fixture('certs/nope.crt')})`],
  ['ca-directory.yml', 4, `registries[0].ca: ../certs: CA file is a directory; give the file (${fixture('certs')})`],
  ['ca-private-key.yml', 5, 'registries[1].ca: ../certs/with-key.pem: it holds a private key: give the CA certificate only'],
  ['ca-leaf.yml', 4, /^registries\[0\]\.ca: \.\.\/certs\/leaf\.crt: "CN=harbor\.example\.local" is not a CA certificate/],
  ['ca-empty.yml', 4, 'registries[0].ca: ../certs/empty.crt: the file is empty'],
  ['ca-expired.yml', 4, 'registries[0].ca: ../certs/expired-ca.crt: "CN=Expired-CA" expired on 2020-01-02'],
];

describe('playbook errors name the file, line, document path and value', () => {
  it.each(CASES)('%s:%s', async (name, line, message) => {
    const file = fixture(`errors/${name}`);
    const error = await loadPlaybook(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error).toBeInstanceOf(PlaybookError);
    const input = error as PlaybookError;
    expect(input.code).toBe('E_PLAYBOOK');
    expect(input.file).toBe(file);
    expect(input.line).toBe(line);
    expect(input.issues).toHaveLength(1);
    const prefix = `${file}${line === undefined ? '' : `:${line}`}: `;
    expect(input.message.startsWith(prefix)).toBe(true);
    const rest = input.message.slice(prefix.length);
    if (typeof message === 'string') expect(rest).toBe(message);
    else expect(rest).toMatch(message);
  });

  it('collects every error of a file, one per line, in line order; the first one gives `line`', async () => {
    const file = fixture('errors/multi.yml');
    const error = (await loadPlaybook(file).catch((e: unknown) => e)) as PlaybookError;
    expect(error.line).toBe(4);
    expect(error.message.split('\n')).toEqual([
      `${file}:4: plays[0].registries[0].host: "harbor.local; reboot" contains whitespace`,
      `${file}:5: plays[0].registries[0].ip: "192.168.0.999" is not an IPv4 or IPv6 address`,
      `${file}:6: plays[0].registries[0].insecure: "yes" must be true or false, got a string`,
      `${file}:8: plays[0].registries[1].ca: ../certs/with-key.pem: it holds a private key: give the CA certificate only`,
      `${file}:9: plays[0].registries[1].colour: unknown key, with value "blue"; expected one of host, ip, insecure, ca, state, verify, mirrors`,
      `${file}:10: plays[0].registry_mirrors[0]: "http://user:pass@mirror.example.com" holds credentials (user:password@): dockerd refuses them`,
    ]);
    expect(error.issues.map((issue) => issue.line)).toEqual([4, 5, 6, 8, 9, 10]);
  });
});

/** One registry declared two ways in two plays: refused where a node is in both plays, with the line and the node. */
const CROSS_PLAY: Array<[file: string, line: number, message: string]> = [
  ['cross-play.yml', 7, 'plays[1].registries[0].host: "HARBOR.local" is also declared at plays[0].registries[0] (line 3) with different settings: ip "10.0.0.1" vs "10.0.0.2", insecure false vs true'],
  ['cross-play-state.yml', 6, 'plays[1].registries[0].host: "harbor.local" is also declared at plays[0].registries[0] (line 3) with different settings: state "present" vs "absent"'],
  ['cross-play-ca.yml', 7, 'plays[1].registries[0].host: "harbor.local" is also declared at plays[0].registries[0] (line 3) with different settings: ca "../certs/harbor-ca.crt" vs "../certs/other-ca.crt" (different certificates)'],
];

describe('one registry declared two ways in two plays', () => {
  it.each(CROSS_PLAY)('%s:%s is refused where a node is in both plays, naming it', async (name, line, message) => {
    const file = fixture(`errors/${name}`);
    const playbook = await loadPlaybook(file);
    const shared = parseInventory(SHARED_NODE_INVENTORY, 'hosts.ini');
    const error = (() => {
      try {
        desiredStates(playbook, shared, new Set(shared.hosts.keys()));
      } catch (e) {
        return e;
      }
      return undefined;
    })() as PlaybookError;
    expect(error).toBeInstanceOf(PlaybookError);
    expect(error.line).toBe(line);
    expect(error.message).toBe(`${file}:${line}: ${message} (node both1 is in both plays)`);
  });

  it.each(CROSS_PLAY)('%s is accepted where the plays\' nodes differ', async (name) => {
    const playbook = await loadPlaybook(fixture(`errors/${name}`));
    const disjoint = parseInventory(DISJOINT_INVENTORY, 'hosts.ini');
    expect(desiredStates(playbook, disjoint, new Set(disjoint.hosts.keys())).size).toBe(3);
  });

  it('names five shared nodes and counts the rest', async () => {
    const playbook = await loadPlaybook(fixture('errors/cross-play.yml'));
    const inventory = parseInventory('[web]\nn[1:8]\n[db]\nn[1:8]\n', 'hosts.ini');
    expect(() => desiredStates(playbook, inventory, new Set(['n1']))).toThrow(/\(nodes n1, n2, n3, n4, n5 and 3 more are in both plays\)$/);
  });
});
