import { chmod, mkdir, realpath, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { isSea } from 'node:sea';
import { execa } from 'execa';
import { desiredStates } from '../../converge/desired.ts';
import { DockhandError, InputError } from '../../errors.ts';
import { Output } from '../../report/output.ts';
import { parseEvery } from '../../schedule/every.ts';
import { filesRead } from '../../schedule/run-files.ts';
import { sandboxOffences, type RunPath } from '../../schedule/sandbox.ts';
import { loadRunInputs } from '../../sources/index.ts';
import { renderEnvironmentFile, renderService, renderTimer, requireUnitWord, type ScheduleSpec } from '../../schedule/units.ts';
import { ExitCode } from '../exit-codes.ts';
import { DEFAULT_FORKS } from '../options.ts';

export interface ScheduleOptions {
  /** `-i`, as often as given; with --from-kubekey or --from-kubespray it may be left out, as with apply. */
  readonly inventory: readonly string[] | undefined;
  readonly fromKubekey?: string | undefined;
  readonly fromKubespray?: string | undefined;
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

/** What the service runs dockhand on: a playbook, or an installer's file or directory; absolute, real paths. */
async function runSource(playbookFile: string | undefined, options: ScheduleOptions): Promise<{ args: string[]; path: string; what: string }> {
  if (playbookFile !== undefined) return { args: [await realpath(playbookFile)], path: playbookFile, what: 'the playbook' };
  if (options.fromKubekey !== undefined) return { args: ['--from-kubekey', await realpath(options.fromKubekey)], path: options.fromKubekey, what: 'the KubeKey cluster file (--from-kubekey)' };
  return { args: ['--from-kubespray', await realpath(options.fromKubespray!)], path: options.fromKubespray!, what: 'the Kubespray inventory directory (--from-kubespray)' };
}

async function specFor(playbookFile: string | undefined, options: ScheduleOptions): Promise<{ spec: ScheduleSpec; variables: { name: string; why: string }[] }> {
  const every = parseEvery(options.every);
  // what the timer will run is read and checked now, not at 3 a.m.
  const inventories = options.inventory ?? [];
  const { playbook, inventory } = await loadRunInputs({ playbook: playbookFile, inventories, fromKubekey: options.fromKubekey, fromKubespray: options.fromKubespray });
  const desired = desiredStates(playbook, inventory, new Set(inventory.hosts.keys())); // plays that match no node, or disagree on a shared one
  const source = await runSource(playbookFile, options);
  const name = options.name ?? `dockhand-${basename(source.path).replace(/\.ya?ml$/, '').replace(/[^A-Za-z0-9_.-]/g, '-')}`;
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new InputError('E_USAGE', '--name', undefined, `"${name}" is not a unit name (letters, digits, _ . -)`);
  const metrics = options.metrics === undefined ? undefined : resolve(options.metrics);
  const junit = options.junit === undefined ? undefined : resolve(options.junit);
  const logDir = resolve(options.logDir);
  const knownHosts = resolve(options.knownHosts);
  const inventoryPaths = await Promise.all(inventories.map((path) => realpath(path)));
  const args = [
    options.apply ? 'apply' : 'check',
    ...source.args,
    ...inventoryPaths.flatMap((path) => ['-i', path]),
    '--quiet',
    '--known-hosts',
    knownHosts,
    '--log-dir',
    logDir,
    ...(metrics ? ['--metrics', metrics] : []),
    ...(junit ? ['--junit', junit] : []),
    ...(options.limit ? ['--limit', options.limit] : []),
    ...(options.forks !== DEFAULT_FORKS ? ['--forks', String(options.forks)] : []),
  ];
  const written = (path: string | undefined, what: string): RunPath[] => (path === undefined ? [] : [{ path, what, access: 'write' }]);
  const offences = await sandboxOffences([
    ...filesRead(source, playbook, inventory, [...desired.keys()]),
    ...written(knownHosts, 'the known_hosts file (--known-hosts)'),
    ...written(logDir, 'the run history (--log-dir)'),
    ...written(metrics, 'the metrics (--metrics)'),
    ...written(junit, 'the JUnit report (--junit)'),
  ]);
  if (offences.length > 0) {
    throw new DockhandError(
      'E_USAGE',
      `the scheduled service could not use ${offences.length === 1 ? 'this path' : `these ${offences.length} paths`} ` +
        '(it runs in a sandbox: PrivateTmp=yes gives it a private /tmp and /var/tmp, empty, and PrivateDevices=yes a private /dev); ' +
        `keep what it reads and writes elsewhere, e.g. under /etc/dockhand or /srv:\n${offences.map((o) => `  ${o}`).join('\n')}`,
    );
  }
  const writable = [...new Set([metrics, junit, logDir, knownHosts].flatMap((p) => (p === undefined || p.startsWith(`${SYSTEM_STATE}/`) ? [] : [dirname(p)])))];
  const spec: ScheduleSpec = {
    name,
    command: await dockhandCommand(options.executable),
    args,
    every,
    writablePaths: writable.filter((p) => p !== SYSTEM_STATE),
    environmentFile: resolve(options.envFile ?? `/etc/dockhand/${name}.env`),
    description: `dockhand ${args[0]}: ${source.args.at(-1)!}${inventoryPaths.length > 0 ? ` on ${inventoryPaths.join(' ')}` : ''}`,
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
export async function scheduleCommand(playbookFile: string | undefined, options: ScheduleOptions): Promise<ExitCode> {
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
