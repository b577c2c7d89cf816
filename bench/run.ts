// npm run bench [-- --rounds N --debian N --rhel N --containerd N --containerd17 N]: dockhand against a
// floor (one OpenSSH connection per node running a hand-written sh script of its runtime), on a lab of real
// Docker and containerd nodes. Prints ratios; never asserts timings.
import '../test/lab/env.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { namedHome, startLab, stopLab } from '../test/lab/lab.ts';
import type { Lab } from '../test/lab/types.ts';
import { expectDockhand, runDockhand, type DockhandRun } from './dockhand.ts';
import { floorValues, runFloor, runtimeOf, type FloorRun } from './floor.ts';
import { resetNodes, saveNodeFiles, verifyConverged, verifyFloorCheckSeesDrift } from './nodes.ts';
import { render, summarize, writeJson, type Scenario } from './report.ts';

const { values: opts } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    debian: { type: 'string', default: '6' },
    rhel: { type: 'string', default: '2' },
    containerd: { type: 'string', default: '2' },
    containerd17: { type: 'string', default: '0' },
  },
});
function count(flag: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${flag} must be a whole number >= ${min}, got ${value}`);
  return n;
}
const rounds = count('rounds', opts.rounds, 1);
// node kinds with a floor: Docker (debian, rhel) and containerd with its package's config (ctrd16, ctrd17)
const spec = {
  debianNodes: count('debian', opts.debian, 0),
  rhelNodes: count('rhel', opts.rhel, 0),
  containerdNodes: count('containerd', opts.containerd, 0),
  containerd17Nodes: count('containerd17', opts.containerd17, 0),
};
if (Object.values(spec).every((n) => n === 0)) throw new Error('need at least one node');

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

async function bench(lab: Lab): Promise<void> {
  const n = lab.nodes.length;
  const values = floorValues(lab);
  const work = mkdtempSync(path.join(tmpdir(), 'dockhand-bench-'));
  const knownHosts = path.join(work, 'known_hosts');
  writeFileSync(knownHosts, '');
  const apply = ['apply', lab.playbook, '-i', lab.inventories.root, '--known-hosts', knownHosts, '--json'];
  const check = ['check', lab.playbook, '-i', lab.inventories.root, '--known-hosts', knownHosts, '--json'];
  const applyS: Scenario = { name: 'apply (fresh nodes)', command: `dockhand ${apply.join(' ')}`, aim: 1.25,
    dockhandMs: [], floorMs: [], dockhandMaxRssMiB: [], runs: [] };
  const checkS: Scenario = { name: 'no-op check (converged)', command: `dockhand ${check.join(' ')}`, aim: 2,
    dockhandMs: [], floorMs: [], dockhandMaxRssMiB: [], runs: [] };
  const record = (s: Scenario, round: number, d: DockhandRun | undefined, f: FloorRun | undefined): void => {
    if (d) {
      s.runs.push({ round, tool: 'dockhand', ms: d.ms, nodeMs: Object.fromEntries(d.report.hosts.map((h) => [h.name, h.duration_ms])) });
      s.dockhandMs.push(d.ms);
      s.dockhandMaxRssMiB.push(d.maxRssMiB);
    }
    if (f) {
      s.runs.push({ round, tool: 'floor', ms: f.ms, nodeMs: Object.fromEntries(f.perNode.map((p) => [p.node, p.result.ms])) });
      s.floorMs.push(f.ms);
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
    expectDockhand(await runDockhand(check), 'check on fresh nodes (warm-up)', 3, 'drift', n);
    expectFloor(await runFloor(lab, 'apply', values), 'apply (warm-up)', 0);
    await verifyConverged(lab, values, 'floor apply (warm-up)');
    await resetNodes(lab, values);
    log('warm-up done: both checks report drift on the fresh nodes; the floor apply converges them');

    for (let round = 1; round <= rounds; round++) {
      // (a) floor apply on fresh nodes
      const fa = await runFloor(lab, 'apply', values);
      expectFloor(fa, 'apply', 0);
      await verifyConverged(lab, values, 'floor apply');
      record(applyS, round, undefined, fa);
      log(`round ${round}/${rounds}: floor apply ${secs(fa.ms)}`);
      await resetNodes(lab, values);

      // (b) dockhand apply on fresh nodes
      const da = await runDockhand(apply);
      expectDockhand(da, 'apply on fresh nodes', 0, 'changed', n);
      await verifyConverged(lab, values, 'dockhand apply');
      record(applyS, round, da, undefined);
      log(`round ${round}/${rounds}: dockhand apply ${secs(da.ms)} (peak RSS ${da.maxRssMiB.toFixed(1)} MiB)`);

      // (c) and (d) on the converged nodes; their order alternates between rounds
      const floorCheck = async (): Promise<void> => {
        const fc = await runFloor(lab, 'check', values);
        expectFloor(fc, 'no-op check', 0);
        record(checkS, round, undefined, fc);
        log(`round ${round}/${rounds}: floor check ${secs(fc.ms)}`);
      };
      const dockhandCheck = async (): Promise<void> => {
        const dc = await runDockhand(check);
        expectDockhand(dc, 'check on converged nodes', 0, 'ok', n);
        record(checkS, round, dc, undefined);
        log(`round ${round}/${rounds}: dockhand check ${secs(dc.ms)} (peak RSS ${dc.maxRssMiB.toFixed(1)} MiB)`);
      };
      if (round % 2 === 1) {
        await floorCheck();
        await dockhandCheck();
      } else {
        await dockhandCheck();
        await floorCheck();
      }
      await resetNodes(lab, values);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  const results = summarize([applyS, checkS], lab.nodes.map((x) => ({ name: x.name, variant: x.variant, runtime: runtimeOf(x) })), rounds);
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
  log(`starting a lab: ${spec.debianNodes} debian + ${spec.rhelNodes} rhel (Docker), ` +
    `${spec.containerdNodes} containerd 1.6 + ${spec.containerd17Nodes} containerd 1.7; ${rounds} rounds`);
  lab = await startLab({ ...spec, dockerCeNodes: 0, kubekeyNodes: 0, kubesprayNodes: 0, id: `bench${Date.now().toString(36).slice(-6)}` }, { home });
  await bench(lab);
} catch (error) {
  process.stderr.write(`bench FAILED: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await stop();
}
