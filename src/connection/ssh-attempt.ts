/**
 * One SSH login attempt over a TCP socket dockhand opens itself, so it knows how far the attempt got
 * (connect, the peer's greeting, key exchange, login) and what the peer sent first, and can give up at
 * a deadline whatever phase it is in.
 */
import { Socket } from 'node:net';
import type ssh2 from 'ssh2';
import type { ConnectConfig } from 'ssh2';
import type { AttemptFailure, Phase } from './ssh-diagnosis.ts';
import { coalesceWrites, ignoreHostKeyNotices } from './ssh-transport.ts';

/** An attempt that failed on the way in: what it saw. */
export class AttemptError extends Error {
  readonly failure: AttemptFailure;

  constructor(failure: AttemptFailure) {
    super(`ssh attempt failed: ${failure.kind}`);
    this.failure = failure;
  }
}

export interface AttemptHooks {
  /** An error that is the attempt's verdict as it stands (a refused host key, a refused login), if any. */
  readonly verdict: () => Error | undefined;
  /** The error for a login the node refused (ssh2's "All configured authentication methods failed"). */
  readonly loginRefused: (cause: Error) => Error;
}

/** Bytes the peer sends before its SSH identification line are kept (at most this many) to show them. */
const KEPT_BYTES = 512;

/**
 * Connects `client` to host:port and logs in with `config`, by `deadline` (a performance.now() time).
 * Rejects with an AttemptError (it never got in), or with what `hooks` say the verdict is.
 */
export function attemptLogin(client: ssh2.Client, config: ConnectConfig, deadline: number, hooks: AttemptHooks): Promise<void> {
  const socket = new Socket();
  let phase: Phase = 'connect';
  let peerBytes = Buffer.alloc(0);
  let settled = false;

  return new Promise<void>((resolve, reject) => {
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.end();
      socket.destroy();
      reject(hooks.verdict() ?? error);
    };
    const failed = (failure: AttemptFailure) => fail(new AttemptError(failure));
    const timer = setTimeout(() => failed({ kind: 'timeout', phase, peerBytes }), Math.max(0, deadline - performance.now()));

    socket.once('connect', () => {
      phase = 'greeting';
      // ssh2 never disables Nagle: request/response stalls on delayed ACKs (~40 ms a round, ~170 ms a login)
      socket.setNoDelay(true);
    });
    client
      .on('handshake', () => {
        phase = 'authentication';
      })
      .once('ready', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve();
      })
      .on('error', (error: Error & { level?: string; code?: string | number }) => {
        if (error.level === 'agent') return; // ssh2 goes on with the next method
        if (error.level === 'client-authentication') return fail(hooks.loginRefused(error));
        const code = typeof error.code === 'string' ? error.code : '';
        if (code === 'ECONNREFUSED') return failed({ kind: 'refused' });
        if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return failed({ kind: 'no-route' });
        if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_FAIL') return failed({ kind: 'unresolved', code });
        if (code === 'ETIMEDOUT') return failed({ kind: 'timeout', phase, peerBytes });
        if (code === 'ECONNRESET' || code === 'EPIPE' || /lost before handshake/i.test(error.message)) return failed({ kind: 'closed', phase, peerBytes });
        if (error.level === 'client-socket') return failed({ kind: 'socket', phase, message: error.message, peerBytes });
        if (error.level === 'handshake') return failed({ kind: 'protocol', message: `key exchange failed: ${error.message}` });
        // a DISCONNECT from the server carries its reason as the message
        return failed({ kind: 'protocol', message: `the node ended the connection during ${phase}: ${error.message}` });
      })
      .on('close', () => failed({ kind: 'closed', phase, peerBytes }));

    // connecting before ssh2 sees the socket, so it waits for 'connect' rather than take it as connected
    socket.connect({ host: config.host ?? '', port: config.port ?? 22 });
    coalesceWrites(socket);
    client.connect({ ...config, sock: socket, readyTimeout: 0 });
    ignoreHostKeyNotices(client);
    // after ssh2 has paused the socket: this listener sees every chunk without starting the flow early
    socket.on('data', (chunk: Buffer) => {
      if (phase !== 'greeting') return;
      if (peerBytes.length < KEPT_BYTES) peerBytes = Buffer.concat([peerBytes, chunk]).subarray(0, KEPT_BYTES);
      if (/(^|\n)SSH-/.test(peerBytes.toString('latin1'))) phase = 'key exchange';
    });
  });
}
