import type { NodeTarget } from '../inventory/types.ts';
import type { HostKeyPolicy } from './host-key-policy.ts';
import { LocalConnection } from './local.ts';
import { SshConnection } from './ssh.ts';
import type { SshEndpoints } from './ssh-endpoints.ts';
import type { Connection } from './types.ts';

export type { Connection, RunOptions, RunResult } from './types.ts';
export { HostKeyPolicy, type HostKeyChecking } from './host-key-policy.ts';
export { shCommand, shQuote } from './quote.ts';
export { SshEndpoints } from './ssh-endpoints.ts';

/** Settings shared by every connection of one run. */
export interface ConnectionSettings {
  readonly hostKeys: HostKeyPolicy;
  readonly connectTimeoutMs: number;
  readonly keepaliveIntervalMs: number;
  /** Passphrase for encrypted private keys, from the environment. */
  readonly keyPassphrase: string | undefined;
  readonly agentSocket: string | undefined;
  /** What the run has seen of each sshd, shared by its connections (to recognise throttling). */
  readonly endpoints: SshEndpoints;
  /** Verbose lines about a node's connection (-v): retries after sshd dropped a try. */
  readonly log?: ((node: string, text: string) => void) | undefined;
}

/** The connection a node's inventory entry asks for (ssh unless ansible_connection=local). */
export function connectionFor(target: NodeTarget, settings: ConnectionSettings): Connection {
  const privilege = {
    become: target.become,
    becomeUser: target.becomeUser,
    becomePassword: target.becomePassword,
  };
  if (target.connection === 'local') return new LocalConnection(privilege);
  const user = target.user ?? process.env['USER'] ?? 'root';
  return new SshConnection({
    nodeName: target.name,
    host: target.address,
    port: target.port,
    credentials: {
      user,
      privateKeyFile: target.privateKeyFile,
      privateKey: target.privateKey,
      password: target.password,
      passphrase: settings.keyPassphrase,
      agentSocket: settings.agentSocket,
    },
    privilege: { loginUser: user, ...privilege },
    hostKeys: settings.hostKeys,
    connectTimeoutMs: settings.connectTimeoutMs,
    keepaliveIntervalMs: settings.keepaliveIntervalMs,
    endpoints: settings.endpoints,
    log: settings.log && ((text: string) => settings.log?.(target.name, text)),
  });
}
