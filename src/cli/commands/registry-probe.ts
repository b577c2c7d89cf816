import { readFile } from 'node:fs/promises';
import { InputError } from '../../errors.ts';
import { probeRegistry } from '../../onboard/probe.ts';
import { renderProbe } from '../../onboard/probe-text.ts';
import { readRegistryTarget } from '../../onboard/target.ts';
import { checkIpAddress } from '../../playbook/validate-values.ts';
import { Output } from '../../report/output.ts';
import { ExitCode } from '../exit-codes.ts';
import type { RegistryOptions } from '../registry-options.ts';

/** Reads `--ip`; an InputError when it is not an address. */
export function ipOption(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const reason = checkIpAddress(value);
  if (reason !== undefined) throw new InputError('E_USAGE', '--ip', undefined, `"${value}" ${reason}`);
  return value;
}

/** `dockhand registry probe URL`: exit 0 when a registry answers, 4 when none does. */
export async function registryProbeCommand(url: string, options: RegistryOptions & { ca?: string }): Promise<ExitCode> {
  const target = readRegistryTarget(url);
  const address = ipOption(options.ip);
  let caFile: { name: string; bytes: Buffer } | undefined;
  if (options.ca !== undefined) {
    try {
      caFile = { name: options.ca, bytes: await readFile(options.ca) };
    } catch (error) {
      throw new InputError('E_USAGE', '--ca', undefined, `${options.ca}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (error as Error).message}`);
    }
  }
  const { report } = await probeRegistry(target, { address, caFile, timeoutMs: options.timeout * 1000 });
  const output = new Output(0);
  output.result(options.json ? `${JSON.stringify(report, null, 2)}\n` : renderProbe(report, { paint: output.paint.result, width: output.resultWidth, address }));
  return report.verdict.kind === 'https' || report.verdict.kind === 'http' ? ExitCode.ok : ExitCode.unreachable;
}
