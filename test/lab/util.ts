// Small helpers shared by the lab modules: paths, logging with timings, the docker CLI.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { execa, type Options } from 'execa';

/** Repository root (test/lab/ is two levels below it). */
export const repoRoot: string = path.resolve(import.meta.dirname, '..', '..');
/** Per-lab state (keys, passwords, CA, lab.json). Git-ignored. */
export const stateDir: string = path.join(repoRoot, '.lab');
export const labJsonPath: string = path.join(stateDir, 'lab.json');
/** Label put on every container, volume and network of a lab; its value is the lab id. */
export const LAB_LABEL = 'dockhand.lab';

const t0 = Date.now();

export function log(message: string): void {
  const s = ((Date.now() - t0) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[lab ${s}s] ${message}\n`);
}

/** Runs fn, logging its start and its duration to stderr. */
export async function step<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  log(`${label} ...`);
  try {
    const result = await fn();
    log(`${label}: done in ${secs(started)}`);
    return result;
  } catch (err) {
    log(`${label}: FAILED after ${secs(started)}`);
    throw err;
  }
}

export function secs(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)}s`;
}

export function sha12(...parts: (string | Buffer)[]): string {
  const h = createHash('sha256');
  for (const p of parts) {
    h.update(p);
    h.update('\0');
  }
  return h.digest('hex').slice(0, 12);
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved */
  output: string;
}

/** Runs `docker ARGS`; throws on a non-zero exit unless opts.reject === false. */
export async function docker(args: string[], opts: { input?: string; reject?: boolean; env?: Record<string, string> } = {}): Promise<RunResult> {
  return run('docker', args, opts);
}

export async function run(
  file: string,
  args: string[],
  opts: { input?: string; reject?: boolean; env?: Record<string, string>; cwd?: string } = {},
): Promise<RunResult> {
  const execOpts: Options = {
    reject: false,
    all: true,
    stripFinalNewline: false,
    ...(opts.input !== undefined ? { input: opts.input } : { stdin: 'ignore' }),
    ...(opts.env ? { env: opts.env } : {}),
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
  };
  const r = await execa(file, args, execOpts);
  const result: RunResult = {
    exitCode: r.exitCode ?? (r.signal ? 128 : 1),
    stdout: String(r.stdout ?? ''),
    stderr: String(r.stderr ?? ''),
    output: String(r.all ?? ''),
  };
  if (opts.reject !== false && result.exitCode !== 0) {
    throw new Error(`${file} ${args.join(' ')} exited ${result.exitCode}:\n${result.output.trim()}`);
  }
  return result;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
