import { describe, expect, it } from 'vitest';
import { cpuTable, nodeCpuFigures, render, summarize, type BenchNode, type Run, type Scenario } from '../../../bench/report.ts';

const NODES: BenchNode[] = [
  { name: 'deb1', variant: 'debian', runtime: 'docker' },
  { name: 'ce1', variant: 'docker-ce', runtime: 'docker' },
  { name: 'ctrd1', variant: 'ctrd16', runtime: 'containerd' },
];

function run(round: number, tool: Run['tool'], nodeCpuMs: Record<string, number>, controllerCpuMs: number): Run {
  return { round, tool, ms: 1000, nodeMs: { deb1: 900, ce1: 800, ctrd1: 700 }, nodeCpuMs, idleCpuMsPerS: 2.5, controllerCpuMs };
}

// three rounds of a no-op check: dockhand's node CPU per node 150, 120 and 90 ms (mean of the three nodes),
// the floor's 60, 50 and 40 ms
const check: Scenario = {
  name: 'no-op check (converged)', command: 'dockhand check', aim: 2,
  dockhandMs: [1100, 1000, 1200], floorMs: [800, 700, 900], dockhandMaxRssMiB: [110, 112, 111],
  runs: [
    run(1, 'floor', { deb1: 60, ce1: 60, ctrd1: 60 }, 300),
    run(1, 'dockhand', { deb1: 200, ce1: 150, ctrd1: 100 }, 600),
    run(2, 'dockhand', { deb1: 150, ce1: 120, ctrd1: 90 }, 500),
    run(2, 'floor', { deb1: 50, ce1: 50, ctrd1: 50 }, 240),
    run(3, 'floor', { deb1: 40, ce1: 40, ctrd1: 40 }, 270),
    run(3, 'dockhand', { deb1: 120, ce1: 90, ctrd1: 60 }, 540),
  ],
};

describe('the bench report: CPU inside the nodes and on this machine', () => {
  it('node CPU per node: mean over the nodes of each run, median over the runs, the ratio and each run', () => {
    expect(nodeCpuFigures(check)).toEqual({
      dockhandMs: 120, floorMs: 50, ratio: 2.4, dockhandRunsMs: [150, 120, 90], floorRunsMs: [60, 50, 40],
    });
    // the Debian node alone
    expect(nodeCpuFigures(check, (n) => n === 'deb1')).toMatchObject({ dockhandMs: 150, floorMs: 50, ratio: 3 });
  });

  it('the results: per runtime and per kind of node, the controller\'s CPU in all and per node', () => {
    const res = summarize([check], NODES, 3, { counters: ['cpuacct.usage'], idleWindowMs: 5000 }, 'executable');
    const s = res.scenarios[0]!;
    expect(s.nodeCpu).toMatchObject({ dockhandMs: 120, floorMs: 50, ratio: 2.4 });
    expect(s.perRuntime.map((r) => [r.runtime, r.nodes, r.nodeCpu.dockhandMs, r.nodeCpu.floorMs])).toEqual([
      ['docker', 2, 135, 50],
      ['containerd', 1, 90, 50],
    ]);
    expect(s.nodeCpuPerVariant.map((v) => [v.variant, v.nodes, v.dockhandMs, v.floorMs, v.ratio])).toEqual([
      ['debian', 1, 150, 50, 3],
      ['docker-ce', 1, 120, 50, 2.4],
      ['ctrd16', 1, 90, 50, 1.8],
    ]);
    expect(s.controllerCpu).toEqual({ dockhandMs: 540, floorMs: 270, dockhandPerNodeMs: 180, floorPerNodeMs: 90 });
    expect(res.nodeCpuSource).toEqual({ counters: ['cpuacct.usage'], idleWindowMs: 5000 });
    expect(res.dockhand.build).toBe('executable');
    // every run keeps its figures, for the spread
    expect(s.runs[1]).toMatchObject({ tool: 'dockhand', nodeCpuMs: { deb1: 200, ce1: 150, ctrd1: 100 }, idleCpuMsPerS: 2.5, controllerCpuMs: 600 });
  });

  it('the CPU table: dockhand and floor side by side with their ratio, the spread over runs, a row per kind', () => {
    const res = summarize([check], NODES, 3, { counters: ['cpuacct.usage'], idleWindowMs: 5000 }, 'executable');
    expect(cpuTable(res)).toEqual([
      ['node CPU per node', 'dockhand', 'floor', 'ratio', 'dockhand runs', 'floor runs', 'controller CPU: dockhand', 'floor', 'per node: dockhand', 'floor'],
      ['no-op check (converged)', '120 ms', '50 ms', '2.40x', '90 ms..150 ms', '40 ms..60 ms', '540 ms', '270 ms', '180.0 ms', '90.0 ms'],
      ['  1 debian', '150 ms', '50 ms', '3.00x', '120 ms..200 ms', '40 ms..60 ms', '', '', '', ''],
      ['  1 docker-ce', '120 ms', '50 ms', '2.40x', '90 ms..150 ms', '40 ms..60 ms', '', '', '', ''],
      ['  1 ctrd16', '90 ms', '50 ms', '1.80x', '60 ms..100 ms', '40 ms..60 ms', '', '', '', ''],
    ]);
    const text = render(res);
    expect(text).toContain('CPU inside the nodes (cpuacct.usage of each node\'s container, each node\'s idle rate over a 5 s window');
    expect(text).toMatch(/^no-op check \(converged\)\s+120 ms\s+50 ms\s+2\.40x/m);
  });

  it('one round: no spread columns; seconds once a figure passes one', () => {
    const one: Scenario = { ...check, dockhandMs: [1100], floorMs: [800], dockhandMaxRssMiB: [110],
      runs: [run(1, 'floor', { deb1: 1400, ce1: 1400, ctrd1: 1400 }, 300), run(1, 'dockhand', { deb1: 2040, ce1: 2040, ctrd1: 2040 }, 600)] };
    const rows = cpuTable(summarize([one], NODES, 1, { counters: ['cpu.stat'], idleWindowMs: 5000 }, 'executable'));
    expect(rows[0]).toEqual(['node CPU per node', 'dockhand', 'floor', 'ratio', 'controller CPU: dockhand', 'floor', 'per node: dockhand', 'floor']);
    expect(rows[1]!.slice(0, 4)).toEqual(['no-op check (converged)', '2.04 s', '1.40 s', '1.46x']);
  });
});
