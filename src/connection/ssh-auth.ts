import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import ssh2, { type AuthenticationType, type ConnectConfig } from 'ssh2';
import { UnreachableError } from '../errors.ts';

/** What a node's login may use, in the order OpenSSH tries them: keys, agent, password. */
export interface Credentials {
  readonly user: string;
  readonly privateKeyFile: string | undefined;
  readonly password: string | undefined;
  /** Passphrase for an encrypted private key (from DOCKHAND_SSH_KEY_PASSPHRASE, never from argv). */
  readonly passphrase: string | undefined;
  readonly agentSocket: string | undefined;
}

const DEFAULT_IDENTITIES = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

async function readKey(file: string, passphrase: string | undefined, nodeName: string): Promise<Buffer> {
  let key: Buffer;
  try {
    key = await readFile(file);
  } catch (error) {
    throw new UnreachableError('E_AUTH', `${nodeName}: cannot read private key ${file}: ${(error as Error).message}`);
  }
  const parsed = ssh2.utils.parseKey(key, passphrase);
  if (parsed instanceof Error) {
    const encrypted = /encrypted|passphrase/i.test(parsed.message);
    throw new UnreachableError(
      'E_AUTH',
      encrypted
        ? `${nodeName}: private key ${file} is encrypted: ${passphrase === undefined ? 'set DOCKHAND_SSH_KEY_PASSPHRASE' : 'the passphrase is wrong'}`
        : `${nodeName}: private key ${file} cannot be used: ${parsed.message}`,
    );
  }
  return key;
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

/** The ssh2 settings for logging in with these credentials. */
export async function authConfig(credentials: Credentials, nodeName: string): Promise<Partial<ConnectConfig>> {
  const config: Partial<ConnectConfig> = { username: credentials.user };
  const methods: AuthenticationType[] = [];
  const keyFile =
    credentials.privateKeyFile ??
    (credentials.password === undefined && credentials.agentSocket === undefined ? await defaultIdentity() : undefined);
  if (keyFile !== undefined) {
    config.privateKey = await readKey(keyFile, credentials.passphrase, nodeName);
    if (credentials.passphrase !== undefined) config.passphrase = credentials.passphrase;
    methods.push('publickey');
  }
  if (credentials.agentSocket !== undefined) {
    config.agent = credentials.agentSocket;
    methods.push('agent');
  }
  if (credentials.password !== undefined) {
    config.password = credentials.password;
    methods.push('password', 'keyboard-interactive');
    config.tryKeyboard = true;
  }
  if (methods.length === 0) {
    throw new UnreachableError(
      'E_AUTH',
      `${nodeName}: no way to log in: set ansible_ssh_private_key_file or ansible_password, or run an ssh-agent`,
    );
  }
  config.authHandler = methods;
  return config;
}
