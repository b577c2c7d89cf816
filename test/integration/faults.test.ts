// Faults a real fleet has, driven through the CLI as a user runs it: a port that never speaks SSH, sudo
// that says no (wrong password, no rights, requiretty), a full or read-only filesystem on the node, sshd
// throttling new connections, a dockerd that no longer answers. Each run includes a healthy node, which
// must come out unaffected; each test leaves the nodes as it found them.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadLab, nodeExec, readSecret, type LabNode } from '../lab/lab.ts';
import { dockhand, type CliRun } from '../support/cli.ts';
import { scratchDir, writeInventory } from '../support/lab-files.ts';
import { withTcpServer } from '../support/peers.ts';
import { resetNodes } from '../support/reset.ts';

const lab = loadLab();
const debian = lab.nodes.filter((n) => n.variant === 'debian');
const rhel = lab.nodes.filter((n) => n.family === 'rhel');
const dir = scratchDir('faults');
const knownHosts = join(dir, 'known_hosts');
const http = lab.registries.http;
const https = lab.registries.https;
const dropIn = '/etc/systemd/system/docker.service.d/docker-options.conf';

interface HostReport {
  name: string;
  status: string;
  error: string | null;
  changes?: { resource: string; path: string }[];
  handlers?: string[];
}
interface Report {
  hosts: HostReport[];
}

const sh = (node: LabNode, script: string, input?: string) => nodeExec(node, ['sh', '-c', script], input);

/** Run a script on a node and insist it worked (setup and cleanup steps). */
async function must(node: LabNode, script: string, input?: string): Promise<string> {
  const result = await sh(node, script, input);
  if (result.exitCode !== 0) throw new Error(`${node.name}: ${script}\n=> exit ${result.exitCode}: ${result.output}`);
  return result.stdout;
}

function parse(run: CliRun): Report {
  try {
    return JSON.parse(run.stdout) as Report;
  } catch {
    throw new Error(`dockhand did not print a JSON document (exit ${run.exitCode})\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
  }
}

function host(report: Report, name: string): HostReport {
  const found = report.hosts.find((h) => h.name === name);
  if (!found) throw new Error(`${name} is not in the report: ${JSON.stringify(report.hosts.map((h) => h.name))}`);
  return found;
}

/** Everything printed, for failure messages. */
const said = (run: CliRun) => `exit ${run.exitCode}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`;

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
}

/** An inventory of lines as written (each `name ansible_host=... [vars]`), with the lab key. */
function inventory(name: string, hostLines: readonly string[], vars: readonly string[] = ['ansible_user=root']): string {
  return file(name, ['[nodes]', ...hostLines, '[all:vars]', ...vars, `ansible_ssh_private_key_file=${lab.sshKeyPath}`, ''].join('\n'));
}

/** The line of a node logging in as ops and becoming root with this sudo password. */
const opsLine = (node: LabNode, password: string) =>
  `${node.name} ansible_host=${node.address} ansible_user=ops ansible_become=true ansible_become_password=${password}`;

const facts = (inventoryFile: string, extra: readonly string[] = []) =>
  dockhand(['facts', '-i', inventoryFile, '--json', '--known-hosts', knownHosts, ...extra]);

const httpPlay = () =>
  file(
    'http.yml',
    `- name: http registry
  hosts: all
  registries:
    - host: ${http.host}
      ip: ${http.address}
      insecure: true
`,
  );

const bothPlay = () =>
  file(
    'both.yml',
    `- name: both registries
  hosts: all
  registries:
    - host: ${https.host}
      ip: ${https.address}
      ca: ${https.caCertPath}
    - host: ${http.host}
      ip: ${http.address}
      insecure: true
`,
  );

const apply = (book: string, nodes: readonly LabNode[]) =>
  dockhand(['apply', book, '-i', writeInventory(dir, lab, nodes, `apply-${nodes.map((n) => n.name).join('-')}.ini`), '--json', '--known-hosts', knownHosts]);

/**
 * Everything dockhand may touch on a node: content, mode and owner of its files, and which files and
 * directories exist where it writes (dockhand's own /var/lib/dockhand aside).
 */
async function snapshot(node: LabNode): Promise<string> {
  return must(
    node,
    `for f in /etc/hosts ${dropIn} /etc/docker/daemon.json; do if [ -e "$f" ]; then sha256sum "$f"; stat -c '%a %U %G %n' "$f"; else echo "absent $f"; fi; done
find /etc/docker /etc/systemd/system/docker.service.d /usr/local/share/ca-certificates /etc/pki/ca-trust/source/anchors -xdev 2>/dev/null | sort
find /etc/docker/certs.d /usr/local/share/ca-certificates /etc/pki/ca-trust/source/anchors /etc/systemd/system/docker.service.d -type f 2>/dev/null | sort | xargs -r sha256sum`,
  );
}

const sha = async (node: LabNode, path: string) => (await must(node, `if [ -e ${path} ]; then sha256sum < ${path}; else echo absent; fi`)).trim();

/** dockhand's temporary files anywhere on the node's own filesystem, and in the mounts it writes to. */
const tempFiles = async (node: LabNode) =>
  (await sh(node, `{ find / -xdev -name '.dockhand.*' 2>/dev/null; find /etc/docker/certs.d /etc/hosts -name '.dockhand.*' 2>/dev/null; } | sort -u`)).stdout.trim();

/**
 * Run `body` while /etc/docker/certs.d on `node` is a full 16 KiB tmpfs (out of blocks, or with
 * `inodes` out of inodes too: not even a directory can be made there); unmount it after.
 */
async function withFullCertsD(node: LabNode, body: () => Promise<void>, inodes = false): Promise<void> {
  try {
    await must(node, `if mountpoint -q /etc/docker/certs.d; then echo 'certs.d is already a mount point'; exit 1; fi
mkdir -p /etc/docker/certs.d && mount -t tmpfs -o size=16k${inodes ? ',nr_inodes=1' : ''} tmpfs /etc/docker/certs.d
${inodes ? '' : 'dd if=/dev/zero of=/etc/docker/certs.d/fill bs=1k count=64 2>/dev/null; true'}
if sh -c 'echo x > /etc/docker/certs.d/probe' 2>/dev/null; then echo 'certs.d is not full'; exit 1; fi
rm -f /etc/docker/certs.d/probe`);
    await body();
  } finally {
    // it was no mount point before (checked above): whatever is mounted there now is this test's
    await must(node, 'n=0; while mountpoint -q /etc/docker/certs.d && [ $n -lt 5 ]; do umount /etc/docker/certs.d; n=$((n + 1)); done; ! mountpoint -q /etc/docker/certs.d');
  }
}

/** Run `body` while /etc/hosts on `node` is read-only (a read-only bind over it); remove that bind after. */
async function withReadOnlyHosts(node: LabNode, body: () => Promise<void>): Promise<void> {
  try {
    await must(node, `if [ "$(grep -c ' /etc/hosts ' /proc/self/mountinfo)" -ne 1 ]; then echo '/etc/hosts is not as Docker left it'; exit 1; fi
mount --bind /etc/hosts /etc/hosts && mount -o remount,bind,ro /etc/hosts
if sh -c ': >> /etc/hosts' 2>/dev/null; then echo '/etc/hosts is still writable'; exit 1; fi`);
    await body();
  } finally {
    // only the read-only bind added here; Docker's own bind of /etc/hosts stays (and is writable again)
    await must(node, `if [ "$(grep -c ' /etc/hosts ' /proc/self/mountinfo)" -gt 1 ]; then umount /etc/hosts; fi
[ "$(grep -c ' /etc/hosts ' /proc/self/mountinfo)" -eq 1 ] && sh -c ': >> /etc/hosts'`);
  }
}

describe('faults, through the CLI', () => {
  it('a port that accepts but never speaks SSH is unreachable within the connect timeout', async () => {
    const healthy = debian[0]!;
    // accept, read, never write a byte
    await withTcpServer(() => undefined, async (port, accepted) => {
      const inv = inventory('silent.ini', [`${healthy.name} ansible_host=${healthy.address}`, `silent ansible_host=127.0.0.1 ansible_port=${port}`]);
      const run = await facts(inv, ['--connect-timeout', '2']);
      expect(run.exitCode, said(run)).toBe(4);
      const report = parse(run);
      const silent = host(report, 'silent');
      expect(silent.status, said(run)).toBe('unreachable');
      expect(silent.error, said(run)).toMatch(/handshake|timed? ?out|within 2000 ms/i);
      expect(silent.error, said(run)).toContain(`127.0.0.1:${port}`);
      expect(host(report, healthy.name).status, said(run)).toBe('ok');
      // 2 s connect timeout, plus start-up and the healthy node's facts
      expect(run.durationMs).toBeLessThan(8_000);
      expect(accepted(), 'dockhand connected to the silent port').toBeGreaterThan(0);
    });
  });

  it('a wrong sudo password fails that node fast with "incorrect sudo password", and no password ever shows', async () => {
    const good = debian[1]!;
    const opsPassword = readSecret(lab.opsPasswordFile).trim();
    expect(opsPassword.length).toBeGreaterThan(8);
    const sentinel = `WRONG-sentinel-${randomBytes(9).toString('hex')}`;
    const inv = inventory('wrong-sudo.ini', [opsLine(good, opsPassword), ...rhel.map((n) => opsLine(n, sentinel))], []);
    const run = await facts(inv, ['-vvv']);
    expect(run.exitCode, said(run)).toBe(2);
    const report = parse(run);
    for (const node of rhel) {
      const h = host(report, node.name);
      expect(h.status, said(run)).toBe('failed');
      expect(h.error, said(run)).toMatch(/incorrect sudo password/);
    }
    expect(host(report, good.name).status, said(run)).toBe('ok');
    expect(run.durationMs).toBeLessThan(15_000);
    for (const secret of [sentinel, opsPassword]) {
      expect(run.stdout.includes(secret), 'a sudo password is in stdout').toBe(false);
      expect(run.stderr.includes(secret), 'a sudo password is in stderr').toBe(false);
    }
    // -vvv did show the raw exchange (else the check above proves little)
    expect(run.stderr.length).toBeGreaterThan(0);
  });

  describe('sudo that says no', () => {
    const target = debian[2]!;
    const healthy = debian[3]!;

    it('a user without sudo rights fails that node with sudo\'s own reason', async () => {
      const password = `nosudo-${randomBytes(9).toString('hex')}`;
      try {
        await must(
          target,
          `id nosudo >/dev/null 2>&1 && userdel -r nosudo >/dev/null 2>&1
useradd -m -s /bin/sh nosudo
chpasswd
install -d -m 700 -o nosudo -g nosudo /home/nosudo/.ssh
install -m 600 -o nosudo -g nosudo /root/.ssh/authorized_keys /home/nosudo/.ssh/authorized_keys
! sudo -l -U nosudo | grep -q 'may run'`,
          `nosudo:${password}\n`,
        );
        const inv = inventory(
          'nosudo.ini',
          [
            `${target.name} ansible_host=${target.address} ansible_user=nosudo ansible_become=true ansible_become_password=${password}`,
            `${healthy.name} ansible_host=${healthy.address} ansible_user=root`,
          ],
          [],
        );
        const run = await facts(inv);
        expect(run.exitCode, said(run)).toBe(2);
        const report = parse(run);
        const h = host(report, target.name);
        expect(h.status, said(run)).toBe('failed');
        expect(h.error, said(run)).toMatch(/not in the sudoers file|not allowed/);
        expect(h.error).not.toMatch(/incorrect sudo password/);
        expect(host(report, healthy.name).status, said(run)).toBe('ok');
        expect(run.stdout + run.stderr).not.toContain(password);
      } finally {
        await must(target, 'pkill -KILL -u nosudo 2>/dev/null; sleep 0.2; userdel -r nosudo 2>/dev/null; ! id nosudo 2>/dev/null');
      }
    });

    it('sudo with requiretty fails that node with a message about the tty', async () => {
      const opsPassword = readSecret(lab.opsPasswordFile).trim();
      try {
        await must(target, 'install -m 0440 /dev/stdin /etc/sudoers.d/zz-requiretty && visudo -c >/dev/null', 'Defaults:ops requiretty\n');
        const inv = inventory('requiretty.ini', [opsLine(target, opsPassword), opsLine(healthy, opsPassword)], []);
        const run = await facts(inv);
        expect(run.exitCode, said(run)).toBe(2);
        const report = parse(run);
        const h = host(report, target.name);
        expect(h.status, said(run)).toBe('failed');
        expect(h.error, said(run)).toMatch(/tty/);
        expect(host(report, healthy.name).status, said(run)).toBe('ok');
        expect(run.stdout + run.stderr).not.toContain(opsPassword);
      } finally {
        await must(target, 'rm -f /etc/sudoers.d/zz-requiretty');
      }
    });
  });

  describe('on-node faults during apply', () => {
    const nodes = [debian[4]!, debian[5]!];
    beforeEach(() => resetNodes(nodes), 180_000);
    afterEach(() => resetNodes(nodes), 180_000);

    it('a full disk under /etc/docker/certs.d fails that node with "disk full", nothing changed, no temp files left', async () => {
      const [full, healthy] = nodes as [LabNode, LabNode];
      await withFullCertsD(full, async () => {
        const before = { hosts: await sha(full, '/etc/hosts'), dropIn: await sha(full, dropIn), all: await snapshot(full) };
        const run = await apply(bothPlay(), nodes);
        expect(run.exitCode, said(run)).toBe(2);
        const report = parse(run);
        const h = host(report, full.name);
        expect(h.status, said(run)).toBe('failed');
        expect(h.error, said(run)).toMatch(/disk full/);
        expect(h.error, said(run)).toMatch(/nothing changed/);
        expect(host(report, healthy.name).status, said(run)).toBe('changed');
        expect(await sha(full, '/etc/hosts')).toBe(before.hosts);
        expect(await sha(full, dropIn)).toBe(before.dropIn);
        expect(await tempFiles(full)).toBe('');
        // "nothing changed": no file and no directory dockhand writes to differs from before
        expect(await snapshot(full)).toBe(before.all);
      });
    });

    it('a filesystem out of inodes under /etc/docker/certs.d fails that node with "disk full", nothing changed', async () => {
      const [full, healthy] = nodes as [LabNode, LabNode];
      await withFullCertsD(
        full,
        async () => {
          const before = await snapshot(full);
          const run = await apply(bothPlay(), nodes);
          expect(run.exitCode, said(run)).toBe(2);
          const report = parse(run);
          const h = host(report, full.name);
          expect(h.status, said(run)).toBe('failed');
          expect(host(report, healthy.name).status, said(run)).toBe('changed');
          expect(await tempFiles(full)).toBe('');
          expect(await snapshot(full)).toBe(before);
          expect(h.error, said(run)).toMatch(/disk full/);
          expect(h.error, said(run)).toMatch(/nothing changed/);
        },
        true,
      );
    });

    it('a read-only /etc/hosts fails that node naming the file and read-only, nothing else changed, no temp files left', async () => {
      const [readOnly, healthy] = nodes as [LabNode, LabNode];
      await withReadOnlyHosts(readOnly, async () => {
        const before = { hosts: await sha(readOnly, '/etc/hosts'), all: await snapshot(readOnly) };
        expect(await sha(readOnly, dropIn)).toBe('absent');
        const run = await apply(httpPlay(), nodes);
        expect(run.exitCode, said(run)).toBe(2);
        const report = parse(run);
        const h = host(report, readOnly.name);
        expect(h.status, said(run)).toBe('failed');
        expect(h.error, said(run)).toContain('/etc/hosts');
        expect(h.error, said(run)).toMatch(/read-only/);
        expect(host(report, healthy.name).status, said(run)).toBe('changed');
        expect(await sha(readOnly, '/etc/hosts')).toBe(before.hosts);
        expect(await sha(readOnly, dropIn)).toBe('absent');
        expect((await sh(readOnly, 'test -e /etc/docker/certs.d && echo present || echo absent')).stdout.trim()).toBe('absent');
        expect(await tempFiles(readOnly)).toBe('');
        expect(await snapshot(readOnly)).toBe(before.all);
      });
    });

    // With the https registry first, /etc/hosts is written, then certs.d fails and /etc/hosts is put back.
    it('a write that failed and was undone reports no change made', async () => {
      const [full, healthy] = nodes as [LabNode, LabNode];
      await withFullCertsD(full, async () => {
        const run = await apply(bothPlay(), nodes);
        const h = host(parse(run), full.name);
        expect(h.error, said(run)).toMatch(/nothing changed/);
        expect(host(parse(run), healthy.name).status, said(run)).toBe('changed');
        // the report must not contradict "nothing changed" (the text report prints these as changes=N)
        expect(h.changes, said(run)).toEqual([]);
      });
    });

    it('a write that failed and was undone leaves no Docker restart owed to the next run', async () => {
      const [full, healthy] = nodes as [LabNode, LabNode];
      await withFullCertsD(full, async () => {
        const failed = await apply(bothPlay(), [full]);
        expect(host(parse(failed), full.name).error, said(failed)).toMatch(/nothing changed/);
      });
      // Nothing changed on the node, so nothing is owed: a play with nothing to do there must find it ok,
      // not plan the handlers the failed run had recorded in /var/lib/dockhand/pending.
      const retire = file('retire.yml', '- name: retire\n  hosts: all\n  registries:\n    - host: harbor-old.example.local\n      state: absent\n');
      const run = await dockhand(['check', retire, '-i', writeInventory(dir, lab, nodes, 'owed.ini'), '--json', '--known-hosts', knownHosts]);
      const report = parse(run);
      expect(host(report, healthy.name).status, said(run)).toBe('ok');
      expect(host(report, full.name), said(run)).toMatchObject({ status: 'ok', handlers: [] });
      expect(run.exitCode, said(run)).toBe(0);
    });
  });

  it('sshd throttling new connections (MaxStartups) does not fail a run with many forks to one node', async () => {
    const node = debian[6]!;
    const healthy = debian[7]!;
    // Unlike most keywords, sshd keeps the LAST MaxStartups it reads: this drop-in must sort after the
    // lab's own (dockhand-lab.conf, MaxStartups 200:30:400). sshd -T proves it took effect.
    const conf = '/etc/ssh/sshd_config.d/zz-max.conf';
    try {
      await must(node, `cat > ${conf} && sshd -t && systemctl reload ssh && sleep 0.5 && sshd -T | grep -qx 'maxstartups 2:100:2'`, 'MaxStartups 2:100:2\n');
      const names = Array.from({ length: 30 }, (_, i) => `t${String(i + 1).padStart(2, '0')}`);
      const inv = inventory('maxstartups.ini', [...names.map((name) => `${name} ansible_host=${node.address}`), `${healthy.name} ansible_host=${healthy.address}`]);
      const since = (await must(node, 'date +%s')).trim();
      // 31 logins taking turns two at a time: on a loaded 2-core machine they can outlast the default 10 s
      // connect timeout, which is not what this test is about (throttling is tried again, not failed)
      const run = await facts(inv, ['--forks', '31', '--connect-timeout', '60']);
      // the fault was real: sshd dropped connections of this run
      const dropped = (await sh(node, `journalctl -u ssh --since @${since} --no-pager -o cat | grep -c 'past MaxStartups' || true`)).stdout.trim();
      expect(Number(dropped), 'sshd dropped no connection: the test did not throttle').toBeGreaterThan(0);
      const report = parse(run);
      const notOk = report.hosts.filter((h) => h.status !== 'ok').map((h) => `${h.name}: ${h.status}: ${h.error}`);
      expect(notOk, said(run)).toEqual([]);
      expect(report.hosts).toHaveLength(31);
      expect(run.exitCode, said(run)).toBe(0);
    } finally {
      await must(node, `rm -f ${conf} && systemctl reload ssh && sleep 0.5 && sshd -T | grep -qx 'maxstartups 200:30:400'`);
    }
  });

  it('a node whose dockerd hangs still answers facts within seconds and keeps no process behind', async () => {
    const frozen = debian[0]!;
    const healthy = debian[1]!;
    try {
      await must(frozen, 'kill -STOP $(pidof dockerd)');
      const inv = writeInventory(dir, lab, [frozen, healthy], 'frozen.ini');
      const run = await facts(inv);
      const report = parse(run);
      expect(report.hosts.map((h) => h.name).sort()).toEqual([frozen.name, healthy.name].sort());
      expect(host(report, healthy.name).status, said(run)).toBe('ok');
      // the facts script runs docker under its own 10 s timeout: no 60 s wait, no hang
      expect(run.durationMs, said(run)).toBeLessThan(20_000);
      expect(host(report, frozen.name).status, said(run)).toBe('ok');
      // nothing dockhand started is left waiting on the frozen daemon
      expect((await sh(frozen, "pgrep -a -x 'docker|timeout' || true")).stdout.trim()).toBe('');
    } finally {
      await must(frozen, 'kill -CONT $(pidof dockerd) && sleep 0.5 && docker info >/dev/null');
    }
  });
});
