import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planNode } from '../../../src/converge/plan.ts';
import type { DesiredState, FileChange } from '../../../src/plan/types.ts';
import type { RegistrySpec } from '../../../src/playbook/types.ts';
import { unifiedDiff } from '../../../src/report/converge.ts';
import { CA, desired, fixtureDropIns, stateFrom, mechanismOf, dockerOf } from './state.ts';

const HOSTS = '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n172.30.0.5\tnode\n';
const DROP_IN = '/etc/systemd/system/docker.service.d/docker-options.conf';

const httpRegistry: RegistrySpec = { host: 'harbor-http.example.local', ip: '192.168.0.99', insecure: true, ca: undefined, state: 'present' };
const httpsRegistry: RegistrySpec = {
  host: 'harbor.example.local',
  ip: '192.168.0.100',
  insecure: false,
  ca: { file: '/play/certs/harbor-ca.crt', pem: CA },
  state: 'present',
};


const summary = (changes: readonly FileChange[]) => changes.map((c) => `${c.action} ${c.resource} ${c.path}`);

/** The node after applying: every file as planned, dockerd showing the flags. */
function converged(plan: ReturnType<typeof planNode>, fixture: string, before: Map<string, string>, want: DesiredState) {
  const files = new Map(before);
  for (const change of plan.changes) {
    if (change.after === null) files.delete(change.path);
    else files.set(change.path, change.after);
  }
  return stateFrom(fixture, files, {
    docker: { insecureRegistries: ['127.0.0.0/8', ...want.insecureRegistries], registryMirrors: [...want.registryMirrors] },
  });
}

describe('planNode on a fresh Debian node (docker.io unit honours $DOCKER_OPTS)', () => {
  const want = desired([httpRegistry, httpsRegistry], {
    insecureRegistries: ['harbor-http.example.local', '10.233.0.0/18'],
    registryMirrors: ['https://mirror.example.com'],
  });
  const before = new Map([['/etc/hosts', HOSTS]]);
  const state = stateFrom('debian-docker-io', before, { docker: { dockerOpts: null, dockerOptsSource: null } });
  const plan = planNode(state, want);

  it('plans every resource, then the handlers in order', () => {
    expect(plan.blockers).toEqual([]);
    expect(summary(plan.changes)).toEqual([
      'update hosts /etc/hosts',
      'create trust-store /usr/local/share/ca-certificates/dockhand/harbor.example.local/dockhand-harbor.example.local.crt',
      'create certs.d /etc/docker/certs.d/harbor.example.local/ca.crt',
      `create docker-options ${DROP_IN}`,
    ]);
    expect(plan.handlers).toEqual(['update-trust', 'daemon-reload', 'restart-docker']);
    expect(plan.missingEffect).toEqual([
      'dockerd lacks insecure registry harbor-http.example.local, insecure registry 10.233.0.0/18, registry mirror https://mirror.example.com',
    ]);
  });

  it('carries the plays\' start_timeout, and a longer one is another try of the change (not blocked as failed)', () => {
    expect(plan.startTimeout).toBeUndefined();
    const slow = planNode(state, { ...want, startTimeout: 240 });
    expect(slow.startTimeout).toBe(240);
    expect(slow.changes).toEqual(plan.changes);
    expect(slow.key).not.toBe(plan.key);
    const failedBefore = { ...state, failedChanges: new Map([[plan.key, { at: '2026-12-01T00:00:00Z', runId: 'r1', reason: 'docker was not active 60 s after its restart (its start hangs)' }]]) };
    expect(planNode(failedBefore, want).blocked.join()).toMatch(/this change failed here/);
    expect(planNode(failedBefore, { ...want, startTimeout: 240 }).blocked).toEqual([]);
  });

  it('writes the drop-in and the hosts pins as golden text', () => {
    const dropIn = plan.changes.find((c) => c.resource === 'docker-options')!;
    expect(dropIn.after).toBe(
      '# Written by dockhand for registry options; dockhand deletes this file once it sets none.\n' +
        '[Service]\nEnvironment="DOCKER_OPTS=--insecure-registry=harbor-http.example.local --insecure-registry=10.233.0.0/18 --registry-mirror=https://mirror.example.com"\n',
    );
    const hosts = plan.changes.find((c) => c.resource === 'hosts')!;
    expect(unifiedDiff(hosts.path, hosts.before, hosts.after)).toBe(
      [
        '--- a/etc/hosts',
        '+++ b/etc/hosts',
        '@@ -1,3 +1,7 @@',
        ' 127.0.0.1\tlocalhost',
        ' ::1\tlocalhost ip6-localhost ip6-loopback',
        ' 172.30.0.5\tnode',
        '+# BEGIN dockhand registry names (managed by dockhand; edits inside are replaced)',
        '+192.168.0.99\tharbor-http.example.local',
        '+192.168.0.100\tharbor.example.local',
        '+# END dockhand registry names',
        '',
      ].join('\n'),
    );
  });

  it('plans nothing once converged (idempotent)', () => {
    const again = planNode(converged(plan, 'debian-docker-io', before, want), want);
    expect(mechanismOf(again)).toBe('drop-in');
    expect(again).toMatchObject({ changes: [], handlers: [], blockers: [], missingEffect: [], warnings: [], restarts: [] });
  });

  it('owes a restart when the files are right but dockerd lacks a flag (a run died before its restart)', () => {
    const after = converged(plan, 'debian-docker-io', before, want);
    const stale = { ...after, facts: { ...after.facts, runtimes: { ...after.facts.runtimes, docker: { ...dockerOf(after.facts), insecureRegistries: ['127.0.0.0/8'] } } } };
    const owed = planNode(stale, want);
    expect(owed.changes).toEqual([]);
    expect(owed.handlers).toEqual(['restart-docker']);
  });

  it('owes a trust update when an installed anchor is missing from the bundle', () => {
    const after = converged(plan, 'debian-docker-io', before, want);
    const anchor = '/usr/local/share/ca-certificates/dockhand/harbor.example.local/dockhand-harbor.example.local.crt';
    const owed = planNode({ ...after, trustMissing: [anchor] }, want);
    expect(owed.changes).toEqual([]);
    expect(owed.handlers).toEqual(['update-trust']);
  });

  it('needs no restart for a CA change alone (certs.d is read per connection)', () => {
    const caOnly = desired([httpsRegistry]);
    const caPlan = planNode(stateFrom('debian-docker-io', before, { docker: { dockerOpts: null, dockerOptsSource: null } }), caOnly);
    expect(caPlan.handlers).toEqual(['update-trust']);
  });
});

describe('planNode on a RHEL-family Kubespray node', () => {
  const dropIns = fixtureDropIns('kubespray-rocky9');
  const files = new Map([...dropIns, ['/etc/hosts', HOSTS]]);
  const state = stateFrom('kubespray-rocky9', files);
  const want = desired([httpRegistry, httpsRegistry]);
  const plan = planNode(state, want);

  it('uses the RHEL anchors and keeps every Kubespray flag in the drop-in', () => {
    expect(plan.blockers).toEqual([]);
    expect(summary(plan.changes)).toContain('create trust-store /etc/pki/ca-trust/source/anchors/dockhand-harbor.example.local.crt');
    const dropIn = plan.changes.find((c) => c.resource === 'docker-options')!;
    expect(dropIn.action).toBe('update');
    expect(dropIn.after).toBe(dropIns.get(DROP_IN)!.replace('max-file=5"', 'max-file=5 --insecure-registry=harbor-http.example.local"'));
  });
});

describe('planNode follows how each node\'s Docker is really wired', () => {
  it('uses daemon.json, reloaded rather than restarted, where the unit ignores $DOCKER_OPTS (stock docker-ce)', () => {
    const plan = planNode(stateFrom('docker-ce-stock', { '/etc/hosts': HOSTS }), desired([httpRegistry]));
    expect(plan.blockers).toEqual([]);
    expect(mechanismOf(plan)).toBe('daemon-json');
    expect(summary(plan.changes)).toEqual(['update hosts /etc/hosts', 'create daemon-json /etc/docker/daemon.json']);
    expect(plan.changes[1]!.after).toBe('{\n  "insecure-registries": [\n    "harbor-http.example.local"\n  ]\n}\n');
    expect(plan.handlers).toEqual(['reload-docker']);
  });

  it('refuses a forced drop-in that the unit would ignore', () => {
    const plan = planNode(stateFrom('docker-ce-stock', { '/etc/hosts': HOSTS }), { ...desired([httpRegistry]), dockerConfig: 'drop-in' });
    expect(plan.blockers.join()).toMatch(/does not pass \$DOCKER_OPTS/);
  });

  it('merges into a daemon.json that already sets insecure-registries, keeping its entries and other keys', () => {
    const daemonJson = '{"insecure-registries": ["10.0.0.0/8"], "log-driver": "json-file"}';
    const state = stateFrom('debian-docker-io', { '/etc/hosts': HOSTS, '/etc/docker/daemon.json': daemonJson }, {
      docker: { dockerOpts: null, dockerOptsSource: null, daemonJson: { present: true, valid: true, error: null, keys: ['insecure-registries', 'log-driver'], content: {}, raw: daemonJson } },
    });
    const plan = planNode(state, desired([httpRegistry]));
    expect(plan.blockers).toEqual([]);
    expect(mechanismOf(plan)).toBe('daemon-json');
    expect(JSON.parse(plan.changes.find((c) => c.resource === 'daemon-json')!.after!)).toEqual({
      'insecure-registries': ['10.0.0.0/8', 'harbor-http.example.local'],
      'log-driver': 'json-file',
    });
    expect(plan.handlers).toEqual(['reload-docker']);
  });

  it('says when a restart will stop running containers', () => {
    const plan = planNode(stateFrom('kubespray-rocky9', new Map([...fixtureDropIns('kubespray-rocky9'), ['/etc/hosts', HOSTS]])), desired([httpRegistry]));
    expect(plan.handlers).toContain('restart-docker');
    expect(plan.warnings).toEqual(['restarting Docker stops the 23 running containers (live-restore is off)']);
  });
});

describe('planNode: a Docker restart is a decision (restart: if-idle | always | never, live_restore)', () => {
  // kubespray-rocky9: 23 containers run, live-restore is off; an http registry needs a new flag (a restart)
  const busy = () => stateFrom('kubespray-rocky9', new Map([...fixtureDropIns('kubespray-rocky9'), ['/etc/hosts', HOSTS]]));

  it('if-idle (the default) refuses a node whose restart would stop running containers, before anything is written', () => {
    const plan = planNode(busy(), desired([httpRegistry], { restart: 'if-idle' }));
    expect(plan.blockers).toEqual([]);
    expect(plan.blocked.join()).toMatch(/a Docker restart is needed, not allowed by restart: if-idle \(23 running containers, live-restore off\): drain the node first, or allow it \(--restart always/);
    expect(plan.restarts).toEqual([expect.objectContaining({ runtime: 'docker', needed: true, allowed: false })]);
  });

  it('if-idle restarts where no container runs, or where live-restore keeps them', () => {
    const idle = stateFrom('kubespray-rocky9', new Map([...fixtureDropIns('kubespray-rocky9'), ['/etc/hosts', HOSTS]]), { docker: { containersRunning: 0 } });
    expect(planNode(idle, desired([httpRegistry], { restart: 'if-idle' })).blockers).toEqual([]);
    const live = stateFrom('kubespray-rocky9', new Map([...fixtureDropIns('kubespray-rocky9'), ['/etc/hosts', HOSTS]]), { docker: { liveRestore: true } });
    const plan = planNode(live, desired([httpRegistry], { restart: 'if-idle' }));
    expect(plan.blockers).toEqual([]);
    expect(plan.restarts[0]).toMatchObject({ allowed: true, reason: 'live-restore keeps the 23 running containers across the restart' });
  });

  it('live_restore: enable turns live-restore on in daemon.json and reloads before the restart', () => {
    const plan = planNode(busy(), desired([httpRegistry], { restart: 'if-idle', liveRestore: 'enable' }));
    expect(plan.blockers).toEqual([]);
    expect(plan.handlers).toEqual(['daemon-reload', 'reload-docker', 'restart-docker']);
    const json = plan.changes.find((c) => c.resource === 'daemon-json');
    expect(JSON.parse(json!.after!)).toEqual({ 'live-restore': true });
    expect(plan.expect).toContainEqual({ runtime: 'docker', kind: 'live-restore' });
    expect(plan.notes).toEqual(['live-restore is turned on first (a reload), so the 23 running containers survive the restart']);
  });

  it('always restarts anyway, with a warning; never refuses any restart', () => {
    expect(planNode(busy(), desired([httpRegistry], { restart: 'always' })).warnings).toEqual(['restarting Docker stops the 23 running containers (live-restore is off)']);
    const never = planNode(stateFrom('kubespray-rocky9', new Map([...fixtureDropIns('kubespray-rocky9'), ['/etc/hosts', HOSTS]]), { docker: { containersRunning: 0 } }), desired([httpRegistry], { restart: 'never' }));
    expect(never.blocked.join()).toMatch(/a Docker restart is needed .*, not allowed by restart: never/);
  });

  it('a reload is no restart: daemon.json changes need no permission', () => {
    const plan = planNode(stateFrom('docker-ce-stock', { '/etc/hosts': HOSTS }, { docker: { containersRunning: 5, liveRestore: false } }), desired([httpRegistry], { restart: 'never' }));
    expect(plan.blockers).toEqual([]);
    expect(plan.handlers).toEqual(['reload-docker']);
    expect(plan.restarts[0]).toMatchObject({ needed: false, allowed: true });
  });

  it('a Docker stopped on purpose is not started: the node is refused, saying so', () => {
    const stopped = stateFrom('dockerd-stopped', { '/etc/hosts': HOSTS });
    const plan = planNode(stopped, desired([httpRegistry]));
    expect(plan.blockers.join()).toMatch(/Docker is not running on this node .*dockhand does not start a Docker that was stopped/);
  });
});

describe('planNode refuses what would not work, touching nothing', () => {
  it('DOCKER_OPTS from an EnvironmentFile, which overrides any drop-in', () => {
    const plan = planNode(stateFrom('debian-docker-io', { '/etc/hosts': HOSTS }), desired([httpRegistry]));
    expect(plan.blockers.join()).toMatch(/EnvironmentFile \/etc\/default\/docker/);
  });

  it('a node without Docker', () => {
    expect(planNode(stateFrom('docker-absent', {}), desired([httpsRegistry])).blockers.join()).toMatch(/no runtime dockhand configures is installed on this node \(Docker, containerd, /);
    expect(planNode(stateFrom('docker-absent', {}), desired([httpsRegistry], { runtimes: ['docker'] })).blockers).toEqual(['Docker is not installed on this node']);
  });
});

describe('planNode for a registry now absent', () => {
  it('removes exactly what dockhand manages for it', () => {
    const want = desired([httpRegistry, httpsRegistry]);
    const fresh = stateFrom('debian-docker-io', { '/etc/hosts': HOSTS }, { docker: { dockerOpts: null, dockerOptsSource: null } });
    const first = planNode(fresh, want);
    const files = new Map([['/etc/hosts', HOSTS]]);
    for (const c of first.changes) if (c.after !== null) files.set(c.path, c.after);
    const gone = desired([
      { ...httpRegistry, state: 'absent' },
      { ...httpsRegistry, state: 'absent' },
    ]);
    // the node's ledger: the files dockhand created there
    const created = first.changes.filter((c) => c.action === 'create').map((c) => c.path);
    const state = stateFrom('debian-docker-io', files, { docker: { dockerOpts: null, dockerOptsSource: null, insecureRegistries: ['harbor-http.example.local'] }, created });
    const plan = planNode(state, gone);
    expect(summary(plan.changes)).toEqual([
      'update hosts /etc/hosts',
      'delete trust-store /usr/local/share/ca-certificates/dockhand/harbor.example.local/dockhand-harbor.example.local.crt',
      'delete certs.d /etc/docker/certs.d/harbor.example.local/ca.crt',
      `delete docker-options ${DROP_IN}`,
    ]);
    expect(plan.changes[0]!.after).toBe(HOSTS);
    // issue 20, item 7: the drop-in dockhand created goes once it holds nothing, not left as DOCKER_OPTS=
    expect(plan.changes[3]!.after).toBeNull();
    expect(plan.handlers).toEqual(['update-trust', 'daemon-reload', 'restart-docker']);
  });

  it('fault 15.1: removes only what dockhand created, and never a symbolic link (whose target is someone else\'s)', () => {
    const certsD = '/etc/docker/certs.d/old.local/ca.crt';
    const gone = desired([{ host: 'old.local', ip: undefined, insecure: false, ca: undefined, state: 'absent' }]);
    const hand = planNode(stateFrom('debian-docker-io', { '/etc/hosts': HOSTS, [certsD]: CA }, { docker: { dockerOpts: null, dockerOptsSource: null } }), gone);
    expect(hand.changes.filter((c) => c.path === certsD)).toEqual([]);
    expect(hand.notes).toContain(`left ${certsD} as it is: dockhand did not create it (its record of the files it made on this node does not hold it)`);
    const linked = stateFrom('debian-docker-io', { '/etc/hosts': HOSTS, [certsD]: CA }, { docker: { dockerOpts: null, dockerOptsSource: null }, created: [certsD] });
    const plan = planNode({ ...linked, links: new Set([certsD]) }, gone);
    expect(plan.changes.filter((c) => c.path === certsD)).toEqual([]);
    expect(plan.notes).toContain(`left ${certsD} as it is: it is a symbolic link, and dockhand removes only files it created`);
    const owned = planNode(linked, gone);
    expect(summary(owned.changes)).toEqual([`delete certs.d ${certsD}`]);
  });
});

describe('planNode installs a CA bundle the way each trust tool wants it', () => {
  const bundle = readFileSync(join(import.meta.dirname, '..', 'playbook', 'fixtures', 'certs', 'bundle.crt'), 'utf8');
  const registry: RegistrySpec = { host: 'harbor.example.local:8443', ip: undefined, insecure: false, ca: { file: '/b.crt', pem: bundle }, state: 'present' };

  it('one certificate per .crt file for update-ca-certificates (Debian), the file name safe for a port', () => {
    const plan = planNode(stateFrom('debian-docker-io', {}, { docker: { dockerOpts: null, dockerOptsSource: null } }), desired([registry]));
    const anchors = plan.changes.filter((c) => c.resource === 'trust-store');
    expect(anchors.map((c) => c.path)).toEqual([
      '/usr/local/share/ca-certificates/dockhand/harbor.example.local_8443/dockhand-harbor.example.local_8443-1.crt',
      '/usr/local/share/ca-certificates/dockhand/harbor.example.local_8443/dockhand-harbor.example.local_8443-2.crt',
    ]);
    for (const anchor of anchors) expect(anchor.after!.match(/BEGIN CERTIFICATE/g)).toHaveLength(1);
    // certs.d keeps the whole bundle, in the directory named exactly as image references write it
    expect(plan.changes.find((c) => c.resource === 'certs.d')!.path).toBe('/etc/docker/certs.d/harbor.example.local:8443/ca.crt');
  });

  it('the bundle whole in one anchor for update-ca-trust (RHEL family)', () => {
    const plan = planNode(stateFrom('kubespray-rocky9', fixtureDropIns('kubespray-rocky9')), desired([registry]));
    const anchors = plan.changes.filter((c) => c.resource === 'trust-store');
    expect(anchors.map((c) => c.path)).toEqual(['/etc/pki/ca-trust/source/anchors/dockhand-harbor.example.local_8443.crt']);
    expect(anchors[0]!.after!.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
  });
});
