import type { ConvergeDocument } from './document.ts';
import { CONVERGE_STATUSES, STATUS } from './status.ts';
import type { Paint } from './style.ts';

/** `ok=3  changed=1`: how many nodes had each status, in the statuses' order, each in its colour. */
export function statusTotals(document: Pick<ConvergeDocument, 'summary'>, paint: Paint): string {
  return CONVERGE_STATUSES.filter((s) => document.summary[s] !== undefined).map((s) => `${paint(STATUS[s].colour, s)}=${document.summary[s]}`).join('  ');
}
