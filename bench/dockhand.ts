// dockhand as a user runs it, in its own process: the single executable (dist/dockhand, what a controller,
// the timer and the CronJob run) or the checkout's bin/dockhand.js under this Node.js (the sources as they
// are, no build), with bench/max-rss.cjs preloaded (--require, through NODE_OPTIONS for the executable) to
// record its peak RSS.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../test/lab/util.ts';
import { runTimed, type Timed } from './proc.ts';

const maxRssHook = path.join(import.meta.dirname, 'max-rss.cjs');

export interface DockhandRun extends Timed {
  /** peak resident set size, MiB */
  maxRssMiB: number;
  report: { hosts: { name: string; status: string; error: string | null; duration_ms: number }[] };
}

/** Which dockhand runs: the single executable built from the sources, or the sources themselves. */
export type DockhandBuild = 'executable' | 'source';
export const DOCKHAND_BUILDS: readonly DockhandBuild[] = ['executable', 'source'];

/** The program and arguments that run dockhand `build` from `root`, with the peak RSS hook. */
function command(build: DockhandBuild, root: string, args: readonly string[]): { file: string; args: string[]; env: NodeJS.ProcessEnv } {
  if (build === 'executable') {
    const nodeOptions = [process.env['NODE_OPTIONS'], `--require ${maxRssHook}`].filter(Boolean).join(' ');
    return { file: path.join(root, 'dist', 'dockhand'), args: [...args], env: { NODE_OPTIONS: nodeOptions } };
  }
  return { file: process.execPath, args: ['--require', maxRssHook, 'bin/dockhand.js', ...args], env: {} };
}

/**
 * Runs dockhand from `root` (this checkout by default; an export of another commit to compare): its
 * sources by default, or its single executable (dist/dockhand, which the caller builds).
 */
export async function runDockhand(args: readonly string[], root: string = repoRoot, build: DockhandBuild = 'source'): Promise<DockhandRun> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dockhand-bench-rss-'));
  const rssFile = path.join(dir, 'maxrss');
  try {
    const run = command(build, root, args);
    const r = await runTimed(run.file, run.args, {
      cwd: root,
      env: { ...process.env, ...run.env, BENCH_MAX_RSS_FILE: rssFile },
    });
    let maxRssMiB = Number.NaN;
    try {
      maxRssMiB = Number(readFileSync(rssFile, 'utf8').trim()) / 1024;
    } catch {
      /* reported below as a failure */
    }
    let report: DockhandRun['report'];
    try {
      report = JSON.parse(r.stdout) as DockhandRun['report'];
    } catch {
      throw new Error(`dockhand ${args.join(' ')}: stdout is not JSON (exit ${r.exitCode}):\n${r.stdout.slice(0, 2000)}\n${r.stderr.slice(-2000)}`);
    }
    if (!Number.isFinite(maxRssMiB)) throw new Error(`dockhand ${args[0] ?? ''}: bench/max-rss.cjs wrote no peak RSS`);
    return { ...r, maxRssMiB, report };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Throws unless the run exited as expected and every host has the expected status. */
export function expectDockhand(run: DockhandRun, what: string, exitCode: number, status: string, nodes: number): void {
  const hosts = run.report.hosts;
  const bad = hosts.filter((h) => h.status !== status);
  if (run.exitCode !== exitCode || bad.length > 0 || hosts.length !== nodes) {
    const detail = bad.map((h) => `  ${h.name}: ${h.status} ${h.error ?? ''}`).join('\n');
    throw new Error(`dockhand ${what}: exit ${run.exitCode} (expected ${exitCode}), ${hosts.length}/${nodes} hosts, ` +
      `${bad.length} not ${status}:\n${detail}\n${run.stderr.slice(-2000)}`);
  }
}
