// The node transaction under bad luck, on real nodes: power loss (every rename synced, proven by tracing
// the worker's system calls), a full disk, a read-only /etc, two recoveries at once, two playbooks at
// once, a runtime whose start hangs, a retired registry whose CA is a symbolic link, containerd importing
// a CRI table of its own, and a change the runtime refuses, which is then not tried on every run.
import { execa } from 'execa';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { newRunId, unpackScript } from '../../src/node/transaction/bundle.ts';
import { sha256 } from '../../src/plan/node-state.ts';
import { loadLab, nodeExec, type LabNode } from '../lab/lab.ts';
import { dockhand, type CliRun } from '../support/cli.ts';
import { scratchDir, writeInventory } from '../support/lab-files.ts';
import { resetNodes } from '../support/reset.ts';

const lab = loadLab();
const debian = lab.nodes.filter((n) => n.variant === 'debian');
const ctrd = lab.nodes.filter((n) => n.variant === 'ctrd16' || n.variant === 'ctrd17');
const dir = scratchDir('transaction-faults');
const knownHosts = join(dir, 'known_hosts');
const { http, https } = lab.registries;

const sh = (node: LabNode, script: string) => nodeExec(node, ['sh', '-c', script]);
const said = (run: CliRun) => `exit ${run.exitCode}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`;

async function must(node: LabNode, script: string): Promise<string> {
  const result = await sh(node, script);
  if (result.exitCode !== 0) throw new Error(`${node.name}: ${script}\n=> exit ${result.exitCode}: ${result.output}`);
  return result.stdout;
}

function playbook(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const both = playbook(
  'both.yml',
  `registries:\n  - host: ${http.host}\n    ip: ${http.address}\n    insecure: true\n  - host: ${https.host}\n    ip: ${https.address}\n    ca: ${https.caCertPath}\nrestart: always\n`,
);

interface HostReport {
  name: string;
  status: string;
  error: string | null;
  notes: string[];
  handlers: string[];
  blocked: string[];
  recovered: { run_id: string; outcome: string; detail: string | null } | null;
}

function report(run: CliRun, node?: LabNode): HostReport {
  try {
    const all = (JSON.parse(run.stdout) as { hosts: HostReport[] }).hosts;
    return node === undefined ? all[0]! : all.find((h) => h.name === node.name)!;
  } catch {
    throw new Error(`no JSON report\n${said(run)}`);
  }
}

function apply(book: string, nodes: readonly LabNode[], extra: string[] = []): Promise<CliRun> {
  return dockhand(['apply', book, '-i', writeInventory(dir, lab, nodes, `${nodes.map((n) => n.name).join('-')}.ini`), '--known-hosts', knownHosts, '--json', ...extra]);
}

const SNAPSHOT = `for f in $(find /etc/hosts /etc/docker /etc/systemd/system/docker.service.d /etc/containerd /usr/local/share/ca-certificates -type f 2>/dev/null | sort); do
  printf '%s %s %s\\n' "$(sha256sum < "$f" | cut -c1-16)" "$(stat -c %a "$f")" "$f"
done`;
const snapshot = (node: LabNode) => must(node, SNAPSHOT);
const leftovers = async (node: LabNode) => (await sh(node, 'find /etc /usr/local/share/ca-certificates /var/tmp -name ".dockhand.*" 2>/dev/null')).stdout.trim();
const started = async (node: LabNode, unit: string) => (await must(node, `systemctl show ${unit} -p ExecMainStartTimestampMonotonic`)).trim();
const restartsRun = async (node: LabNode) => (await sh(node, "cat /var/lib/dockhand/txn/*/journal 2>/dev/null | grep -c '^handler-start restart-'")).stdout.trim();

describe('power loss: every write reaches the disk before it counts (proven by the worker\'s system calls)', () => {
  const node = debian[6] ?? debian[0]!;
  beforeAll(async () => {
    await resetNodes([node]);
    // this machine's strace (Debian 12, as the node) with its libraries
    const files = ['/usr/bin/strace', '/lib/x86_64-linux-gnu/libunwind-ptrace.so.0', '/lib/x86_64-linux-gnu/libunwind-x86_64.so.8', '/lib/x86_64-linux-gnu/libunwind.so.8'];
    const tar = execa('tar', ['-chf', '-', ...files], { stderr: 'ignore' });
    const put = execa('docker', ['exec', '-i', node.containerId, 'tar', '-xf', '-', '-C', '/opt']);
    tar.stdout!.pipe(put.stdin!);
    await Promise.all([tar, put]);
  }, 180_000);

  it('each new file is synced before its rename, its directory after; backups and the journal before anything is written', async () => {
    await must(node, "rm -rf /etc/dockhand-sync && mkdir -p /etc/dockhand-sync && printf 'old\\n' > /etc/dockhand-sync/old.conf");
    const hosts = Buffer.from(await must(node, 'cat /etc/hosts'));
    const runId = newRunId();
    const tx = {
      runId,
      key: 'f'.repeat(64),
      family: 'debian' as const,
      writes: [
        { path: '/etc/hosts', after: Buffer.concat([hosts, Buffer.from('10.1.1.1 sync.example\n')]), beforeSha256: sha256(hosts), mode: '0644' },
        { path: '/etc/dockhand-sync/new.conf', after: Buffer.from('new\n'), beforeSha256: null, mode: '0644' },
        { path: '/etc/dockhand-sync/old.conf', after: Buffer.from('newer\n'), beforeSha256: sha256(Buffer.from('old\n')), mode: '0644' },
      ],
      validate: [],
      handlers: [],
      expect: [],
      runtimes: [],
    };
    await must(node, unpackScript(tx));
    const T = `/var/lib/dockhand/txn/${runId}`;
    const run = await sh(
      node,
      `LD_LIBRARY_PATH=/opt/lib/x86_64-linux-gnu /opt/usr/bin/strace -f -y -qq -e trace=fsync,fdatasync,syncfs,sync,rename,renameat,renameat2,write,openat -o /tmp/worker.trace /bin/sh ${T}/worker.sh ${T} apply 120 trace; cat ${T}/outcome`,
    );
    expect(run.stdout, run.output).toContain('@@dockhand:committed@@');
    const trace = (await must(node, 'cat /tmp/worker.trace')).split('\n');
    const at = (pattern: RegExp) => trace.findIndex((line) => pattern.test(line));
    const fsyncOf = (path: string, from = 0) => trace.findIndex((line, i) => i >= from && /\b(fsync|fdatasync)\(\d+</.test(line) && line.includes(`<${path}>`));
    // every rename into /etc: the temporary file synced before, its directory after
    const renames = trace.flatMap((line, i) => {
      const m = /rename(?:at2?)?\((?:AT_FDCWD(?:<[^>]*>)?, )?"([^"]+)", (?:AT_FDCWD(?:<[^>]*>)?, )?"([^"]+)"/.exec(line);
      return m && m[2]!.startsWith('/etc/') && / = 0$/.test(line) ? [{ i, from: m[1]!, to: m[2]! }] : [];
    });
    expect(renames.map((r) => r.to).sort()).toEqual(['/etc/dockhand-sync/new.conf', '/etc/dockhand-sync/old.conf']);
    for (const r of renames) {
      const before = fsyncOf(r.from);
      expect(before, `fsync of ${r.from} before its rename`).toBeGreaterThanOrEqual(0);
      expect(before).toBeLessThan(r.i);
      expect(fsyncOf(r.to.slice(0, r.to.lastIndexOf('/')), r.i), `fsync of the directory after ${r.to}`).toBeGreaterThan(r.i);
    }
    // /etc/hosts cannot be renamed onto (a mount point): written in place, then synced
    expect(fsyncOf('/etc/hosts')).toBeGreaterThan(0);
    // the backup of every file that existed, and the journal saying `begin`, on the disk before the first write into /etc
    const firstWrite = at(/openat\(AT_FDCWD(?:<[^>]*>)?, "\/etc\/(hosts|dockhand-sync)[^"]*", O_(WRONLY|RDWR)/);
    expect(firstWrite).toBeGreaterThan(0);
    for (const n of [1, 3]) {
      expect(fsyncOf(`${T}/backup/${n}`), `backup ${n} synced`).toBeGreaterThanOrEqual(0);
      expect(fsyncOf(`${T}/backup/${n}`), `backup ${n} synced before the first write`).toBeLessThan(firstWrite);
    }
    expect(fsyncOf(`${T}/journal`)).toBeLessThan(firstWrite);
    expect(fsyncOf(`${T}/journal`)).toBeGreaterThanOrEqual(0);
    // the outcome synced before it is published
    const outcome = trace.findIndex((line) => /rename(?:at2?)?\(.*"[^"]+\/out\.trace", .*"[^"]+\/outcome"/.test(line));
    expect(outcome).toBeGreaterThan(0);
    expect(fsyncOf(`${T}/out.trace`)).toBeLessThan(outcome);
    await must(node, 'grep -v sync.example /etc/hosts > /tmp/h && cat /tmp/h > /etc/hosts; rm -rf /etc/dockhand-sync');
  });
});

describe('a full disk, a read-only directory: everything put back, nothing left behind, the report names the file', () => {
  const node = debian[5] ?? debian[0]!;
  beforeAll(() => resetNodes([node]), 180_000);

  it('a drop-in directory that is full: every earlier file goes back, no temporary file stays, the error names the file', async () => {
    // a 4 KiB tmpfs, filled: the drop-in (the last file of the change) cannot be written
    await must(node, 'mkdir -p /etc/systemd/system/docker.service.d && mount -t tmpfs -o size=4k tmpfs /etc/systemd/system/docker.service.d && dd if=/dev/zero of=/etc/systemd/system/docker.service.d/fill bs=1k count=8 2>/dev/null; true');
    try {
      const before = await snapshot(node);
      const run = await apply(both, [node]);
      expect(run.exitCode, said(run)).toBe(2);
      const host = report(run);
      expect(host.status).toBe('failed');
      expect(host.error).toMatch(/cannot (write|create a temporary file in) .*docker\.service\.d.*(disk full|read-only)/);
      expect(host.error).not.toMatch(/NOT put back/);
      expect(await snapshot(node)).toBe(before);
      expect(await leftovers(node)).toBe('');
    } finally {
      await sh(node, 'umount /etc/systemd/system/docker.service.d');
    }
  });

  it('a read-only /etc/docker: the same, and Docker untouched', async () => {
    const start = await started(node, 'docker');
    await must(node, 'mkdir -p /etc/docker && mount --bind /etc/docker /etc/docker && mount -o remount,ro,bind /etc/docker');
    try {
      const before = await snapshot(node);
      const run = await apply(both, [node]);
      expect(run.exitCode, said(run)).toBe(2);
      expect(report(run).error).toMatch(/\/etc\/docker.*(read-only|disk full)/);
      expect(await snapshot(node)).toBe(before);
      expect(await leftovers(node)).toBe('');
      expect(await started(node, 'docker')).toBe(start);
    } finally {
      await sh(node, 'umount /etc/docker');
    }
  });

  it('a kill half-way through an in-place write, and a damaged backup: recovery refuses to restore from it and says so', async () => {
    await resetNodes([node]);
    const hostsBefore = await must(node, 'sha256sum < /etc/hosts');
    await must(node, "mkdir -p /var/lib/dockhand && echo in-place-half > /var/lib/dockhand/failpoint");
    await apply(both, [node]);
    // /etc/hosts is half-written now; its backup is damaged before the next run
    await must(node, 'for b in /var/lib/dockhand/txn/*/backup/1; do echo damaged >> "$b"; done');
    const run = await apply(both, [node]);
    expect(run.exitCode, said(run)).toBe(2);
    const host = report(run);
    expect(host.status).toBe('failed');
    expect(host.error).toMatch(/NOT put back: \/etc\/hosts \(the backup of \/etc\/hosts is not the file it was taken from \(damaged\)/);
    // nothing was copied from the damaged backup
    expect(await must(node, 'grep -c damaged /etc/hosts || true')).toBe('0\n');
    expect(await must(node, 'sha256sum < /etc/hosts')).not.toBe(hostsBefore);
    await resetNodes([node]);
  });

  it('a kill half-way through an in-place write: the next run puts the file back from its backup', async () => {
    const before = await snapshot(node);
    await must(node, 'mkdir -p /var/lib/dockhand && echo in-place-half > /var/lib/dockhand/failpoint');
    await apply(both, [node]);
    expect(await must(node, 'test -e /var/lib/dockhand/failpoint && echo armed || echo fired')).toBe('fired\n');
    const run = await apply(both, [node]);
    const host = report(run);
    expect(host.recovered?.outcome, said(run)).toBe('undone');
    expect(await snapshot(node)).toBe(before);
    // the killed worker's temporary file in /etc went with the recovery
    expect(await leftovers(node)).toBe('');
  });
});

describe('runs at once, and recoveries at once', () => {
  const nodes = debian.slice(0, 4);
  beforeAll(() => resetNodes(nodes), 180_000);

  it('two recoveries of one killed transaction: one finishes it, the other waits and finds it finished, and Docker restarts once', async () => {
    const node = nodes[0]!;
    // killed with every file written, before its handlers: a recovery drives it on to commit
    await must(node, 'mkdir -p /var/lib/dockhand && echo written > /var/lib/dockhand/failpoint');
    await apply(both, [node]);
    // two playbooks of the same content: the same playbook twice would meet dockhand's own run lock first
    const copy = playbook('both-again.yml', readFileSync(both, 'utf8'));
    const [a, b] = await Promise.all([apply(both, [node]), apply(copy, [node])]);
    for (const run of [a, b]) expect(run.exitCode, said(run)).toBe(0);
    expect([report(a).recovered?.outcome, report(b).recovered?.outcome].filter((o) => o !== undefined)).toContain('committed');
    expect(await restartsRun(node)).toBe('1');
    expect(await leftovers(node)).toBe('');
  });

  it('two playbooks of the same content at once: each node restarts Docker once; the run that finds the change made owes nothing', async () => {
    await resetNodes(nodes);
    const copy = playbook('both-copy.yml', (await import('node:fs')).readFileSync(both, 'utf8'));
    const [a, b] = await Promise.all([apply(both, nodes), apply(copy, nodes)]);
    for (const run of [a, b]) expect(run.exitCode, said(run)).toBe(0);
    for (const node of nodes) expect(await restartsRun(node), node.name).toBe('1');
  });
});

describe('a runtime whose start hangs', () => {
  const node = debian[4] ?? debian[0]!;
  beforeAll(() => resetNodes([node]), 180_000);

  it('is rolled back after the play\'s start_timeout, not waited for forever: the lock is free again and Docker runs its old options', async () => {
    // dockerd's start hangs once its options name the http registry (docker.service has no start timeout)
    await must(
      node,
      `mkdir -p /etc/systemd/system/docker.service.d && printf '%s\\n' '[Service]' 'TimeoutStartSec=0' "ExecStartPre=/bin/sh -c 'case \\"\\$\\$DOCKER_OPTS\\" in *${http.host}*) exec sleep infinity;; esac'" > /etc/systemd/system/docker.service.d/00-hang.conf && systemctl daemon-reload`,
    );
    const before = await snapshot(node);
    // the play's start_timeout replaces the 60 s wait (the same worker code, a shorter test)
    const impatient = playbook('both-impatient.yml', `${readFileSync(both, 'utf8')}start_timeout: 10\n`);
    const run = await apply(impatient, [node]);
    expect(run.exitCode, said(run)).toBe(2);
    const host = report(run);
    expect(host.status).toBe('rolled_back');
    expect(host.error).toMatch(/docker was not active 10 s after its restart \(its start hangs\)/);
    expect(await snapshot(node)).toBe(before);
    expect(await must(node, 'systemctl is-active docker')).toBe('active\n');
    // the node lock is free: the next run does not wait for it
    expect(await must(node, 'flock -n /var/lib/dockhand/lock true && echo free')).toBe('free\n');
    await must(node, 'rm -f /etc/systemd/system/docker.service.d/00-hang.conf && systemctl daemon-reload');
  }, 300_000);
});

describe('a change the runtime refuses is not tried again on every run', () => {
  const node = ctrd[0]!;
  beforeAll(() => resetNodes([node]), 180_000);

  it('the next run is blocked with the date and the reason (exit 3, no restart); --retry-failed tries again', async () => {
    await must(
      node,
      `mkdir -p /etc/systemd/system/containerd.service.d && printf '%s\\n' '[Service]' "ExecStartPre=/bin/sh -c '! grep -q \\"config_path = .*certs.d\\" /etc/containerd/config.toml'" > /etc/systemd/system/containerd.service.d/00-refuse.conf && systemctl daemon-reload`,
    );
    const first = await apply(both, [node]);
    expect(report(first).status, said(first)).toBe('rolled_back');
    const start = await started(node, 'containerd');
    const again = await apply(both, [node]);
    expect(again.exitCode, said(again)).toBe(3);
    const blocked = report(again);
    expect(blocked.status).toBe('blocked');
    expect(blocked.blocked.join()).toMatch(/this change failed here on \d{4}-\d\d-\d\dT[\d:]+Z \(run \S+: .*containerd did not start with the new configuration.*\), so dockhand does not try it again: fix the cause, then run with --retry-failed/);
    expect(await started(node, 'containerd')).toBe(start);
    const check = await dockhand(['check', both, '-i', writeInventory(dir, lab, [node], 'check.ini'), '--known-hosts', knownHosts, '--json']);
    expect(check.exitCode).toBe(3);
    const retried = await apply(both, [node], ['--retry-failed']);
    expect(report(retried).status, said(retried)).toBe('rolled_back');
    expect(await started(node, 'containerd')).not.toBe(start);
    await must(node, 'rm -f /etc/systemd/system/containerd.service.d/00-refuse.conf && systemctl daemon-reload');
    await resetNodes([node]);
  }, 300_000);
});

describe('what a retired registry leaves, and what containerd really reads', () => {
  const node = debian[3] ?? debian[0]!;
  const containerdNode = ctrd[1] ?? ctrd[0]!;
  beforeAll(() => resetNodes([node, containerdNode]), 180_000);

  it('a CA that is a symbolic link to someone else\'s file: the link and its target stay, and the report says why', async () => {
    await must(
      node,
      'mkdir -p /etc/docker/certs.d/old.local && cp /etc/ssl/certs/ca-certificates.crt /usr/local/share/ca-certificates/corp-root.crt && ln -sf /usr/local/share/ca-certificates/corp-root.crt /etc/docker/certs.d/old.local/ca.crt',
    );
    const before = await must(node, 'sha256sum /usr/local/share/ca-certificates/corp-root.crt; readlink /etc/docker/certs.d/old.local/ca.crt');
    const retire = playbook('retire.yml', 'registries:\n  - host: old.local\n    state: absent\n');
    const run = await apply(retire, [node]);
    expect(run.exitCode, said(run)).toBe(0);
    expect(report(run).notes.join()).toMatch(/left \/etc\/docker\/certs\.d\/old\.local\/ca\.crt as it is: it is a symbolic link/);
    expect(await must(node, 'sha256sum /usr/local/share/ca-certificates/corp-root.crt; readlink /etc/docker/certs.d/old.local/ca.crt')).toBe(before);
    await sh(node, 'rm -rf /etc/docker/certs.d/old.local /usr/local/share/ca-certificates/corp-root.crt');
  });

  it('containerd importing a CRI table of its own (as the NVIDIA toolkit writes): refused naming the file, nothing changed', async () => {
    await must(
      containerdNode,
      `mkdir -p /etc/containerd/conf.d && printf '%s\\n' 'version = 2' '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.nvidia]' '  runtime_type = "io.containerd.runc.v2"' > /etc/containerd/conf.d/99-nvidia.toml &&
       sed -i '1a imports = ["/etc/containerd/conf.d/*.toml"]' /etc/containerd/config.toml && systemctl restart containerd`,
    );
    const before = await snapshot(containerdNode);
    const run = await apply(both, [containerdNode]);
    expect(run.exitCode, said(run)).toBe(2);
    expect(report(run).error).toMatch(/\/etc\/containerd\/conf\.d\/99-nvidia\.toml \(imported by \/etc\/containerd\/config\.toml\) has the CRI plugin's table/);
    expect(await snapshot(containerdNode)).toBe(before);
    await resetNodes([containerdNode]);
  });
});
