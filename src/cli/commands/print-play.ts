import { derivedPlayText } from '../../sources/index.ts';
import { Output } from '../../report/output.ts';
import { ExitCode } from '../exit-codes.ts';
import { warnIfSecretsExposed } from '../targets.ts';
import type { ApplyOptions } from './apply.ts';

/** `--print-play`: the play an installer's configuration asks for, as YAML on stdout; no node is touched. */
export async function printPlayCommand(playbook: string | undefined, options: ApplyOptions): Promise<ExitCode> {
  const { text, warnings, secretFiles } = await derivedPlayText({ playbook, inventories: options.inventory ?? [], fromKubekey: options.fromKubekey, fromKubespray: options.fromKubespray });
  const output = new Output(options.verbose);
  await warnIfSecretsExposed(secretFiles, output);
  for (const warning of warnings) output.notice(`warning: ${warning}`);
  output.result(text);
  return ExitCode.ok;
}
