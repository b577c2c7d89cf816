import { Command, CommanderError, Option } from 'commander';
import { DockhandError, InputError } from '../errors.ts';
import type { SerialStep } from '../playbook/types.ts';
import { checkMaxFailPercentage, parseSerial } from '../playbook/validate-values.ts';
import type { ApplyOptions } from './commands/apply.ts';
import { ExitCode } from './exit-codes.ts';
import { errorDocument, wantsJson } from './json-error.ts';
import { withNodeOptions, type NodeOptions } from './options.ts';
import { withReportOptions } from './report-options.ts';
import { withRegistryCommands } from './registry-commands.ts';
import { withScheduleCommands } from './schedule-commands.ts';

const VERSION = '0.1.0';

function serialOption(raw: string): SerialStep[] {
  const steps = raw.split(',').map((part) => (/^\d+$/.test(part.trim()) ? Number(part.trim()) : part.trim()));
  const parsed = parseSerial(steps);
  if ('steps' in parsed) return parsed.steps;
  throw new InputError('E_USAGE', '--serial', undefined, `"${raw}" ${parsed.reason}`);
}

function percentOption(raw: string): number {
  const value = Number(raw);
  const reason = raw.trim() === '' ? 'is empty' : checkMaxFailPercentage(value);
  if (reason !== undefined) throw new InputError('E_USAGE', '--max-fail-percentage', undefined, `"${raw}" ${reason}`);
  return value;
}

function program(setExit: (code: ExitCode) => void): Command {
  const root = new Command('dockhand')
    .description('Make every node of a cluster trust and reach your private image registries.')
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError('(run dockhand --help for usage)');

  withNodeOptions(
    root.command('facts').description('show each node\'s OS family and how its container runtimes (Docker, containerd) are wired'),
  ).action(async (options: NodeOptions) => {
    // each command's modules load only when it runs: start-up stays short
    const { factsCommand } = await import('./commands/facts.ts');
    setExit(await factsCommand(options));
  });

  for (const [name, check] of [['apply', false], ['check', true]] as const) {
    const command = withNodeOptions(
      root
        .command(name)
        .argument('[playbook]', 'playbook file (YAML: one play or a list of plays); not with --from-kubekey or --from-kubespray')
        .description(check ? 'report each node\'s drift from the playbook; change nothing (= apply --check)' : 'converge every node to the playbook'),
    );
    if (!check) command.option('--check', 'change nothing: report drift (exit 3 when any node drifts)', false);
    withReportOptions(command)
      .option('--diff', 'show a unified diff of every file change', false)
      .option('--serial <sizes>', 'rolling batches: a number, a percentage, or a list like 1,25% (overrides the play)', serialOption)
      .option('--max-fail-percentage <n>', 'stop starting batches once more than this percentage of a batch failed (default 0)', percentOption)
      .addOption(
        new Option('--restart <policy>', 'when a Docker restart may happen: where no container runs or live-restore keeps them (if-idle), always, never (overrides the plays)')
          .choices(['if-idle', 'always', 'never']),
      )
      .option('--allow-restart', 'the same as --restart always: a Docker restart may stop running containers')
      .option('--retry-failed', 'try again a change that failed on a node before (a node remembers it and is otherwise blocked)', false)
      .option('--from-kubekey <file>', 'derive the play from a KubeKey cluster file (spec.registry, containerManager); -i defaults to the same file')
      .option('--from-kubespray <dir>', 'derive the play from a Kubespray inventory directory (its group_vars); -i defaults to its hosts file')
      .option('--print-play', 'print the play derived by --from-kubekey or --from-kubespray as YAML, and stop (no node is touched)', false)
      .action(async (playbook: string | undefined, options: ApplyOptions & { printPlay: boolean }) => {
        if (options.printPlay) {
          const { printPlayCommand } = await import('./commands/print-play.ts');
          setExit(await printPlayCommand(playbook, options));
          return;
        }
        const { applyCommand } = await import('./commands/apply.ts');
        setExit(await applyCommand(playbook, { ...options, check: check || options.check }));
      });
  }

  withScheduleCommands(root, setExit);
  withRegistryCommands(root, setExit);
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
      if (error.exitCode === 0) return ExitCode.ok;
      if (wantsJson(argv)) process.stdout.write(errorDocument('E_USAGE', error.message.replace(/^error: /, '')));
      return ExitCode.usage;
    }
    if (error instanceof DockhandError) {
      process.stderr.write(`dockhand: ${error.message}\n`);
      if (wantsJson(argv)) {
        const where = error instanceof InputError ? { file: error.file, line: error.line } : {};
        process.stdout.write(errorDocument(error.code, error.message, where));
      }
      return ExitCode.usage;
    }
    throw error;
  }
}

/**
 * A reader that went away (`dockhand check | head`) fails every later write with EPIPE. The run goes on
 * to its end, with its own exit code: a converge must not stop half-way because nobody reads its report
 * (its nodes' transactions would go on without it anyway). What is not written is lost, as a pipe's
 * reader chose. Any other write error stays an error.
 */
function ignoreReaderGone(error: NodeJS.ErrnoException): void {
  if (error.code !== 'EPIPE') throw error;
}

/**
 * Run dockhand as a process: its exit code from main(), an unexpected error as an internal error (70).
 * A run that never settles is one too: Node.js ends a process whose event loop has nothing left to do
 * even while a promise is pending, with code 0 and nothing printed (or 13 from a module awaiting it at its
 * top level), which would read as success.
 */
export function runProcess(argv: readonly string[], run: (argv: readonly string[]) => Promise<number> = main): void {
  let settled = false;
  for (const stream of [process.stdout, process.stderr]) stream.on('error', ignoreReaderGone);
  const internal = (what: string): void => {
    process.stderr.write(`dockhand: internal error: ${what}\n`);
    process.exitCode = ExitCode.internal;
  };
  // (an exit dockhand makes itself, such as a second Ctrl-C's 130, is left as it is)
  process.once('exit', (code) => {
    if (!settled && code === 0) internal('the run ended before its work did (nothing was left to wake it): its report is missing; run again with -vv and report this');
  });
  run(argv).then(
    (code) => {
      settled = true;
      process.exitCode = code;
    },
    (error: unknown) => {
      settled = true;
      internal(error instanceof Error ? (error.stack ?? error.message) : String(error));
    },
  );
}
