import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import ssh2, { type AuthHandlerMiddleware, type ConnectConfig } from 'ssh2';
import { UnreachableError } from '../errors.ts';

/** What a node's login may use, in the order OpenSSH tries them: keys, agent, password. */
export interface Credentials {
  readonly user: string;
  readonly privateKeyFile: string | undefined;
  /** The private key itself (a KubeKey cluster file's inline privateKey), never written to disk; wins over privateKeyFile. */
  readonly privateKey?: string | undefined;
  readonly password: string | undefined;
  /** Passphrase for an encrypted private key (from DOCKHAND_SSH_KEY_PASSPHRASE, never from argv). */
  readonly passphrase: string | undefined;
  readonly agentSocket: string | undefined;
}

const DEFAULT_IDENTITIES = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

/**
 * A key file read and checked once, whatever the number of nodes that log in with it: known by its path,
 * inode, size and modification time, so a key replaced on disk is read again.
 */
const keysRead = new Map<string, Promise<{ key: Buffer } | { error: Error }>>();

async function readKeyOnce(file: string, passphrase: string | undefined, inline: string | undefined): Promise<{ key: Buffer } | { error: Error }> {
  const version = inline === undefined ? await stat(file).then((st) => `${st.ino}:${st.size}:${st.mtimeMs}`, () => 'unreadable') : null;
  const id = JSON.stringify([file, version, passphrase ?? null, inline ?? null]);
  let read = keysRead.get(id);
  if (read === undefined) {
    read = (async () => {
      let key: Buffer;
      try {
        key = inline === undefined ? await readFile(file) : Buffer.from(inline);
      } catch (error) {
        return { error: new Error(`cannot read private key ${file}: ${(error as Error).message}`) };
      }
      const parsed = ssh2.utils.parseKey(key, passphrase);
      if (!(parsed instanceof Error)) return { key };
      const encrypted = /encrypted|passphrase/i.test(parsed.message);
      return {
        error: new Error(
          encrypted
            ? `private key ${file} is encrypted: ${passphrase === undefined ? 'set DOCKHAND_SSH_KEY_PASSPHRASE' : 'the passphrase is wrong'}`
            : `private key ${file} cannot be used: ${parsed.message}`,
        ),
      };
    })();
    keysRead.set(id, read);
  }
  return read;
}

async function readKey(file: string, passphrase: string | undefined, nodeName: string, inline?: string): Promise<Buffer> {
  const read = await readKeyOnce(file, passphrase, inline);
  if ('error' in read) throw new UnreachableError('E_AUTH', `${nodeName}: ${read.error.message}`);
  return read.key;
}

async function defaultIdentity(): Promise<string | undefined> {
  for (const name of DEFAULT_IDENTITIES) {
    const file = join(homedir(), '.ssh', name);
    try {
      await readFile(file);
      return file;
    } catch {
      /* try the next one */
    }
  }
  return undefined;
}

/** One way of logging in, as a message names it: a key by its file (never its content). */
export type LoginMethod =
  | { readonly type: 'publickey'; readonly file: string }
  | { readonly type: 'agent' }
  | { readonly type: 'password' }
  | { readonly type: 'keyboard-interactive' };

/** The ssh2 settings for logging in with these credentials, and the methods they try, in order. */
export async function authConfig(credentials: Credentials, nodeName: string): Promise<{ config: Partial<ConnectConfig>; methods: LoginMethod[] }> {
  const config: Partial<ConnectConfig> = { username: credentials.user };
  const methods: LoginMethod[] = [];
  const keyFile =
    (credentials.privateKey === undefined ? undefined : 'the inline privateKey') ??
    credentials.privateKeyFile ??
    (credentials.password === undefined && credentials.agentSocket === undefined ? await defaultIdentity() : undefined);
  if (keyFile !== undefined) {
    config.privateKey = await readKey(keyFile, credentials.passphrase, nodeName, credentials.privateKey);
    if (credentials.passphrase !== undefined) config.passphrase = credentials.passphrase;
    methods.push({ type: 'publickey', file: keyFile });
  }
  if (credentials.agentSocket !== undefined) {
    config.agent = credentials.agentSocket;
    methods.push({ type: 'agent' });
  }
  if (credentials.password !== undefined) {
    config.password = credentials.password;
    methods.push({ type: 'password' }, { type: 'keyboard-interactive' });
    config.tryKeyboard = true;
  }
  if (methods.length === 0) {
    throw new UnreachableError(
      'E_AUTH',
      `${nodeName}: no way to log in: set ansible_ssh_private_key_file or ansible_password, or run an ssh-agent`,
    );
  }
  return { config, methods };
}

/**
 * ssh2's authHandler for `methods`, tried in order, remembering which were tried and what the node
 * said it accepts, so a refusal can name the key file tried (never its content).
 */
export class LoginAttempts {
  readonly #methods: readonly LoginMethod[];
  readonly #tried: LoginMethod[] = [];
  #accepts: readonly string[] | undefined;

  constructor(methods: readonly LoginMethod[]) {
    this.#methods = methods;
  }

  readonly handler: AuthHandlerMiddleware = (authsLeft, _partialSuccess, next) => {
    if (authsLeft) this.#accepts = authsLeft;
    const method = this.#methods[this.#tried.length];
    if (method === undefined) return next(false as never);
    this.#tried.push(method);
    next(method.type);
  };

  /** Why the node let nobody in: what was tried, and what it accepts. */
  refusal(): string {
    const names = [...new Set(this.#tried.map(describeMethod))];
    const tried = names.length === 0 ? 'every configured method' : names.join(', ');
    const accepts = this.#accepts === undefined ? '' : `; it accepts: ${this.#accepts.join(', ') || 'nothing'}`;
    return `the node refused ${tried}${accepts}`;
  }
}

function describeMethod(method: LoginMethod): string {
  switch (method.type) {
    case 'publickey':
      return `the key ${method.file}`;
    case 'agent':
      return "the ssh-agent's keys (SSH_AUTH_SOCK)";
    case 'password':
    case 'keyboard-interactive':
      return 'the password (ansible_password)';
  }
}
