import { execa, type Options, type ResultPromise } from 'execa';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The environment variable that makes the tests run dockhand's single executable (the path it names) instead
 * of the checkout's sources: the integration project sets it, and its global setup builds the executable. It
 * is what users run, and it starts in half the CPU time of the sources (no module loader, no type stripping).
 */
export const EXECUTABLE_ENV = 'DOCKHAND_TEST_EXECUTABLE';

/** The command that runs dockhand in a test: the executable the run built, else the checkout through Node.js. */
export function dockhandCommand(): [string, ...string[]] {
  const executable = process.env[EXECUTABLE_ENV];
  if (executable === undefined || executable === '') return [process.execPath, 'bin/dockhand.js'];
  if (!existsSync(executable)) throw new Error(`${EXECUTABLE_ENV} names ${executable}, which does not exist: the global setup builds it (npm run build:sea)`);
  return [executable];
}

export interface CliRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

/** Start dockhand (from the checkout's directory) without waiting for it: for a test that signals or watches it. */
export function startDockhand<O extends Options>(args: readonly string[], options: O): ResultPromise<O> {
  const [file, ...before] = dockhandCommand();
  // the cwd changes nothing in the result's type
  return execa(file, [...before, ...args], { cwd: REPO, ...options }) as unknown as ResultPromise<O>;
}

/** Run the dockhand CLI as a user would (a separate process), never throwing on a non-zero exit; `input` is its stdin. */
export async function dockhand(args: readonly string[], env: Record<string, string> = {}, input?: string): Promise<CliRun> {
  const started = performance.now();
  const [file, ...before] = dockhandCommand();
  const result = await execa(file, [...before, ...args], {
    cwd: REPO,
    reject: false,
    env: { ...env },
    ...(input === undefined ? { stdin: 'ignore' as const } : { input }),
    timeout: 300_000,
  });
  return {
    exitCode: result.exitCode ?? -1,
    stdout: String(result.stdout),
    stderr: String(result.stderr),
    durationMs: Math.round(performance.now() - started),
  };
}

/** A run as an assertion message shows it. */
export const said = (run: CliRun): string => `exit ${run.exitCode}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`;

/** The hosts of a run's --json report; an error saying what the run printed when there is no report. */
export function reportHosts<H>(run: CliRun): H[] {
  try {
    return (JSON.parse(run.stdout) as { hosts: H[] }).hosts;
  } catch {
    throw new Error(`no JSON report\n${said(run)}`);
  }
}
