/**
 * What a failed SSH connection attempt saw, and what to tell the operator about it. Pure: the
 * connection records the facts (how far it got, the first bytes the peer sent), this names them.
 *
 * sshd throttling (MaxStartups: too many unauthenticated connections at once) accepts the TCP
 * connection, writes "Exceeded MaxStartups" where it can and closes it, before its SSH greeting. A port
 * that is not sshd, or an sshd refusing this client, can look the same on one try: only a pattern (the
 * line itself, or other connections of this run to the same sshd at that moment, or an sshd that
 * let this run log in before) says it is throttling, and only throttling is worth another try.
 */

/** How far an attempt got: TCP connect, the peer's SSH greeting, key exchange, login. */
export type Phase = 'connect' | 'greeting' | 'key exchange' | 'authentication';

export type AttemptFailure =
  | { readonly kind: 'refused' }
  | { readonly kind: 'no-route' }
  | { readonly kind: 'unresolved'; readonly code: string }
  | { readonly kind: 'socket'; readonly phase: Phase; readonly message: string; readonly peerBytes: Buffer }
  /** The peer closed (or reset) the connection in this phase. */
  | { readonly kind: 'closed'; readonly phase: Phase; readonly peerBytes: Buffer }
  /** The deadline passed in this phase. */
  | { readonly kind: 'timeout'; readonly phase: Phase; readonly peerBytes: Buffer }
  /** The SSH protocol itself failed (no common algorithm, a DISCONNECT from the server). */
  | { readonly kind: 'protocol'; readonly message: string };

/** Lines sshd writes when it drops a connection before its greeting (OpenSSH 8.x and later). */
const THROTTLED_LINE = /Exceeded MaxStartups/;

/** What the run knows about the other connections to the same sshd. */
export interface EndpointPattern {
  /** Other connections of this run to this sshd are being opened right now. */
  readonly concurrent: boolean;
  /** This sshd let a connection of this run log in before (it is an sshd that accepts us). */
  readonly servedBefore: boolean;
}

/** Whether the failure looks like sshd throttling new connections, worth another try. */
export function looksThrottled(failure: AttemptFailure, pattern: EndpointPattern): boolean {
  if (failure.kind !== 'closed' || (failure.phase !== 'greeting' && failure.phase !== 'key exchange')) return false;
  if (THROTTLED_LINE.test(failure.peerBytes.toString('latin1'))) return true;
  if (failure.phase === 'greeting' && failure.peerBytes.length > 0) return false; // it said something else: not sshd
  return pattern.concurrent || pattern.servedBefore;
}

/** The first bytes a peer sent, printable and cut short: its first line, at most 40 characters. */
export function shownBytes(bytes: Buffer): string {
  const text = bytes.subarray(0, 200).toString('latin1');
  const line = text.split(/\r?\n/)[0] ?? '';
  const printable = [...line.slice(0, 40)].map((c) => {
    const code = c.charCodeAt(0);
    return code >= 0x20 && code < 0x7f ? c : `\\x${code.toString(16).padStart(2, '0')}`;
  });
  const cut = line.length > 40 || text.length > line.length + 2 ? '...' : '';
  return `"${printable.join('')}${cut}"`;
}

/** Whether the peer's bytes begin an SSH identification (or a pre-greeting line sshd allows). */
function spokeSsh(bytes: Buffer): boolean {
  return bytes.length === 0 || /(^|\n)SSH-/.test(bytes.toString('latin1'));
}

export function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

/** The reason for a failed connection, as the report says it after "cannot reach HOST:PORT: ". */
export function describeFailure(failure: AttemptFailure, timeoutMs: number): string {
  switch (failure.kind) {
    case 'refused':
      return 'connection refused (nothing listens there)';
    case 'no-route':
      return 'no route to host';
    case 'unresolved':
      return `the name does not resolve (${failure.code})`;
    case 'protocol':
      return failure.message;
    case 'socket':
    case 'closed':
    case 'timeout':
      break;
  }
  const { phase, peerBytes } = failure;
  if (THROTTLED_LINE.test(peerBytes.toString('latin1'))) {
    return 'sshd refused the connection: "Exceeded MaxStartups" (too many unauthenticated connections at once: lower --forks, or raise MaxStartups on the node)';
  }
  if (phase === 'greeting' && !spokeSsh(peerBytes)) return `not an SSH server: got ${shownBytes(peerBytes)}`;
  if (failure.kind === 'socket') return `${failure.message} ${phase === 'connect' ? 'while connecting' : `during ${phase === 'greeting' ? 'the SSH greeting' : phase}`}`;
  if (failure.kind === 'timeout') {
    if (phase === 'connect') return `timed out after ${seconds(timeoutMs)} connecting (no answer: a firewall dropping packets, or the host is down)`;
    if (phase === 'greeting') return `timed out after ${seconds(timeoutMs)} waiting for the SSH greeting (the port accepts connections but says nothing)`;
    return `timed out after ${seconds(timeoutMs)} during ${phase}`;
  }
  if (phase === 'greeting') {
    return 'closed before the SSH greeting (something accepts connections on this port and closes them: not sshd, or sshd refusing this client)';
  }
  return `the node closed the connection during ${phase}`;
}

/**
 * The reason once retrying stops: the last failure, and, when earlier tries were dropped too, how
 * often and for how long (so a run that ran out of time on throttling says so).
 */
export function describeGiveUp(last: AttemptFailure, timeoutMs: number, tries: number, elapsedMs: number, pattern: EndpointPattern): string {
  const reason = describeFailure(last, timeoutMs);
  if (tries <= 1) return reason;
  if (last.kind === 'closed' && (last.phase === 'greeting' || last.phase === 'key exchange')) {
    const hint = last.peerBytes.length === 0 && pattern.servedBefore ? ': MaxStartups throttling? lower --forks' : '';
    return `${reason}, on every try (${tries} in ${seconds(elapsedMs)})${hint}`;
  }
  return `${reason} (try ${tries}: the ones before it were closed before the SSH greeting)`;
}
