// The results: a table on stdout and bench/results/latest.json.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../test/lab/util.ts';
import { median } from './proc.ts';

export interface Scenario {
  name: string;
  /** what dockhand ran */
  command: string;
  /** dockhand/floor must stay at or below this */
  aim: number;
  dockhandMs: number[];
  floorMs: number[];
  /** per-node durations dockhand reported (duration_ms), all runs */
  dockhandNodeMs: number[];
  /** per-node wall time of each floor ssh process, all runs */
  floorNodeMs: number[];
  dockhandMaxRssMiB: number[];
  /** every run in order, with each node's time */
  runs: { round: number; tool: 'dockhand' | 'floor'; ms: number; nodeMs: Record<string, number> }[];
}

export interface Results {
  date: string;
  nodes: { total: number; debian: number; rhel: number };
  rounds: number;
  host: { cpus: number; node: string; platform: string };
  /** the dockhand measured: HEAD and whether src/ had uncommitted changes */
  dockhand: { commit: string; srcModified: boolean };
  scenarios: (Omit<Scenario, 'dockhandNodeMs' | 'floorNodeMs'> & {
    medianDockhandMs: number;
    medianFloorMs: number;
    ratio: number;
    met: boolean;
    medianDockhandNodeMs: number;
    medianFloorNodeMs: number;
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

export function summarize(scenarios: Scenario[], nodes: Results['nodes'], rounds: number): Results {
  return {
    date: new Date().toISOString(),
    nodes,
    rounds,
    host: { cpus: os.availableParallelism(), node: process.version, platform: `${os.platform()} ${os.release()}` },
    dockhand: dockhandVersion(),
    scenarios: scenarios.map(({ dockhandNodeMs, floorNodeMs, runs, ...s }) => {
      const d = median(s.dockhandMs);
      const f = median(s.floorMs);
      return {
        ...s,
        dockhandMs: s.dockhandMs.map(Math.round),
        floorMs: s.floorMs.map(Math.round),
        dockhandMaxRssMiB: s.dockhandMaxRssMiB.map(r1),
        medianDockhandMs: Math.round(d),
        medianFloorMs: Math.round(f),
        ratio: r3(d / f),
        met: d / f <= s.aim,
        medianDockhandNodeMs: Math.round(median(dockhandNodeMs)),
        medianFloorNodeMs: Math.round(median(floorNodeMs)),
        runs: runs.map((r) => ({ ...r, ms: Math.round(r.ms),
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
  const rows = [
    ['scenario', 'dockhand', 'floor', 'ratio', 'aim', 'result', 'per node: dockhand', 'floor', 'peak RSS'],
    ...res.scenarios.map((x) => [
      x.name, s(x.medianDockhandMs), s(x.medianFloorMs), `${x.ratio.toFixed(2)}x`, `<= ${x.aim}x`,
      x.met ? 'met' : 'NOT met', s(x.medianDockhandNodeMs), s(x.medianFloorNodeMs),
      `${Math.max(...x.dockhandMaxRssMiB).toFixed(1)} MiB`,
    ]),
  ];
  const samples = res.scenarios.map((x) =>
    `  ${x.name}: dockhand ${x.dockhandMs.map(s).join(', ')} | floor ${x.floorMs.map(s).join(', ')}`);
  return [
    `dockhand vs floor: ${res.nodes.total} nodes (${res.nodes.debian} debian, ${res.nodes.rhel} rhel), ` +
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
