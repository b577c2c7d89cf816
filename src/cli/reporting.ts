/** The reports a run leaves behind: --junit, --metrics, --log-dir (history), and how they are written. */
import { resolve } from 'node:path';
import { saveRun } from '../history/store.ts';
import { readIfPresent, writeFileAtomic } from '../report/atomic-file.ts';
import type { ConvergeDocument, PlayReport } from '../report/converge.ts';
import { renderJUnit } from '../report/junit.ts';
import { carriedOver, renderMetrics, renderOverlap, scheduleLabel } from '../report/metrics.ts';
import { maskDeep } from '../report/mask.ts';
import type { Output } from '../report/output.ts';
import type { ReportOptions } from './report-options.ts';

/** What the reports of a run need beyond its report. */
export interface RunContext {
  /** When the run ended (Unix seconds); now by default. */
  readonly now?: number;
  /** The plays with every node they select in the whole inventory, whatever --limit said (default: the report's). */
  readonly plays?: readonly PlayReport[];
}

/** The report as it may be shown or kept: every known secret and every credential read from a node masked. */
export function shownReport(report: ConvergeDocument, output: Output): ConvergeDocument {
  return maskDeep(output.redactor.redactDeep(report));
}

/**
 * Write every report the options ask for; a report that cannot be written is said on stderr, the others
 * still are. Each is rendered from the report with every known secret and credential masked first, before
 * a format escapes them.
 */
export async function writeRunReports(report: ConvergeDocument, options: ReportOptions, output: Output, context: RunContext = {}): Promise<boolean> {
  const document = shownReport(report, output);
  const now = context.now ?? Date.now() / 1000;
  // the schedule's nodes: those a --limit left out keep what their last run wrote of them
  const plays = context.plays ?? document.plays;
  const jobs: [string, () => Promise<unknown>][] = [];
  if (options.junit) {
    const file = resolve(options.junit);
    jobs.push([file, async () => writeFileAtomic(file, renderJUnit(document, { previous: await readIfPresent(file), plays }))]);
  }
  if (options.metrics) {
    const file = resolve(options.metrics);
    const nodes = new Set(plays.flatMap((play) => play.hosts));
    jobs.push([file, async () => writeFileAtomic(file, renderMetrics(document, scheduleLabel(file), carriedOver(await readIfPresent(file)), now, nodes))]);
  }
  if (options.logDir) jobs.push([options.logDir, () => saveRun(resolve(options.logDir!), document, options.logKeep)]);
  let ok = true;
  for (const [where, job] of jobs) {
    await job().catch((error: unknown) => {
      ok = false;
      output.notice(`error: cannot write ${where}: ${error instanceof Error ? error.message : String(error)}`);
    });
  }
  return ok;
}

/** A run that found the previous one still going: count it in the metrics file, change nothing else. */
export async function recordOverlap(options: ReportOptions, output: Output): Promise<void> {
  if (!options.metrics) return;
  const file = resolve(options.metrics);
  await writeFileAtomic(file, renderOverlap(await readIfPresent(file), scheduleLabel(file))).catch((error: unknown) =>
    output.notice(`error: cannot write ${file}: ${error instanceof Error ? error.message : String(error)}`),
  );
}
