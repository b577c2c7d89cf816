import type { Duplex } from 'node:stream';
import { DockhandError } from '../errors.ts';
import { userInfo } from 'node:os';
import { invocationFor, needsSudo, newHandshake, SCRIPT_PATH, type Privilege } from './become.ts';
import { drive } from './streams.ts';
import type { Connection, RunOptions, RunResult } from './types.ts';

/** Runs on the machine dockhand itself runs on (ansible_connection=local, or in-cluster). */
export class LocalConnection implements Connection {
  readonly kind = 'local';
  readonly #privilege: Privilege;
  /** What the wrapper starts from, as sshd gives a login: never the operator's own environment. */
  readonly #env: Record<string, string>;

  constructor(privilege?: Partial<Privilege>) {
    const { username: loginUser, homedir } = userInfo();
    this.#env = { PATH: SCRIPT_PATH, LANG: 'C', LC_ALL: 'C', HOME: homedir, USER: loginUser, LOGNAME: loginUser, SHELL: '/bin/sh' };
    this.#privilege = {
      loginUser,
      become: privilege?.become ?? true,
      becomeUser: privilege?.becomeUser ?? 'root',
      becomePassword: privilege?.becomePassword,
    };
  }

  async open(): Promise<void> {
    /* nothing to open */
  }

  async run(script: string, options: RunOptions = {}): Promise<RunResult> {
    const handshake = needsSudo(this.#privilege, options.become ?? true) ? newHandshake(this.#privilege) : undefined;
    // loaded on first use: most runs never touch a local node, and execa costs ~0.1 s to load
    const { execa } = await import('execa');
    const { command, input } = invocationFor(script, options, handshake);
    const child = execa('/bin/sh', ['-c', command], {
      stdin: 'pipe',
      buffer: false,
      reject: false,
      stripFinalNewline: false,
      env: this.#env,
      extendEnv: false,
      // its own process group, so a timeout stops the script's children too
      detached: true,
    });
    const exited = child.then((result) => ({
      exitCode: result.exitCode ?? null,
      signal: result.signal ?? null,
    }));
    return drive(
      {
        stdin: child.stdin,
        stdout: child.stdout,
        stderr: child.stderr,
        exited,
        kill: () => {
          try {
            if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
          } catch {
            child.kill('SIGKILL');
          }
        },
      },
      { input, become: handshake, timeoutMs: options.timeoutMs },
    );
  }

  /** A unix socket on this machine, when dockhand itself runs as root (as in-cluster). */
  async openSocket(path: string): Promise<Duplex> {
    if (this.#privilege.loginUser !== 'root') {
      throw new DockhandError('E_REMOTE', `local: ${path} is reachable when dockhand runs as root only (it runs as ${this.#privilege.loginUser})`);
    }
    const { connect } = await import('node:net');
    return new Promise((resolve, reject) => {
      const socket = connect(path);
      socket.once('connect', () => resolve(socket)).once('error', (error) => reject(new DockhandError('E_REMOTE', `local: cannot open ${path}: ${error.message}`, { cause: error })));
    });
  }

  async close(): Promise<void> {
    /* nothing to close */
  }
}
