import { Command, CommanderError } from 'commander';
import { DockhandError } from '../errors.ts';
import { applyCommand, type ApplyOptions } from './commands/apply.ts';
import { factsCommand } from './commands/facts.ts';
import { ExitCode } from './exit-codes.ts';
import { withNodeOptions, type NodeOptions } from './options.ts';

const VERSION = '0.1.0';

function program(setExit: (code: ExitCode) => void): Command {
  const root = new Command('dockhand')
    .description('Make every node of a cluster trust and reach your private image registries.')
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError('(run dockhand --help for usage)');

  withNodeOptions(
    root.command('facts').description('show each node\'s OS family and how its Docker is wired'),
  ).action(async (options: NodeOptions) => setExit(await factsCommand(options)));

  for (const [name, check] of [['apply', false], ['check', true]] as const) {
    withNodeOptions(
      root
        .command(name)
        .argument('<playbook>', 'playbook file (YAML: one play or a list of plays)')
        .description(check ? 'report each node\'s drift from the playbook; change nothing (= apply --check)' : 'converge every node to the playbook'),
    )
      .option('--check', 'change nothing: report drift (exit 3 when any node drifts)', check)
      .option('--diff', 'show a unified diff of every file change', false)
      .action(async (playbook: string, options: ApplyOptions) => setExit(await applyCommand(playbook, { ...options, check: check || options.check })));
  }

  return root;
}

/** Run the CLI; resolves to the process exit code. */
export async function main(argv: readonly string[]): Promise<ExitCode> {
  let code: ExitCode = ExitCode.ok;
  try {
    await program((c) => (code = c)).parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    if (error instanceof DockhandError) {
      process.stderr.write(`dockhand: ${error.message}\n`);
      return ExitCode.usage;
    }
    throw error;
  }
}
