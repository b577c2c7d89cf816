// Spawning a process, timing it from spawn to exit, collecting its output.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface Timed {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** wall time from spawn to exit (and closed pipes), milliseconds */
  ms: number;
}

export function runTimed(file: string, args: readonly string[], opts: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(file, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (d: Buffer) => out.push(d));
    child.stderr?.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      resolve({
        exitCode: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        ms: performance.now() - started,
      });
    });
    if (opts.input !== undefined && child.stdin) child.stdin.end(opts.input);
  });
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

let clockTicks: number | undefined;

/**
 * CPU (user + system) of this process's reaped children, in ms (/proc/self/stat cutime + cstime): the
 * difference around a run is the CPU of the processes it started and waited for.
 */
export function childCpuMs(): number {
  // getconf's own CPU is counted before this reading, not in the next difference
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / clockTicks;
}
