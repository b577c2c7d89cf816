import { randomBytes } from 'node:crypto';
import { shQuote } from './quote.ts';
import type { BecomeHandshake } from './streams.ts';
import type { RunOptions } from './types.ts';

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

/** The PATH node scripts run with, whatever the login gave (the PATH sudo gives root on Debian). */
export const SCRIPT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** A user name as useradd allows it (the only names written into the command line as they are). */
const USER_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}\$?$/;

/**
 * Sets `u` to the name of whoever runs the script (root after sudo), for USER and LOGNAME: the name the
 * connection logged in or became as, where it knows it (no `id` process on every run), else `id`'s.
 */
function who(runAs: string | undefined): string {
  return runAs !== undefined && USER_NAME.test(runAs) ? `u=${runAs}` : 'u=$(id -un 2>/dev/null) || u=$(id -u)';
}

/**
 * `/bin/sh -c script` with only the documented environment: PATH, LANG and LC_ALL (C), HOME, USER,
 * LOGNAME, SHELL. Nothing of the operator's (DOCKER_HOST, a registry password), sshd's or sudo's
 * reaches a script, over any connection.
 */
function cleanShell(script: string): string {
  return `env -i PATH=${SCRIPT_PATH} LANG=C LC_ALL=C HOME="\${HOME:-/}" USER="$u" LOGNAME="$u" SHELL=/bin/sh /bin/sh -c ${shQuote(script)}`;
}

/**
 * `script` in a clean environment, under the node's own `timeout` (coreutils): it makes its own
 * process group and signals all of it, so nothing the script started outlives the deadline.
 * Without `timeout`, as is.
 */
function underTimeout(script: string, timeoutMs: number | undefined, runAs: string | undefined): string {
  const run = `${who(runAs)}\nexec ${cleanShell(script)}`;
  if (timeoutMs === undefined) return run;
  const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
  return `${who(runAs)}\nif command -v timeout >/dev/null 2>&1; then exec timeout -k ${KILL_GRACE_S} ${seconds} ${cleanShell(script)}; fi\nexec ${cleanShell(script)}`;
}

/**
 * The command line run for `script`: as is, or through sudo with the handshake's prompt and marker.
 * `loginUser`: who the connection runs commands as before any sudo, where it knows (an SSH login).
 */
export function commandFor(script: string, handshake: BecomeHandshake | undefined, timeoutMs?: number, loginUser?: string): string {
  const guarded = underTimeout(script, timeoutMs, handshake !== undefined ? handshake.user : loginUser);
  if (!handshake) return `exec /bin/sh -c ${shQuote(guarded)}`;
  const inner = `printf '%s\\n' ${handshake.marker} >&2\n${guarded}`;
  return `exec sudo -H -S -p ${shQuote(handshake.prompt)} -u ${shQuote(handshake.user)} -- /bin/sh -c ${shQuote(inner)}`;
}

/**
 * What runs a script that came on stdin with nothing after it: the whole script is read first, then run,
 * so a command in it that reads stdin finds its end rather than the rest of the script.
 */
export const READ_THEN_RUN = 'eval "$(cat)"';

/** How one run reaches the node: the command line and the bytes for its stdin. */
export interface Invocation {
  readonly command: string;
  readonly input: string | Uint8Array | undefined;
}

/**
 * A script with no stdin of its own travels on stdin, so the command line stays a few hundred bytes
 * whatever the play holds: a command line is one argument to the login shell, and Linux refuses one of
 * more than 128 KiB (MAX_ARG_STRLEN) with "Argument list too long". A script with an input of its own (the
 * transaction's is itself sent on stdin) goes in the command line.
 */
export function invocationFor(script: string, options: RunOptions, handshake: BecomeHandshake | undefined, loginUser?: string): Invocation {
  if (options.input !== undefined) return { command: commandFor(script, handshake, options.timeoutMs, loginUser), input: options.input };
  return { command: commandFor(READ_THEN_RUN, handshake, options.timeoutMs, loginUser), input: script };
}
