// The floor: one OpenSSH connection per node, all nodes at once, each running the floor script of its
// runtime (Docker: bench/floor.sh, bench/floor-check.sh; containerd: bench/floor-containerd.sh,
// bench/floor-containerd-check.sh), sent on stdin after the node's values (shell assignments) and
// bench/floor-lib.sh (what both runtimes' scripts share).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Lab, LabNode } from '../test/lab/types.ts';
import { VARIANTS, type Runtime } from '../test/lab/variants.ts';
import { runTimed, type Timed } from './proc.ts';

const benchDir = import.meta.dirname;

/** The hand-written script of each runtime, for apply on a fresh node and for a no-op check on a converged one. */
const SCRIPTS: Readonly<Record<Runtime, Readonly<Record<'apply' | 'check', string>>>> = {
  docker: { apply: 'floor.sh', check: 'floor-check.sh' },
  containerd: { apply: 'floor-containerd.sh', check: 'floor-containerd-check.sh' },
};

export function runtimeOf(node: LabNode): Runtime {
  return VARIANTS[node.variant].runtime;
}

/** What the lab playbook asks for, as the floor scripts take it. */
export interface FloorValues {
  httpHost: string;
  httpIp: string;
  httpsHost: string;
  httpsIp: string;
  caB64: string;
  dockerOpts: string;
}

export function floorValues(lab: Lab): FloorValues {
  const { http, https } = lab.registries;
  return {
    httpHost: http.host,
    httpIp: http.address,
    httpsHost: https.host,
    httpsIp: https.address,
    caB64: readFileSync(https.caCertPath).toString('base64'),
    dockerOpts: `--insecure-registry=${http.host} --insecure-registry=10.233.0.0/18`,
  };
}

/** The script sent on stdin to one node: its values, floor-lib.sh, then the floor script of its runtime. */
export function floorScript(kind: 'apply' | 'check', node: LabNode, v: FloorValues): string {
  const lib = readFileSync(path.join(benchDir, 'floor-lib.sh'), 'utf8');
  const body = readFileSync(path.join(benchDir, SCRIPTS[runtimeOf(node)][kind]), 'utf8');
  const vars = {
    FAMILY: node.family, HTTP_HOST: v.httpHost, HTTP_IP: v.httpIp, HTTPS_HOST: v.httpsHost,
    HTTPS_IP: v.httpsIp, CA_B64: v.caB64, DOCKER_OPTS_VALUE: v.dockerOpts,
  };
  const head = Object.entries(vars).map(([k, val]) => `${k}='${val.replaceAll("'", `'\\''`)}'`).join('\n');
  return `${head}\n${lib}${body}`;
}

export interface FloorRun {
  /** wall time of the whole fleet: first spawn to last exit, milliseconds */
  ms: number;
  perNode: { node: string; result: Timed }[];
}

/** Runs the floor on every node in parallel (scripts prepared before the clock starts). */
export async function runFloor(lab: Lab, kind: 'apply' | 'check', values: FloorValues): Promise<FloorRun> {
  const scripts = lab.nodes.map((n) => floorScript(kind, n, values));
  const sshArgs = (n: LabNode): string[] => [
    '-i', lab.sshKeyPath, '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
    '-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR', `root@${n.address}`, 'sh -s',
  ];
  const started = performance.now();
  const results = await Promise.all(lab.nodes.map((n, i) => runTimed('ssh', sshArgs(n), { input: scripts[i]! })));
  const ms = performance.now() - started;
  return { ms, perNode: lab.nodes.map((n, i) => ({ node: n.name, result: results[i]! })) };
}
