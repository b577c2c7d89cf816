/** The options of the reports a run leaves behind (--junit, --metrics, --log-dir), as the command line declares them; reporting.ts writes them. */
import { Option, type Command } from 'commander';
import { InputError } from '../errors.ts';
import { positiveInteger } from './options.ts';

export interface ReportOptions {
  /** JUnit XML file. */
  readonly junit?: string | undefined;
  /** Prometheus textfile (*.prom). */
  readonly metrics?: string | undefined;
  /** Keep each run's JSON report in this directory. */
  readonly logDir?: string | undefined;
  readonly logKeep: number;
  /** Only failures and drift in the text report; no progress. */
  readonly quiet: boolean;
}

export const DEFAULT_LOG_KEEP = 200;

export function withReportOptions(command: Command): Command {
  return command
    .option('-q, --quiet', 'print only failures and drift (nothing when every node is fine); no progress', false)
    .option('--junit <file>', 'write a JUnit XML report (a testsuite per play, a testcase per node and registry)')
    .addOption(
      new Option('--metrics <file>', 'write Prometheus metrics for node_exporter\'s textfile collector').argParser((file: string) => {
        if (!file.endsWith('.prom')) throw new InputError('E_USAGE', '--metrics', undefined, `"${file}": node_exporter's textfile collector reads only *.prom files`);
        return file;
      }),
    )
    .option('--log-dir <dir>', 'keep this run\'s JSON report in DIR (dockhand history reads it)')
    .option('--log-keep <n>', 'how many runs --log-dir keeps', positiveInteger('--log-keep', 1_000_000), DEFAULT_LOG_KEEP);
}
