import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { parseEvery } from '../../../src/schedule/every.ts';
import { renderService, renderTimer, type ScheduleSpec } from '../../../src/schedule/units.ts';
import { dockhand } from '../../support/cli.ts';
import { fixture } from '../sources/helpers.ts';

const CA = new URL('../converge/fixtures/ca.crt', import.meta.url).pathname;

/**
 * The installers' fixtures copied where the scheduled service could read them: a checkout under /tmp (as a
 * CI job's may be) is a place the sandbox check rightly refuses. Removed when the test ends.
 */
function outsideTmp(): { kubekey: string; kubespray: string } {
  const dir = mkdtempSync('/var/lib/dockhand-schedule-test-');
  cpSync(fixture('kubekey'), join(dir, 'kubekey'), { recursive: true });
  cpSync(fixture('kubespray'), join(dir, 'kubespray'), { recursive: true });
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return { kubekey: join(dir, 'kubekey', 'config-sample.yaml'), kubespray: join(dir, 'kubespray', 'mycluster') };
}

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

describe('issue 15, fault 13: schedule checks every file the run reads and writes against the unit\'s sandbox', () => {
  function workDir(): string {
    mkdirSync(join(homedir(), '.cache'), { recursive: true });
    const dir = mkdtempSync(join(homedir(), '.cache', 'dockhand-sandbox-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  it('lists every offender at once: a CA and an SSH key under /var/tmp and /tmp, a vars file linked from /tmp, --junit in /tmp', async () => {
    const dir = workDir();
    const scratch = mkdtempSync(join('/var/tmp', 'dockhand-sandbox-'));
    const tmp = mkdtempSync(join('/tmp', 'dockhand-sandbox-'));
    onTestFinished(() => {
      rmSync(scratch, { recursive: true, force: true });
      rmSync(tmp, { recursive: true, force: true });
    });
    copyFileSync(CA, join(scratch, 'ca.crt'));
    writeFileSync(join(tmp, 'id_ed25519'), 'not really a key\n');
    writeFileSync(join(tmp, 'k8s-cluster.yml'), 'ansible_user: root\n');
    mkdirSync(join(dir, 'group_vars'));
    symlinkSync(join(tmp, 'k8s-cluster.yml'), join(dir, 'group_vars', 'k8s-cluster.yml'));
    writeFileSync(join(dir, 'site.yml'), `registries:\n  - host: harbor.local\n    ca: ${join(scratch, 'ca.crt')}\n`);
    writeFileSync(join(dir, 'hosts.ini'), `[k8s-cluster]\nnode1 ansible_host=10.0.0.1 ansible_ssh_private_key_file=${join(tmp, 'id_ed25519')}\n`);
    const run = await dockhand(['schedule', join(dir, 'site.yml'), '-i', join(dir, 'hosts.ini'), '--every', '15m', '--junit', join(tmp, 'junit.xml'), '--executable', '/usr/local/bin/dockhand']);
    expect(run.exitCode, run.stderr).toBe(1);
    expect(run.stderr).toContain('PrivateTmp=yes');
    expect(run.stderr).toContain(join(scratch, 'ca.crt'));
    expect(run.stderr).toContain(join(tmp, 'id_ed25519'));
    expect(run.stderr).toContain(join(tmp, 'k8s-cluster.yml'));
    expect(run.stderr).toContain(join(tmp, 'junit.xml'));
    expect(run.stderr).toMatch(/ansible_ssh_private_key_file/);
    expect(run.stderr).toMatch(/--junit/);
  }, 60_000);

  it('takes --from-kubekey and --from-kubespray as apply does, without -i', async () => {
    const { kubekey: KUBEKEY, kubespray: KUBESPRAY } = outsideTmp();
    const kubekey = await dockhand(['schedule', '--from-kubekey', KUBEKEY, '--every', '15m', '--executable', '/usr/local/bin/dockhand']);
    expect(kubekey.exitCode, kubekey.stderr).toBe(0);
    expect(kubekey.stdout).toContain(`ExecStart=/usr/local/bin/dockhand check --from-kubekey ${KUBEKEY} --quiet `);
    expect(kubekey.stdout).toContain('# /etc/systemd/system/dockhand-config-sample.service');
    const kubespray = await dockhand(['schedule', '--from-kubespray', KUBESPRAY, '--every', '1h', '--apply', '--executable', '/usr/local/bin/dockhand']);
    expect(kubespray.exitCode, kubespray.stderr).toBe(0);
    expect(kubespray.stdout).toContain(`ExecStart=/usr/local/bin/dockhand apply --from-kubespray ${KUBESPRAY} --quiet `);
    expect(kubespray.stdout).toContain('# /etc/systemd/system/dockhand-mycluster.service');
    const neither = await dockhand(['schedule', '--every', '15m']);
    expect(neither.exitCode).toBe(1);
    expect(neither.stderr).toContain('give a playbook, --from-kubekey FILE or --from-kubespray DIR');
  }, 60_000);
});
