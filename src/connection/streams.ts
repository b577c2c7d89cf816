import type { Readable, Writable } from 'node:stream';
import { DockhandError } from '../errors.ts';
import type { RunResult } from './types.ts';

/** A started process, remote or local, seen as three streams and an exit. */
export interface Spawned {
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Resolves once the process has exited and its streams are drained. */
  readonly exited: Promise<{ exitCode: number | null; signal: string | null }>;
  kill(): void;
}

/** The sudo handshake: a prompt only dockhand asks for, and a marker printed once sudo let us in. */
export interface BecomeHandshake {
  readonly prompt: string;
  readonly marker: string;
  readonly password: string | undefined;
  readonly user: string;
}

export interface DriveOptions {
  readonly input: string | Uint8Array | undefined;
  readonly become: BecomeHandshake | undefined;
  /** The script's deadline, which the node's `timeout` enforces (exit 124, or 137 after KILL). */
  readonly timeoutMs: number | undefined;
  /** How long past the deadline the process is killed from this side, should the node not do it. */
  readonly graceMs?: number;
}

/** What `timeout` exits with when it stopped the script (TERM, then KILL). */
const TIMEOUT_EXITS = new Set([124, 137]);

/**
 * Feed a process its stdin, collect its output, and, when it runs under sudo, answer the
 * password prompt (once: a second prompt means the password is wrong) before any input is sent.
 */
export function drive(proc: Spawned, options: DriveOptions): Promise<RunResult> {
  const started = performance.now();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let preamble = '';
  let authenticated = options.become === undefined;
  let prompts = 0;
  let timedOut = false;
  let sudoFailure: DockhandError | undefined;

  proc.stdin.on('error', () => {
    /* the process may exit without reading its input (EPIPE): its exit status tells the story */
  });

  const sendInput = (): void => {
    if (options.input !== undefined && options.input.length > 0) proc.stdin.write(options.input);
    proc.stdin.end();
  };

  const failSudo = (message: string): void => {
    if (sudoFailure) return;
    sudoFailure = new DockhandError('E_SUDO', message);
    proc.stdin.end();
    proc.kill();
  };

  const onAuthChunk = (chunk: Buffer): void => {
    const become = options.become;
    if (!become) return;
    preamble += chunk.toString('utf8');
    const markerAt = preamble.indexOf(`${become.marker}\n`);
    if (markerAt >= 0) {
      authenticated = true;
      const rest = preamble.slice(markerAt + become.marker.length + 1);
      if (rest.length > 0) err.push(Buffer.from(rest, 'utf8'));
      sendInput();
      return;
    }
    const seen = preamble.split(become.prompt).length - 1;
    if (seen > prompts) {
      prompts = seen;
      if (prompts > 1 || /Sorry, try again/.test(preamble)) {
        failSudo(`sudo to ${become.user}: incorrect sudo password`);
      } else if (become.password === undefined) {
        failSudo(`sudo to ${become.user} asks for a password and none is set (ansible_become_password)`);
      } else {
        proc.stdin.write(`${become.password}\n`);
      }
    } else if (/Sorry, try again/.test(preamble)) {
      failSudo(`sudo to ${become.user}: incorrect sudo password`);
    }
  };

  proc.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  proc.stderr.on('data', (chunk: Buffer) => (authenticated ? err.push(chunk) : onAuthChunk(chunk)));
  if (authenticated) sendInput();

  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          proc.kill();
        }, options.timeoutMs + (options.graceMs ?? 5000));

  return proc.exited.then(
    ({ exitCode, signal }) => {
      if (timer) clearTimeout(timer);
      if (sudoFailure) throw sudoFailure;
      const elapsed = performance.now() - started;
      if (options.timeoutMs !== undefined && exitCode !== null && TIMEOUT_EXITS.has(exitCode) && elapsed >= options.timeoutMs - 50) {
        timedOut = true;
      }
      const become = options.become;
      if (become && !authenticated && !timedOut) {
        const said = preamble.split(become.prompt).join('').trim();
        throw new DockhandError('E_SUDO', `sudo to ${become.user} failed: ${said || `exit status ${String(exitCode)}`}`);
      }
      return {
        exitCode: timedOut ? null : exitCode,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
        durationMs: Math.round(elapsed),
      };
    },
    (error: unknown) => {
      if (timer) clearTimeout(timer);
      throw error;
    },
  );
}
