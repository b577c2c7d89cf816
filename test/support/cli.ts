import { execa } from 'execa';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));

export interface CliRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

/** Run the dockhand CLI as a user would (a separate process), never throwing on a non-zero exit; `input` is its stdin. */
export async function dockhand(args: readonly string[], env: Record<string, string> = {}, input?: string): Promise<CliRun> {
  const started = performance.now();
  const result = await execa(process.execPath, ['bin/dockhand.js', ...args], {
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
