/** The commands for running dockhand on a schedule: `schedule` (systemd units) and `history` (past runs). */
import { homedir } from 'node:os';
import { Command } from 'commander';
import { defaultLogDir } from '../schedule/state-dir.ts';
import type { HistoryOptions } from './commands/history.ts';
import type { ScheduleOptions } from './commands/schedule.ts';
import type { ExitCode } from './exit-codes.ts';
import { DEFAULT_FORKS, positiveInteger } from './options.ts';

export function withScheduleCommands(root: Command, setExit: (code: ExitCode) => void): void {
  root
    .command('schedule')
    .description('print (or --install) a systemd service and timer that run dockhand every so often on this controller')
    .argument('[playbook]', 'playbook file; not with --from-kubekey or --from-kubespray')
    .option('-i, --inventory <path>', 'inventory, as apply takes it (repeat to merge several); not needed with --from-kubekey or --from-kubespray', (path: string, paths: string[] | undefined) => [...(paths ?? []), path])
    .option('--from-kubekey <file>', 'run on a KubeKey cluster file\'s play and nodes, as apply --from-kubekey')
    .option('--from-kubespray <dir>', 'run on a Kubespray inventory directory\'s play and nodes, as apply --from-kubespray')
    .requiredOption('--every <interval>', 'how often: 30s, 15m, 2h, 1d (an even share of the minute, hour or day)')
    .option('--check', 'report drift, change nothing (the default)')
    .option('--apply', 'converge the nodes (drift correction)', false)
    .option('--metrics <file>', 'Prometheus textfile (*.prom) each run writes, e.g. /var/lib/prometheus/node-exporter/dockhand.prom')
    .option('--junit <file>', 'JUnit XML file each run writes')
    .option('--log-dir <dir>', 'where each run\'s JSON report is kept', '/var/lib/dockhand/runs')
    .option('--known-hosts <file>', 'OpenSSH known_hosts file of the scheduled runs', '/var/lib/dockhand/known_hosts')
    .option('-l, --limit <pattern>', 'only nodes matching this pattern')
    .option('-f, --forks <n>', 'nodes worked on at once', positiveInteger('--forks', 10_000), DEFAULT_FORKS)
    .option('--name <name>', 'unit name (default dockhand-PLAYBOOK)')
    .option('--executable <path>', 'the dockhand the service runs (default: this one)')
    .option('--env-file <file>', 'credentials file (mode 0600) the service reads (default /etc/dockhand/NAME.env)')
    .option('--unit-dir <dir>', 'where --install writes the units', '/etc/systemd/system')
    .option('--install', 'write the units and the credentials file, check them with systemd-analyze verify, enable and start the timer', false)
    .action(async (playbook: string | undefined, options: ScheduleOptions) => {
      const { scheduleCommand } = await import('./commands/schedule.ts');
      setExit(await scheduleCommand(playbook, options));
    });

  root
    .command('history')
    .description('list past runs kept with --log-dir, or show one')
    .argument('[run]', 'a run id (or a unique prefix of one, or "last")')
    .option('--log-dir <dir>', `where the runs are kept (default ${defaultLogDir().replace(homedir(), '~')})`)
    .option('--json', 'print JSON', false)
    .action(async (run: string | undefined, options: HistoryOptions) => {
      const { historyCommand } = await import('./commands/history.ts');
      setExit(await historyCommand(run, options));
    });
}

