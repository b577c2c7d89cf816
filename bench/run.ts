// npm run bench [-- --rounds N --debian N --rhel N --docker-ce N --containerd N --containerd17 N
// --idle-seconds N --dockhand executable|source]: dockhand against a floor (one OpenSSH connection per node
// running a hand-written sh script of its runtime), on a lab of real Docker and containerd nodes: wall time, CPU inside the nodes,
// CPU on this machine, dockhand's peak RSS. Prints ratios; never asserts timings.
import '../test/lab/env.ts';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { namedHome, startLab, stopLab } from '../test/lab/lab.ts';
import type { Lab } from '../test/lab/types.ts';
import { repoRoot } from '../test/lab/util.ts';
import { ensureExecutable } from '../test/support/executable.ts';
import { NodeCpuMeter } from './cgroup.ts';
import { DOCKHAND_BUILDS, expectDockhand, runDockhand, type DockhandBuild, type DockhandRun } from './dockhand.ts';
import { floorValues, runFloor, runtimeOf, type FloorRun } from './floor.ts';
import { resetNodes, saveNodeFiles, verifyConverged, verifyFloorCheckSeesDrift } from './nodes.ts';
import { meanPerNode, scenarioCpuMs } from './node-cpu.ts';
import { childCpuMs } from './proc.ts';
import { render, summarize, writeJson, type Run, type Scenario } from './report.ts';

const { values: opts } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    debian: { type: 'string', default: '6' },
    rhel: { type: 'string', default: '2' },
    'docker-ce': { type: 'string', default: '0' },
    containerd: { type: 'string', default: '2' },
    containerd17: { type: 'string', default: '0' },
    'idle-seconds': { type: 'string', default: '5' },
    dockhand: { type: 'string', default: 'executable' },
  },
});
function count(flag: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${flag} must be a whole number >= ${min}, got ${value}`);
  return n;
}
const rounds = count('rounds', opts.rounds, 1);
const build = opts.dockhand as DockhandBuild;
if (!DOCKHAND_BUILDS.includes(build)) throw new Error(`--dockhand must be one of ${DOCKHAND_BUILDS.join(', ')}, got ${opts.dockhand}`);
const idleWindowMs = count('idle-seconds', opts['idle-seconds'], 1) * 1000;
// node kinds with a floor: Docker (debian, rhel; docker-ce through daemon.json) and containerd with its
// package's config (ctrd16, ctrd17)
const spec = {
  debianNodes: count('debian', opts.debian, 0),
  rhelNodes: count('rhel', opts.rhel, 0),
  dockerCeNodes: count('docker-ce', opts['docker-ce'], 0),
  containerdNodes: count('containerd', opts.containerd, 0),
  containerd17Nodes: count('containerd17', opts.containerd17, 0),
};
if (Object.values(spec).every((n) => n === 0)) throw new Error('need at least one node');
// nodes boot together and share two cores: at 100 nodes a node's dockerd (its iptables set-up) can take
// minutes to start, past the lab's default 180 s wait
const nodeCount = Object.values(spec).reduce((a, b) => a + b, 0);
process.env['DOCKHAND_LAB_READY_TIMEOUT_MS'] ??= String(Math.max(180_000, nodeCount * 6_000));

const t0 = performance.now();
function log(message: string): void {
  process.stderr.write(`[bench ${((performance.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${message}\n`);
}

function expectFloor(run: FloorRun, what: string, exitCode: number): void {
  const bad = run.perNode.filter((p) => p.result.exitCode !== exitCode);
  if (bad.length > 0) {
    throw new Error(`floor ${what}: ${bad.length} node(s) did not exit ${exitCode}:\n` +
      bad.map((p) => `  ${p.node}: exit ${p.result.exitCode}: ${(p.result.stdout + p.result.stderr).trim().slice(-400)}`).join('\n'));
  }
}

const secs = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/** A run with what it cost: CPU inside every node (idle subtracted) and on this machine. */
interface Costed<T> {
  result: T;
  cost: Pick<Run, 'nodeCpuMs' | 'idleCpuMsPerS' | 'controllerCpuMs'>;
}

/**
 * Runs `fn` between two readings of every node's CPU counter, after an idle window (nothing runs on the
 * nodes) that gives each node's idle rate, which is subtracted over the run's time. The controller's CPU is
 * that of the processes `fn` started and waited for (dockhand's, or the floor's ssh clients).
 */
async function costed<T>(meter: NodeCpuMeter, fn: () => Promise<T>): Promise<Costed<T>> {
  const idle = await meter.idle(idleWindowMs);
  const controllerBefore = childCpuMs();
  const before = meter.read();
  const started = performance.now();
  const result = await fn();
  const after = meter.read();
  const wallMs = performance.now() - started;
  const controllerCpuMs = childCpuMs() - controllerBefore;
  return { result, cost: { nodeCpuMs: scenarioCpuMs(before, after, wallMs, idle), idleCpuMsPerS: meanPerNode(idle), controllerCpuMs } };
}
const nodeCpu = (c: Costed<unknown>): string => `node CPU ${meanPerNode(c.cost.nodeCpuMs).toFixed(0)} ms/node`;

/**
 * The lab's playbook for every node of the bench's lab: playbooks/lab.yml targets k8s-cluster, which leaves
 * out the docker-ce nodes; written beside it so that its CA path holds.
 */
function benchPlaybook(lab: Lab): string {
  const labPlaybook = path.join(repoRoot, lab.playbook);
  const text = readFileSync(labPlaybook, 'utf8');
  if (!/^ {2}hosts: k8s-cluster$/m.test(text)) throw new Error(`${lab.playbook}: expected a play for hosts: k8s-cluster`);
  const file = path.join(path.dirname(labPlaybook), 'bench.yml');
  writeFileSync(file, text.replace(/^ {2}hosts: k8s-cluster$/m, '  hosts: all'));
  return path.relative(repoRoot, file);
}

async function bench(lab: Lab): Promise<void> {
  const n = lab.nodes.length;
  const values = floorValues(lab);
  const meter = new NodeCpuMeter(lab.nodes);
  const playbook = benchPlaybook(lab);
  const work = mkdtempSync(path.join(tmpdir(), 'dockhand-bench-'));
  const knownHosts = path.join(work, 'known_hosts');
  writeFileSync(knownHosts, '');
  const apply = ['apply', playbook, '-i', lab.inventories.root, '--known-hosts', knownHosts, '--json'];
  const check = ['check', playbook, '-i', lab.inventories.root, '--known-hosts', knownHosts, '--json'];
  const applyS: Scenario = { name: 'apply (fresh nodes)', command: `dockhand ${apply.join(' ')}`, aim: 1.25,
    dockhandMs: [], floorMs: [], dockhandMaxRssMiB: [], runs: [] };
  const checkS: Scenario = { name: 'no-op check (converged)', command: `dockhand ${check.join(' ')}`, aim: 2,
    dockhandMs: [], floorMs: [], dockhandMaxRssMiB: [], runs: [] };
  const record = (s: Scenario, round: number, d: Costed<DockhandRun> | undefined, f: Costed<FloorRun> | undefined): void => {
    if (d) {
      const r = d.result;
      s.runs.push({ round, tool: 'dockhand', ms: r.ms, nodeMs: Object.fromEntries(r.report.hosts.map((h) => [h.name, h.duration_ms])), ...d.cost });
      s.dockhandMs.push(r.ms);
      s.dockhandMaxRssMiB.push(r.maxRssMiB);
    }
    if (f) {
      const r = f.result;
      s.runs.push({ round, tool: 'floor', ms: r.ms, nodeMs: Object.fromEntries(r.perNode.map((p) => [p.node, p.result.ms])), ...f.cost });
      s.floorMs.push(r.ms);
    }
  };

  try {
    // Untimed preparation: pristine /etc/hosts (and config.toml) kept; both tools warmed up once on the fresh
    // nodes, which also proves that each check finds the drift (dockhand check exits 3, the floor checks
    // exit 3) and records the nodes' host keys in dockhand's known_hosts (accept-new), as a second run would
    // find them. Then one floor apply, verified, and a reset: every timed apply starts from a reset node
    // (not only dockhand's), and the first restart and trust update after boot are not timed.
    await saveNodeFiles(lab);
    await verifyFloorCheckSeesDrift(lab, values);
    expectFloor(await runFloor(lab, 'check', values), 'check on fresh nodes (warm-up)', 3);
    expectDockhand(await runDockhand(check, repoRoot, build), 'check on fresh nodes (warm-up)', 3, 'drift', n);
    expectFloor(await runFloor(lab, 'apply', values), 'apply (warm-up)', 0);
    await verifyConverged(lab, values, 'floor apply (warm-up)');
    await resetNodes(lab, values);
    log('warm-up done: both checks report drift on the fresh nodes; the floor apply converges them');

    for (let round = 1; round <= rounds; round++) {
      // (a) floor apply on fresh nodes
      const fa = await costed(meter, () => runFloor(lab, 'apply', values));
      expectFloor(fa.result, 'apply', 0);
      await verifyConverged(lab, values, 'floor apply');
      record(applyS, round, undefined, fa);
      log(`round ${round}/${rounds}: floor apply ${secs(fa.result.ms)}, ${nodeCpu(fa)}`);
      await resetNodes(lab, values);

      // (b) dockhand apply on fresh nodes
      const da = await costed(meter, () => runDockhand(apply, repoRoot, build));
      expectDockhand(da.result, 'apply on fresh nodes', 0, 'changed', n);
      await verifyConverged(lab, values, 'dockhand apply');
      record(applyS, round, da, undefined);
      log(`round ${round}/${rounds}: dockhand apply ${secs(da.result.ms)}, ${nodeCpu(da)} (peak RSS ${da.result.maxRssMiB.toFixed(1)} MiB)`);

      // (c) and (d) on the converged nodes; their order alternates between rounds
      const floorCheck = async (): Promise<void> => {
        const fc = await costed(meter, () => runFloor(lab, 'check', values));
        expectFloor(fc.result, 'no-op check', 0);
        record(checkS, round, undefined, fc);
        log(`round ${round}/${rounds}: floor check ${secs(fc.result.ms)}, ${nodeCpu(fc)}`);
      };
      const dockhandCheck = async (): Promise<void> => {
        const dc = await costed(meter, () => runDockhand(check, repoRoot, build));
        expectDockhand(dc.result, 'check on converged nodes', 0, 'ok', n);
        record(checkS, round, dc, undefined);
        log(`round ${round}/${rounds}: dockhand check ${secs(dc.result.ms)}, ${nodeCpu(dc)} (peak RSS ${dc.result.maxRssMiB.toFixed(1)} MiB)`);
      };
      if (round % 2 === 1) {
        await floorCheck();
        await dockhandCheck();
      } else {
        await dockhandCheck();
        await floorCheck();
      }
      // the lab is stopped after the last round: a reset there (minutes at 100 nodes) would serve nothing
      if (round < rounds) await resetNodes(lab, values);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  const results = summarize([applyS, checkS], lab.nodes.map((x) => ({ name: x.name, variant: x.variant, runtime: runtimeOf(x) })), rounds,
    { counters: meter.formats, idleWindowMs }, build);
  const file = path.join(import.meta.dirname, 'results', 'latest.json');
  writeJson(results, file);
  process.stdout.write(`${render(results)}\n\nwritten: ${path.relative(process.cwd(), file)}\n`);
}

// a home of its own (.lab/bench/): the bench's lab runs beside this checkout's lab and leaves it alone
const home = namedHome('bench');
let lab: Lab | undefined;
let stopping: Promise<void> | undefined;
const stop = (): Promise<void> => {
  stopping ??= lab ? stopLab(lab, { home }).catch((e: unknown) => log(`stopping the lab failed: ${String(e)}`)) : Promise.resolve();
  return stopping;
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping the lab`);
    void stop().finally(() => process.exit(130));
  });
}

try {
  log(`starting a lab: ${spec.debianNodes} debian + ${spec.rhelNodes} rhel + ${spec.dockerCeNodes} docker-ce (Docker), ` +
    `${spec.containerdNodes} containerd 1.6 + ${spec.containerd17Nodes} containerd 1.7; ${rounds} rounds`);
  if (build === 'executable') log(`dockhand's single executable: ${path.relative(repoRoot, await ensureExecutable())} (built when a source is newer)`);
  lab = await startLab({ ...spec, kubekeyNodes: 0, kubesprayNodes: 0, id: `bench${Date.now().toString(36).slice(-6)}` }, { home });
  await bench(lab);
} catch (error) {
  process.stderr.write(`bench FAILED: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await stop();
}
