import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.ts';
import { hostVars } from '../../../src/inventory/index.ts';
import { derivedPlayText, loadRunInputs } from '../../../src/sources/index.ts';
import { fixture } from './helpers.ts';

const CONTAINERD = fixture('kubespray/mycluster');
const DOCKER = fixture('kubespray/docker-cluster');
const from = (dir: string, inventories: string[] = []) => loadRunInputs({ playbook: undefined, inventories, fromKubespray: dir });

describe('a Kubespray inventory directory as inventory and play', () => {
  it('reads hosts.yaml and group_vars, and defines k8s_cluster as Kubespray does', async () => {
    const { inventory } = await from(CONTAINERD);
    expect([...inventory.hosts.keys()]).toEqual(['node1', 'node2', 'node3', 'bastion']);
    expect([...(inventory.groups.get('k8s_cluster')?.children ?? [])]).toEqual(['kube_control_plane', 'kube_node', 'calico_rr']);
    expect(hostVars(inventory, 'node2')).toMatchObject({ ansible_host: '95.54.0.13', ansible_user: 'ubuntu', ansible_become: true, container_manager: 'containerd' });
    expect(hostVars(inventory, 'bastion')['container_manager']).toBeUndefined();
  });

  it('derives the play from containerd_registries_mirrors (docs/CRI/containerd.md): mirrors kept, the registry\'s own http:// host with its capabilities', async () => {
    const { playbook } = await from(CONTAINERD);
    const [play] = playbook.plays;
    expect(play).toMatchObject({ hosts: 'k8s_cluster', runtimes: ['containerd'], insecureRegistries: [], registryMirrors: [] });
    expect(play!.registries.map((r) => ({ host: r.host, insecure: r.insecure, mirrors: r.mirrors?.map((m) => ({ ...m, ca: m.ca?.file })) }))).toEqual([
      {
        host: 'docker.io',
        insecure: false,
        mirrors: [
          { url: 'https://mirror.gcr.io', capabilities: ['pull', 'resolve'], skipVerify: false, ca: undefined },
          { url: 'https://registry-1.docker.io', capabilities: ['pull', 'resolve'], skipVerify: false, ca: undefined },
        ],
      },
      { host: 'test.registry.io', insecure: false, mirrors: [{ url: 'http://test.registry.io', capabilities: ['pull', 'resolve'], skipVerify: true, ca: undefined }] },
      { host: '172.19.16.11:5000', insecure: false, mirrors: [{ url: 'http://172.19.16.11:5000', capabilities: ['pull', 'resolve'], skipVerify: true, ca: undefined }] },
      {
        host: 'harbor.example.local',
        insecure: false,
        mirrors: [{ url: 'https://harbor-cache.example.local', capabilities: ['pull'], skipVerify: false, ca: fixture('kubekey/certs/dockerhub.kubekey.local/ca.crt') }],
      },
    ]);
  });

  it('derives the play from docker_insecure_registries and docker_registry_mirrors of an inventory.ini directory', async () => {
    const { playbook, inventory } = await from(DOCKER);
    expect(inventory.source).toBe(join(DOCKER, 'inventory.ini'));
    expect(playbook.plays[0]).toMatchObject({
      hosts: 'k8s_cluster',
      runtimes: ['docker'],
      registries: [],
      insecureRegistries: ['mirror.registry.io', '172.19.16.11'],
      registryMirrors: ['https://registry.docker-cn.com', 'https://mirror.aliyuncs.com'],
    });
  });

  it('prints the play with each entry traced to its group_vars file and line', async () => {
    const { text } = await derivedPlayText({ playbook: undefined, inventories: [], fromKubespray: DOCKER });
    expect(text).toMatch(/# docker_insecure_registries\[0\] \(.*group_vars\/all\/docker\.yml:8\)\n  - mirror\.registry\.io/);
  });

  it('applies the directory\'s group_vars to the inventory given with -i', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dockhand-ks-'));
    writeFileSync(join(dir, 'other.ini'), '[kube_node]\nw1 ansible_host=10.0.0.1\n');
    const { playbook, inventory } = await from(DOCKER, [join(dir, 'other.ini')]);
    expect([...inventory.hosts.keys()]).toEqual(['w1']);
    expect(playbook.plays[0]!.insecureRegistries).toEqual(['mirror.registry.io', '172.19.16.11']);
  });

  it('warns about the other runtime\'s variables, which Kubespray does not apply either', async () => {
    const dir = copy(DOCKER);
    writeFileSync(join(dir, 'group_vars/all/containerd.yml'), 'containerd_registries_mirrors:\n  - prefix: harbor.local\n    mirrors: [{host: "http://harbor.local"}]\n');
    const { playbook } = await from(dir);
    expect(playbook.warnings).toEqual([`${join(dir, 'group_vars/all/containerd.yml')}:1: containerd_registries_mirrors is not used: container_manager is docker, and Kubespray applies it only with containerd`]);
  });

  it.each([
    ['Jinja in a registry variable', 'all/docker.yml', 'docker_insecure_registries:\n  - "{{ registry_host }}"\n', /group_vars\/all\/docker\.yml:2: docker_insecure_registries\[0\]: holds Jinja \(\{\{ … \}\} or \{% … %\}\): dockhand does not evaluate templates/],
    ['crio', 'k8s_cluster/k8s-cluster.yml', 'container_manager: crio\n', /k8s-cluster\.yml:1: container_manager: crio is not supported/],
    ['a deprecated variable', 'all/containerd.yml', 'containerd_insecure_registries:\n  "harbor.local": "http://harbor.local"\n', /containerd\.yml:1: containerd_insecure_registries: is deprecated and no longer read by Kubespray/],
    ['a mirror with override_path', 'all/containerd.yml', 'containerd_registries_mirrors:\n  - prefix: harbor.local\n    mirrors:\n      - host: https://cache.local\n        override_path: true\n', /containerd\.yml:5: containerd_registries_mirrors\[0\]\.mirrors\[0\]\.override_path: is not supported yet/],
    ['a mirror with a header', 'all/containerd.yml', 'containerd_registries_mirrors:\n  - prefix: docker.io\n    mirrors:\n      - host: https://cache.local\n        header:\n          Authorization: "Basic XXX"\n', /containerd\.yml:5: containerd_registries_mirrors\[0\]\.mirrors\[0\]\.header: request headers are not supported yet/],
    ['an unknown entry field', 'all/containerd.yml', 'containerd_registries_mirrors:\n  - prefix: docker.io\n    mirror: []\n', /containerd\.yml:3: containerd_registries_mirrors\[0\]\.mirror: unknown field/],
    ['another server', 'all/containerd.yml', 'containerd_registries_mirrors:\n  - prefix: docker.io\n    server: https://mirror.example.org\n    mirrors: []\n', /containerd\.yml:3: containerd_registries_mirrors\[0\]\.server: "https:\/\/mirror\.example\.org" is not supported yet/],
    ['a bad mirror URL (found by the playbook loader)', 'all/docker.yml', 'docker_registry_mirrors: ["ftp://mirror.local"]\n', /docker\.yml:1: docker_registry_mirrors\[0\]: "ftp:\/\/mirror\.local" has scheme "ftp", expected http or https \(in the derived play: registry_mirrors\[0\]\)/],
  ])('%s is an error naming the variable, file and line', async (_, file, text, message) => {
    const dir = copy(file === 'all/containerd.yml' ? CONTAINERD : DOCKER);
    writeFileSync(join(dir, 'group_vars', file), text);
    const error = await from(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(message);
  });

  it('refuses values that differ between hosts of k8s_cluster, naming where each was set', async () => {
    const dir = copy(DOCKER);
    mkdirSync(join(dir, 'host_vars'));
    writeFileSync(join(dir, 'host_vars', 'node3.yml'), 'docker_insecure_registries: [other.local]\n');
    await expect(from(dir)).rejects.toThrow(/host_vars\/node3\.yml:1: docker_insecure_registries: differs between hosts node1 \(.*group_vars\/all\/docker\.yml:7\) and node3/);
  });

  it('refuses a directory without an inventory, and one with two', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'dockhand-ks-'));
    await expect(from(empty)).rejects.toThrow(/no Kubespray inventory here \(hosts\.yaml, hosts\.yml, hosts\.ini, inventory\.ini\): give the hosts file with -i/);
    const two = copy(DOCKER);
    writeFileSync(join(two, 'hosts.yaml'), 'all:\n  hosts: {a: }\n');
    await expect(from(two)).rejects.toThrow(/holds both .*hosts\.yaml and .*inventory\.ini/);
  });
});

function copy(dir: string): string {
  const to = join(mkdtempSync(join(tmpdir(), 'dockhand-ks-')), 'cluster');
  cpSync(dir, to, { recursive: true });
  return to;
}

describe('issue 20, item 5: a mirror whose host is the registry itself', () => {
  const CA = fixture('kubekey/certs/dockerhub.kubekey.local/ca.crt');
  const withMirrors = (text: string) => {
    const dir = copy(CONTAINERD);
    writeFileSync(join(dir, 'group_vars', 'all', 'containerd.yml'), text);
    return dir;
  };

  it('keeps its CA and its capabilities exactly (hosts.toml as Kubespray writes it), and says the name must resolve on the nodes', async () => {
    const dir = withMirrors(`containerd_registries_mirrors:\n  - prefix: harbor.lab.local\n    mirrors:\n      - host: https://harbor.lab.local\n        capabilities: ["pull", "resolve"]\n        ca: ${CA}\n`);
    const { playbook } = await from(dir);
    const [registry] = playbook.plays[0]!.registries;
    const mirrors = registry!.mirrors?.map((m) => ({ url: m.url, capabilities: m.capabilities, skipVerify: m.skipVerify, ca: m.ca?.file }));
    const ca = registry!.ca?.file;
    // the registry's own host, with exactly Kubespray's settings: as the mirror entry containerd tries first, or as the registry's own
    expect({ mirrors, ca }).toEqual({ mirrors: [{ url: 'https://harbor.lab.local', capabilities: ['pull', 'resolve'], skipVerify: false, ca: CA }], ca: undefined });
    expect(registry!.insecure).toBe(false);
    expect(playbook.warnings.join('\n')).toMatch(/containerd\.yml:2: containerd_registries_mirrors\[0\]\.prefix: harbor\.lab\.local .*must resolve on the nodes/);
    const { text } = await derivedPlayText({ playbook: undefined, inventories: [], fromKubespray: dir });
    expect(text).toContain(`ca: ${CA}`);
    expect(text).toContain('capabilities: [ pull, resolve ]');
  });

  it('an http:// or skip_verify host of the registry itself with capabilities of its own is kept as it is, not widened to push', async () => {
    const dir = withMirrors('containerd_registries_mirrors:\n  - prefix: test.registry.io\n    mirrors:\n      - host: http://test.registry.io\n        capabilities: ["pull", "resolve"]\n        skip_verify: true\n');
    const [registry] = (await from(dir)).playbook.plays[0]!.registries;
    expect(registry!.mirrors?.map((m) => ({ url: m.url, capabilities: m.capabilities, skipVerify: m.skipVerify }))).toEqual([{ url: 'http://test.registry.io', capabilities: ['pull', 'resolve'], skipVerify: true }]);
  });

  it('a plain http:// host of the registry itself (all capabilities, nothing else) is still read as an insecure registry', async () => {
    const dir = withMirrors('containerd_registries_mirrors:\n  - prefix: test.registry.io\n    mirrors:\n      - host: http://test.registry.io\n');
    const [registry] = (await from(dir)).playbook.plays[0]!.registries;
    expect({ insecure: registry!.insecure, mirrors: registry!.mirrors }).toEqual({ insecure: true, mirrors: undefined });
  });
});

describe('a Kubespray inventory without cluster nodes', () => {
  it('is an error saying where Kubespray installs the container engine', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dockhand-ks-'));
    writeFileSync(join(dir, 'inventory.ini'), '[etcd]\ne1\n');
    await expect(from(dir)).rejects.toThrow(/k8s_cluster: has no hosts: Kubespray installs the container engine on k8s_cluster \(kube_control_plane, kube_node and calico_rr\)/);
  });
});
