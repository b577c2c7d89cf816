import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.ts';
import { loadInventory, resolveTarget } from '../../../src/inventory/index.ts';
import type { Inventory } from '../../../src/inventory/types.ts';
import { derivedPlayText, loadRunInputs } from '../../../src/sources/index.ts';
import { expandKubeKeyRange } from '../../../src/sources/kubekey/host-range.ts';
import { fixture } from './helpers.ts';

const SAMPLE = fixture('kubekey/config-sample.yaml');
const members = (inv: Inventory, group: string): string[] => [...(inv.groups.get(group)?.hosts ?? [])];

describe('a KubeKey cluster file as inventory', () => {
  it('reads spec.hosts and spec.roleGroups: node[2:3] expanded, master and control-plane one group, k8s-cluster added', async () => {
    const inv = await loadInventory(SAMPLE);
    expect([...inv.hosts.keys()]).toEqual(['node1', 'node2', 'node3', 'node4', 'node5', 'node6', 'node7', 'node8', 'node9', 'node10', 'registry1']);
    expect(members(inv, 'etcd')).toEqual(['node1']);
    expect(members(inv, 'control-plane')).toEqual(['node1', 'node2', 'node3']);
    expect(members(inv, 'master')).toEqual(['node1', 'node2', 'node3']);
    expect(members(inv, 'worker')).toEqual(['node1', 'node4', 'node5', 'node6', 'node7', 'node8', 'node9', 'node10']);
    expect(members(inv, 'registry')).toEqual(['registry1']);
    expect(members(inv, 'k8s-cluster')).toEqual(['node1', 'node2', 'node3', 'node4', 'node5', 'node6', 'node7', 'node8', 'node9', 'node10']);
    expect(members(inv, 'all')).toHaveLength(11);
  });

  it('logs in as KubeKey does: root unless given, sudo with the same password for another user, the key path or KubeKey\'s default', async () => {
    const inv = await loadInventory(SAMPLE);
    expect(resolveTarget(inv, 'node1')).toMatchObject({
      address: '172.16.0.2', port: 8022, user: 'ubuntu', password: 'Qcloud@123', become: true, becomeUser: 'root', becomePassword: 'Qcloud@123', privateKeyFile: undefined,
    });
    expect(resolveTarget(inv, 'node2')).toMatchObject({ address: '172.16.0.3', port: 22, user: 'root', password: 'Qcloud@123', become: false, becomePassword: undefined });
    expect(resolveTarget(inv, 'node3')).toMatchObject({ user: 'root', password: undefined, privateKeyFile: join(homedir(), '.ssh/id_rsa') });
    expect(resolveTarget(inv, 'node4').privateKeyFile).toBe(fixture('kubekey/keys/id_ed25519'));
    // neither password nor key: KubeKey's default ~/.ssh/id_rsa
    expect(resolveTarget(inv, 'node5').privateKeyFile).toBe(join(homedir(), '.ssh/id_rsa'));
    // no address: internalAddress
    expect(resolveTarget(inv, 'node6')).toMatchObject({ address: '172.16.0.7', password: 'Qcloud@123', privateKeyFile: undefined });
    // another user with a key and no password: sudo without one (NOPASSWD), as KubeKey
    expect(resolveTarget(inv, 'node7')).toMatchObject({ user: 'ops', become: true, becomePassword: undefined, privateKeyFile: '/etc/dockhand/id_rsa' });
    expect(inv.secretFiles).toEqual([SAMPLE]);
    expect(inv.warnings).toEqual([]);
  });

  it('keeps an inline privateKey in memory, on the target only, never among its vars', () => {
    const file = writeCluster(`  hosts:\n  - name: n1\n    address: 10.0.0.1\n    privateKey: |\n      -----BEGIN OPENSSH PRIVATE KEY-----\n      b3BlbnNzaC1rZXktdjEAAAAA\n      -----END OPENSSH PRIVATE KEY-----\n  roleGroups:\n    control-plane: [n1]\n`);
    return loadInventory(file).then((inv) => {
      const target = resolveTarget(inv, 'n1');
      expect(target.privateKey).toBe('-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n');
      expect(target.privateKeyFile).toBeUndefined();
      expect(JSON.stringify(target.vars)).not.toContain('PRIVATE KEY');
      expect(inv.secretFiles).toEqual([file]);
    });
  });

  it('names KubeKey\'s field and line when a value is wrong, never the password', async () => {
    const file = writeCluster('  hosts:\n  - {name: n1, address: 10.0.0.1, port: 70000, password: 123456789}\n  roleGroups:\n    control-plane: [n1]\n');
    const error = await loadInventory(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    const message = (error as Error).message;
    expect(message).toContain(`${file}:7: spec.hosts[0].port: must be a whole number from 0 to 65535, got 70000`);
    expect(message).toContain(`${file}:7: spec.hosts[0].password: must be a string, got a number (quote it)`);
    expect(message).not.toContain('123456789');
  });

  it.each([
    ['an unknown host field', '  hosts:\n  - {name: n1, address: 10.0.0.1, pasword: x}\n  roleGroups:\n    control-plane: [n1]\n', /:7: spec\.hosts\[0\]\.pasword: unknown field; a KubeKey host has name, address/],
    ['an unknown spec field', '  hosts:\n  - {name: n1, address: 10.0.0.1}\n  roleGroups:\n    control-plane: [n1]\n  registy:\n    privateRegistry: x\n', /:10: spec\.registy: unknown field; KubeKey's spec has hosts, roleGroups/],
    ['an unknown role', '  hosts:\n  - {name: n1, address: 10.0.0.1}\n  roleGroups:\n    control-plane: [n1]\n    wroker: [n1]\n', /:10: spec\.roleGroups\.wroker: unknown role; KubeKey's roles are etcd, control-plane, master, worker, registry/],
    ['a role naming a host not in spec.hosts', '  hosts:\n  - {name: n1, address: 10.0.0.1}\n  roleGroups:\n    control-plane: [n1]\n    worker: ["n[1:2]"]\n', /:10: spec\.roleGroups\.worker\[0\]: "n2" is in roleGroups\.worker but not in spec\.hosts/],
    ['a range KubeKey cannot read', '  hosts:\n  - {name: n1, address: 10.0.0.1}\n  roleGroups:\n    control-plane: ["n[a:c]"]\n', /:9: spec\.roleGroups\.control-plane\[0\]: "n\[a:c\]" holds "\[", ":" and "\]" but no \[start:end\] range of numbers/],
    ['no control plane', '  hosts:\n  - {name: n1, address: 10.0.0.1}\n  roleGroups:\n    worker: [n1]\n', /:8: spec\.roleGroups: names no control-plane \(or master\) host/],
    ['two hosts of one name', '  hosts:\n  - {name: n1, address: 10.0.0.1}\n  - {name: n1, address: 10.0.0.2}\n  roleGroups:\n    control-plane: [n1]\n', /:8: spec\.hosts\[1\]\.name: "n1" is also the name of spec\.hosts\[0\]/],
    ['a host without an address', '  hosts:\n  - {name: n1}\n  roleGroups:\n    control-plane: [n1]\n', /:7: spec\.hosts\[0\]: host "n1" has neither address nor internalAddress/],
  ])('%s is an error naming file, line and field', async (_, spec, message) => {
    const file = writeCluster(spec);
    const error = await loadInventory(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message.startsWith(file)).toBe(true);
  });

  it('reads the README\'s example cluster file', async () => {
    const readme = readFileSync(join(import.meta.dirname, '..', '..', '..', 'README.md'), 'utf8');
    const example = /```yaml\n(apiVersion: kubekey\.kubesphere\.io\/v1alpha2\n[\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    const file = join(mkdtempSync(join(tmpdir(), 'dockhand-kk-')), 'config-sample.yaml');
    writeFileSync(file, example!);
    const inv = await loadInventory(file);
    expect(members(inv, 'k8s-cluster')).toEqual(['node1', 'node2', 'node3']);
    expect(resolveTarget(inv, 'node1')).toMatchObject({ user: 'ubuntu', become: true, becomePassword: 'Qcloud@123' });
  });

  it('refuses KubeKey\'s older format, naming the apiVersion', async () => {
    const file = writeCluster('  hosts: []\n', 'kubekey.kubesphere.io/v1alpha1');
    await expect(loadInventory(file)).rejects.toThrow(`${file}:1: apiVersion: "kubekey.kubesphere.io/v1alpha1" is not supported`);
  });
});

describe('KubeKey host ranges, exactly as KubeKey expands them', () => {
  it.each([
    ['node[2:10]', ['node2', 'node3', 'node4', 'node5', 'node6', 'node7', 'node8', 'node9', 'node10']],
    ['node[01:03]', ['node1', 'node2', 'node3']], // no padding: KubeKey writes %d
    ['node[1:2]-a', ['node1', 'node2']], // KubeKey drops what follows the range
    ['node[3:1]', []], // an end below the start gives nothing
    ['w[1:2][5:6]', ['w1', 'w2']], // the first range only
  ])('%s', (entry, names) => {
    expect(expandKubeKeyRange(entry)).toEqual({ names });
  });
});

describe('KubeKey registry settings as a play', () => {
  it('derives the documented sample\'s play: the private registry pinned to the registry node, certsPath\'s CA, plainHTTP and skipTLSVerify as insecure', async () => {
    const inputs = await loadRunInputs({ playbook: undefined, inventories: [], fromKubekey: SAMPLE });
    const [play, ...more] = inputs.playbook.plays;
    expect(more).toEqual([]);
    expect(play).toMatchObject({ name: 'KubeKey cluster sample', hosts: 'k8s-cluster', runtimes: ['docker'], insecureRegistries: ['10.233.0.0/18'], registryMirrors: ['https://mirror.example.com'] });
    expect(play!.registries.map((r) => ({ host: r.host, ip: r.ip, insecure: r.insecure, ca: r.ca?.file }))).toEqual([
      { host: 'dockerhub.kubekey.local', ip: '172.16.0.20', insecure: false, ca: fixture('kubekey/certs/dockerhub.kubekey.local/ca.crt') },
      { host: 'harbor-http.example.local', ip: undefined, insecure: true, ca: undefined },
      { host: 'harbor-selfsigned.example.local:8443', ip: undefined, insecure: true, ca: undefined },
    ]);
    expect(inputs.secrets).toEqual(['Harbor12345']);
    expect(inputs.secretFiles).toEqual([SAMPLE]);
    expect(inputs.playbook.warnings).toEqual([
      `${SAMPLE}:73: spec.registry.auths["dockerhub.kubekey.local"]: the login is KubeKey's (docker login on the nodes); dockhand configures trust, not logins, and does not use it`,
      ...['harbor-http.example.local', 'harbor-selfsigned.example.local:8443'].map((registry, i) =>
        `${SAMPLE}:${78 + 2 * i}: spec.registry.auths["${registry}"]: ${registry} is not pinned in /etc/hosts (the derived play gives it no address): its name must resolve on the nodes (DNS), or they cannot reach it`),
    ]);
    expect([...inputs.inventory.hosts.keys()]).toHaveLength(11);
  });

  it('prints the play as YAML that loads to the same play, naming where each entry came from', async () => {
    const { text } = await derivedPlayText({ playbook: undefined, inventories: [], fromKubekey: SAMPLE });
    expect(text).toContain('# spec.registry.privateRegistry (');
    expect(text).toContain('# spec.registry.auths["harbor-http.example.local"] (');
    expect(text).not.toContain('Harbor12345');
    const dir = mkdtempSync(join(tmpdir(), 'dockhand-kk-'));
    writeFileSync(join(dir, 'play.yml'), text);
    const saved = await loadRunInputs({ playbook: join(dir, 'play.yml'), inventories: [SAMPLE] });
    const derived = await loadRunInputs({ playbook: undefined, inventories: [], fromKubekey: SAMPLE });
    const strip = (plays: typeof saved.playbook.plays) => plays.map(({ source: _source, ...play }) => play);
    expect(strip(saved.playbook.plays)).toEqual(strip(derived.playbook.plays));
  });

  it('takes containerManager from the file, and KubeKey\'s default (docker) when it is not set', async () => {
    const base = '  hosts:\n  - {name: n1, address: 10.0.0.1}\n  roleGroups:\n    control-plane: [n1]\n  registry:\n    insecureRegistries: [harbor.local]\n';
    const containerd = await loadRunInputs({ playbook: undefined, inventories: [], fromKubekey: writeCluster(`${base}  kubernetes:\n    version: v1.26.5\n    containerManager: containerd\n`) });
    expect(containerd.playbook.plays[0]!.runtimes).toEqual(['containerd']);
    const unset = await loadRunInputs({ playbook: undefined, inventories: [], fromKubekey: writeCluster(`${base}  kubernetes:\n    version: v1.26.5\n`) });
    expect(unset.playbook.plays[0]!.runtimes).toEqual(['docker']);
  });

  it('pins registry names that spec.dns.nodeEtcHosts gives (KubeKey writes them into every node\'s /etc/hosts)', async () => {
    const file = writeCluster([
      '  hosts:',
      '  - {name: n1, address: 10.0.0.1}',
      '  roleGroups:',
      '    control-plane: [n1]',
      '  dns:',
      '    nodeEtcHosts: |',
      '      192.168.0.99 harbor-http.example.local',
      '      192.168.0.100 harbor.example.local other.example.local',
      '  registry:',
      '    privateRegistry: harbor.example.local:8443/library',
      '    insecureRegistries: [harbor-http.example.local, 10.233.0.0/18]',
      '',
    ].join('\n'));
    const { playbook } = await loadRunInputs({ playbook: undefined, inventories: [], fromKubekey: file });
    const play = playbook.plays[0]!;
    expect(play.registries.map((r) => [r.host, r.ip, r.insecure])).toEqual([
      ['harbor.example.local:8443', '192.168.0.100', false],
      ['harbor-http.example.local', '192.168.0.99', true],
    ]);
    expect(play.insecureRegistries).toEqual(['10.233.0.0/18']);
  });

  it.each([
    ['namespaceOverride', '    namespaceOverride: kubesphereio\n', /:11: spec\.registry\.namespaceOverride: rewrites image names/],
    ['namespaceRewrite (as in KubeKey\'s full sample)', '    namespaceRewrite:\n      policy: changePrefix\n      src: [namespace1]\n      dest: library\n', /:11: spec\.registry\.namespaceRewrite: rewrites image names/],
    ['remoteMirrors', '    remoteMirrors:\n      docker.io: {endpoint: "https://m.local"}\n', /:11: spec\.registry\.remoteMirrors: is not supported yet/],
    ['an unknown registry field', '    insecureRegistry: [x]\n', /:11: spec\.registry\.insecureRegistry: unknown field; KubeKey's spec\.registry has type, registryMirrors/],
    ['an unknown auths field', '    auths:\n      harbor.local: {plainHttp: true}\n', /:12: spec\.registry\.auths\["harbor\.local"\]\.plainHttp: unknown field/],
    ['certFile', '    auths:\n      harbor.local: {certFile: /etc/c.cert, keyFile: /etc/c.key}\n', /:12: spec\.registry\.auths\["harbor\.local"\]\.certFile: client certificates are not supported yet/],
    ['a certsPath with a client certificate', '    auths:\n      harbor.local: {certsPath: CERTS/with-client}\n', /:12: spec\.registry\.auths\["harbor\.local"\]\.certsPath: .*with-client holds a client certificate \(client\.cert, client\.key\): client certificates are not supported yet/],
    ['a certsPath with two CAs', '    auths:\n      harbor.local: {certsPath: CERTS/two-cas}\n', /certsPath: .*two-cas holds several CA files \(a\.crt, b\.crt\): give the one to trust as caFile/],
    ['a missing caFile (found by the playbook loader)', '    auths:\n      harbor.local: {caFile: /nowhere/ca.crt}\n', /:12: spec\.registry\.auths\["harbor\.local"\]\.caFile: \/nowhere\/ca\.crt: CA file not found .*\(in the derived play: registries\[0\]\.ca\)/],
    ['a bad insecure registry (found by the playbook loader)', '    insecureRegistries: ["harbor.local; reboot"]\n', /:11: spec\.registry\.insecureRegistries\[0\]: "harbor\.local; reboot" is neither a registry host nor a CIDR block/],
    ['crio', '    insecureRegistries: [harbor.local]\n  kubernetes:\n    containerManager: crio\n', /:13: spec\.kubernetes\.containerManager: crio is not supported: dockhand configures docker and containerd/],
    ['nothing to apply', '    privateRegistry: ""\n', /:10: spec\.registry: sets nothing dockhand applies/],
  ])('%s is an error naming the field and line, before any node is touched', async (_, registry, message) => {
    const spec = `  hosts:\n  - {name: n1, address: 10.0.0.1}\n  roleGroups:\n    control-plane: [n1]\n  registry:\n${registry.replaceAll('CERTS', fixture('kubekey/certs'))}`;
    const file = writeCluster(spec);
    const error = await loadRunInputs({ playbook: undefined, inventories: [], fromKubekey: file }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message.startsWith(file)).toBe(true);
  });
});

/** A cluster file in a fresh directory: KubeKey's header, then `spec` (indented two spaces). */
function writeCluster(spec: string, apiVersion = 'kubekey.kubesphere.io/v1alpha2'): string {
  const file = join(mkdtempSync(join(tmpdir(), 'dockhand-kk-')), 'config.yaml');
  writeFileSync(file, `apiVersion: ${apiVersion}\nkind: Cluster\nmetadata:\n  name: t\nspec:\n${spec}`);
  return file;
}

describe('issue 15, fault 11: a YAML error in a KubeKey cluster file names the file, the line and the error', () => {
  // the spec starts on line 6 of the file writeCluster writes
  it.each([
    ['an unclosed flow map', `  hosts:\n  - {name: n1, address: 10.0.0.1\n  roleGroups:\n    control-plane: [n1]\n`, /invalid YAML: /],
    ['a tab as indentation', `  hosts:\n  - name: n1\n\taddress: 10.0.0.1\n  roleGroups:\n    control-plane: [n1]\n`, /invalid YAML: .*[Tt]ab/],
    ['a duplicate key', `  hosts:\n  - name: n1\n    address: 10.0.0.1\n    address: 10.0.0.2\n  roleGroups:\n    control-plane: [n1]\n`, /invalid YAML: Map keys must be unique/],
  ])('%s: --from-kubekey, --print-play and -i all say so', async (_what, spec, message) => {
    const file = writeCluster(spec);
    for (const attempt of [
      () => loadRunInputs({ playbook: undefined, inventories: [], fromKubekey: file }),
      () => derivedPlayText({ playbook: undefined, inventories: [], fromKubekey: file }),
      () => loadInventory(file),
    ]) {
      const error = await attempt().then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+: `));
      expect((error as InputError).line).toBeGreaterThanOrEqual(7);
      expect((error as InputError).message).toMatch(message);
      expect((error as InputError).message).not.toContain('no KubeKey Cluster document');
    }
  });
});
