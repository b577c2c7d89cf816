/** What the apply script reported: files written, handlers run, the error and journal if any, dockerd's state. */
import { parseDockerInfo, type DockerInfo } from '../facts/docker-info.ts';
import { parseSections } from '../facts/sections.ts';
import { HANDLER_ORDER, type Handler } from './types.ts';

export interface ApplyResult {
  readonly wrote: readonly string[];
  readonly handlersRun: readonly Handler[];
  readonly error: string | null;
  /** A file another run changed since this one read it: the plan no longer holds. */
  readonly changedUnderneath: string | null;
  /** Why the run was rolled back on the node (files restored, Docker restarted), or null. */
  readonly rolledBack: string | null;
  readonly journal: string | null;
  readonly dockerActive: boolean;
  readonly dockerInfo: DockerInfo | null;
  /** Every file was put back as it was (a write failed, or the run rolled back). */
  readonly restored: boolean;
  /** The script ran to its end marker. */
  readonly complete: boolean;
}

export function parseApplyResult(stdout: string): ApplyResult {
  const sections = parseSections(stdout);
  const content = (name: string) => sections.find((s) => s.name === name)?.content ?? null;
  const isHandler = (value: string | null): value is Handler => HANDLER_ORDER.includes(value as Handler);
  return {
    wrote: sections.filter((s) => s.name === 'wrote' && s.arg).map((s) => s.arg!.replace(/^'(.*)'$/, '$1')),
    handlersRun: sections.filter((s) => s.name === 'handler').map((s) => s.arg).filter(isHandler),
    error: content('error')?.trim() || null,
    rolledBack: content('rolled-back')?.trim() || null,
    changedUnderneath: sections.find((s) => s.name === 'changed-underneath')?.arg ?? null,
    journal: content('journal')?.trim() || null,
    dockerActive: content('docker-active')?.trim() === 'active',
    dockerInfo: parseDockerInfo(content('docker-info')),
    restored: sections.some((s) => s.name === 'restored'),
    complete: sections.at(-1)?.name === 'end',
  };
}
