import { resolve } from 'node:path';
import { findRun, readRun, runIds } from '../../history/store.ts';
import { renderConvergeText } from '../../report/converge.ts';
import { renderHistory, renderRunHeader } from '../../report/history.ts';
import { Output } from '../../report/output.ts';
import { defaultLogDir } from '../../schedule/state-dir.ts';
import { ExitCode } from '../exit-codes.ts';

export interface HistoryOptions {
  readonly logDir?: string | undefined;
  readonly json: boolean;
}

/** `dockhand history [RUN]`: the runs kept in a log directory, or one of them in full. */
export async function historyCommand(run: string | undefined, options: HistoryOptions): Promise<ExitCode> {
  const dir = resolve(options.logDir ?? defaultLogDir());
  const output = new Output(0);
  if (run !== undefined) {
    const document = await findRun(dir, run);
    output.result(
      options.json
        ? `${JSON.stringify(document, null, 2)}\n`
        : `${renderRunHeader(document)}${renderConvergeText(document, { paint: output.paint.result, width: output.resultWidth })}`,
    );
    return ExitCode.ok;
  }
  // a file that cannot be read (cut short by a full disk, edited by hand) is named and skipped
  const runs = (
    await Promise.all(
      (await runIds(dir)).map((id) =>
        readRun(dir, id).catch((error: unknown) => {
          output.notice(`warning: skipping run ${id}: ${error instanceof Error ? error.message : String(error)}`);
          return undefined;
        }),
      ),
    )
  ).filter((doc) => doc !== undefined);
  if (options.json) {
    const rows = runs.map((doc) => ({ ...doc.run, mode: doc.mode, summary: doc.summary }));
    output.result(`${JSON.stringify({ log_dir: dir, runs: rows }, null, 2)}\n`);
  } else {
    output.result(renderHistory(runs, { paint: output.paint.result, width: output.resultWidth }));
  }
  return ExitCode.ok;
}
