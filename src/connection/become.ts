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

/** The sh script run for `script`: as is, or through sudo with the handshake's prompt and marker. */
export function commandFor(script: string, handshake: BecomeHandshake | undefined): string {
  if (!handshake) return `exec /bin/sh -c ${shQuote(script)}`;
  const inner = `printf '%s\\n' ${handshake.marker} >&2\n${script}`;
  return `exec sudo -H -S -p ${shQuote(handshake.prompt)} -u ${shQuote(handshake.user)} -- /bin/sh -c ${shQuote(inner)}`;
}
