import type { Duplex } from 'node:stream';

/**
 * One interface for every way dockhand reaches a node (ssh, local). A connection runs
 * POSIX sh scripts; results are values, failures to reach are exceptions.
 */
export interface RunOptions {
  /** Bytes for the script's stdin; file contents and secrets travel here, never in the command line. */
  readonly input?: string | Uint8Array;
  /** Run as root (or the target's become user) through sudo. */
  readonly become?: boolean;
  /** Kill the remote process after this long; the result then has timedOut: true. */
  readonly timeoutMs?: number;
}

export interface RunResult {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  readonly durationMs: number;
}

export interface Connection {
  readonly kind: 'ssh' | 'local';
  /** Open (and authenticate) once; every run reuses it. Throws UnreachableError. */
  open(): Promise<void>;
  /** Run `script` with `sh` (no rc files). */
  run(script: string, options?: RunOptions): Promise<RunResult>;
  /**
   * A byte stream to a unix socket on the node (containerd's CRI), as root. Throws a DockhandError
   * saying why when this connection cannot reach it (a login that is not root, for one).
   */
  openSocket(path: string): Promise<Duplex>;
  close(): Promise<void>;
}

/** The command that runs a script sent on stdin (the script then never appears in a command line). */
export const STDIN_SCRIPT = 'exec /bin/sh -s';
