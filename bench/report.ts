// The results: a table on stdout and bench/results/latest.json.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../test/lab/util.ts';
import type { Runtime } from '../test/lab/variants.ts';
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
   * every run in order, with each node's time: dockhand's own duration_ms per node, or the wall time
   * of the node's floor ssh process
   */
  runs: { round: number; tool: 'dockhand' | 'floor'; ms: number; nodeMs: Record<string, number> }[];
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
  /** the dockhand measured: HEAD and whether src/ had uncommitted changes */
  dockhand: { commit: string; srcModified: boolean };
  scenarios: (Scenario & {
    medianDockhandMs: number;
    medianFloorMs: number;
    ratio: number;
    met: boolean;
    medianDockhandNodeMs: number;
    medianFloorNodeMs: number;
    /** the same per-node figures for each runtime's nodes (whole-run times cannot be split: all nodes run at once) */
    perRuntime: RuntimeFigures[];
  })[];
  peakRssMiB: number;
}

const r1 = (x: number): number => Math.round(x * 10) / 10;
const r3 = (x: number): number => Math.round(x * 1000) / 1000;

/** Read-only git queries: which dockhand was measured. */
function dockhandVersion(): Results['dockhand'] {
  const git = (args: string[]): string => {
    try {
      return execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return '';
    }
  };
  return { commit: git(['rev-parse', 'HEAD']) || 'unknown', srcModified: git(['status', '--porcelain', '--', 'src', 'bin']) !== '' };
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
      runtime, nodes: names.size,
      medianDockhandNodeMs: Math.round(median(d.all)), medianFloorNodeMs: Math.round(median(f.all)),
      ratio: r3(median(d.all) / median(f.all)),
      medianSlowestDockhandNodeMs: Math.round(median(d.slowest)), medianSlowestFloorNodeMs: Math.round(median(f.slowest)),
    }];
  });
}

function countNodes(nodes: readonly BenchNode[]): Results['nodes'] {
  const variants: Record<string, number> = {};
  for (const n of nodes) variants[n.variant] = (variants[n.variant] ?? 0) + 1;
  const of = (runtime: Runtime): number => nodes.filter((n) => n.runtime === runtime).length;
  return { total: nodes.length, docker: of('docker'), containerd: of('containerd'), variants };
}

export function summarize(scenarios: Scenario[], nodes: readonly BenchNode[], rounds: number): Results {
  return {
    date: new Date().toISOString(),
    nodes: countNodes(nodes),
    rounds,
    host: { cpus: os.availableParallelism(), node: process.version, platform: `${os.platform()} ${os.release()}` },
    dockhand: dockhandVersion(),
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
        runs: s.runs.map((r) => ({ ...r, ms: Math.round(r.ms),
          nodeMs: Object.fromEntries(Object.entries(r.nodeMs).map(([k, v]) => [k, Math.round(v)])) })),
      };
    }),
    peakRssMiB: r1(Math.max(...scenarios.flatMap((s) => s.dockhandMaxRssMiB))),
  };
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n');
}

export function render(res: Results): string {
  const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  const perNodeRatio = (d: number, f: number): string => `${(d / f).toFixed(2)}x`;
  const rows = [
    ['scenario', 'dockhand', 'floor', 'ratio', 'aim', 'result', 'per node: dockhand', 'floor', 'ratio', 'peak RSS'],
    ...res.scenarios.flatMap((x) => [
      [
        x.name, s(x.medianDockhandMs), s(x.medianFloorMs), `${x.ratio.toFixed(2)}x`, `<= ${x.aim}x`,
        x.met ? 'met' : 'NOT met', s(x.medianDockhandNodeMs), s(x.medianFloorNodeMs),
        perNodeRatio(x.medianDockhandNodeMs, x.medianFloorNodeMs), `${Math.max(...x.dockhandMaxRssMiB).toFixed(1)} MiB`,
      ],
      // per runtime only when the lab mixes them
      ...(x.perRuntime.length < 2 ? [] : x.perRuntime.map((r) => [
        `  ${r.nodes} ${r.runtime} node${r.nodes === 1 ? '' : 's'}`, '', '', '', '', '',
        s(r.medianDockhandNodeMs), s(r.medianFloorNodeMs), perNodeRatio(r.medianDockhandNodeMs, r.medianFloorNodeMs), '',
      ])),
    ]),
  ];
  const samples = res.scenarios.map((x) =>
    `  ${x.name}: dockhand ${x.dockhandMs.map(s).join(', ')} | floor ${x.floorMs.map(s).join(', ')}`);
  return [
    `dockhand vs floor: ${res.nodes.total} nodes (${Object.entries(res.nodes.variants).map(([v, k]) => `${k} ${v}`).join(', ')}), ` +
      `${res.rounds} round${res.rounds === 1 ? '' : 's'}, medians of wall time; ${res.host.cpus} CPUs, Node ${res.host.node}; ` +
      `dockhand ${res.dockhand.commit.slice(0, 10)}${res.dockhand.srcModified ? ' + uncommitted changes in src/' : ''}`,
    '',
    table(rows),
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
