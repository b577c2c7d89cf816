import { randomBytes } from 'node:crypto';
import { shQuote } from './quote.ts';
import type { BecomeHandshake } from './streams.ts';

/** Who runs the commands on a node: the login user, or another user through sudo. */
export interface Privilege {
  readonly loginUser: string;
  readonly become: boolean;
  readonly becomeUser: string;
  readonly becomePassword: string | undefined;
}

/** True when a run must go through sudo to act as the become user. */
export function needsSudo(privilege: Privilege, wanted: boolean): boolean {
  return wanted && privilege.become && privilege.loginUser !== privilege.becomeUser;
}

/** A fresh prompt and marker for one sudo handshake (random, so no output can fake them). */
export function newHandshake(privilege: Privilege): BecomeHandshake {
  const token = randomBytes(12).toString('hex');
  return {
    prompt: `[dockhand-sudo-${token}] `,
    marker: `DOCKHAND-BECOME-${token}`,
    password: privilege.becomePassword,
    user: privilege.becomeUser,
  };
}

/** Seconds the remote `timeout` waits after TERM before it sends KILL. */
export const KILL_GRACE_S = 2;

/**
 * `script` under the node's own `timeout` (coreutils): it makes its own process group and signals
 * all of it, so nothing the script started outlives the deadline. Without `timeout`, as is.
 */
function underTimeout(script: string, timeoutMs: number | undefined): string {
  const run = `exec /bin/sh -c ${shQuote(script)}`;
  if (timeoutMs === undefined) return run;
  const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
  return `if command -v timeout >/dev/null 2>&1; then exec timeout -k ${KILL_GRACE_S} ${seconds} /bin/sh -c ${shQuote(script)}; fi\n${run}`;
}

/** The command line run for `script`: as is, or through sudo with the handshake's prompt and marker. */
export function commandFor(script: string, handshake: BecomeHandshake | undefined, timeoutMs?: number): string {
  const guarded = underTimeout(script, timeoutMs);
  if (!handshake) return timeoutMs === undefined ? guarded : `exec /bin/sh -c ${shQuote(guarded)}`;
  const inner = `printf '%s\\n' ${handshake.marker} >&2\n${guarded}`;
  return `exec sudo -H -S -p ${shQuote(handshake.prompt)} -u ${shQuote(handshake.user)} -- /bin/sh -c ${shQuote(inner)}`;
}
