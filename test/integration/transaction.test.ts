// Crash-safe node transactions, on real nodes: dockhand killed (SIGKILL) or its link cut while a node's
// Docker restarts, a transaction worker that died half-way, and rollbacks that do no more than undo.
// Nothing here runs dockhand a second time to repair a node unless the test says so: the node
// finishes (or undoes) its own transaction.
import { execa, type ResultPromise } from 'execa';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadLab, nodeExec, type LabNode } from '../lab/lab.ts';
import { dockhand, REPO, startDockhand, type CliRun } from '../support/cli.ts';
import { scratchDir, writeInventory } from '../support/lab-files.ts';
import { resetNodes } from '../support/reset.ts';
import { waitFor } from '../support/wait.ts';

const lab = loadLab();
const debian = lab.nodes.filter((n) => n.variant === 'debian');
const dockerCe = lab.nodes.find((n) => n.variant === 'docker-ce')!;
const dir = scratchDir('transaction');
const knownHosts = join(dir, 'known_hosts');
const http = lab.registries.http;
const dropIn = '/etc/systemd/system/docker.service.d/docker-options.conf';

interface HostReport {
  name: string;
  status: string;
  error: string | null;
  handlers: string[];
  recovered: { run_id: string; outcome: string; detail: string | null } | null;
}

const sh = (node: LabNode, script: string, input?: string) => nodeExec(node, ['sh', '-c', script], input);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const said = (run: CliRun) => `exit ${run.exitCode}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`;

async function must(node: LabNode, script: string, input?: string): Promise<string> {
  const result = await sh(node, script, input);
  if (result.exitCode !== 0) throw new Error(`${node.name}: ${script}\n=> exit ${result.exitCode}: ${result.output}`);
  return result.stdout;
}

const book = join(dir, 'http.yml');
writeFileSync(book, `registries:\n  - host: ${http.host}\n    ip: ${http.address}\n    insecure: true\nrestart: always\n`);

function args(node: LabNode, extra: string[] = []): string[] {
  return ['apply', book, '-i', writeInventory(dir, lab, [node], `${node.name}.ini`), '--known-hosts', knownHosts, '--json', ...extra];
}

function report(run: CliRun): HostReport {
  try {
    return (JSON.parse(run.stdout) as { hosts: HostReport[] }).hosts[0]!;
  } catch {
    throw new Error(`no JSON report\n${said(run)}`);
  }
}

/** Everything dockhand may touch on a node, as content hashes (absent files show as absent). */
async function snapshot(node: LabNode): Promise<string> {
  return must(
    node,
    `for f in /etc/hosts ${dropIn} /etc/docker/daemon.json; do if [ -e "$f" ]; then sha256sum "$f"; stat -c '%a %U %G %n' "$f"; else echo "absent $f"; fi; done
find /etc/docker/certs.d /usr/local/share/ca-certificates /etc/systemd/system/docker.service.d -type f 2>/dev/null | sort | xargs -r sha256sum`,
  );
}

const dockerActive = async (node: LabNode) => (await sh(node, 'systemctl is-active docker')).stdout.trim();
const dockerStart = async (node: LabNode) => (await sh(node, 'systemctl show docker -p ExecMainStartTimestampMonotonic --value')).stdout.trim();
const journals = async (node: LabNode) => (await sh(node, 'cat /var/lib/dockhand/txn/*/journal 2>/dev/null')).stdout;
const outcomes = async (node: LabNode) => (await sh(node, 'ls /var/lib/dockhand/txn/*/outcome 2>/dev/null | wc -l')).stdout.trim();

/** Waits until the node's journal shows `line` (a step of the transaction), or fails after `ms`. */
async function untilJournal(node: LabNode, line: string, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if ((await journals(node)).split('\n').includes(line)) return;
    await sleep(100);
  }
  throw new Error(`${node.name}: the journal never showed "${line}": ${await journals(node)}`);
}

/** Waits until the node's transaction has its outcome, or fails after `ms`. */
async function untilOutcome(node: LabNode, ms: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < ms) {
    if ((await outcomes(node)) !== '0') return Date.now() - started;
    await sleep(250);
  }
  throw new Error(`${node.name}: no outcome after ${ms} ms; journal: ${await journals(node)}`);
}

/** A node whose dockerd takes 3 s to start, and (refuse) will not start once its options name the http registry. */
async function slowDocker(node: LabNode, refuse: boolean): Promise<void> {
  const check = refuse ? `; case "$$DOCKER_OPTS" in *harbor-http*) echo "refusing harbor-http" >&2; exit 1;; esac` : '';
  await must(
    node,
    'mkdir -p /etc/systemd/system/docker.service.d && cat > /etc/systemd/system/docker.service.d/00-slow.conf && systemctl daemon-reload',
    `[Service]\nExecStartPre=/bin/sh -c 'sleep 3${check}'\n`,
  );
}

function start(node: LabNode): ResultPromise {
  return startDockhand(args(node), { reject: false, env: {} });
}

describe('a node transaction survives its controller', () => {
  beforeEach(() => resetNodes([...debian.slice(0, 4), dockerCe]), 180_000);

  it('dockhand killed (SIGKILL) while Docker restarts with options it refuses: the node puts its old files back and Docker comes back, with no second run', async () => {
    const node = debian[0]!;
    await slowDocker(node, true);
    const before = await snapshot(node);
    const child = start(node);
    await untilJournal(node, 'handler-start restart-docker');
    child.kill('SIGKILL');
    await child;
    // within the transaction's Docker wait (60 s), plus the restarts themselves
    await untilOutcome(node, 90_000);
    expect(await snapshot(node)).toBe(before);
    expect(await dockerActive(node)).toBe('active');
    expect(await journals(node)).toMatch(/rollback docker did not start with the new configuration\nrolled-back/);
  });

  it('dockhand killed while Docker restarts with options it accepts: the node ends converged, and the next run is ok without restarting Docker again', async () => {
    const node = debian[1]!;
    await slowDocker(node, false);
    const child = start(node);
    await untilJournal(node, 'handler-start restart-docker');
    child.kill('SIGKILL');
    await child;
    await untilOutcome(node, 90_000);
    expect(await journals(node)).toMatch(/committed/);
    expect((await must(node, "docker info --format '{{json .RegistryConfig.IndexConfigs}}'"))).toContain(http.host);
    const restarted = await dockerStart(node);
    const next = await dockhand(args(node));
    expect(next.exitCode, said(next)).toBe(0);
    expect(report(next)).toMatchObject({ status: 'ok', handlers: [], recovered: null });
    expect(await dockerStart(node)).toBe(restarted);
  });

  it('the link cut mid-transaction (the node drops the SSH session): the node finishes on its own, dockhand says the transaction goes on', async () => {
    const node = debian[2]!;
    await slowDocker(node, true);
    const before = await snapshot(node);
    const child = start(node);
    await untilJournal(node, 'handler-start restart-docker');
    // sshd's per-connection processes go; the listener stays: to dockhand, the link is gone
    await must(node, "pkill -KILL -f '^sshd: root' || true");
    const run = await child;
    expect(run.exitCode, `exit ${run.exitCode}\nstdout: ${String(run.stdout)}\nstderr: ${String(run.stderr)}`).not.toBe(0);
    await untilOutcome(node, 90_000);
    expect(await snapshot(node)).toBe(before);
    expect(await dockerActive(node)).toBe('active');
  });

  it('the next apply finishes a transaction whose worker died with Docker down on bad files: old files back, Docker active, reported recovered and rolled back (exit 2)', async () => {
    const node = debian[3]!;
    await slowDocker(node, true);
    const before = await snapshot(node);
    const child = start(node);
    await untilJournal(node, 'handler-start restart-docker');
    // the restart under way (its ExecStartPre sleeps 3 s): the journal's line comes just before the worker
    // asks systemd for it, and a kill in between leaves Docker running on its old options
    expect(await waitFor(async () => ['activating', 'deactivating'].includes(await dockerActive(node)), 30_000, 100)).toBe(true);
    // the worker itself dies (power cut, OOM kill) in the middle of the restart; so does dockhand
    await must(node, 'kill -KILL $(cat /var/lib/dockhand/txn/*/pid.*)');
    child.kill('SIGKILL');
    await child;
    // the state this issue found: the new drop-in in place, Docker down, no outcome
    await waitFor(async () => (await dockerActive(node)) === 'failed', 60_000);
    expect(await dockerActive(node)).not.toBe('active');
    expect((await must(node, `cat ${dropIn}`))).toContain(http.host);
    expect(await outcomes(node)).toBe('0');

    const run = await dockhand(args(node));
    expect(run.exitCode, said(run)).toBe(2);
    const host = report(run);
    expect(host.status).toBe('rolled_back');
    expect(host.recovered).toMatchObject({ outcome: 'rolled-back' });
    expect(host.error).toMatch(/recovered run .*: rolled back: the run died during restart-docker and docker is not healthy with its files/);
    expect(await snapshot(node)).toBe(before);
    expect(await dockerActive(node)).toBe('active');
  }, 300_000);
});

describe('a node without systemd-run starts its transaction with setsid, and it survives dockhand the same way', () => {
  const node = debian[6]!;
  const hidden = '/usr/bin/systemd-run.hidden-by-test';
  beforeEach(async () => {
    await resetNodes([node]);
    await must(node, `mv /usr/bin/systemd-run ${hidden}`);
    return async () => {
      await must(node, `if [ -e ${hidden} ]; then mv ${hidden} /usr/bin/systemd-run; fi`);
    };
  }, 180_000);

  it('dockhand killed (SIGKILL) while Docker restarts with options it refuses: old files back and Docker active, with no second run', async () => {
    await slowDocker(node, true);
    const before = await snapshot(node);
    const child = start(node);
    await untilJournal(node, 'handler-start restart-docker');
    child.kill('SIGKILL');
    await child;
    await untilOutcome(node, 90_000);
    expect((await must(node, 'cat /var/lib/dockhand/txn/*/launcher')).trim()).toBe('setsid');
    expect(await snapshot(node)).toBe(before);
    expect(await dockerActive(node)).toBe('active');
    expect(await journals(node)).toMatch(/rollback docker did not start with the new configuration\nrolled-back/);
  });

  it('with options Docker accepts, the node ends converged and the next run is ok', async () => {
    const first = await dockhand(args(node));
    expect(first.exitCode, said(first)).toBe(0);
    expect(report(first)).toMatchObject({ status: 'changed', handlers: expect.arrayContaining(['restart-docker']) });
    expect((await must(node, 'cat /var/lib/dockhand/txn/*/launcher')).trim()).toBe('setsid');
    expect(await must(node, "docker info --format '{{json .RegistryConfig.IndexConfigs}}'")).toContain(http.host);
    const next = await dockhand(args(node));
    expect(report(next)).toMatchObject({ status: 'ok', handlers: [] });
  });
});

describe('a rollback does no more than undo', () => {
  beforeEach(() => resetNodes([dockerCe, debian[4]!]), 180_000);

  it('a rolled-back daemon.json change on the docker-ce node reloads, it does not restart: a running container keeps running', async () => {
    const node = dockerCe;
    // a container that must survive: an image made from the node's own sleep binary
    await must(
      node,
      `tar -C / -ch usr/bin/sleep usr/lib/x86_64-linux-gnu/libc.so.6 lib64/ld-linux-x86-64.so.2 | docker import - dockhand-idle:1 >/dev/null &&
       docker rm -f idle >/dev/null 2>&1; docker run -d --name idle dockhand-idle:1 /usr/bin/sleep infinity >/dev/null`,
    );
    const pid = (await must(node, "docker inspect -f '{{.State.Pid}}' idle")).trim();
    const started = await dockerStart(node);
    // verification fails: a reload that does not reach dockerd, so it never shows the registry
    await must(
      node,
      'mkdir -p /etc/systemd/system/docker.service.d && cat > /etc/systemd/system/docker.service.d/00-deaf.conf && systemctl daemon-reload',
      '[Service]\nExecReload=\nExecReload=/bin/true\n',
    );
    const before = await snapshot(node);
    const run = await dockhand(args(node));
    expect(run.exitCode, said(run)).toBe(2);
    const host = report(run);
    expect(host.status).toBe('rolled_back');
    expect(host.error).toMatch(/the registry is not in effect after apply: dockerd lacks insecure registry harbor-http\.lab\.local/);
    expect(await snapshot(node)).toBe(before);
    expect(await dockerStart(node)).toBe(started);
    expect((await must(node, "docker inspect -f '{{.State.Running}} {{.State.Pid}}' idle")).trim()).toBe(`true ${pid}`);
    await must(node, 'docker rm -f idle >/dev/null; rm -f /etc/systemd/system/docker.service.d/00-deaf.conf; systemctl daemon-reload');
  });

  it('a failed trust-store update before any Docker handler restarts nothing', async () => {
    const node = debian[4]!;
    const caBook = join(dir, 'ca.yml');
    writeFileSync(caBook, `registries:\n  - host: ${http.host}\n    ip: ${http.address}\n    insecure: true\n  - host: ${lab.registries.https.host}\n    ip: ${lab.registries.https.address}\n    ca: ${lab.registries.https.caCertPath}\nrestart: always\n`);
    // the node's trust refresh fails once, then works: dockhand's own steps (their `openssl rehash`) and
    // update-ca-certificates, which it then runs, both fail (first on PATH for root, as dockhand runs them)
    await must(
      node,
      'rm -f /tmp/trust-failed-once && cat > /usr/local/sbin/update-ca-certificates && chmod +x /usr/local/sbin/update-ca-certificates',
      '#!/bin/sh\n[ -e /tmp/trust-failed-once ] && exec /usr/sbin/update-ca-certificates "$@"\ntouch /tmp/trust-failed-once\nexit 1\n',
    );
    await must(
      node,
      'cat > /usr/local/sbin/openssl && chmod +x /usr/local/sbin/openssl',
      '#!/bin/sh\n[ "$1" != rehash ] || [ -e /tmp/trust-failed-once ] || exit 1\nexec /usr/bin/openssl "$@"\n',
    );
    const started = await dockerStart(node);
    const before = await snapshot(node);
    const run = await dockhand(['apply', caBook, '-i', writeInventory(dir, lab, [node], 'ca.ini'), '--known-hosts', knownHosts, '--json']);
    await must(node, 'rm -f /usr/local/sbin/update-ca-certificates /usr/local/sbin/openssl /tmp/trust-failed-once');
    expect(run.exitCode, said(run)).toBe(2);
    expect(report(run)).toMatchObject({ status: 'rolled_back' });
    expect(report(run).error).toMatch(/rolled back: update-ca-certificates failed/);
    expect(await snapshot(node)).toBe(before);
    expect(await dockerStart(node)).toBe(started);
  });
});

describe('files as they are on a node', () => {
  beforeEach(() => resetNodes([dockerCe]), 180_000);

  it('a symlinked daemon.json is edited at its target, the link stays a link, and a rollback restores the target the same way (fault 7)', async () => {
    const node = dockerCe;
    const target = '/etc/docker-conf/daemon.json';
    const original = '{\n  "log-level": "info"\n}\n';
    await must(node, `mkdir -p /etc/docker-conf && cat > ${target} && ln -sf ${target} /etc/docker/daemon.json && systemctl reload docker`, original);
    // first a change Docker never shows (a reload that does not reach dockerd): rolled back
    await must(
      node,
      'mkdir -p /etc/systemd/system/docker.service.d && cat > /etc/systemd/system/docker.service.d/00-deaf.conf && systemctl daemon-reload',
      '[Service]\nExecReload=\nExecReload=/bin/true\n',
    );
    const refused = await dockhand(args(node));
    expect(refused.exitCode, said(refused)).toBe(2);
    expect((await must(node, `readlink /etc/docker/daemon.json && cat ${target}`))).toBe(`${target}\n${original}`);
    // then for real: the change that failed here is not tried again until asked (--retry-failed)
    await must(node, 'rm -f /etc/systemd/system/docker.service.d/00-deaf.conf && systemctl daemon-reload');
    const remembered = await dockhand(args(node));
    expect(remembered.exitCode, said(remembered)).toBe(3);
    expect(report(remembered).status).toBe('blocked');
    const run = await dockhand(args(node, ['--retry-failed']));
    expect(run.exitCode, said(run)).toBe(0);
    expect(report(run).status).toBe('changed');
    expect((await must(node, 'readlink /etc/docker/daemon.json')).trim()).toBe(target);
    expect(JSON.parse(await must(node, `cat ${target}`))).toEqual({ 'log-level': 'info', 'insecure-registries': [http.host] });
    expect(await must(node, "docker info --format '{{json .RegistryConfig.IndexConfigs}}'")).toContain(http.host);
    await must(node, `rm -f /etc/docker/daemon.json && rm -rf /etc/docker-conf`);
  });
});

describe('a Docker restart that would stop running containers is a decision (issue 12, item 1)', () => {
  const node = debian[5]!;
  beforeEach(() => resetNodes([node]), 180_000);

  /** A container that must survive: an image made from the node's own sleep binary. */
  async function idleContainer(): Promise<string> {
    await must(
      node,
      `tar -C / -ch usr/bin/sleep usr/lib/x86_64-linux-gnu/libc.so.6 lib64/ld-linux-x86-64.so.2 | docker import - dockhand-idle:1 >/dev/null &&
       docker rm -f idle >/dev/null 2>&1; docker run -d --name idle dockhand-idle:1 /usr/bin/sleep infinity >/dev/null`,
    );
    return (await must(node, "docker inspect -f '{{.State.Pid}}' idle")).trim();
  }

  it('without an opt-in the node is refused before anything is written, and its container keeps running; live_restore: enable converges it with the container still running', async () => {
    const pid = await idleContainer();
    const before = await snapshot(node);
    const started = await dockerStart(node);
    const ifIdle = join(dir, 'if-idle.yml');
    writeFileSync(ifIdle, `registries:\n  - host: ${http.host}\n    ip: ${http.address}\n    insecure: true\n`);
    const inventory = writeInventory(dir, lab, [node], 'busy.ini');

    // blocked, not failed: the drift stays (exit 3), and the report says what was not done and why
    const refused = await dockhand(['apply', ifIdle, '-i', inventory, '--known-hosts', knownHosts, '--json']);
    expect(refused.exitCode, said(refused)).toBe(3);
    const blocked = report(refused) as HostReport & { blocked: string[] };
    expect(blocked.status).toBe('blocked');
    expect(blocked.error).toBeNull();
    expect(blocked.blocked.join()).toMatch(/a Docker restart is needed, not allowed by restart: if-idle \(1 running container, live-restore off\): drain the node first, or allow it/);
    expect(await snapshot(node)).toBe(before);
    expect(await dockerStart(node)).toBe(started);

    // check says the same, per node: a restart is needed and not allowed
    const check = await dockhand(['check', ifIdle, '-i', inventory, '--known-hosts', knownHosts, '--json']);
    expect(check.exitCode, said(check)).toBe(3);
    const checked = (JSON.parse(check.stdout) as { hosts: { status: string; restarts: { needed: boolean; allowed: boolean }[]; changes: unknown[] }[] }).hosts[0]!;
    expect(checked.status).toBe('drift');
    expect(checked.changes.length).toBeGreaterThan(0);
    expect(checked.restarts).toEqual([expect.objectContaining({ needed: true, allowed: false })]);

    const live = join(dir, 'live-restore.yml');
    writeFileSync(live, `registries:\n  - host: ${http.host}\n    ip: ${http.address}\n    insecure: true\nlive_restore: enable\n`);
    const run = await dockhand(['apply', live, '-i', inventory, '--known-hosts', knownHosts, '--json']);
    expect(run.exitCode, said(run)).toBe(0);
    const host = report(run) as HostReport & { notes: string[] };
    expect(host.status).toBe('changed');
    expect(host.handlers).toEqual(['daemon-reload', 'reload-docker', 'restart-docker']);
    expect(host.notes.join()).toMatch(/live-restore is turned on first \(a reload\), so the 1 running containers survive the restart/);
    expect(await dockerStart(node)).not.toBe(started);
    expect((await must(node, "docker inspect -f '{{.State.Running}} {{.State.Pid}}' idle")).trim()).toBe(`true ${pid}`);
    expect(await must(node, "docker info --format '{{.LiveRestoreEnabled}} {{json .RegistryConfig.IndexConfigs}}'")).toMatch(new RegExp(`^true .*${http.host.replaceAll('.', '\\.')}`));
  }, 300_000);
});
