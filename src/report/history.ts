/** The run history as a table: one row per run, newest last. */
import type { ConvergeDocument } from './converge.ts';
import { seconds } from './converge.ts';
import { CONVERGE_STATUSES, STATUS } from './status.ts';
import { plain, type Paint } from './style.ts';
import { renderTable } from './table.ts';

export function renderHistory(runs: readonly ConvergeDocument[], options: { readonly paint?: Paint; readonly width?: number | undefined } = {}): string {
  const paint = options.paint ?? plain;
  if (runs.length === 0) return 'no runs recorded\n';
  const rows = runs.map((doc) => [
    doc.run.id,
    doc.run.started_at.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
    doc.mode,
    String(doc.run.exit_code),
    CONVERGE_STATUSES.filter((s) => doc.summary[s] !== undefined).map((s) => `${paint(STATUS[s].colour, s)}=${doc.summary[s]}`).join(' '),
    seconds(doc.run.duration_ms),
    doc.run.playbook,
  ]);
  return renderTable(['RUN', 'STARTED (UTC)', 'MODE', 'EXIT', 'NODES', 'TIME', 'PLAYBOOK'], rows, { maxWidth: options.width, fixed: [0, 1, 2, 3, 4, 5] });
}

/** One run: when, what, how it ended, then its report as `apply`/`check` printed it. */
export function renderRunHeader(doc: ConvergeDocument): string {
  return [
    `run ${doc.run.id} (${doc.mode}), started ${doc.run.started_at}, ${seconds(doc.run.duration_ms)}, exit ${doc.run.exit_code}`,
    `playbook ${doc.run.playbook}, inventory ${doc.run.inventory}${doc.run.limit === null ? '' : `, --limit ${doc.run.limit}`}`,
    '',
  ].join('\n');
}
