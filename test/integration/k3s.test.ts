// dockhand on a k3s node, as far as this machine can show it. No k3s or RKE2 binary can be had here: the
// lab's k3s1 is a stand-in (test/lab/images/k3s-overlay.sh), a unit named k3s.service with KillMode=process
// that runs Debian's containerd on k3s's socket and paths. It reads no registries.yaml and renders
// nothing. What this proves on it: auto picks the k3s runtime from the unit; registries.yaml and the CA
// beside it are written over SSH through the node transaction, someone else's entries kept byte for byte;
// restart-k3s restarts the unit and a task under its containerd keeps running; the transaction's check
// (k3s_lacking: the unit active, the CRI serving) passes; a second run changes nothing; check finds the
// drift of a hand edit; restart: never blocks; state: absent takes dockhand's entries back out; and the pull
// check goes through k3s's CRI socket over SSH with the login in the request body (the https registry,
// trusted through the system store, which the restarted containerd reads). What it cannot prove: that
// k3s renders these entries into certs.d as its documentation says, so a pull from the plain-http
// registry still fails here after apply, as the last test records.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CriClient, unixSocket } from '../../src/cri/index.ts';
import { containerdTaskPid, startContainerdTask } from '../lab/containerd-task.ts';
import { findNode, loadLab, nodeExec, readSecret, type Lab, type LabNode } from '../lab/lab.ts';
import { dockhand, type CliRun } from '../support/cli.ts';
import { scratchDir, writeInventory } from '../support/lab-files.ts';
import { resetNodes } from '../support/reset.ts';

const REGISTRIES = '/etc/rancher/k3s/registries.yaml';
const CA_FILE = '/etc/rancher/k3s/dockhand/harbor.lab.local/ca.crt';
// someone else's registries.yaml: an entry of theirs, with a login and comments
const THEIRS = `# written by hand: the company mirror
mirrors:
  docker.io:
    endpoint:
      - "https://mirror.corp.example"   # pull-through cache
configs:
  "mirror.corp.example":
    auth:
      username: robot
      password: hunter22   # rotated monthly
`;

let lab: Lab;
let node: LabNode;
let cri: CriClient;
const dir = scratchDir('k3s');
const knownHosts = join(dir, 'known_hosts');
const env = () => ({ LAB_USER: lab.registries.https.username, LAB_PASSWORD: readSecret(lab.registries.https.passwordFile) });
const image = (host: string) => `${host}/${lab.seededImage.repository}:${lab.seededImage.tags[0]}`;

interface HostReport {
  name: string;
  status: string;
  runtimes: string[];
  changes: { resource: string; path: string; action: string }[];
  handlers: string[];
  verified: string[];
  blocked?: string[];
  error: string | null;
}

async function must(script: string): Promise<string> {
  const result = await nodeExec(node, ['sh', '-c', script]);
  if (result.exitCode !== 0) throw new Error(`${node.name}: ${script}\n=> exit ${result.exitCode}: ${result.output}`);
  return result.stdout;
}

function playbook(name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(file, body);
  return file;
}

const registriesPlay = (extra = '') => {
  const { http, https } = lab.registries;
  return playbook('registries.yml', `- name: Trust the lab registries
  hosts: all
  registries:
    - host: ${http.host}
      ip: ${http.address}
      insecure: true
    - host: ${https.host}
      ip: ${https.address}
      ca: ${https.caCertPath}
      verify: {image: ${image(https.host)}, username_env: LAB_USER, password_env: LAB_PASSWORD}
${extra}`);
};

async function dh(command: 'apply' | 'check', book: string, extra: string[] = []): Promise<{ run: CliRun; host: HostReport }> {
  const inventory = writeInventory(dir, lab, [node]);
  const run = await dockhand([command, book, '-i', inventory, '--known-hosts', knownHosts, '--json', ...extra], env());
  try {
    const host = (JSON.parse(run.stdout) as { hosts: HostReport[] }).hosts[0]!;
    return { run, host };
  } catch {
    throw new Error(`no JSON report: exit ${run.exitCode}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
  }
}

/** A run's update-trust and restart take seconds on a quiet machine and minutes on a loaded one. */
const SLOW = 600_000;

const mainPid = async () => (await must('systemctl show k3s.service -p MainPID --value')).trim();

beforeAll(async () => {
  lab = loadLab();
  node = findNode('k3s1', lab);
  cri = new CriClient({ connect: unixSocket(node.criSocket!), target: node.name, pullTimeoutMs: 60_000 });
  await resetNodes([node]);
  await must(`mkdir -p /etc/rancher/k3s && cat > ${REGISTRIES} <<'EOF'\n${THEIRS}EOF`);
}, 900_000);

afterAll(async () => {
  await cri?.close();
  if (node !== undefined) await resetNodes([node]);
}, 300_000);

describe('the k3s stand-in', () => {
  it('is a k3s.service with KillMode=process, on k3s\'s containerd socket, without a k3s command', async () => {
    expect((await must('systemctl is-active k3s.service')).trim()).toBe('active');
    expect((await must('systemctl show k3s.service -p KillMode --value')).trim()).toBe('process');
    expect((await nodeExec(node, ['sh', '-c', 'command -v k3s || command -v rke2'])).exitCode).not.toBe(0);
    expect((await cri.version()).runtimeName).toBe('containerd');
  });

  it('dockhand facts: auto picks k3s from its unit (never the plain containerd the package brings)', { timeout: SLOW }, async () => {
    const inventory = writeInventory(dir, lab, [node]);
    const run = await dockhand(['facts', '-i', inventory, '--known-hosts', knownHosts, '--json']);
    expect(run.exitCode, run.stderr).toBe(0);
    const host = (JSON.parse(run.stdout) as { hosts: { runtimes: { installed: string[]; auto: string[] }; k3s: Record<string, unknown> }[] }).hosts[0]!;
    expect(host.runtimes.installed).toEqual(['containerd', 'k3s']);
    expect(host.runtimes.auto).toEqual(['k3s']);
    expect(host.k3s).toMatchObject({ installed: true, running: true, unit: 'k3s.service', killMode: 'process', version: null, renders: false, registriesFile: REGISTRIES, dataDir: '/var/lib/rancher/k3s' });
    expect(run.stdout).not.toContain('hunter22');
  });
});

describe('apply on the k3s stand-in', () => {
  it('before apply, a pull from the https registry through k3s\'s CRI fails (the CA is not trusted)', async () => {
    await expect(cri.pullImage(image(lab.registries.https.host), { auth: { username: lab.registries.https.username, password: readSecret(lab.registries.https.passwordFile) } })).rejects.toThrow();
  }, SLOW);

  it('writes registries.yaml (keeping the hand-written entries) and the CA, restarts k3s.service once, and a task keeps running', async () => {
    const task = await startContainerdTask(node);
    const pid = await mainPid();
    const { run, host } = await dh('apply', registriesPlay());
    expect(run.exitCode, run.stderr).toBe(0);
    expect(host).toMatchObject({ status: 'changed', runtimes: ['k3s'], error: null });
    expect(host.handlers).toEqual(['update-trust', 'restart-k3s']);
    expect(host.changes.map((c) => [c.resource, c.action, c.path])).toEqual(expect.arrayContaining([
      ['registries-yaml', 'update', REGISTRIES],
      ['k3s-ca', 'create', CA_FILE],
    ]));
    // the pull check went through k3s's CRI socket, with the login in the request body
    expect(host.verified).toEqual([image(lab.registries.https.host)]);
    expect(await mainPid()).not.toBe(pid);
    expect(await containerdTaskPid(node), 'the task started before the restart').toBe(task);

    const text = await must(`cat ${REGISTRIES}`);
    expect(text.startsWith(THEIRS.split('configs:')[0]!)).toBe(true);
    for (const line of THEIRS.split('\n')) expect(text).toContain(line);
    expect(text).toContain(`  "${lab.registries.http.host}": # managed by dockhand\n    endpoint:\n      - "http://${lab.registries.http.host}"\n`);
    expect(text).toContain(`  "${lab.registries.https.host}": # managed by dockhand\n    tls:\n      ca_file: "${CA_FILE}"\n`);
    expect((await must(`cat ${CA_FILE}`)).trim()).toBe(readSecret(lab.registries.https.caCertPath).trim());
  }, SLOW);

  it('a second apply changes nothing and restarts nothing', async () => {
    const pid = await mainPid();
    const { run, host } = await dh('apply', registriesPlay());
    expect(run.exitCode, run.stderr).toBe(0);
    expect(host).toMatchObject({ status: 'ok', changes: [], handlers: [] });
    expect(await mainPid()).toBe(pid);
  }, SLOW);

  it('check finds the drift of a hand edit that took dockhand\'s entry out, and apply puts it back', async () => {
    await must(`sed -i '/harbor-http.lab.local": # managed by dockhand/,+2d' ${REGISTRIES}`);
    const drift = await dh('check', registriesPlay());
    expect(drift.run.exitCode, drift.run.stderr).toBe(3);
    expect(drift.host.status).toBe('drift');
    const fixed = await dh('apply', registriesPlay());
    expect(fixed.host).toMatchObject({ status: 'changed', handlers: ['restart-k3s'] });
  }, SLOW);

  it('restart: never leaves a needed restart, and so the change, undone: blocked', async () => {
    const before = await must(`sha256sum ${REGISTRIES}`);
    const { host } = await dh('apply', playbook('never.yml', `- hosts: all\n  restart: never\n  registries:\n    - host: other.lab.local\n      insecure: true\n`));
    expect(host.status).toBe('blocked');
    expect(await must(`sha256sum ${REGISTRIES}`)).toBe(before);
  }, SLOW);

  it('state: absent takes dockhand\'s entries and CA back out, and keeps the hand-written ones', async () => {
    const { http, https } = lab.registries;
    const { run, host } = await dh('apply', playbook('retire.yml', `- hosts: all\n  registries:\n    - {host: ${http.host}, state: absent}\n    - {host: ${https.host}, state: absent}\n`));
    expect(run.exitCode, run.stderr).toBe(0);
    expect(host).toMatchObject({ status: 'changed', handlers: expect.arrayContaining(['restart-k3s']) });
    expect(await must(`cat ${REGISTRIES}`)).toBe(THEIRS);
    expect((await nodeExec(node, ['test', '-e', CA_FILE])).exitCode).not.toBe(0);
  }, SLOW);

  it('what the stand-in cannot show: k3s renders nothing here, so a plain-http pull still fails after apply', async () => {
    const { run } = await dh('apply', registriesPlay());
    expect(run.exitCode, run.stderr).toBe(0);
    expect(await must('ls -A /var/lib/rancher/k3s/agent/etc/containerd/certs.d')).toBe('');
    await expect(cri.pullImage(image(lab.registries.http.host))).rejects.toThrow();
  }, SLOW);
});
