import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { parseEvery } from '../../../src/schedule/every.ts';
import { renderService, renderTimer, type ScheduleSpec } from '../../../src/schedule/units.ts';
import { dockhand } from '../../support/cli.ts';

const spec: ScheduleSpec = {
  name: 'dockhand-site',
  command: ['/usr/local/bin/dockhand'],
  args: ['check', '/srv/site.yml', '-i', '/srv/hosts.ini', '--quiet', '--metrics', '/var/lib/prometheus/node-exporter/dockhand-site.prom'],
  every: parseEvery('15m'),
  writablePaths: ['/var/lib/prometheus/node-exporter'],
  environmentFile: '/etc/dockhand/dockhand-site.env',
  description: 'dockhand check',
};

describe('--every', () => {
  it('becomes a calendar event at the same times every hour or day', () => {
    expect(parseEvery('15m').calendar).toBe('*-*-* *:00/15:00');
    expect(parseEvery('10s').calendar).toBe('*-*-* *:*:00/10');
    expect(parseEvery('2h').calendar).toBe('*-*-* 00/02:00:00');
    expect(parseEvery('1d').calendar).toBe('*-*-* 00:00:00');
  });

  it('refuses what does not divide its unit, or is not an interval', () => {
    expect(() => parseEvery('45m')).toThrow(/minutes must divide an hour/);
    expect(() => parseEvery('7h')).toThrow(/hours must divide a day/);
    expect(() => parseEvery('soon')).toThrow(/not an interval/);
  });
});

describe('the systemd units', () => {
  const service = renderService(spec);
  const timer = renderTimer(spec);

  it('the service is a hardened oneshot with absolute paths, credentials from a 0600 EnvironmentFile, never inline', () => {
    expect(service).toContain('Type=oneshot\n');
    expect(service).toContain('ExecStart=/usr/local/bin/dockhand check /srv/site.yml -i /srv/hosts.ini --quiet --metrics /var/lib/prometheus/node-exporter/dockhand-site.prom\n');
    for (const line of ['NoNewPrivileges=yes', 'ProtectSystem=strict', 'PrivateTmp=yes', 'ReadWritePaths=-/var/lib/prometheus/node-exporter', 'StateDirectory=dockhand', 'EnvironmentFile=-/etc/dockhand/dockhand-site.env', 'SuccessExitStatus=3 75']) {
      expect(service).toContain(`${line}\n`);
    }
    expect(service).not.toMatch(/^Environment=/m);
  });

  it('the timer: calendar, randomized delay, persistent', () => {
    expect(timer).toContain('OnCalendar=*-*-* *:00/15:00\n');
    expect(timer).toContain('RandomizedDelaySec=90\n');
    expect(timer).toContain('Persistent=true\n');
    expect(timer).toContain('WantedBy=timers.target\n');
  });

  it('refuses a path systemd would split or expand', () => {
    expect(() => renderService({ ...spec, args: ['check', '/srv/my site.yml'] })).toThrow(/no spaces/);
    expect(() => renderService({ ...spec, args: ['check', '/srv/100%.yml'] })).toThrow(/%/);
  });
});

describe('dockhand schedule', () => {
  it('prints the units for the given playbook and inventory, with absolute paths, after checking both', { timeout: 30_000 }, async () => {
    // not under /tmp or /var/tmp (the checkout may be): the service has a private /tmp, and schedule refuses paths there
    mkdirSync(join(homedir(), '.cache'), { recursive: true });
    const dir = mkdtempSync(join(homedir(), '.cache', 'dockhand-schedule-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'site.yml'), 'registries:\n  - host: harbor.local\n    insecure: true\n    verify: {image: harbor.local/library/tiny:1, username_env: HARBOR_USER, password_env: HARBOR_PASSWORD}\n');
    writeFileSync(join(dir, 'hosts.ini'), '[k8s-cluster]\nnode1 ansible_host=10.0.0.1\n');
    const run = await dockhand(['schedule', join(dir, 'site.yml'), '-i', join(dir, 'hosts.ini'), '--every', '15m', '--apply', '--metrics', join(dir, 'm', 'site.prom'), '--executable', '/usr/local/bin/dockhand']);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain('# /etc/systemd/system/dockhand-site.service');
    expect(run.stdout).toContain(`ExecStart=/usr/local/bin/dockhand apply ${dir}/site.yml -i ${dir}/hosts.ini --quiet --known-hosts /var/lib/dockhand/known_hosts --log-dir /var/lib/dockhand/runs --metrics ${dir}/m/site.prom\n`);
    expect(run.stdout).toContain(`ReadWritePaths=-${dir}/m\n`);
    expect(run.stdout).toMatch(/^# HARBOR_PASSWORD= +\(pull check of harbor\.local\)$/m);
    const bad = await dockhand(['schedule', join(dir, 'missing.yml'), '-i', join(dir, 'hosts.ini'), '--every', '15m']);
    expect(bad.exitCode).toBe(1);
    const inTmp = await dockhand(['schedule', join(dir, 'site.yml'), '-i', join(dir, 'hosts.ini'), '--every', '15m', '--metrics', join(tmpdir(), 'x.prom')]);
    expect(inTmp.exitCode).toBe(1);
    expect(inTmp.stderr).toContain('private /tmp');
    // plays that disagree on a node of the inventory are refused now, not at the first firing
    writeFileSync(join(dir, 'two.yml'), '- hosts: all\n  registries: [{host: harbor.local, ip: 10.0.0.1}]\n- hosts: node1\n  registries: [{host: harbor.local:5000, ip: 10.0.0.2}]\n');
    const conflict = await dockhand(['schedule', join(dir, 'two.yml'), '-i', join(dir, 'hosts.ini'), '--every', '15m']);
    expect(conflict.exitCode).toBe(1);
    expect(conflict.stderr).toContain('/etc/hosts gives a name one address; give both the same ip (node node1 is in both plays)');
  });
});
