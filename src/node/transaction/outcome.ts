/** Reads what a transaction's worker reported (its outcome file, printed by launch.sh). */
import { parseSections } from '../../formats/sections.ts';
import type { TransactionOutcome } from './types.ts';

export function parseOutcome(runId: string, stdout: string): TransactionOutcome {
  const sections = parseSections(stdout);
  const has = (name: string) => sections.some((s) => s.name === name);
  const text = (name: string) => sections.find((s) => s.name === name)?.content.trim() || null;
  const complete = sections.at(-1)?.name === 'end';
  const notRestored = sections
    .filter((s) => s.name === 'not-restored' && s.arg !== null)
    .map((s) => ({ path: s.arg!, reason: s.content.trim() || 'it could not be restored' }));
  const result: TransactionOutcome['result'] =
    has('busy') ? 'busy'
    : !complete || has('worker-died') ? 'lost'
    : has('changed-underneath') ? 'changed-underneath'
    : has('committed') ? 'committed'
    : has('rolled-back') ? 'rolled-back'
    : has('aborted') ? 'aborted'
    : has('error') && has('restored') && !has('handler') && notRestored.length === 0 ? 'undone'
    : 'failed';
  const message =
    result === 'changed-underneath' ? (sections.find((s) => s.name === 'changed-underneath')?.arg ?? null)
    : text('rolled-back') ?? text('error') ?? text('worker-died') ?? text('busy');
  const runtimeState = new Map<string, string>();
  for (const section of sections) if (section.name === 'runtime-state' && section.arg !== null) runtimeState.set(section.arg, section.content);
  return {
    runId,
    result,
    message,
    wrote: sections.filter((s) => s.name === 'wrote' && s.arg !== null).map((s) => s.arg!),
    handlersRun: sections.filter((s) => s.name === 'handler').map((s) => s.arg).filter((arg) => arg !== null),
    notRestored,
    journal: text('journal'),
    recovered: has('recovered'),
    runtimeState,
  };
}
