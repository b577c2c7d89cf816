// Faults found in review (issue 8), each named after the fault, in the pure planning code.
import { describe, expect, it } from 'vitest';
import { managedFile } from '../../../src/converge/node-state.ts';
import { planNode } from '../../../src/converge/plan.ts';
import type { RegistrySpec } from '../../../src/playbook/types.ts';
import { parseDaemonJson, editDaemonJson } from '../../../src/runtimes/docker/daemon-json.ts';
import { CA, desired, fixtureDropIns, stateFrom, mechanismOf, dockerOf } from './state.ts';

const HOSTS = '127.0.0.1\tlocalhost\n';
const http: RegistrySpec = { host: 'harbor-http.example.local', ip: '192.168.0.99', insecure: true, ca: undefined, state: 'present' };


describe('fault 2: a daemon.json that starts with a UTF-8 BOM', () => {
  const bom = '\uFEFF{\n  "log-driver": "json-file"\n}\n';

  it('reads as valid in facts and is edited through the same reader, keeping the BOM', () => {
    expect(parseDaemonJson(bom)).toMatchObject({ valid: true, keys: ['log-driver'] });
    const after = editDaemonJson(bom, { insecureRegistries: ['harbor.local'], registryMirrors: [], retiredInsecureRegistries: [] })!;
    expect(after.startsWith('\uFEFF{\n  "log-driver": "json-file",\n  "insecure-registries": [')).toBe(true);
    expect(parseDaemonJson(after).content).toEqual({ 'log-driver': 'json-file', 'insecure-registries': ['harbor.local'] });
  });

  it('plans a daemon.json change on the docker-ce node, with no blocker and no needless handler', () => {
    const plan = planNode(stateFrom('docker-ce-stock', { '/etc/hosts': HOSTS, '/etc/docker/daemon.json': bom }, { docker: { daemonJson: parseDaemonJson(bom) } }), desired([http]));
    expect(plan.blockers).toEqual([]);
    expect(plan.changes.map((c) => c.resource)).toContain('daemon-json');
    expect(plan.handlers).toEqual(['reload-docker']);
  });
});

describe('fault 8: a managed file that is not UTF-8', () => {
  it('is compared by its bytes, and an edit is refused with the real reason', () => {
    const latin1 = Buffer.from('127.0.0.1\tlocalhost # caf\xe9\n', 'latin1');
    const state = stateFrom('debian-docker-io', {}, { docker: { dockerOpts: null, dockerOptsSource: null } });
    const withHosts = { ...state, files: new Map([['/etc/hosts', managedFile(latin1)]]) };
    expect(withHosts.files.get('/etc/hosts')).toMatchObject({ text: null });
    const plan = planNode(withHosts, desired([http]));
    expect(plan.blockers).toEqual(['/etc/hosts is not UTF-8 text: dockhand edits only UTF-8 files (convert it, e.g. with iconv, and run again)']);
  });

  it('a CA file replaced whole may hold any bytes (DER): it is replaced, its hash taken from the bytes', () => {
    const der = Buffer.from([0x30, 0x82, 0xff, 0xfe, 0x00]);
    const state = stateFrom('debian-docker-io', { '/etc/hosts': HOSTS }, { docker: { dockerOpts: null, dockerOptsSource: null } });
    const files = new Map(state.files).set('/etc/docker/certs.d/harbor.example.local/ca.crt', managedFile(der));
    const registry: RegistrySpec = { host: 'harbor.example.local', ip: undefined, insecure: false, ca: { file: '/ca.crt', pem: CA }, state: 'present' };
    const change = planNode({ ...state, files }, desired([registry])).changes.find((c) => c.resource === 'certs.d')!;
    expect(change).toMatchObject({ action: 'update', before: null, after: CA, beforeSha256: managedFile(der).sha256 });
  });
});

describe('fault 12: integers beyond 2^53 in daemon.json', () => {
  it('keep every untouched value exactly as written', () => {
    const big = '{"max-concurrent-downloads": 3, "default-shm-size": 18446744073709551615, "x": 1.50}\n';
    const after = editDaemonJson(big, { insecureRegistries: ['harbor.local'], registryMirrors: [], retiredInsecureRegistries: [] })!;
    expect(after).toContain('"default-shm-size": 18446744073709551615');
    expect(after).toContain('"x": 1.50');
  });
});

describe('fault 13: Debian trust anchors have unique file names', () => {
  it('two registries\' CAs never share a file name (update-ca-certificates links them by name)', () => {
    const a: RegistrySpec = { host: 'a.example.local', ip: undefined, insecure: false, ca: { file: '/a', pem: CA }, state: 'present' };
    const b: RegistrySpec = { ...a, host: 'b.example.local:5000' };
    const plan = planNode(stateFrom('debian-docker-io', { '/etc/hosts': HOSTS }, { docker: { dockerOpts: null, dockerOptsSource: null } }), desired([a, b]));
    const names = plan.changes.filter((c) => c.resource === 'trust-store').map((c) => c.path.split('/').at(-1));
    expect(names).toEqual(['dockhand-a.example.local.crt', 'dockhand-b.example.local_5000.crt']);
  });
});

describe('fault 14: a later drop-in that sets DOCKER_OPTS (systemctl edit docker)', () => {
  it('is found in facts, and the node converges through daemon.json instead of a drop-in that would be overridden', () => {
    const state = stateFrom('kubespray-rocky9', new Map([...fixtureDropIns('kubespray-rocky9'), ['/etc/hosts', HOSTS]]));
    const unit = dockerOf(state.facts).unit!;
    const override = { path: '/etc/systemd/system/docker.service.d/override.conf', content: '[Service]\nEnvironment="DOCKER_OPTS=--log-level=warn"\n' };
    const docker = { ...dockerOf(state.facts), unit: { ...unit, dropIns: [...unit.dropIns, override] }, dockerOpts: '--log-level=warn', dockerOptsOverride: override.path };
    const plan = planNode({ ...state, facts: { ...state.facts, runtimes: { ...state.facts.runtimes, docker } } }, desired([http]));
    expect(mechanismOf(plan)).toBe('daemon-json');
    const forced = planNode({ ...state, facts: { ...state.facts, runtimes: { ...state.facts.runtimes, docker } } }, desired([http], { dockerConfig: 'drop-in' }));
    expect(forced.blockers.join()).toMatch(/DOCKER_OPTS is also set by \/etc\/systemd\/system\/docker.service.d\/override.conf, which systemd reads after/);
  });
});
