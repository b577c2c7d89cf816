// The results: a table on stdout and bench/results/latest.json.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../test/lab/util.ts';
import type { Runtime } from '../test/lab/variants.ts';
import type { DockhandBuild } from './dockhand.ts';
import { meanPerNode } from './node-cpu.ts';
import { median } from './proc.ts';

const RUNTIMES: readonly Runtime[] = ['docker', 'containerd'];

export interface Scenario {
  name: string;
  /** what dockhand ran */
  command: string;
  /** dockhand/floor must stay at or below this */
  aim: number;
  dockhandMs: number[];
  floorMs: number[];
  dockhandMaxRssMiB: number[];
  /**
   * every run in order, with each node's time (dockhand's own duration_ms per node, or the wall time of
   * the node's floor ssh process), each node's CPU (bench/node-cpu.ts) and this machine's side
   */
  runs: Run[];
}

export interface Run {
  round: number;
  tool: 'dockhand' | 'floor';
  ms: number;
  nodeMs: Record<string, number>;
  /** CPU spent inside each node (its cgroup), its idle rate over the run's time subtracted, ms */
  nodeCpuMs: Record<string, number>;
  /** the idle rate subtracted, mean over the nodes, CPU ms per second */
  idleCpuMsPerS: number;
  /** CPU of the process(es) on this machine: dockhand's, or every floor ssh client's, ms */
  controllerCpuMs: number;
}

/** CPU inside the nodes, per node: the mean over the nodes of each run, then the median over the runs. */
export interface NodeCpuFigures {
  dockhandMs: number;
  floorMs: number;
  ratio: number;
  /** each run's mean per node, in run order: the spread */
  dockhandRunsMs: number[];
  floorRunsMs: number[];
}

/** One node of the lab measured. */
export interface BenchNode {
  name: string;
  variant: string;
  runtime: Runtime;
}

/** Per-node times of one runtime's nodes in a scenario, medians over all runs. */
export interface RuntimeFigures {
  runtime: Runtime;
  nodes: number;
  nodeCpu: NodeCpuFigures;
  medianDockhandNodeMs: number;
  medianFloorNodeMs: number;
  ratio: number;
  /** medians over the runs of the slowest of these nodes in each run */
  medianSlowestDockhandNodeMs: number;
  medianSlowestFloorNodeMs: number;
}

export interface Results {
  date: string;
  /** counts: total, per runtime, per lab variant (debian, rhel, ctrd16, ctrd17) */
  nodes: { total: number; docker: number; containerd: number; variants: Record<string, number> };
  rounds: number;
  host: { cpus: number; node: string; platform: string };
  /** the dockhand measured: HEAD, whether src/ had uncommitted changes, and which build ran */
  dockhand: { commit: string; srcModified: boolean; build: DockhandBuild };
  scenarios: (Scenario & {
    medianDockhandMs: number;
    medianFloorMs: number;
    ratio: number;
    met: boolean;
    medianDockhandNodeMs: number;
    medianFloorNodeMs: number;
    /** the same per-node figures for each runtime's nodes (whole-run times cannot be split: all nodes run at once) */
    perRuntime: RuntimeFigures[];
    /** CPU inside the nodes, per node, of all nodes and of each lab kind (variant) */
    nodeCpu: NodeCpuFigures;
    nodeCpuPerVariant: ({ variant: string; nodes: number } & NodeCpuFigures)[];
    /** CPU on this machine (dockhand's process; the floor's ssh clients), medians over the runs, ms */
    controllerCpu: { dockhandMs: number; floorMs: number; dockhandPerNodeMs: number; floorPerNodeMs: number };
  })[];
  /** how node CPU was read: the cgroup file(s) (cpu.stat, cpuacct.usage) and the idle window before each run */
  nodeCpuSource: { counters: string[]; idleWindowMs: number };
  peakRssMiB: number;
}

const r1 = (x: number): number => Math.round(x * 10) / 10;
const r3 = (x: number): number => Math.round(x * 1000) / 1000;

/** Read-only git queries: which dockhand was measured. */
function dockhandVersion(build: DockhandBuild): Results['dockhand'] {
  const git = (args: string[]): string => {
    try {
      return execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return '';
    }
  };
  return { commit: git(['rev-parse', 'HEAD']) || 'unknown', srcModified: git(['status', '--porcelain', '--', 'src', 'bin']) !== '', build };
}

/** Every node time of the runs of one tool, for the nodes `keep` selects; and the slowest of each run. */
function nodeTimes(s: Scenario, tool: 'dockhand' | 'floor', keep: (node: string) => boolean): { all: number[]; slowest: number[] } {
  const perRun = s.runs.filter((r) => r.tool === tool)
    .map((r) => Object.entries(r.nodeMs).filter(([node]) => keep(node)).map(([, ms]) => ms));
  return { all: perRun.flat(), slowest: perRun.filter((xs) => xs.length > 0).map((xs) => Math.max(...xs)) };
}

function runtimeFigures(s: Scenario, nodes: readonly BenchNode[]): RuntimeFigures[] {
  return RUNTIMES.flatMap((runtime) => {
    const names = new Set(nodes.filter((n) => n.runtime === runtime).map((n) => n.name));
    if (names.size === 0) return [];
    const d = nodeTimes(s, 'dockhand', (n) => names.has(n));
    const f = nodeTimes(s, 'floor', (n) => names.has(n));
    return [{
      runtime, nodes: names.size, nodeCpu: nodeCpuFigures(s, (n) => names.has(n)),
      medianDockhandNodeMs: Math.round(median(d.all)), medianFloorNodeMs: Math.round(median(f.all)),
      ratio: r3(median(d.all) / median(f.all)),
      medianSlowestDockhandNodeMs: Math.round(median(d.slowest)), medianSlowestFloorNodeMs: Math.round(median(f.slowest)),
    }];
  });
}

/** The mean CPU per node of the nodes `keep` selects, in each run of one tool. */
function cpuPerRun(s: Scenario, tool: 'dockhand' | 'floor', keep: (node: string) => boolean): number[] {
  return s.runs.filter((r) => r.tool === tool).map((r) => meanPerNode(r.nodeCpuMs, keep));
}

/** Node CPU per node of the nodes `keep` selects: medians over the runs of each tool, their ratio, the spread. */
export function nodeCpuFigures(s: Scenario, keep: (node: string) => boolean = () => true): NodeCpuFigures {
  const d = cpuPerRun(s, 'dockhand', keep);
  const f = cpuPerRun(s, 'floor', keep);
  return {
    dockhandMs: r1(median(d)), floorMs: r1(median(f)), ratio: r3(median(d) / median(f)),
    dockhandRunsMs: d.map(r1), floorRunsMs: f.map(r1),
  };
}

function variantFigures(s: Scenario, nodes: readonly BenchNode[]): Results['scenarios'][number]['nodeCpuPerVariant'] {
  const variants = [...new Set(nodes.map((n) => n.variant))];
  return variants.map((variant) => {
    const names = new Set(nodes.filter((n) => n.variant === variant).map((n) => n.name));
    return { variant, nodes: names.size, ...nodeCpuFigures(s, (n) => names.has(n)) };
  });
}

function controllerCpu(s: Scenario, nodes: number): Results['scenarios'][number]['controllerCpu'] {
  const of = (tool: 'dockhand' | 'floor'): number => median(s.runs.filter((r) => r.tool === tool).map((r) => r.controllerCpuMs));
  const d = of('dockhand');
  const f = of('floor');
  return { dockhandMs: Math.round(d), floorMs: Math.round(f), dockhandPerNodeMs: r1(d / nodes), floorPerNodeMs: r1(f / nodes) };
}

function countNodes(nodes: readonly BenchNode[]): Results['nodes'] {
  const variants: Record<string, number> = {};
  for (const n of nodes) variants[n.variant] = (variants[n.variant] ?? 0) + 1;
  const of = (runtime: Runtime): number => nodes.filter((n) => n.runtime === runtime).length;
  return { total: nodes.length, docker: of('docker'), containerd: of('containerd'), variants };
}

export function summarize(scenarios: Scenario[], nodes: readonly BenchNode[], rounds: number, nodeCpuSource: Results['nodeCpuSource'], build: DockhandBuild): Results {
  return {
    nodeCpuSource,
    date: new Date().toISOString(),
    nodes: countNodes(nodes),
    rounds,
    host: { cpus: os.availableParallelism(), node: process.version, platform: `${os.platform()} ${os.release()}` },
    dockhand: dockhandVersion(build),
    scenarios: scenarios.map((s) => {
      const d = median(s.dockhandMs);
      const f = median(s.floorMs);
      const every = (): boolean => true;
      return {
        ...s,
        dockhandMs: s.dockhandMs.map(Math.round),
        floorMs: s.floorMs.map(Math.round),
        dockhandMaxRssMiB: s.dockhandMaxRssMiB.map(r1),
        medianDockhandMs: Math.round(d),
        medianFloorMs: Math.round(f),
        ratio: r3(d / f),
        met: d / f <= s.aim,
        medianDockhandNodeMs: Math.round(median(nodeTimes(s, 'dockhand', every).all)),
        medianFloorNodeMs: Math.round(median(nodeTimes(s, 'floor', every).all)),
        perRuntime: runtimeFigures(s, nodes),
        nodeCpu: nodeCpuFigures(s),
        nodeCpuPerVariant: variantFigures(s, nodes),
        controllerCpu: controllerCpu(s, nodes.length),
        runs: s.runs.map((r) => ({ ...r, ms: Math.round(r.ms),
          nodeMs: Object.fromEntries(Object.entries(r.nodeMs).map(([k, v]) => [k, Math.round(v)])),
          nodeCpuMs: Object.fromEntries(Object.entries(r.nodeCpuMs).map(([k, v]) => [k, r1(v)])),
          idleCpuMsPerS: r3(r.idleCpuMsPerS), controllerCpuMs: Math.round(r.controllerCpuMs) })),
      };
    }),
    peakRssMiB: r1(Math.max(...scenarios.flatMap((s) => s.dockhandMaxRssMiB))),
  };
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n');
}

const secs = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const cpu = (ms: number): string => (Math.abs(ms) >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const ratio = (x: number): string => `${x.toFixed(2)}x`;
/** a run's spread: its lowest and highest figure */
const spread = (xs: readonly number[]): string => (xs.length < 2 ? '' : `${cpu(Math.min(...xs))}..${cpu(Math.max(...xs))}`);

/** The table of wall times (whole run and per node) and the peak RSS. */
function timeTable(res: Results): string[][] {
  return [
    ['scenario', 'dockhand', 'floor', 'ratio', 'aim', 'result', 'per node: dockhand', 'floor', 'ratio', 'peak RSS'],
    ...res.scenarios.flatMap((x) => [
      [
        x.name, secs(x.medianDockhandMs), secs(x.medianFloorMs), ratio(x.ratio), `<= ${x.aim}x`,
        x.met ? 'met' : 'NOT met', secs(x.medianDockhandNodeMs), secs(x.medianFloorNodeMs),
        ratio(x.medianDockhandNodeMs / x.medianFloorNodeMs), `${Math.max(...x.dockhandMaxRssMiB).toFixed(1)} MiB`,
      ],
      // per runtime only when the lab mixes them
      ...(x.perRuntime.length < 2 ? [] : x.perRuntime.map((r) => [
        `  ${r.nodes} ${r.runtime} node${r.nodes === 1 ? '' : 's'}`, '', '', '', '', '',
        secs(r.medianDockhandNodeMs), secs(r.medianFloorNodeMs), ratio(r.medianDockhandNodeMs / r.medianFloorNodeMs), '',
      ])),
    ]),
  ];
}

/** The table of CPU: inside the nodes per node (and per kind of node), and on this machine. */
export function cpuTable(res: Results): string[][] {
  const withSpread = res.rounds > 1;
  const row = (label: string, c: NodeCpuFigures, controller: string[]): string[] => [
    label, cpu(c.dockhandMs), cpu(c.floorMs), ratio(c.ratio),
    ...(withSpread ? [spread(c.dockhandRunsMs), spread(c.floorRunsMs)] : []), ...controller,
  ];
  return [
    ['node CPU per node', 'dockhand', 'floor', 'ratio', ...(withSpread ? ['dockhand runs', 'floor runs'] : []),
      'controller CPU: dockhand', 'floor', 'per node: dockhand', 'floor'],
    ...res.scenarios.flatMap((x) => [
      row(x.name, x.nodeCpu, [cpu(x.controllerCpu.dockhandMs), cpu(x.controllerCpu.floorMs),
        `${x.controllerCpu.dockhandPerNodeMs.toFixed(1)} ms`, `${x.controllerCpu.floorPerNodeMs.toFixed(1)} ms`]),
      // per kind only when the lab mixes them
      ...(x.nodeCpuPerVariant.length < 2 ? [] : x.nodeCpuPerVariant.map((v) =>
        row(`  ${v.nodes} ${v.variant}`, v, ['', '', '', '']))),
    ]),
  ];
}

export function render(res: Results): string {
  const samples = res.scenarios.map((x) =>
    `  ${x.name}: dockhand ${x.dockhandMs.map(secs).join(', ')} | floor ${x.floorMs.map(secs).join(', ')}`);
  return [
    `dockhand vs floor: ${res.nodes.total} nodes (${Object.entries(res.nodes.variants).map(([v, k]) => `${k} ${v}`).join(', ')}), ` +
      `${res.rounds} round${res.rounds === 1 ? '' : 's'}, medians of wall time; ${res.host.cpus} CPUs, Node ${res.host.node}; ` +
      `dockhand ${res.dockhand.commit.slice(0, 10)}${res.dockhand.srcModified ? ' + uncommitted changes in src/' : ''}, ` +
      (res.dockhand.build === 'executable' ? 'its single executable' : 'its sources (bin/dockhand.js)'),
    '',
    table(timeTable(res)),
    '',
    `CPU inside the nodes (${res.nodeCpuSource.counters.join(', ')} of each node's container, each node's idle rate ` +
      `over a ${(res.nodeCpuSource.idleWindowMs / 1000).toFixed(0)} s window before each run subtracted), per node: ` +
      'mean over the nodes, median over the runs; on this machine: CPU of dockhand\'s process, of all floor ssh clients',
    '',
    table(cpuTable(res)),
    '',
    `dockhand peak RSS (max over runs): ${res.peakRssMiB.toFixed(1)} MiB`,
    'samples (in run order):',
    ...samples,
  ].join('\n');
}

export function writeJson(res: Results, file: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(res, null, 2)}\n`);
}
