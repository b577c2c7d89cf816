/** Exit codes, the same for every command. */
export const ExitCode = {
  ok: 0,
  /** Usage, configuration or input error: no node was touched. */
  usage: 1,
  /** At least one node failed. */
  failed: 2,
  /** Drift found (check mode), or left in place because the change it needs was not allowed (blocked nodes). */
  drift: 3,
  /** At least one node unreachable, none failed. */
  unreachable: 4,
  /** Internal error (a bug). */
  internal: 70,
  /** The previous run of the same playbook and inventory is still going: this one did nothing (EX_TEMPFAIL). */
  locked: 75,
  /** Interrupted (SIGINT/SIGTERM). */
  interrupted: 130,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The run's exit code from its nodes' statuses: failures first, then unreachable, then drift (found, or left by a blocked node). */
export function exitCodeFor(statuses: readonly string[]): ExitCode {
  if (statuses.some((s) => s === 'failed' || s === 'rolled_back')) return ExitCode.failed;
  if (statuses.includes('unreachable')) return ExitCode.unreachable;
  if (statuses.includes('drift') || statuses.includes('blocked')) return ExitCode.drift;
  return ExitCode.ok;
}
