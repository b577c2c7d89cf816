/**
 * The options of the commands that reach nodes, as the command line declares them. Declarations only: what
 * they set up (connections, output) is in connect.ts, loaded with the command that runs.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import type { HostKeyChecking } from '../connection/host-key-policy.ts';
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
