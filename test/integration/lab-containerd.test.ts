// The containerd nodes of the lab are real: systemd, sshd and containerd without Docker, each node's CRI
// reachable from here through the socket lab.json names, and what the KubeKey trap and a hand-written
// hosts.toml do, seen through the CRI the way kubelet sees it. It runs on the integration lab's containerd
// nodes and puts them back as it found them.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { Client as SshClient } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CriClient, CriError, registryConfigPath, sshStreamLocal, unixSocket } from '../../src/cri/index.ts';
import { containerdTaskPid, startContainerdTask } from '../lab/containerd-task.ts';
import { criRunDir } from '../lab/home.ts';
import { findNode, loadLab, nodeExec, readSecret, type Lab, type LabNode } from '../lab/lab.ts';
import { resetNodes } from '../support/reset.ts';

const CONTAINERD_NODES = ['ctrd1', 'ctrdx1', 'kk1', 'ks1'];
const MARK = '# lab-containerd test';
const CERTS_D = '/etc/containerd/certs.d';
/** The containerd config the lab gave the node, as the shared reset (`test/support/reset.ts`) keeps it. */
const LAB_CONFIG = '/root/containerd.lab/config.toml';
const RECIPES = path.join(import.meta.dirname, '..', 'lab', 'images');

let lab: Lab;
const clients = new Map<string, CriClient>();

function node(name: string): LabNode {
  return findNode(name, lab);
}

function cri(n: LabNode): CriClient {
  let c = clients.get(n.name);
  if (!c) {
    if (!n.criSocket) throw new Error(`${n.name} has no CRI socket in lab.json`);
    c = new CriClient({ connect: unixSocket(n.criSocket), target: n.name, timeoutMs: 10_000, pullTimeoutMs: 60_000 });
    clients.set(n.name, c);
  }
  return c;
}

async function sh(n: LabNode, script: string, input?: string): Promise<{ exitCode: number; output: string; stdout: string }> {
  return nodeExec(n, ['sh', '-c', script], input);
}

async function ok(n: LabNode, script: string, input?: string): Promise<string> {
  const r = await sh(n, script, input);
  expect(r.exitCode, `${n.name}: ${script}\n${r.output}`).toBe(0);
  return r.stdout;
}

/**
 * Restarts containerd and waits until its socket answers a CRI call: with the version (`serving`), or
 * with anything at all, a gRPC error included (the KubeKey trap answers "unknown service").
 */
async function restartContainerd(n: LabNode, until: 'serving' | 'answering' = 'serving'): Promise<unknown> {
  await ok(n, 'systemctl reset-failed containerd 2>/dev/null; systemctl restart containerd');
  const deadline = Date.now() + 60_000;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      return await cri(n).version({ timeoutMs: 2000 });
    } catch (err) {
      last = err;
      if (until === 'answering' && err instanceof CriError && err.grpcCode !== undefined) return err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${n.name}: the CRI did not answer within 60 s of a restart: ${String(last)}`);
}

/**
 * Back to the node as the lab made it: the config it booted with, no certs.d of ours, no /etc/hosts pins.
 * The config is the lab's own copy (`/root/containerd.lab`, kept by the shared reset the first time it ran
 * on a fresh node), never one taken here: a file that ran before this one may have left the node converged.
 */
async function resetNode(n: LabNode): Promise<void> {
  const changed = await ok(n, `
    set -eu
    rm -rf ${CERTS_D}/harbor.lab.local ${CERTS_D}/harbor-http.lab.local
    sed '/${MARK}$/d' /etc/hosts > /tmp/hosts.lab && cat /tmp/hosts.lab > /etc/hosts
    if cmp -s ${LAB_CONFIG} /etc/containerd/config.toml; then echo same; else cp -p ${LAB_CONFIG} /etc/containerd/config.toml; echo changed; fi
  `);
  if (changed.trim() === 'changed' || (await sh(n, 'systemctl is-active containerd')).stdout.trim() !== 'active') {
    await restartContainerd(n);
  }
}

/** The registry names, resolved through the node's /etc/hosts (appended in place: it is a bind mount). */
async function pinRegistries(n: LabNode): Promise<void> {
  const { http, https } = lab.registries;
  await ok(n, `printf '%s\\n' '${http.address} ${http.host} ${MARK}' '${https.address} ${https.host} ${MARK}' >> /etc/hosts`);
}

beforeAll(async () => {
  lab = loadLab();
  // the shared reset first: it puts back the lab's /etc/containerd (and keeps its copy, LAB_CONFIG's home)
  await resetNodes(CONTAINERD_NODES.map(node));
  await Promise.all(CONTAINERD_NODES.map((name) => resetNode(node(name))));
}, 900_000);

afterAll(async () => {
  for (const c of clients.values()) await c.close();
  // dockhand's tests after this one find the nodes as the lab made them
  await resetNodes(CONTAINERD_NODES.map(node));
}, 120_000);

describe('containerd lab nodes', () => {
  it('are the four containerd variants, each with its CRI socket on this machine', () => {
    expect(lab.nodes.map((n) => [n.name, n.variant])).toEqual(
      expect.arrayContaining([['ctrd1', 'ctrd16'], ['ctrdx1', 'ctrd17'], ['kk1', 'kubekey'], ['ks1', 'kubespray']]));
    for (const name of CONTAINERD_NODES) {
      const n = node(name);
      expect(n.criSocket).toBe(path.join(criRunDir(lab.id, name), 'containerd.sock'));
      expect(statSync(n.criSocket!).isSocket()).toBe(true);
    }
  });

  it.each(CONTAINERD_NODES)('%s runs systemd, sshd and containerd, and no Docker', async (name) => {
    const n = node(name);
    expect((await ok(n, 'cat /proc/1/comm')).trim()).toBe('systemd');
    const state = (await sh(n, 'systemctl is-system-running')).stdout.trim();
    expect(['running', 'degraded'], `is-system-running: ${state}`).toContain(state);
    expect((await ok(n, 'systemctl is-active containerd ssh')).split('\n').filter(Boolean)).toEqual(['active', 'active']);
    expect((await sh(n, 'command -v dockerd || command -v docker || test -e /lib/systemd/system/docker.service')).exitCode).not.toBe(0);
    expect(await ok(n, 'hostname')).toBe(`${name}\n`);
    // the state on a volume and /run/containerd bound from this machine, on top of the /run tmpfs
    expect((await ok(n, 'findmnt -no FSTYPE --mountpoint /run')).trim()).toBe('tmpfs');
    for (const dir of ['/run/containerd', '/var/lib/containerd']) {
      expect((await ok(n, `findmnt -no FSTYPE --mountpoint ${dir}`)).trim(), dir).not.toMatch(/^(overlay|tmpfs|)$/);
    }
  });

  it.each(CONTAINERD_NODES)('%s: ssh as root with the lab key; ops needs a sudo password', async (name) => {
    const n = node(name);
    const ssh = (user: string, ...cmd: string[]): string[] => ['-i', lab.sshKeyPath, '-o', 'StrictHostKeyChecking=no',
      '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10', '-o', 'LogLevel=ERROR', `${user}@${n.address}`, ...cmd];
    const root = await execa('ssh', ssh('root', 'id', '-u'), { reject: false });
    expect(root.stdout.trim(), root.stderr).toBe('0');
    const sudoN = await execa('ssh', ssh(lab.opsUser, 'sudo', '-n', 'true'), { reject: false });
    expect(sudoN.stderr).toMatch(/password is required/);
    const withPw = await execa('ssh', ssh(lab.opsUser, "sudo -S -p '' id -u"), { reject: false, input: `${readSecret(lab.opsPasswordFile)}\n` });
    expect(withPw.stdout.trim(), withPw.stderr).toBe('0');
  });
});

describe('the CRI of each node, through its socket', () => {
  const expected: Record<string, { version: RegExp; configPath: string }> = {
    ctrd1: { version: /^1\.6\.20/, configPath: '' },
    ctrdx1: { version: /^1\.7\.24/, configPath: '' },
    kk1: { version: /^1\.6\.20/, configPath: '' },
    ks1: { version: /^1\.6\.20/, configPath: CERTS_D },
  };

  it.each(CONTAINERD_NODES)('%s: Version and a verbose Status with the registry config path its config.toml sets', async (name) => {
    const n = node(name);
    const version = await cri(n).version();
    expect(version).toMatchObject({ runtimeName: 'containerd', runtimeApiVersion: 'v1' });
    expect(version.runtimeVersion).toMatch(expected[name]!.version);
    const status = await cri(n).status({ verbose: true });
    expect(status.conditions).toContainEqual(expect.objectContaining({ type: 'RuntimeReady', status: true }));
    expect(registryConfigPath(status)).toBe(expected[name]!.configPath);
  });

  it('ctrd1: the same client reaches the socket over SSH (a direct-streamlocal channel, as root)', async () => {
    const n = node('ctrd1');
    const ssh = new SshClient();
    await new Promise<void>((resolve, reject) => {
      ssh.once('ready', resolve).once('error', reject)
        .connect({ host: n.address, username: 'root', privateKey: readFileSync(lab.sshKeyPath), readyTimeout: 20_000 });
    });
    const overSsh = new CriClient({ connect: sshStreamLocal(ssh), target: 'ctrd1 over ssh' });
    try {
      expect((await overSsh.version()).runtimeVersion).toMatch(/^1\.6\.20/);
      expect(registryConfigPath(await overSsh.status({ verbose: true }))).toBe('');
    } finally {
      await overSsh.close();
      ssh.end();
    }
  });

  it('ks1: Kubespray\'s own hosts.toml files are there, byte for byte', async () => {
    const n = node('ks1');
    for (const registry of ['docker.io', 'quay.io']) {
      expect(await ok(n, `cat ${CERTS_D}/${registry}/hosts.toml`))
        .toBe(readFileSync(path.join(RECIPES, `kubespray-hosts-${registry}.toml`), 'utf8'));
    }
  });
});

describe('registry configuration, by hand, proven through the CRI', () => {
  const image = (host: string): string => `${host}/${lab.seededImage.repository}:${lab.seededImage.tags[0]}`;
  const login = (): { username: string; password: string } =>
    ({ username: lab.registries.https.username, password: readSecret(lab.registries.https.passwordFile) });

  it('kk1: KubeKey\'s config pulls from both registries as KubeKey left it (mirrors, configs.tls, configs.auth)', async () => {
    const n = node('kk1');
    await pinRegistries(n);
    try {
      for (const host of [lab.registries.http.host, lab.registries.https.host]) {
        expect(await cri(n).pullImage(image(host))).toMatch(/^sha256:/);
        await cri(n).removeImage(image(host));
      }
    } finally {
      await resetNode(n);
    }
  });

  it('kk1: config_path added by hand breaks the CRI plugin while the unit stays active (the KubeKey trap)', async () => {
    const n = node('kk1');
    try {
      await ok(n, `sed -i '/^    \\[plugins."io.containerd.grpc.v1.cri".registry\\]$/a\\      config_path = "${CERTS_D}"' /etc/containerd/config.toml`);
      expect(await ok(n, 'grep -c config_path /etc/containerd/config.toml')).toBe('1\n');
      const answer = await restartContainerd(n, 'answering');
      expect((await ok(n, 'systemctl is-active containerd')).trim()).toBe('active');
      expect(await ok(n, 'ctr plugins ls')).toMatch(/io\.containerd\.grpc\.v1\s+cri\s+\S+\s+error/);
      expect(answer).toBeInstanceOf(CriError);
      expect(answer).toMatchObject({ code: 'E_REMOTE', grpcCode: 12, grpcMessage: 'unknown service runtime.v1.RuntimeService' });
      const pull = await cri(n).pullImage(image(lab.registries.http.host)).then(() => undefined, (e: unknown) => e);
      expect(pull).toMatchObject({ grpcCode: 12, grpcMessage: 'unknown service runtime.v1.ImageService' });
      expect(String(pull)).toContain('kk1: CRI runtime.v1.ImageService/PullImage: UNIMPLEMENTED (grpc-status 12)');
    } finally {
      await resetNode(n);
    }
    expect(registryConfigPath(await cri(n).status({ verbose: true }))).toBe('');
  });

  it.each(['ctrd1', 'ctrdx1'])('%s: config_path and hosts.toml written by hand make CRI pulls work from both registries', async (name) => {
    const n = node(name);
    const { http, https } = lab.registries;
    try {
      await pinRegistries(n);
      await ok(n, `
        set -eu
        printf '%s\\n' '' '[plugins."io.containerd.grpc.v1.cri".registry]' '  config_path = "${CERTS_D}"' >> /etc/containerd/config.toml
        mkdir -p ${CERTS_D}/${http.host} ${CERTS_D}/${https.host}
        printf '%s\\n' 'server = "http://${http.host}"' '' '[host."http://${http.host}"]' '  capabilities = ["pull", "resolve"]' \\
          > ${CERTS_D}/${http.host}/hosts.toml
        printf '%s\\n' 'server = "https://${https.host}"' '' '[host."https://${https.host}"]' '  capabilities = ["pull", "resolve"]' \\
          '  ca = "${CERTS_D}/${https.host}/ca.crt"' > ${CERTS_D}/${https.host}/hosts.toml
        cat > ${CERTS_D}/${https.host}/ca.crt
      `, readFileSync(https.caCertPath, 'utf8'));
      await restartContainerd(n);
      expect(registryConfigPath(await cri(n).status({ verbose: true }))).toBe(CERTS_D);

      expect(await cri(n).pullImage(image(http.host))).toMatch(/^sha256:/);
      const noLogin = await cri(n).pullImage(image(https.host)).then(() => undefined, (e: unknown) => e);
      expect(noLogin, 'the https registry asks for a login').toBeInstanceOf(CriError);
      expect(String(noLogin)).toMatch(/401 Unauthorized|authorization failed/);
      const ref = await cri(n).pullImage(image(https.host), { auth: login() });
      expect(ref).toMatch(/^sha256:/);

      const status = await cri(n).imageStatus(image(https.host));
      expect(status.image?.id).toBe(ref);
      expect(status.image?.repoTags).toContain(image(https.host));
      for (const host of [http.host, https.host]) await cri(n).removeImage(image(host));
      expect((await cri(n).imageStatus(image(https.host))).image).toBeUndefined();
    } finally {
      await resetNode(n);
    }
  });
});

describe('running containers survive a containerd restart', () => {
  it.each(CONTAINERD_NODES)('%s: a task started before `systemctl restart containerd` keeps its PID', async (name) => {
    const n = node(name);
    const pid = await startContainerdTask(n);
    const shimBefore = await ok(n, `ps -o ppid= -p ${pid}`);
    await restartContainerd(n);
    expect(await containerdTaskPid(n)).toBe(pid);
    expect(await ok(n, `ps -o ppid= -p ${pid}`)).toBe(shimBefore);
  });
});
