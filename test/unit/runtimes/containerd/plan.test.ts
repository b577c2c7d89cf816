/** containerd's plan on nodes whose config does not say what it seems to: imported CRI tables, version 1 files. */
import { describe, expect, it } from 'vitest';
import type { NodeState } from '../../../../src/plan/node-state.ts';
import { managedFile } from '../../../../src/plan/node-state.ts';
import type { DesiredState } from '../../../../src/plan/types.ts';
import { readContainerdConfig, readImportedConfig } from '../../../../src/runtimes/containerd/config-toml.ts';
import { planContainerd } from '../../../../src/runtimes/containerd/plan.ts';
import type { ContainerdFacts } from '../../../../src/runtimes/containerd/types.ts';

const CONFIG = '/etc/containerd/config.toml';
const MAIN = 'version = 2\nimports = ["/etc/containerd/conf.d/*.toml"]\n\n[plugins."io.containerd.grpc.v1.cri"]\n  sandbox_image = "registry.k8s.io/pause:3.9"\n';
// what the NVIDIA container toolkit writes into conf.d: a CRI table of its own
const NVIDIA = 'version = 2\n\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.nvidia]\n  runtime_type = "io.containerd.runc.v2"\n';

function facts(config: string, imported: { path: string; text: string }[] = []): ContainerdFacts {
  return {
    installed: true, version: '1.7.24', running: true, activeState: 'active', configFile: CONFIG,
    config: readContainerdConfig(config), imported: imported.map((i) => readImportedConfig(i.path, i.text)),
    configNewerThanProcess: false, criStatus: 'ok', criConfigPath: null, crictl: false,
    proxy: { unit: null, running: null },
  };
}

function state(config: string): NodeState {
  return {
    facts: { hostname: 'n', os: { id: 'debian', idLike: [], versionId: '12', prettyName: 'Debian', family: 'debian' }, kubelet: { present: false, endpoint: null, runtime: null, source: null }, trust: { updateCaCertificates: true, updateCaTrust: false }, runtimes: {} },
    family: 'debian', files: new Map([[CONFIG, managedFile(Buffer.from(config))]]), links: new Set(), created: new Set(), failedChanges: new Map(),
    trustMissing: [], lockHeld: false, unfinished: [],
  };
}

const desired: DesiredState = {
  registries: [{ host: 'harbor.lab.local', ip: undefined, insecure: true, ca: undefined, state: 'present' }],
  insecureRegistries: ['harbor.lab.local'], registryMirrors: [], retiredInsecureRegistries: [], retiredRegistryMirrors: [],
  dockerConfig: 'auto', runtimes: ['containerd'], restart: 'if-idle', retryFailed: false, liveRestore: 'keep',
};

describe('fault 15.8: containerd imports a file with the CRI table', () => {
  it('refuses the node naming that file, changing nothing (config_path in config.toml would not take effect)', () => {
    const plan = planContainerd(state(MAIN), desired, facts(MAIN, [{ path: '/etc/containerd/conf.d/99-nvidia.toml', text: NVIDIA }]));
    expect(plan.blockers.join()).toMatch(/\/etc\/containerd\/conf\.d\/99-nvidia\.toml \(imported by \/etc\/containerd\/config\.toml\) has the CRI plugin's table, which replaces config\.toml's/);
    expect(plan.changes.filter((c) => c.path === CONFIG)).toEqual([]);
  });

  it('where the imported table sets config_path itself, uses that directory and leaves config.toml alone', () => {
    const withPath = `${NVIDIA}\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n`;
    const plan = planContainerd(state(MAIN), desired, facts(MAIN, [{ path: '/etc/containerd/conf.d/99-nvidia.toml', text: withPath }]));
    expect(plan.blockers).toEqual([]);
    expect(plan.changes.map((c) => c.path)).toEqual(['/etc/containerd/certs.d/harbor.lab.local/hosts.toml']);
  });

  it('an imported file without a CRI table changes nothing of the plan', () => {
    const other = 'version = 2\n[plugins."io.containerd.internal.v1.opt"]\n  path = "/opt/containerd"\n';
    const plan = planContainerd(state(MAIN), desired, facts(MAIN, [{ path: '/etc/containerd/conf.d/opt.toml', text: other }]));
    expect(plan.blockers).toEqual([]);
    expect(plan.changes.map((c) => c.path)).toContain(CONFIG);
  });
});

describe('fault 15.9: a version 1 config.toml with short plugin names', () => {
  it('is refused, naming each entry and its version 2 name, rather than upgraded into a file containerd refuses', () => {
    const v1 = 'root = "/var/lib/containerd"\ndisabled_plugins = ["aufs", "btrfs"]\n';
    const plan = planContainerd(state(v1), desired, facts(v1));
    expect(plan.blockers.join()).toMatch(/disabled_plugins "aufs" \(version 2: "io\.containerd\.snapshotter\.v1\.aufs"\), disabled_plugins "btrfs"/);
    expect(plan.changes.filter((c) => c.path === CONFIG)).toEqual([]);
  });

  it('a version 1 file with full names is upgraded as before', () => {
    const v1 = 'root = "/var/lib/containerd"\ndisabled_plugins = ["io.containerd.snapshotter.v1.aufs"]\n';
    const plan = planContainerd(state(v1), desired, facts(v1));
    expect(plan.blockers).toEqual([]);
    expect(plan.changes.find((c) => c.path === CONFIG)?.after).toMatch(/^version = 2\n/);
  });
});
