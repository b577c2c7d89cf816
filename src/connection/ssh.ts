import type { Duplex } from 'node:stream';
import ssh2, { type ClientChannel, type ConnectConfig, type KexAlgorithm, type ServerHostKeyAlgorithm } from 'ssh2';
import pLimit, { type LimitFunction } from 'p-limit';
import { DockhandError, UnreachableError } from '../errors.ts';
import { invocationFor, needsSudo, newHandshake, type Privilege } from './become.ts';
import type { HostKeyPolicy } from './host-key-policy.ts';
import { attemptLogin, AttemptError } from './ssh-attempt.ts';
import { authConfig, LoginAttempts, type Credentials } from './ssh-auth.ts';
import { describeFailure, describeGiveUp, looksThrottled, seconds, type AttemptFailure, type EndpointPattern } from './ssh-diagnosis.ts';
import { SshEndpoints } from './ssh-endpoints.ts';
import { drive, type Spawned } from './streams.ts';
import type { Connection, RunOptions, RunResult } from './types.ts';

export interface SshSettings {
  readonly nodeName: string;
  readonly host: string;
  readonly port: number;
  readonly credentials: Credentials;
  readonly privilege: Privilege;
  readonly hostKeys: HostKeyPolicy;
  /** TCP connect, handshake and login, every try and the pauses between them included. */
  readonly connectTimeoutMs: number;
  readonly keepaliveIntervalMs: number;
  /** What this run has seen of each sshd (shared by its connections, to recognise throttling). */
  readonly endpoints?: SshEndpoints | undefined;
  /** Where to tell, at -v, that a try was dropped and another follows. */
  readonly log?: ((text: string) => void) | undefined;
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

/** The pause before try `tries + 1` after sshd dropped us: 50 ms, 100 ms, ... 800 ms at most, plus up to as much again (jitter). */
function backoff(tries: number): number {
  const base = Math.min(800, 50 * 2 ** (tries - 1));
  return base + Math.random() * base;
}

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

/** A connection over SSH (ssh2): opened once, every run on its own channel. */
export class SshConnection implements Connection {
  readonly kind = 'ssh';
  readonly #settings: SshSettings;
  readonly #endpoints: SshEndpoints;
  #client = new ssh2.Client();
  readonly #channels: LimitFunction = pLimit(MAX_CHANNELS);
  #open = false;
  #closed = false;
  /** The link ended (its socket closed): by close(), or by the node (sshd killed, a cut, a reboot). */
  #ended = false;

  constructor(settings: SshSettings) {
    this.#settings = settings;
    this.#endpoints = settings.endpoints ?? new SshEndpoints();
  }

  get #where(): string {
    return `${this.#settings.host}:${this.#settings.port}`;
  }

  /**
   * Log in, all within the connect timeout (tries, turns and the pauses between them included). Only
   * what looks like sshd throttling (MaxStartups, see ssh-diagnosis.ts) is tried again: after a short
   * pause with jitter, and taking turns with this run's other connections to the same sshd. Anything
   * else fails at once, saying what was seen.
   */
  async open(): Promise<void> {
    const started = performance.now();
    const deadline = started + this.#settings.connectTimeoutMs;
    const done = this.#endpoints.opening(this.#where);
    try {
      for (let tries = 1; ; tries += 1) {
        const release = await this.#endpoints.turn(this.#where, deadline);
        if (release === undefined) {
          throw new UnreachableError(
            'E_TIMEOUT',
            `cannot reach ${this.#where}: timed out after ${seconds(this.#settings.connectTimeoutMs)} waiting for a turn: sshd there dropped ` +
              "this run's new connections (MaxStartups throttling): lower --forks, or raise MaxStartups on the node",
          );
        }
        let failure: AttemptFailure;
        let pattern: EndpointPattern;
        let throttled: boolean;
        try {
          await this.#attempt(deadline);
          this.#endpoints.served(this.#where);
          return;
        } catch (error) {
          if (!(error instanceof AttemptError)) throw error;
          failure = error.failure;
          pattern = this.#endpoints.pattern(this.#where);
          throttled = looksThrottled(failure, pattern);
          if (throttled) this.#endpoints.dropped(this.#where);
        } finally {
          release();
        }
        const pause = backoff(tries);
        if (!throttled || performance.now() + pause >= deadline) {
          const reason = describeGiveUp(failure, this.#settings.connectTimeoutMs, tries, performance.now() - started, pattern);
          throw this.#unreachable(failure, reason);
        }
        this.#settings.log?.(`${this.#where}: ${describeFailure(failure, this.#settings.connectTimeoutMs)}; trying again in ${Math.round(pause)} ms`);
        await new Promise((r) => setTimeout(r, pause));
        this.#client = new ssh2.Client();
      }
    } finally {
      done();
    }
  }

  #unreachable(failure: AttemptFailure, reason: string): UnreachableError {
    const timedOut = failure.kind === 'timeout';
    if (timedOut && failure.phase === 'authentication') return new UnreachableError('E_TIMEOUT', `no SSH login at ${this.#where}: ${reason}`);
    return new UnreachableError(timedOut ? 'E_TIMEOUT' : 'E_CONNECT', `cannot reach ${this.#where}: ${reason}`);
  }

  async #attempt(deadline: number): Promise<void> {
    const settings = this.#settings;
    const { config: auth, methods } = await authConfig(settings.credentials, settings.nodeName);
    const logins = new LoginAttempts(methods);
    const knownTypes = await settings.hostKeys.knownKeyTypes(settings.host, settings.port);
    let hostKeyError: Error | undefined;
    const config: ConnectConfig = {
      ...auth,
      authHandler: logins.handler,
      host: settings.host,
      port: settings.port,
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
    // the link's end counts once this attempt is the connection: a try sshd dropped (throttling) and
    // the next try's new client are not an ended link
    const client = this.#client;
    let clientClosed = false;
    client.once('close', () => {
      clientClosed = true;
      if (client === this.#client && this.#open) this.#ended = true;
    });
    this.#client.on('keyboard-interactive', (_name, _instructions, _lang, prompts, finish) => {
      finish(prompts.map(() => password ?? ''));
    });
    await attemptLogin(this.#client, config, deadline, {
      verdict: () => hostKeyError,
      loginRefused: (cause) =>
        new UnreachableError('E_AUTH', `authentication as ${settings.credentials.user} at ${this.#where} failed: ${logins.refusal()}`, { cause }),
    });
    this.#open = true;
    if (clientClosed) this.#ended = true;
  }

  run(script: string, options: RunOptions = {}): Promise<RunResult> {
    return this.#channels(() => this.#run(script, options));
  }

  async #run(script: string, options: RunOptions): Promise<RunResult> {
    if (!this.#open || this.#closed) {
      throw new DockhandError('E_CONNECT', `${this.#settings.nodeName}: the connection is not open`);
    }
    if (this.#ended) throw new DockhandError('E_CONNECT', `${this.#settings.nodeName}: the connection to ${this.#where} was closed by the node or the network`);
    const handshake = needsSudo(this.#settings.privilege, options.become ?? true)
      ? newHandshake(this.#settings.privilege)
      : undefined;
    const { command, input } = invocationFor(script, options, handshake, this.#settings.privilege.loginUser);
    const channel = await new Promise<ClientChannel>((resolve, reject) => {
      this.#client.exec(command, (error, stream) => {
        if (error) reject(new DockhandError('E_REMOTE', `${this.#settings.nodeName}: cannot start a command: ${error.message}`, { cause: error }));
        else resolve(stream);
      });
    });
    return drive(spawnedChannel(channel), { input, become: handshake, timeoutMs: options.timeoutMs });
  }

  /** A unix socket on the node through a direct-streamlocal channel: as the login user, so root only. */
  async openSocket(path: string): Promise<Duplex> {
    if (!this.#open || this.#closed) throw new DockhandError('E_CONNECT', `${this.#settings.nodeName}: the connection is not open`);
    if (this.#ended) throw new DockhandError('E_CONNECT', `${this.#settings.nodeName}: the connection to ${this.#where} was closed by the node or the network`);
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

  /**
   * End the link and wait (2 s at most) until it is gone. A link the node already ended is done at once:
   * its 'close' came before, and waiting for another would leave nothing to wake this (a process whose
   * only pending work is this promise would end with its run unfinished).
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#open) return;
    if (this.#ended) {
      // nothing to wait for; end() still, so no socket of this connection could keep the process alive
      this.#client.end();
      return;
    }
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(done, 2000);
      this.#client.once('close', done);
      this.#client.end();
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
