// Lab nodes: systemd + sshd + dockerd (or containerd, or podman) containers, started with testcontainers and waited
// for properly.
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { GenericContainer } from 'testcontainers';
import { CriClient, unixSocket } from '../../src/cri/index.ts';
import { containerRuns, execIn } from './container-exec.ts';
import type { LabNode, NodeFamily, NodeVariant } from './types.ts';
import { docker, LAB_LABEL, log, secs, sleep } from './util.ts';
import { VARIANTS, type Runtime } from './variants.ts';

/**
 * GenericContainer with the host config a systemd node needs on this kind of machine (cgroup v1,
 * no CAP_SYS_RESOURCE in the bounding set, so no --privileged). testcontainers keeps hostConfig
 * protected; this subclass fills the fields it has no builder for.
 */
export class SystemdNodeContainer extends GenericContainer {
  /** binds: the runtime's storage volume (and, for containerd, the host directory of its socket) */
  withSystemdHost(binds: string[]): this {
    this.withAddedCapabilities('ALL')
      .withDroppedCapabilities('SYS_RESOURCE')
      .withTmpFs({ '/run': 'rw,exec,nosuid,nodev,mode=755', '/run/lock': 'rw,noexec,nosuid,nodev' })
      .withEnvironment({ container: 'docker' });
    this.hostConfig.SecurityOpt = ['seccomp=unconfined', 'apparmor=unconfined'];
    this.hostConfig.DeviceCgroupRules = ['a *:* rwm'];
    Object.assign(this.hostConfig, { CgroupnsMode: 'host' }); // not in dockerode's HostConfig type
    this.hostConfig.Binds = [
      ...(this.hostConfig.Binds ?? []),
      '/sys/fs/cgroup:/sys/fs/cgroup:rw',
      ...binds,
    ];
    return this;
  }

  /**
   * Names are resolved only through the node's /etc/hosts: the embedded DNS gets a loopback
   * upstream where nothing listens, so no lookup ever leaves the lab.
   */
  withNoOutsideDns(): this {
    this.hostConfig.Dns = ['127.0.0.1'];
    return this;
  }
}

export interface NodeStartOptions {
  labId: string;
  name: string;
  family: NodeFamily;
  variant: NodeVariant;
  image: string;
  network: string;
  authorizedKey: string;
  opsPassword: string;
  /** containerd and k3s nodes: the host directory bound on the socket's directory (the CRI socket appears in it) */
  criRunDir?: string;
  /** files put in place before the node boots (e.g. a runtime config rendered for this lab) */
  files?: { content: string; target: string; mode: number }[];
  /** trimmed for the test suite before it boots (LabSpec.lean): images/lab-lean.sh is its command, then /sbin/init */
  lean?: boolean;
  readyTimeoutMs?: number;
}

/** A lean node's command: the trims, then systemd as PID 1 (see images/lab-lean.sh). */
export const LEAN_COMMAND = ['/usr/local/lib/dockhand-lab/lab-lean.sh'];

export function containerName(labId: string, name: string): string {
  return `dockhand-lab-${labId}-${name}`;
}

export interface ExecResult {
  exitCode: number;
  output: string;
  stdout: string;
  stderr: string;
}

/** A command in a container as `docker exec` runs it (see container-exec.ts); never throws on a non-zero exit. */
export async function containerExec(containerId: string, cmd: string[], input?: string): Promise<ExecResult> {
  const r = await execIn(containerId, cmd, input);
  return { exitCode: r.exitCode, output: r.output, stdout: r.stdout, stderr: r.stderr };
}

/** The script that keeps a node's trust store and runtime configuration aside as the lab made them. */
export const KEEP_AS_MADE = readFileSync(path.join(import.meta.dirname, 'node-scripts', 'keep-as-made.sh'), 'utf8');

/** Each runtime's unit, its storage (on a volume) and, with a CRI, the directory of its socket. */
const RUNTIME_PLACES: Readonly<Record<Runtime, { unit: string; storage: string; socketDir?: string }>> = {
  docker: { unit: 'docker', storage: '/var/lib/docker' },
  containerd: { unit: 'containerd', storage: '/var/lib/containerd', socketDir: '/run/containerd' },
  containers: { unit: 'podman', storage: '/var/lib/containers' },
  k3s: { unit: 'k3s', storage: '/var/lib/rancher/k3s', socketDir: '/run/k3s/containerd' },
};

export async function startNode(o: NodeStartOptions): Promise<LabNode> {
  const started = Date.now();
  const cname = containerName(o.labId, o.name);
  const runtime = VARIANTS[o.variant].runtime;
  const places = RUNTIME_PLACES[runtime];
  // the runtime's storage on a volume: overlay snapshots cannot sit on the container's own overlay root
  const volume = `${cname}-${runtime}`;
  await docker(['volume', 'create', '--label', `${LAB_LABEL}=${o.labId}`, volume]);
  const binds = [`${volume}:${places.storage}`];
  let criSocket: string | undefined;
  if (places.socketDir !== undefined) {
    if (!o.criRunDir) throw new Error(`${o.name}: a ${runtime} node needs criRunDir`);
    // mounted on top of the --tmpfs /run (docker mounts the shorter path first)
    await mkdir(o.criRunDir, { recursive: true, mode: 0o711 });
    binds.push(`${o.criRunDir}:${places.socketDir}`);
    criSocket = path.join(o.criRunDir, 'containerd.sock');
  }
  const key = `${o.authorizedKey}\n`;
  const base = new SystemdNodeContainer(o.image);
  if (o.lean === true) base.withCommand(LEAN_COMMAND);
  const container = await base
    .withSystemdHost(binds)
    .withNoOutsideDns()
    .withName(cname)
    .withHostname(o.name)
    .withLabels({ [LAB_LABEL]: o.labId, 'dockhand.lab.role': 'node', 'dockhand.lab.node': o.name })
    .withNetworkMode(o.network)
    .withCopyContentToContainer([
      { content: key, target: '/root/.ssh/authorized_keys', mode: 0o600 },
      // root-owned and not writable by others: sshd StrictModes accepts it; chown'd to ops below
      { content: key, target: '/home/ops/.ssh/authorized_keys', mode: 0o644 },
      ...(o.files ?? []),
    ])
    .start();
  const containerId = container.getId();
  const address = container.getIpAddress(o.network);
  // ops's password: on stdin, never in argv
  const pw = await containerExec(containerId, ['chpasswd'], `ops:${o.opsPassword}\n`);
  if (pw.exitCode !== 0) throw new Error(`${o.name}: chpasswd failed: ${pw.output}`);
  const own = await containerExec(containerId, [
    'sh', '-c', 'chown ops:ops /home/ops/.ssh/authorized_keys && chmod 0600 /home/ops/.ssh/authorized_keys',
  ]);
  if (own.exitCode !== 0) throw new Error(`${o.name}: chown authorized_keys failed: ${own.output}`);
  const timeout = o.readyTimeoutMs ?? (Number(process.env.DOCKHAND_LAB_READY_TIMEOUT_MS) || 180_000);
  const node: LabNode = { name: o.name, family: o.family, variant: o.variant, address, containerId, ...(criSocket ? { criSocket } : {}) };
  await waitNodeReady(node, timeout);
  // the node as the lab made it, kept aside before any test can touch it: what test/support/reset.ts puts back
  const kept = await containerExec(containerId, ['sh', '-s', runtime], KEEP_AS_MADE);
  if (kept.exitCode !== 0) throw new Error(`${o.name}: keeping its state aside failed: ${kept.output}`);
  log(`node ${o.name} (${o.variant}) ready at ${address} in ${secs(started)}`);
  return node;
}

/** Resolves when a TCP connection to host:port gets an SSH banner within timeoutMs. */
export function sshBanner(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    let data = '';
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.on('data', (d) => {
      data += d.toString('latin1');
      if (data.includes('\n') || data.length > 8) done(data.startsWith('SSH-'));
    });
    sock.on('error', () => done(false));
    sock.on('close', () => done(data.startsWith('SSH-')));
  });
}

/** True when the CRI at this socket answers Version (the socket is there and the CRI plugin loaded). */
async function criAnswers(socket: string): Promise<boolean> {
  const cri = new CriClient({ connect: unixSocket(socket), timeoutMs: 2000 });
  try {
    await cri.version();
    return true;
  } catch {
    return false;
  } finally {
    await cri.close();
  }
}

/** What says a node's runtime is up: its unit is active (docker, containerd, k3s); podman has no daemon, its command answers. */
const RUNTIME_UP: Record<Runtime, string> = {
  docker: 'systemctl is-active docker',
  containerd: 'systemctl is-active containerd',
  containers: 'podman --version >/dev/null && echo active',
  k3s: 'systemctl is-active k3s',
};

/**
 * Polls until sshd answers on ADDRESS:22 from the host, systemd finished booting
 * (is-system-running: running|degraded), the node's runtime is up (see RUNTIME_UP) and, on a
 * containerd or k3s node, its CRI answers through the socket on this machine.
 * On timeout or if the container dies: throws with systemctl --failed and the journal tail.
 */
export async function waitNodeReady(node: Pick<LabNode, 'name' | 'containerId' | 'address' | 'variant' | 'criSocket'>, timeoutMs: number): Promise<void> {
  const { name, containerId, address } = node;
  const runtime: Runtime = VARIANTS[node.variant].runtime;
  const deadline = Date.now() + timeoutMs;
  const withCri = RUNTIME_PLACES[runtime].socketDir !== undefined;
  let state = { ssh: false, system: '', unit: '', cri: !withCri };
  while (Date.now() < deadline) {
    // a poll is a cost on every booting node, and nodes boot together: the SSH banner first (a connection
    // from here), then one process in the node, once sshd answers (it is among the last units to start)
    const ssh = await sshBanner(address, 22, 2000);
    const probe = ssh ? await containerExec(containerId, ['sh', '-c', `systemctl is-system-running; ${RUNTIME_UP[runtime]}`]) : undefined;
    if (probe === undefined || probe.stdout === '') {
      if (!(await containerRuns(containerId))) {
        const logs = await docker(['logs', '--tail', '80', containerId], { reject: false });
        throw new Error(`lab node ${name} (${containerId.slice(0, 12)}) stopped while booting:\n${logs.output}`);
      }
      state.ssh = ssh;
      await sleep(1000);
      continue;
    }
    const [system = '', unit = ''] = probe.stdout.split('\n').map((l) => l.trim());
    state = { ssh, system, unit, cri: state.cri };
    if (ssh && (state.system === 'running' || state.system === 'degraded') && state.unit === 'active') {
      if (!withCri) return;
      state.cri = node.criSocket !== undefined && (await criAnswers(node.criSocket));
      if (state.cri) return;
    }
    await sleep(1000);
  }
  throw new Error(`lab node ${name} not ready after ${timeoutMs / 1000}s (ssh banner: ${state.ssh}, ` +
    `is-system-running: ${state.system || '?'}, ${runtime}: ${state.unit || '?'}` +
    `${withCri ? `, CRI at ${node.criSocket ?? '?'}: ${state.cri ? 'answers' : 'no answer'}` : ''})\n` +
    `${await nodeDiagnostics(containerId, runtime)}`);
}

export async function nodeDiagnostics(containerId: string, runtime: Runtime = 'docker'): Promise<string> {
  const parts: string[] = [];
  for (const [title, cmd] of [
    ['systemctl --failed', ['systemctl', '--failed', '--no-pager', '--full']],
    ['systemctl list-jobs', ['systemctl', 'list-jobs', '--no-pager']],
    [`systemctl status ${runtime} ssh`, ['systemctl', 'status', '--no-pager', '--full', '-n', '20', ...(runtime === 'containers' ? [] : [runtime]), 'ssh']],
    ['journalctl -p warning -n 30', ['journalctl', '-b', '--no-pager', '-p', 'warning', '-n', '30']],
    ['journalctl -n 60', ['journalctl', '-b', '--no-pager', '-n', '60']],
  ] as const) {
    const r = await containerExec(containerId, [...cmd]);
    parts.push(`--- ${title} (exit ${r.exitCode}) ---\n${r.output.trim()}`);
  }
  const logs = await docker(['logs', '--tail', '40', containerId], { reject: false });
  parts.push(`--- docker logs --tail 40 ---\n${logs.output.trim()}`);
  return parts.join('\n');
}
