import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UnreachableError } from '../errors.ts';
import {
  checkHostKey,
  fingerprintSha256,
  formatKnownHostsLine,
  knownHostsName,
  KnownHostsIndex,
  parseKnownHosts,
} from './known-hosts.ts';

export type HostKeyChecking = 'strict' | 'accept-new' | 'off';

/** OpenSSH's name for a key type in its messages (sshkey_type): ED25519, ECDSA, RSA. */
function keyTypeName(keyType: string): string {
  if (keyType === 'ssh-ed25519') return 'ED25519';
  if (keyType.startsWith('ecdsa-')) return 'ECDSA';
  if (keyType === 'ssh-rsa') return 'RSA';
  return keyType;
}

/** The host-key side of every ssh connection in one run: one known_hosts file, read once. */
export class HostKeyPolicy {
  readonly mode: HostKeyChecking;
  readonly file: string;
  #loading: Promise<KnownHostsIndex> | undefined;
  /** The file's last byte is not a newline: the next recorded line must start with one. */
  #needsNewline = false;
  #appending: Promise<void> = Promise.resolve();
  /** Told of every key recorded, in OpenSSH's words (a line for stderr). */
  readonly #notice: (text: string) => void;

  constructor(mode: HostKeyChecking, file: string, notice: (text: string) => void = () => undefined) {
    this.mode = mode;
    this.file = file;
    this.#notice = notice;
  }

  /** The file's entries, read once (connections opening at the same time share the one read). */
  #load(): Promise<KnownHostsIndex> {
    this.#loading ??= this.#read();
    return this.#loading;
  }

  async #read(): Promise<KnownHostsIndex> {
    let text = '';
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    this.#needsNewline = text.length > 0 && !text.endsWith('\n');
    return new KnownHostsIndex(parseKnownHosts(text));
  }

  /** Key types already known for this host, to ask the server for those first (as OpenSSH does). */
  async knownKeyTypes(host: string, port: number): Promise<string[]> {
    if (this.mode === 'off') return [];
    const entries = await this.#load();
    const types = new Set<string>();
    for (const keyType of ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'ssh-rsa']) {
      const probe = checkHostKey(entries, host, port, keyType, '');
      if (probe.status === 'mismatch' || probe.status === 'match') types.add(keyType);
    }
    return [...types];
  }

  /** Accept the key, record it (accept-new), or throw an UnreachableError naming the problem. */
  async verify(nodeName: string, host: string, port: number, keyType: string, keyBase64: string): Promise<void> {
    if (this.mode === 'off') return;
    const entries = await this.#load();
    const verdict = checkHostKey(entries, host, port, keyType, keyBase64);
    const fingerprint = fingerprintSha256(keyBase64);
    switch (verdict.status) {
      case 'match':
        return;
      case 'revoked':
        throw new UnreachableError('E_HOST_KEY', `host key ${keyType} ${fingerprint} of ${nodeName} is marked @revoked in ${this.file}`);
      case 'mismatch':
        throw new UnreachableError(
          'E_HOST_KEY',
          `host key for ${nodeName} (${host}:${port}) changed: got ${keyType} ${fingerprint}, ${this.file}:${verdict.line} ` +
            `holds another; refusing to connect (possible man-in-the-middle; if the node was rebuilt, remove the old key with ` +
            `ssh-keygen -R ${port === 22 ? host : `'[${host}]:${port}'`} -f ${this.file})`,
        );
      case 'unknown':
        if (this.mode === 'strict') {
          throw new UnreachableError(
            'E_HOST_KEY',
            `host key for ${nodeName} (${host}:${port}) is not in ${this.file} and host key checking is strict (${keyType} ${fingerprint})`,
          );
        }
        await this.#record(entries, host, port, keyType, keyBase64);
        return;
    }
  }

  /** Appends one line for the key; `entries` gets it at once, so another connection to the host finds it known. */
  async #record(entries: KnownHostsIndex, host: string, port: number, keyType: string, keyBase64: string): Promise<void> {
    const line = formatKnownHostsLine(host, port, keyType, keyBase64, { hash: false });
    for (const entry of parseKnownHosts(line)) entries.add(entry);
    this.#notice(`Warning: Permanently added '${knownHostsName(host, port)}' (${keyTypeName(keyType)}) to the list of known hosts.`);
    const write = this.#appending.then(async () => {
      await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
      const prefix = this.#needsNewline ? '\n' : '';
      this.#needsNewline = false;
      await appendFile(this.file, `${prefix}${line}\n`, { mode: 0o600 });
    });
    this.#appending = write.catch(() => undefined);
    await write;
  }
}
