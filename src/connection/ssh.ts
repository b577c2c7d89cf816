import type { Duplex } from 'node:stream';
import ssh2, { type ClientChannel, type ConnectConfig, type KexAlgorithm, type ServerHostKeyAlgorithm } from 'ssh2';
import pLimit, { type LimitFunction } from 'p-limit';
import { DockhandError, UnreachableError } from '../errors.ts';
import { commandFor, needsSudo, newHandshake, type Privilege } from './become.ts';
import type { HostKeyPolicy } from './host-key-policy.ts';
import { authConfig, type Credentials } from './ssh-auth.ts';
import { drive, type Spawned } from './streams.ts';
import type { Connection, RunOptions, RunResult } from './types.ts';

export interface SshSettings {
  readonly nodeName: string;
  readonly host: string;
  readonly port: number;
  readonly credentials: Credentials;
  readonly privilege: Privilege;
  readonly hostKeys: HostKeyPolicy;
  /** TCP connect plus handshake and login. */
  readonly connectTimeoutMs: number;
  readonly keepaliveIntervalMs: number;
}

/** Key exchanges that cost seconds of blocking client CPU (group exchange) are left out. */
const KEX: KexAlgorithm[] = [
  'curve25519-sha256',
  'curve25519-sha256@libssh.org',
  'ecdh-sha2-nistp256',
  'ecdh-sha2-nistp384',
  'ecdh-sha2-nistp521',
  'diffie-hellman-group14-sha256',
  'diffie-hellman-group16-sha512',
  'diffie-hellman-group18-sha512',
];

const HOST_KEY_ALGORITHMS: ServerHostKeyAlgorithm[] = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256'];

/** Connection attempts when sshd drops us before the handshake (MaxStartups): 0.2 s, 0.4 s, ... 3.2 s apart. */
const MAX_CONNECT_ATTEMPTS = 6;

/** sshd's MaxSessions defaults to 10 channels per connection; stay under it. */
const MAX_CHANNELS = 8;

function hostKeyOrder(known: string[]): ServerHostKeyAlgorithm[] {
  const preferred = known.flatMap((type) => (type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256'] : [type]));
  return HOST_KEY_ALGORITHMS.filter((a) => preferred.includes(a)).concat(HOST_KEY_ALGORITHMS.filter((a) => !preferred.includes(a)));
}

/** The key type named inside an ssh wire-format public key blob. */
function keyTypeOf(blob: Buffer): string {
  const length = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + length).toString('latin1');
}

function describeConnectError(error: Error & { code?: string; level?: string }, settings: SshSettings): UnreachableError {
  const where = `${settings.host}:${settings.port}`;
  if (error.level === 'client-authentication') {
    return new UnreachableError('E_AUTH', `authentication as ${settings.credentials.user} at ${where} failed (tried: ${error.message.replace(/^All configured authentication methods failed$/, 'every configured method')})`, { cause: error });
  }
  if (error.level === 'client-timeout' || /Timed out/.test(error.message)) {
    return new UnreachableError('E_TIMEOUT', `no SSH handshake from ${where} within ${settings.connectTimeoutMs} ms`, { cause: error });
  }
  const code = error.code ?? '';
  // sshd closing an accepted connection before its banner is what MaxStartups throttling looks like
  const throttled = code === 'ECONNRESET' || /lost before handshake|before handshake/i.test(error.message);
  const reason =
    code === 'ECONNREFUSED' ? 'connection refused (nothing listens there)'
    : code === 'EHOSTUNREACH' || code === 'ENETUNREACH' ? 'no route to host'
    : code === 'ENOTFOUND' ? 'name does not resolve'
    : throttled ? 'sshd closed the connection before its handshake, again and again (MaxStartups throttling? lower --forks)'
    : error.message;
  const unreachable = new UnreachableError('E_CONNECT', `cannot reach ${where}: ${reason}`, { cause: error });
  unreachable.throttled = throttled;
  return unreachable;
}

/** A connection over SSH (ssh2): opened once, every run on its own channel. */
export class SshConnection implements Connection {
  readonly kind = 'ssh';
  readonly #settings: SshSettings;
  #client = new ssh2.Client();
  readonly #channels: LimitFunction = pLimit(MAX_CHANNELS);
  #open = false;
  #closed = false;

  constructor(settings: SshSettings) {
    this.#settings = settings;
  }

  /**
   * Log in. sshd drops unauthenticated connections beyond MaxStartups (10 at once by default, and
   * behind a bastion all nodes share one sshd): such a drop is retried with backoff and jitter.
   */
  async open(): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.#attempt();
        return;
      } catch (error) {
        if (!(error instanceof UnreachableError && error.throttled) || attempt >= MAX_CONNECT_ATTEMPTS) throw error;
        this.#client = new ssh2.Client();
        const backoff = 200 * 2 ** (attempt - 1);
        await new Promise((r) => setTimeout(r, backoff + Math.random() * backoff));
      }
    }
  }

  async #attempt(): Promise<void> {
    const settings = this.#settings;
    const auth = await authConfig(settings.credentials, settings.nodeName);
    const knownTypes = await settings.hostKeys.knownKeyTypes(settings.host, settings.port);
    let hostKeyError: Error | undefined;
    const config: ConnectConfig = {
      ...auth,
      host: settings.host,
      port: settings.port,
      readyTimeout: settings.connectTimeoutMs,
      keepaliveInterval: settings.keepaliveIntervalMs,
      keepaliveCountMax: 3,
      algorithms: { kex: KEX, serverHostKey: hostKeyOrder(knownTypes) },
      hostVerifier: (key: Buffer, verify: (valid: boolean) => void) => {
        settings.hostKeys
          .verify(settings.nodeName, settings.host, settings.port, keyTypeOf(key), key.toString('base64'))
          .then(
            () => verify(true),
            (error: unknown) => {
              hostKeyError = error as Error;
              verify(false);
            },
          );
      },
    };
    const password = settings.credentials.password;
    // ssh2 may emit more than one error (a socket error after a failed handshake): one that finds no
    // listener would crash the process. Errors after login surface through the channels in use.
    this.#client.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#client.end();
        reject(new UnreachableError('E_TIMEOUT', `no SSH login at ${settings.host}:${settings.port} within ${settings.connectTimeoutMs} ms`));
      }, settings.connectTimeoutMs + 1000);
      this.#client
        .once('ready', () => {
          clearTimeout(timer);
          this.#open = true;
          resolve();
        })
        .once('error', (error: Error) => {
          clearTimeout(timer);
          reject(hostKeyError ?? describeConnectError(error, settings));
        })
        .on('keyboard-interactive', (_name, _instructions, _lang, prompts, finish) => {
          finish(prompts.map(() => password ?? ''));
        })
        .connect(config);
      // ssh2 never disables Nagle: request/response stalls on delayed ACKs (~40 ms a round, ~170 ms a
      // login). The socket exists once connect() returns; Node applies the flag when it connects.
      this.#client.setNoDelay(true);
    });
  }

  run(script: string, options: RunOptions = {}): Promise<RunResult> {
    return this.#channels(() => this.#run(script, options));
  }

  async #run(script: string, options: RunOptions): Promise<RunResult> {
    if (!this.#open || this.#closed) {
      throw new DockhandError('E_CONNECT', `${this.#settings.nodeName}: the connection is not open`);
    }
    const handshake = needsSudo(this.#settings.privilege, options.become ?? true)
      ? newHandshake(this.#settings.privilege)
      : undefined;
    const channel = await new Promise<ClientChannel>((resolve, reject) => {
      this.#client.exec(commandFor(script, handshake, options.timeoutMs), (error, stream) => {
        if (error) reject(new DockhandError('E_REMOTE', `${this.#settings.nodeName}: cannot start a command: ${error.message}`, { cause: error }));
        else resolve(stream);
      });
    });
    return drive(spawnedChannel(channel), { input: options.input, become: handshake, timeoutMs: options.timeoutMs });
  }

  /** A unix socket on the node through a direct-streamlocal channel: as the login user, so root only. */
  async openSocket(path: string): Promise<Duplex> {
    if (!this.#open || this.#closed) throw new DockhandError('E_CONNECT', `${this.#settings.nodeName}: the connection is not open`);
    if (this.#settings.privilege.loginUser !== 'root') {
      throw new DockhandError('E_REMOTE', `${this.#settings.nodeName}: ${path} is reachable over SSH for a root login only (this node logs in as ${this.#settings.privilege.loginUser})`);
    }
    return new Promise((resolve, reject) => {
      this.#client.openssh_forwardOutStreamLocal(path, (error, channel) => {
        if (error) reject(new DockhandError('E_REMOTE', `${this.#settings.nodeName}: cannot open ${path}: ${error.message}`, { cause: error }));
        else resolve(channel);
      });
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#open) return;
    await new Promise<void>((resolve) => {
      this.#client.once('close', () => resolve());
      this.#client.end();
      setTimeout(resolve, 2000).unref();
    });
  }
}

function spawnedChannel(channel: ClientChannel): Spawned {
  const exited = new Promise<{ exitCode: number | null; signal: string | null }>((resolve) => {
    let exitCode: number | null = null;
    let signal: string | null = null;
    channel.on('exit', (code: number | null, signalName?: string) => {
      exitCode = typeof code === 'number' ? code : null;
      signal = signalName ?? null;
    });
    channel.on('close', () => resolve({ exitCode, signal }));
  });
  return {
    stdin: channel,
    stdout: channel,
    stderr: channel.stderr,
    exited,
    kill: () => {
      try {
        channel.signal('KILL');
      } catch {
        /* the channel may already be gone */
      }
      channel.close();
    },
  };
}
