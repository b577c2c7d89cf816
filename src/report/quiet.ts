/**
 * The `--quiet` report, for a timer's journal: no progress; the nodes that failed, drifted or could not be
 * reached, in full; one line per node a run changed (a repair must show in the journal); a line of totals
 * when anything was loud; nothing at all on a clean run.
 */
import type { ConvergeDocument, ConvergeHost } from './document.ts';
import { STATUS } from './status.ts';
import type { Paint } from './style.ts';
import { statusTotals } from './totals.ts';

/** One line: what a run changed on a node, and the handlers it ran. */
export function changedLine(host: ConvergeHost, paint: Paint): string {
  const what = host.changes.map((change) => `${change.action} ${change.resource} ${change.path}`).join(', ');
  const handlers = host.handlers.length > 0 ? `handlers: ${host.handlers.join(', ')}` : '';
  return `${paint('bold', host.name)} ${paint(STATUS[host.status].colour, host.status)}: ${[what, handlers].filter((part) => part !== '').join('; ') || 'converged'}`;
}

export function renderQuietText(document: ConvergeDocument, paint: Paint, details: (host: ConvergeHost) => string[]): string {
  const loud = document.hosts.filter((host) => STATUS[host.status].loud);
  const changed = document.hosts.filter((host) => host.status === 'changed').map((host) => changedLine(host, paint));
  if (loud.length === 0) return changed.length === 0 ? '' : `${changed.join('\n')}\n`;
  return `${[...loud.flatMap(details), ...changed].join('\n')}\n\n${document.mode}: ${statusTotals(document, paint)}\n`;
}
