/** The controller-side run lock as the CLI uses it: taken before any node is touched, or the run leaves at once. */
import { join } from 'node:path';
import type { Output } from '../report/output.ts';
import { tryRunLock } from '../schedule/run-lock.ts';
import { stateDir } from '../schedule/state-dir.ts';
import { ExitCode } from './exit-codes.ts';
import { errorDocument } from './json-error.ts';

export async function takeRunLock(
  playbook: string,
  inventory: string | readonly string[],
  output: Output,
  json: boolean,
): Promise<{ release: () => Promise<void> } | 'busy'> {
  const attempt = await tryRunLock(join(stateDir(), 'locks'), playbook, inventory);
  if (attempt.taken) {
    if (attempt.replaced !== undefined) output.notice(`warning: the run lock ${attempt.replaced} was not a lock (something else had written to it): replaced by an empty lock file`);
    return attempt;
  }
  const who = attempt.holder
    ? ` (pid ${attempt.holder.pid} on ${attempt.holder.host}, started ${attempt.holder.started_at})`
    : '';
  const message = `the previous run of ${playbook} on ${inventory} is still going${who}: this run does nothing and exits ${ExitCode.locked} (lock ${attempt.file})`;
  output.notice(message);
  if (json) output.result(errorDocument('E_LOCKED', message));
  return 'busy';
}
