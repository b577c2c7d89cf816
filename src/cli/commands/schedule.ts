import { RUNTIME_NAMES } from '../../runtimes/index.ts';
import { chmod, mkdir, realpath, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { isSea } from 'node:sea';
import { execa } from 'execa';
import { desiredStates } from '../../converge/desired.ts';
import { DockhandError, InputError } from '../../errors.ts';
import { loadInventory } from '../../inventory/index.ts';
import { loadPlaybook } from '../../playbook/index.ts';
import { Output } from '../../report/output.ts';
import { parseEvery } from '../../schedule/every.ts';
import { renderEnvironmentFile, renderService, renderTimer, requireUnitWord, type ScheduleSpec } from '../../schedule/units.ts';
import { ExitCode } from '../exit-codes.ts';
import { DEFAULT_FORKS } from '../options.ts';

export interface ScheduleOptions {
  readonly inventory: string;
  readonly every: string;
  readonly apply: boolean;
  readonly metrics?: string | undefined;
  readonly junit?: string | undefined;
  readonly logDir: string;
  readonly knownHosts: string;
  readonly limit?: string | undefined;
  readonly forks: number;
  readonly name?: string | undefined;
  readonly executable?: string | undefined;
  readonly unitDir: string;
  readonly envFile?: string | undefined;
  readonly install: boolean;
}

export const SYSTEM_STATE = '/var/lib/dockhand';

/** How the service starts dockhand: this executable, or this Node.js with this script. */
async function dockhandCommand(executable: string | undefined): Promise<string[]> {
  if (executable !== undefined) return [resolve(executable)];
  if (isSea()) return [process.execPath];
  return [process.execPath, await realpath(process.argv[1] ?? 'bin/dockhand.js')];
}

async function specFor(playbookFile: string, options: ScheduleOptions): Promise<{ spec: ScheduleSpec; variables: { name: string; why: string }[] }> {
  const every = parseEvery(options.every);
  // what the timer will run is read and checked now, not at 3 a.m.
  const playbook = await loadPlaybook(playbookFile, { runtimes: RUNTIME_NAMES });
  const inventory = await loadInventory(options.inventory);
  desiredStates(playbook, inventory, new Set(inventory.hosts.keys())); // plays that match no node, or disagree on a shared one
  const name = options.name ?? `dockhand-${basename(playbookFile).replace(/\.ya?ml$/, '').replace(/[^A-Za-z0-9_.-]/g, '-')}`;
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new InputError('E_USAGE', '--name', undefined, `"${name}" is not a unit name (letters, digits, _ . -)`);
  const metrics = options.metrics === undefined ? undefined : resolve(options.metrics);
  const junit = options.junit === undefined ? undefined : resolve(options.junit);
  const logDir = resolve(options.logDir);
  const args = [
    options.apply ? 'apply' : 'check',
    await realpath(playbookFile),
    '-i',
    await realpath(options.inventory),
    '--quiet',
    '--known-hosts',
    resolve(options.knownHosts),
    '--log-dir',
    logDir,
    ...(metrics ? ['--metrics', metrics] : []),
    ...(junit ? ['--junit', junit] : []),
    ...(options.limit ? ['--limit', options.limit] : []),
    ...(options.forks !== DEFAULT_FORKS ? ['--forks', String(options.forks)] : []),
  ];
  for (const path of [args[1]!, args[3]!, logDir, resolve(options.knownHosts), metrics, junit]) {
    if (path !== undefined && /^\/(var\/)?tmp\//.test(path)) {
      throw new InputError('E_USAGE', path, undefined, 'the service has its own private /tmp (PrivateTmp=yes): keep what it reads and writes elsewhere');
    }
  }
  const writable = [...new Set([metrics, junit, logDir, resolve(options.knownHosts)].flatMap((p) => (p === undefined || p.startsWith(`${SYSTEM_STATE}/`) ? [] : [dirname(p)])))];
  const spec: ScheduleSpec = {
    name,
    command: await dockhandCommand(options.executable),
    args,
    every,
    writablePaths: writable.filter((p) => p !== SYSTEM_STATE),
    environmentFile: resolve(options.envFile ?? `/etc/dockhand/${name}.env`),
    description: `dockhand ${args[0]}: ${args[1]} on ${args[3]}`,
  };
  const variables = [
    { name: 'DOCKHAND_SSH_KEY_PASSPHRASE', why: 'the passphrase of an encrypted SSH key' },
    ...playbook.plays.flatMap((play) =>
      play.registries.flatMap((r) => [r.verify?.usernameEnv, r.verify?.passwordEnv].flatMap((v) => (v === undefined ? [] : [{ name: v, why: `pull check of ${r.host}` }]))),
    ),
  ];
  return { spec, variables };
}

async function run(output: Output, command: string, args: string[]): Promise<void> {
  const result = await execa(command, args, { reject: false, all: true });
  if (result.exitCode !== 0) throw new DockhandError('E_USAGE', `${command} ${args.join(' ')} failed (exit ${result.exitCode}): ${String(result.all).trim()}`);
  output.notice(`ran ${command} ${args.join(' ')}`);
}

/** Write the units and the credentials file, check the units, enable and start the timer. */
async function install(output: Output, spec: ScheduleSpec, unitDir: string, service: string, timer: string, envTemplate: string): Promise<void> {
  await mkdir(unitDir, { recursive: true });
  const serviceFile = join(unitDir, `${spec.name}.service`);
  const timerFile = join(unitDir, `${spec.name}.timer`);
  await writeFile(serviceFile, service, { mode: 0o644 });
  await writeFile(timerFile, timer, { mode: 0o644 });
  output.notice(`wrote ${serviceFile} and ${timerFile}`);
  await mkdir(dirname(spec.environmentFile), { recursive: true, mode: 0o700 });
  const existing = await stat(spec.environmentFile).catch(() => undefined);
  if (existing === undefined) {
    await writeFile(spec.environmentFile, envTemplate, { mode: 0o600 });
    output.notice(`wrote ${spec.environmentFile} (mode 0600): put credentials there`);
  } else if ((existing.mode & 0o077) !== 0) {
    await chmod(spec.environmentFile, 0o600);
    output.notice(`${spec.environmentFile} was readable by others: now mode 0600`);
  }
  for (const dir of spec.writablePaths) await mkdir(dir, { recursive: true });
  await run(output, 'systemd-analyze', ['verify', serviceFile, timerFile]);
  await run(output, 'systemctl', ['daemon-reload']);
  await run(output, 'systemctl', ['enable', '--now', `${spec.name}.timer`]);
}

/** `dockhand schedule`: print (or install) a systemd service and timer that run dockhand every so often. */
export async function scheduleCommand(playbookFile: string, options: ScheduleOptions): Promise<ExitCode> {
  const output = new Output(0);
  const { spec, variables } = await specFor(playbookFile, options);
  for (const path of [options.unitDir]) requireUnitWord('--unit-dir', resolve(path));
  const service = renderService(spec);
  const timer = renderTimer(spec);
  const envTemplate = renderEnvironmentFile(spec, variables);
  if (!options.install) {
    output.result(
      `# ${join(resolve(options.unitDir), `${spec.name}.service`)}\n${service}\n# ${join(resolve(options.unitDir), `${spec.name}.timer`)}\n${timer}\n` +
        `# ${spec.environmentFile} (mode 0600)\n${envTemplate}`,
    );
    return ExitCode.ok;
  }
  await install(output, spec, resolve(options.unitDir), service, timer, envTemplate);
  output.result(`${spec.name}.timer is active: every ${spec.every.text} (systemctl list-timers ${spec.name}.timer; journalctl -u ${spec.name}.service)\n`);
  return ExitCode.ok;
}
