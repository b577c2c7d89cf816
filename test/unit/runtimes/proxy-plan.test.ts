// Each runtime's proxy wiring, planned: Docker through dockhand's drop-in or daemon.json's proxies.no-proxy,
// containerd through its drop-in; the restart either needs, under the restart policy; a CA replaced in the
// system trust store owes the runtimes' restart.
import { describe, expect, it } from 'vitest';
import { planNode } from '../../../src/converge/plan.ts';
import { managedFile, type NodeState } from '../../../src/plan/node-state.ts';
import type { RegistrySpec } from '../../../src/playbook/types.ts';
import { readContainerdConfig } from '../../../src/runtimes/containerd/config-toml.ts';
import { planContainerd } from '../../../src/runtimes/containerd/plan.ts';
import type { ContainerdFacts } from '../../../src/runtimes/containerd/types.ts';
import type { DockerProxyFacts } from '../../../src/runtimes/docker/types.ts';
import { editHosts } from '../../../src/resources/hosts-file.ts';
import { readUnitProxy } from '../../../src/resources/proxy.ts';
import { CA, desired, stateFrom } from '../converge/state.ts';

const HOSTS = '127.0.0.1\tlocalhost\n';
const DOCKER_OURS = '/etc/systemd/system/docker.service.d/zz-dockhand-no-proxy.conf';
const ADMIN = '/etc/systemd/system/docker.service.d/http-proxy.conf';
const ADMIN_TEXT = '[Service]\nEnvironment="HTTP_PROXY=http://proxy.corp:3128" "HTTPS_PROXY=http://proxy.corp:3128" "NO_PROXY=localhost,127.0.0.1"\n';
const PINNED = editHosts(HOSTS, { pin: [{ name: 'harbor.lab.local', ip: '172.30.0.5' }], unpin: [] });
const harbor: RegistrySpec = { host: 'harbor.lab.local', ip: '172.30.0.5', insecure: false, ca: { file: 'ca.crt', pem: CA }, state: 'present' };

function dockerProxy(dropIns: { path: string; content: string }[], running: string | null, daemonJson: DockerProxyFacts['daemonJson'] = null): DockerProxyFacts {
  return {
    unit: readUnitProxy({ fragment: null, dropIns, environmentFiles: [] }, DOCKER_OURS),
    daemonJson,
    running: running === null ? null : { httpProxy: 'http://proxy.corp:3128', httpsProxy: 'http://proxy.corp:3128', noProxy: running },
  };
}

function dockerState(files: Record<string, string>, proxy: DockerProxyFacts, extra: { containersRunning?: number } = {}): NodeState {
  return stateFrom('debian-docker-io', { '/etc/hosts': HOSTS, ...files }, { docker: { proxy, containersRunning: extra.containersRunning ?? 0, liveRestore: false } });
}

describe("Docker's NO_PROXY", () => {
  it('goes into its own drop-in, with daemon-reload and a restart, and the running dockerd must then show each entry', () => {
    const plan = planNode(dockerState({}, dockerProxy([{ path: ADMIN, content: ADMIN_TEXT }], 'localhost,127.0.0.1')), desired([harbor]));
    expect(plan.blockers).toEqual([]);
    expect(plan.changes.map((c) => `${c.action} ${c.resource} ${c.path}`)).toContain(`create no-proxy ${DOCKER_OURS}`);
    expect(plan.handlers).toEqual(['update-trust', 'daemon-reload', 'restart-docker']);
    expect(plan.expect).toContainEqual({ runtime: 'docker', kind: 'no-proxy', value: 'harbor.lab.local' });
    expect(plan.expect).toContainEqual({ runtime: 'docker', kind: 'no-proxy', value: '172.30.0.5' });
    expect(plan.restarts[0]?.reason).toBe('no container runs on this node');
    expect(plan.changes.some((c) => c.path === ADMIN)).toBe(false);
  });

  it('owes a restart where the drop-in is in place and the running dockerd started before it', () => {
    const ours = planNode(dockerState({}, dockerProxy([{ path: ADMIN, content: ADMIN_TEXT }], 'localhost')), desired([harbor])).changes.find((c) => c.path === DOCKER_OURS)!.after!;
    const proxy = dockerProxy([{ path: ADMIN, content: ADMIN_TEXT }, { path: DOCKER_OURS, content: ours }], 'localhost,127.0.0.1');
    const plan = planNode(dockerState({ [DOCKER_OURS]: ours, '/etc/hosts': PINNED }, proxy), desired([{ ...harbor, ca: undefined }]));
    expect(plan.changes).toEqual([]);
    expect(plan.handlers).toEqual(['restart-docker']);
    expect(plan.missingEffect).toEqual(['dockerd lacks NO_PROXY entry harbor.lab.local, NO_PROXY entry 172.30.0.5']);
  });

  it('changes and restarts nothing once in effect', () => {
    const ours = planNode(dockerState({}, dockerProxy([{ path: ADMIN, content: ADMIN_TEXT }], 'localhost')), desired([harbor])).changes.find((c) => c.path === DOCKER_OURS)!.after!;
    const proxy = dockerProxy([{ path: ADMIN, content: ADMIN_TEXT }, { path: DOCKER_OURS, content: ours }], 'localhost,127.0.0.1,harbor.lab.local,172.30.0.5');
    const plan = planNode(dockerState({ [DOCKER_OURS]: ours, '/etc/hosts': PINNED }, proxy), desired([{ ...harbor, ca: undefined }]));
    expect(plan.changes).toEqual([]);
    expect(plan.handlers).toEqual([]);
    expect(plan.missingEffect).toEqual([]);
  });

  it('waits for the restart policy: restart: never blocks the node', () => {
    const plan = planNode(dockerState({}, dockerProxy([{ path: ADMIN, content: ADMIN_TEXT }], 'localhost')), desired([harbor], { restart: 'never' }));
    expect(plan.blocked.join()).toMatch(/a Docker restart is needed \(NO_PROXY in .*zz-dockhand-no-proxy.conf\), not allowed by restart: never/);
  });

  it("goes into daemon.json's proxies.no-proxy where daemon.json sets the proxy (it wins over the unit's)", () => {
    const json = '{\n  "proxies": {\n    "https-proxy": "http://proxy.corp:3128",\n    "no-proxy": "localhost"\n  }\n}\n';
    const proxy = dockerProxy([], 'localhost', { http: null, https: 'http://proxy.corp:3128', no: 'localhost' });
    const state = dockerState({ '/etc/docker/daemon.json': json }, proxy);
    const docker = { ...(state.facts.runtimes['docker'] as object), daemonJson: { present: true, valid: true, error: null, keys: ['proxies'], content: JSON.parse(json) as Record<string, unknown>, raw: json } };
    const plan = planNode({ ...state, facts: { ...state.facts, runtimes: { ...state.facts.runtimes, docker: docker as never } } }, desired([harbor]));
    const change = plan.changes.find((c) => c.path === '/etc/docker/daemon.json');
    expect(JSON.parse(change!.after!)).toEqual({ proxies: { 'https-proxy': 'http://proxy.corp:3128', 'no-proxy': 'localhost,harbor.lab.local,172.30.0.5' } });
    expect(plan.changes.some((c) => c.path === DOCKER_OURS)).toBe(false);
    expect(plan.handlers).toContain('restart-docker');
  });

  it("state: absent takes the registry's name and the address /etc/hosts pins for it out of daemon.json's no-proxy", () => {
    const json = '{"proxies": {"https-proxy": "http://proxy.corp:3128", "no-proxy": "localhost,harbor.lab.local,172.30.0.5,.corp"}}\n';
    const proxy = dockerProxy([], 'localhost,harbor.lab.local,172.30.0.5,.corp', { http: null, https: 'http://proxy.corp:3128', no: 'localhost,harbor.lab.local,172.30.0.5,.corp' });
    const state = dockerState({ '/etc/docker/daemon.json': json, '/etc/hosts': PINNED }, proxy);
    const docker = { ...(state.facts.runtimes['docker'] as object), daemonJson: { present: true, valid: true, error: null, keys: ['proxies'], content: JSON.parse(json) as Record<string, unknown>, raw: json } };
    const retired: RegistrySpec = { host: 'harbor.lab.local', ip: undefined, insecure: false, ca: undefined, state: 'absent' };
    const plan = planNode({ ...state, facts: { ...state.facts, runtimes: { ...state.facts.runtimes, docker: docker as never } } }, desired([retired]));
    const change = plan.changes.find((c) => c.path === '/etc/docker/daemon.json');
    expect((JSON.parse(change!.after!) as { proxies: Record<string, string> }).proxies['no-proxy']).toBe('localhost,.corp');
  });

  it('writes nothing about proxies on a node without one', () => {
    const plan = planNode(dockerState({}, dockerProxy([], '')), desired([harbor]));
    expect(plan.changes.some((c) => c.resource === 'no-proxy')).toBe(false);
    expect(plan.handlers).not.toContain('restart-docker');
  });
});

describe("containerd's NO_PROXY", () => {
  const OURS = '/etc/systemd/system/containerd.service.d/zz-dockhand-no-proxy.conf';
  const CONFIG = '/etc/containerd/config.toml';
  const TOML = 'version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n';
  const facts = (running: string): ContainerdFacts => ({
    installed: true, version: '1.6.20', running: true, activeState: 'active', configFile: CONFIG, config: readContainerdConfig(TOML), imported: [],
    configNewerThanProcess: false, criStatus: 'ok', criConfigPath: null, crictl: false,
    proxy: {
      unit: readUnitProxy({ fragment: null, dropIns: [{ path: '/etc/systemd/system/containerd.service.d/http-proxy.conf', content: ADMIN_TEXT }], environmentFiles: [] }, OURS),
      running: { httpProxy: 'http://proxy.corp:3128', httpsProxy: 'http://proxy.corp:3128', noProxy: running },
    },
  });
  const state: NodeState = {
    facts: { hostname: 'n', os: { id: 'debian', idLike: [], versionId: '12', prettyName: 'Debian', family: 'debian' }, kubelet: { present: false, endpoint: null, runtime: null, source: null }, trust: { updateCaCertificates: true, updateCaTrust: false }, runtimes: {} },
    family: 'debian', files: new Map([[CONFIG, managedFile(Buffer.from(TOML))]]), links: new Set(), created: new Set(), failedChanges: new Map(), trustMissing: [], lockHeld: false, unfinished: [],
  };

  it('goes into its own drop-in, with daemon-reload and a restart of containerd', () => {
    const plan = planContainerd(state, desired([harbor], { runtimes: ['containerd'] }), facts('localhost,127.0.0.1'));
    expect(plan.changes.map((c) => c.path)).toContain(OURS);
    expect(plan.handlers).toEqual(['daemon-reload', 'restart-containerd']);
    expect(plan.restart?.reason).toMatch(/keeps running containers/);
    expect(plan.expect).toContainEqual({ runtime: 'containerd', kind: 'no-proxy', value: 'harbor.lab.local' });
    expect(plan.proxy?.noProxy).toBe('localhost,127.0.0.1,harbor.lab.local,172.30.0.5');
  });

  it('restart: never blocks it, saying why', () => {
    const plan = planContainerd(state, desired([harbor], { runtimes: ['containerd'], restart: 'never' }), facts('localhost'));
    expect(plan.blocked.join()).toMatch(/containerd restart is needed \(NO_PROXY in .*\), not allowed by restart: never/);
  });
});

describe('a CA replaced in the system trust store', () => {
  const anchor = '/usr/local/share/ca-certificates/dockhand/harbor.lab.local/dockhand-harbor.lab.local.crt';
  // another CA's bytes in the anchor (any other content stands for it)
  const old = `${CA}\n`;

  it('owes the runtime a restart (it verifies with the trust it loaded at start), saying so', () => {
    const plan = planNode(dockerState({ [anchor]: old }, dockerProxy([], '')), desired([harbor]));
    expect(plan.changes.find((c) => c.path === anchor)?.action).toBe('update');
    expect(plan.handlers).toContain('restart-docker');
    expect(plan.notes.join()).toMatch(/system trust store's CA for harbor.lab.local is replaced or taken out/);
  });

  it('a new CA alone needs no restart (certs.d and hosts.toml are read on every connection)', () => {
    const plan = planNode(dockerState({}, dockerProxy([], '')), desired([harbor]));
    expect(plan.handlers).toEqual(['update-trust']);
  });
});
