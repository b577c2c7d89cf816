import { homedir } from 'node:os';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { connectionFor, HostKeyPolicy, SshEndpoints, type Connection, type ConnectionSettings, type HostKeyChecking } from '../connection/index.ts';
import { loggedConnection } from '../connection/logged.ts';
import type { NodeTarget } from '../inventory/types.ts';
import { Output, Redactor } from '../report/output.ts';
import { InputError } from '../errors.ts';

/** Options every command that reaches nodes takes. */
export interface NodeOptions {
  /** `-i`, as often as given (merged as Ansible merges them); undefined when not given. */
  readonly inventory: readonly string[] | undefined;
  readonly limit: string | undefined;
  readonly forks: number;
  readonly json: boolean;
  readonly knownHosts: string;
  readonly hostKeyChecking: HostKeyChecking;
  readonly connectTimeout: number;
  /** 0 to 3: -v timings, -vv commands, -vvv raw output (stderr, secrets redacted). */
  readonly verbose: number;
}

export const DEFAULT_FORKS = 50;

export function positiveInteger(name: string, max: number) {
  return (raw: string): number => {
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < 1 || value > max) {
      throw new InputError('E_USAGE', name, undefined, `expected a whole number from 1 to ${max}, got "${raw}"`);
    }
    return value;
  };
}

/** Add the options shared by commands that reach nodes. */
export function withNodeOptions(command: Command): Command {
  return command
    .option('-i, --inventory <path>', 'inventory: Ansible INI (KubeSphere\'s hosts.ini) or YAML, a directory of them, or a KubeKey cluster file; repeat to merge several', (path: string, paths: string[] | undefined) => [...(paths ?? []), path])
    .option('-l, --limit <pattern>', 'only nodes matching this pattern (name, group, a:b, a:&b, a:!b, globs)')
    .option('-f, --forks <n>', 'nodes worked on at once', positiveInteger('--forks', 10_000), DEFAULT_FORKS)
    .option('--json', 'print one JSON document on stdout instead of a table', false)
    .option('--known-hosts <file>', 'OpenSSH known_hosts file', join(homedir(), '.ssh', 'known_hosts'))
    .addOption(
      new Option('--host-key-checking <mode>', 'unknown keys: record them (accept-new), refuse them (strict), or skip checks (off)')
        .choices(['strict', 'accept-new', 'off'])
        .default('accept-new'),
    )
    .option('--connect-timeout <seconds>', 'give up on a node that does not answer SSH within this', positiveInteger('--connect-timeout', 3600), 10)
    .option('-v, --verbose', 'more on stderr: -v runs and timings, -vv the commands, -vvv their raw output (secrets redacted)', (_: string, level: number) => level + 1, 0);
}

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
