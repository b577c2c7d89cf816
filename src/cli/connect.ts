/** What the node options set up for a run: its output (with every secret known) and each node's connection. */
import { connectionFor, HostKeyPolicy, SshEndpoints, type Connection, type ConnectionSettings } from '../connection/index.ts';
import { loggedConnection } from '../connection/logged.ts';
import type { NodeTarget } from '../inventory/types.ts';
import { Output, Redactor } from '../report/output.ts';
import type { NodeOptions } from './options.ts';

/**
 * Connection settings from the options and the environment (secrets only from the environment); what
 * the connections have to say (a host key recorded, a retry) goes to `output`, through its redactor.
 */
export function connectionSettings(options: NodeOptions, output: Output): ConnectionSettings {
  return {
    hostKeys: new HostKeyPolicy(options.hostKeyChecking, options.knownHosts, (text) => output.notice(text)),
    connectTimeoutMs: options.connectTimeout * 1000,
    keepaliveIntervalMs: 15_000,
    keyPassphrase: process.env['DOCKHAND_SSH_KEY_PASSPHRASE'],
    agentSocket: process.env['SSH_AUTH_SOCK'] || undefined,
    endpoints: new SshEndpoints(),
    log: (node, text) => output.log(1, node, text),
  };
}

/** Where a command's output goes, with every secret of this run known to the redactor. */
export function outputFor(options: NodeOptions, targets: readonly NodeTarget[]): Output {
  const redactor = new Redactor();
  redactor.add(process.env['DOCKHAND_SSH_KEY_PASSPHRASE']);
  for (const target of targets) redactor.add(target.password, target.becomePassword, target.privateKey);
  return new Output(options.verbose, redactor);
}

/** Each node's connection, telling what it does at -v and up. */
export function connectorFor(output: Output): (target: NodeTarget, settings: ConnectionSettings) => Connection {
  return (target, settings) => loggedConnection(connectionFor(target, settings), target.name, output);
}
