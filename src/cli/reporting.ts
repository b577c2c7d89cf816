/** The reports a run leaves behind: --junit, --metrics, --log-dir (history), and how they are written. */
import { resolve } from 'node:path';
import { saveRun } from '../history/store.ts';
import { readIfPresent, writeFileAtomic } from '../report/atomic-file.ts';
import type { ConvergeDocument, ConvergeHost, PlayReport } from '../report/converge.ts';
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

/** Reports and node reports already masked (by shownHost or shownReport): not walked again. */
const shown = new WeakSet<object>();

/** A node's report as it may be shown or kept: every known secret and every credential read from the node masked. */
export function shownHost(host: ConvergeHost, output: Output): ConvergeHost {
  if (shown.has(host)) return host;
  const masked = maskDeep(output.redactor.redactDeep(host));
  shown.add(masked);
  return masked;
}

/**
 * The report as it may be shown or kept: every known secret and every credential read from a node masked.
 * Node reports masked as their nodes ended (shownHost) are kept as they are, not copied again.
 */
export function shownReport(report: ConvergeDocument, output: Output): ConvergeDocument {
  if (shown.has(report)) return report;
  // key by key, in the report's order
  const masked = Object.fromEntries(Object.entries(report).map(([key, value]: [string, unknown]) => [
    key,
    key === 'hosts' ? report.hosts.map((host) => shownHost(host, output)) : maskDeep(output.redactor.redactDeep(value)),
  ])) as unknown as ConvergeDocument;
  shown.add(masked);
  return masked;
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
