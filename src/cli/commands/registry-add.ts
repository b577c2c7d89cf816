import { relative } from 'node:path';
import { addRegistry, type AddResult } from '../../onboard/add.ts';
import { terminalAsk, nobodyToAsk } from '../../onboard/ask.ts';
import { readFingerprint } from '../../onboard/certificates.ts';
import { readRegistryTarget } from '../../onboard/target.ts';
import { InputError } from '../../errors.ts';
import { checkEnvName } from '../../playbook/validate-values.ts';
import { Output } from '../../report/output.ts';
import { ExitCode } from '../exit-codes.ts';
import type { RegistryAddCliOptions } from '../registry-options.ts';
import { ipOption } from './registry-probe.ts';

function envOption(option: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const reason = checkEnvName(value);
  if (reason !== undefined) throw new InputError('E_USAGE', option, undefined, `"${value}" ${reason}`);
  return value;
}

function describeEntry(entry: AddResult['entry']): string {
  return Object.entries(entry).filter(([key]) => key !== 'host')
    .map(([key, value]) => `${key} ${typeof value === 'object' ? Object.values(value).join(' ') : String(value)}`).join(', ');
}

function renderAdd(result: AddResult): string {
  const shown = (file: string) => {
    const near = relative(process.cwd(), file);
    return near === '' || near.startsWith('..') ? file : near;
  };
  const book = shown(result.playbook);
  const kind = result.scheme === 'https' ? 'https' : 'plain http (insecure: true)';
  const lines = [`${result.registry}: ${kind}${result.harbor ? ', Harbor' : ''}`];
  if (result.ca !== undefined) {
    lines.push(`  CA ${result.ca.summary} (${result.ca.how === 'fingerprint' ? 'matches --ca-fingerprint' : result.ca.how === 'file' ? 'from --ca' : 'trusted at the terminal'}; from ${result.ca.source})`);
    if (result.ca.previous !== undefined) lines.push(`  CA changed: was sha256=${result.ca.previous.join(', ') || '(unreadable)'}, now sha256=${result.ca.sha256.join(', ')}`);
  }
  const what = result.action === 'unchanged' ? `nothing to change (${result.places.join(', ')})` : `${result.action} ${result.places.join(', ')}${describeEntry(result.entry) === '' ? '' : ` (${describeEntry(result.entry)})`}`;
  lines.push(`${book}: ${what}`);
  for (const file of result.wrote) lines.push(`wrote ${shown(file)}`);
  for (const note of result.notes) lines.push(`note: ${note}`);
  lines.push(`next: dockhand check ${book} -i INVENTORY, then dockhand apply ${book} -i INVENTORY`);
  return `${lines.join('\n')}\n`;
}

/** `dockhand registry add URL -p PLAYBOOK`. */
export async function registryAddCommand(url: string, options: RegistryAddCliOptions): Promise<ExitCode> {
  const target = readRegistryTarget(url);
  const usernameEnv = envOption('--username-env', options.usernameEnv);
  const passwordEnv = envOption('--password-env', options.passwordEnv);
  if ((usernameEnv === undefined) !== (passwordEnv === undefined)) throw new InputError('E_USAGE', '--username-env', undefined, '--username-env and --password-env go together');
  const result = await addRegistry(target, {
    playbook: options.playbook,
    address: ipOption(options.ip),
    caFile: options.ca,
    caFingerprint: options.caFingerprint === undefined ? undefined : readFingerprint(options.caFingerprint),
    hosts: options.hosts,
    verify: options.verify,
    usernameEnv,
    passwordEnv,
    timeoutMs: options.timeout * 1000,
    ask: options.json ? nobodyToAsk : terminalAsk,
  });
  const output = new Output(0);
  output.result(options.json ? `${JSON.stringify(result, null, 2)}\n` : renderAdd(result));
  return ExitCode.ok;
}
