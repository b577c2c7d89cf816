// The floor: one OpenSSH connection per node, all nodes at once, each running the floor script of its
// runtime (Docker: bench/floor.sh, bench/floor-check.sh; Docker whose unit ignores $DOCKER_OPTS, the lab's
// docker-ce nodes: bench/floor-daemon-json.sh, bench/floor-daemon-json-check.sh; containerd:
// bench/floor-containerd.sh, bench/floor-containerd-check.sh), sent on stdin after the node's values (shell
// assignments) and bench/floor-lib.sh (what all of them share).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Lab, LabNode, NodeVariant } from '../test/lab/types.ts';
import { runTimed, type Timed } from './proc.ts';

const benchDir = import.meta.dirname;

/** The lab's node kinds the bench measures (they have a floor). */
export const BENCH_VARIANTS = ['debian', 'rhel', 'docker-ce', 'ctrd16', 'ctrd17'] as const satisfies readonly NodeVariant[];
export type BenchVariant = (typeof BENCH_VARIANTS)[number];
/** The runtimes of those kinds. */
export type BenchRuntime = 'docker' | 'containerd';

/**
 * How dockhand (and so the floor) configures each kind: Docker through the DOCKER_OPTS drop-in, Docker
 * through daemon.json (the docker-ce unit ignores $DOCKER_OPTS), containerd through config_path + certs.d.
 */
type FloorKind = 'drop-in' | 'daemon-json' | 'containerd';
const FLOOR_KIND: Readonly<Record<BenchVariant, FloorKind>> = {
  debian: 'drop-in', rhel: 'drop-in', 'docker-ce': 'daemon-json', ctrd16: 'containerd', ctrd17: 'containerd',
};

/** The hand-written script of each kind, for apply on a fresh node and for a no-op check on a converged one. */
const SCRIPTS: Readonly<Record<FloorKind, Readonly<Record<'apply' | 'check', string>>>> = {
  'drop-in': { apply: 'floor.sh', check: 'floor-check.sh' },
  'daemon-json': { apply: 'floor-daemon-json.sh', check: 'floor-daemon-json-check.sh' },
  containerd: { apply: 'floor-containerd.sh', check: 'floor-containerd-check.sh' },
};

function benchVariant(node: LabNode): BenchVariant {
  const v = BENCH_VARIANTS.find((b) => b === node.variant);
  if (v === undefined) throw new Error(`${node.name}: the bench has no floor for ${node.variant} nodes`);
  return v;
}

export function floorKindOf(node: LabNode): FloorKind {
  return FLOOR_KIND[benchVariant(node)];
}

export function runtimeOf(node: LabNode): BenchRuntime {
  return floorKindOf(node) === 'containerd' ? 'containerd' : 'docker';
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
  const body = readFileSync(path.join(benchDir, SCRIPTS[floorKindOf(node)][kind]), 'utf8');
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
