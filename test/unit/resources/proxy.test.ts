// dockhand's NO_PROXY drop-in: composed over the administrator's value (both spellings), recorded so a
// retired registry loses exactly dockhand's entries, absent where the unit has no proxy.
import { describe, expect, it } from 'vitest';
import { managedFile, type NodeState } from '../../../src/plan/node-state.ts';
import type { RegistrySpec } from '../../../src/playbook/types.ts';
import { unitEnvironment } from '../../../src/formats/unit-file.ts';
import {
  neededNoProxyEntries,
  planNoProxyDropIn,
  readUnitProxy,
  recordedEntries,
  registryNoProxyEntries,
  renderNoProxyDropIn,
  type UnitFiles,
} from '../../../src/resources/proxy.ts';
import { proxyEnvironment } from '../../../src/registry/no-proxy.ts';

const OURS = '/etc/systemd/system/docker.service.d/zz-dockhand-no-proxy.conf';
const ADMIN = '/etc/systemd/system/docker.service.d/http-proxy.conf';
const ADMIN_TEXT = '[Service]\nEnvironment="HTTP_PROXY=http://proxy.corp:3128" "HTTPS_PROXY=http://proxy.corp:3128" "NO_PROXY=localhost,127.0.0.1,.svc"\n';

const harbor: RegistrySpec = { host: 'harbor.lab.local', ip: '172.30.0.5', insecure: false, ca: undefined, state: 'present' };
const plain: RegistrySpec = { host: 'harbor-http.lab.local:5000', ip: undefined, insecure: true, ca: undefined, state: 'present' };

function unit(dropIns: { path: string; content: string }[], environmentFiles: UnitFiles['environmentFiles'] = []): UnitFiles {
  return { fragment: { path: '/lib/systemd/system/docker.service', content: '[Service]\nExecStart=/usr/sbin/dockerd\n' }, dropIns, environmentFiles };
}

function state(files: Record<string, string>): NodeState {
  return {
    facts: { hostname: 'n', os: { id: 'debian', idLike: [], versionId: '12', prettyName: 'Debian', family: 'debian' }, kubelet: { present: false, endpoint: null, runtime: null, source: null }, trust: { updateCaCertificates: true, updateCaTrust: false }, runtimes: {} },
    family: 'debian',
    files: new Map(Object.entries(files).map(([p, t]) => [p, managedFile(Buffer.from(t))])),
    links: new Set(), created: new Set(), failedChanges: new Map(), trustMissing: [], lockHeld: false, unfinished: [],
  };
}

describe("a registry's NO_PROXY entries", () => {
  it('are its name and its pinned address, each with the port where the registry names one', () => {
    expect(registryNoProxyEntries(harbor)).toEqual(['harbor.lab.local', '172.30.0.5']);
    expect(registryNoProxyEntries({ host: 'Harbor.local:5000', ip: 'fd00::5' })).toEqual(['harbor.local:5000', '[fd00::5]:5000']);
  });

  it('are needed only where the proxy of the request scheme would take it', () => {
    const https = proxyEnvironment({ HTTPS_PROXY: 'http://p:3128' });
    expect(neededNoProxyEntries(https, [harbor])).toEqual(['harbor.lab.local', '172.30.0.5']);
    // an insecure registry is tried over https first, then plain http: either proxy takes it
    expect(neededNoProxyEntries(https, [plain])).toEqual(['harbor-http.lab.local:5000']);
    expect(neededNoProxyEntries(proxyEnvironment({ HTTP_PROXY: 'http://p:3128' }), [harbor])).toEqual([]);
    expect(neededNoProxyEntries(proxyEnvironment({ HTTPS_PROXY: 'http://p', NO_PROXY: '.lab.local' }), [harbor])).toEqual([]);
    expect(neededNoProxyEntries(https, [{ ...harbor, state: 'absent' }])).toEqual([]);
  });
});

describe("a unit's proxy environment", () => {
  it('is the merged Environment= of its files, overridden by EnvironmentFile=, with and without dockhand\'s drop-in', () => {
    const read = readUnitProxy(
      unit([{ path: ADMIN, content: ADMIN_TEXT }, { path: OURS, content: renderNoProxyDropIn('localhost,127.0.0.1,.svc,harbor.lab.local', { 'harbor.lab.local': ['harbor.lab.local'] }) }], [
        { path: '/etc/default/docker', content: 'export https_proxy="http://other:8080"\n' },
      ]),
      OURS,
    );
    expect(read.base).toEqual({ HTTP_PROXY: 'http://proxy.corp:3128', HTTPS_PROXY: 'http://proxy.corp:3128', NO_PROXY: 'localhost,127.0.0.1,.svc', https_proxy: 'http://other:8080' });
    expect(read.environment['NO_PROXY']).toBe('localhost,127.0.0.1,.svc,harbor.lab.local');
    expect(read.environment['no_proxy']).toBe('localhost,127.0.0.1,.svc,harbor.lab.local');
    expect(read.sources['https_proxy']).toBe('/etc/default/docker');
    expect(read.dockhandEntries).toEqual({ 'harbor.lab.local': ['harbor.lab.local'] });
    expect(read.overriders).toEqual([]);
  });

  it('names the files that would override dockhand\'s NO_PROXY: a later drop-in, an EnvironmentFile=', () => {
    const read = readUnitProxy(
      unit([{ path: ADMIN, content: ADMIN_TEXT }, { path: '/run/systemd/system/docker.service.d/zzz-late.conf', content: '[Service]\nEnvironment=no_proxy=x\n' }], [
        { path: '/etc/sysconfig/docker', content: 'NO_PROXY=y\n' },
        { path: '/etc/default/missing', content: null },
      ]),
      OURS,
    );
    expect(read.overriders).toEqual(['/run/systemd/system/docker.service.d/zzz-late.conf', '/etc/sysconfig/docker']);
  });
});

describe("dockhand's NO_PROXY drop-in", () => {
  const behind = readUnitProxy(unit([{ path: ADMIN, content: ADMIN_TEXT }]), OURS);

  it('carries the whole value, both spellings, and records its own entries; the administrator\'s file is not touched', () => {
    const plan = planNoProxyDropIn(state({}), OURS, 'docker.service', behind, [harbor]);
    expect(plan.change?.action).toBe('create');
    expect(plan.change?.path).toBe(OURS);
    const text = plan.change!.after!;
    expect(text).toContain('Environment="NO_PROXY=localhost,127.0.0.1,.svc,harbor.lab.local,172.30.0.5"');
    expect(text).toContain('Environment="no_proxy=localhost,127.0.0.1,.svc,harbor.lab.local,172.30.0.5"');
    expect(recordedEntries(text)).toEqual({ 'harbor.lab.local': ['harbor.lab.local', '172.30.0.5'] });
    expect(unitEnvironment([ADMIN_TEXT, text])['NO_PROXY']).toBe('localhost,127.0.0.1,.svc,harbor.lab.local,172.30.0.5');
    expect(plan.after.noProxy).toBe('localhost,127.0.0.1,.svc,harbor.lab.local,172.30.0.5');
    expect(plan.entries).toEqual(['harbor.lab.local', '172.30.0.5']);
  });

  it('changes nothing once written (a second run)', () => {
    const first = planNoProxyDropIn(state({}), OURS, 'docker.service', behind, [harbor]).change!.after!;
    const again = readUnitProxy(unit([{ path: ADMIN, content: ADMIN_TEXT }, { path: OURS, content: first }]), OURS);
    const plan = planNoProxyDropIn(state({ [OURS]: first }), OURS, 'docker.service', again, [harbor]);
    expect(plan.change).toBeUndefined();
    expect(plan.entries).toEqual(['harbor.lab.local', '172.30.0.5']);
  });

  it('keeps what other plays added, and follows the administrator\'s value when it changes', () => {
    const earlier = renderNoProxyDropIn('localhost,127.0.0.1,.svc,other.lab', { 'other.lab': ['other.lab'] });
    const adminNow = ADMIN_TEXT.replace('.svc', '.svc,.cluster.local');
    const read = readUnitProxy(unit([{ path: ADMIN, content: adminNow }, { path: OURS, content: earlier }]), OURS);
    const plan = planNoProxyDropIn(state({ [OURS]: earlier }), OURS, 'docker.service', read, [harbor]);
    expect(plan.change?.after).toContain('"NO_PROXY=localhost,127.0.0.1,.svc,.cluster.local,other.lab,harbor.lab.local,172.30.0.5"');
  });

  it('state: absent takes dockhand\'s entries out, and the file goes with the last of them', () => {
    const first = planNoProxyDropIn(state({}), OURS, 'docker.service', behind, [harbor]).change!.after!;
    const read = readUnitProxy(unit([{ path: ADMIN, content: ADMIN_TEXT }, { path: OURS, content: first }]), OURS);
    // a retired registry has no address in the play: its recorded entries go all the same
    const plan = planNoProxyDropIn(state({ [OURS]: first }), OURS, 'docker.service', read, [{ ...harbor, ip: undefined, state: 'absent' }]);
    expect(plan.change?.action).toBe('delete');
    expect(plan.after.noProxy).toBe('localhost,127.0.0.1,.svc');
  });

  it('is never written where the unit has no proxy, and goes where the proxy went', () => {
    const none = readUnitProxy(unit([]), OURS);
    expect(planNoProxyDropIn(state({}), OURS, 'docker.service', none, [harbor]).change).toBeUndefined();
    const left = renderNoProxyDropIn('harbor.lab.local', { 'harbor.lab.local': ['harbor.lab.local'] });
    const gone = readUnitProxy(unit([{ path: OURS, content: left }]), OURS);
    expect(planNoProxyDropIn(state({ [OURS]: left }), OURS, 'docker.service', gone, [harbor]).change?.action).toBe('delete');
  });

  it('adds nothing for a registry the administrator\'s NO_PROXY already covers', () => {
    const covered = readUnitProxy(unit([{ path: ADMIN, content: ADMIN_TEXT.replace('.svc', '.lab.local') }]), OURS);
    expect(planNoProxyDropIn(state({}), OURS, 'docker.service', covered, [harbor]).change).toBeUndefined();
  });

  it('is refused where a later file sets NO_PROXY over it, naming that file', () => {
    const late = readUnitProxy(unit([{ path: ADMIN, content: ADMIN_TEXT }], [{ path: '/etc/sysconfig/docker', content: 'NO_PROXY=localhost\n' }]), OURS);
    const plan = planNoProxyDropIn(state({}), OURS, 'docker.service', late, [harbor]);
    expect(plan.blockers.join()).toMatch(/\/etc\/sysconfig\/docker sets NO_PROXY for docker.service over .*zz-dockhand-no-proxy.conf/);
  });

  it('quotes a value systemd would otherwise read differently', () => {
    expect(renderNoProxyDropIn('a%b,"c"', { x: ['a%b'] })).toContain('Environment="NO_PROXY=a%%b,\\"c\\""');
    expect(unitEnvironment([renderNoProxyDropIn('a%b,"c"', {})])['NO_PROXY']).toBe('a%b,"c"');
  });
});
