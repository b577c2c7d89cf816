/**
 * A systemd service and timer that run dockhand on a schedule, on the controller. The service is a
 * hardened oneshot: no new privileges, the file system read-only but for the state directory and the
 * report directories, a private /tmp; credentials come from an EnvironmentFile (mode 0600), never from
 * the unit. Exit 3 (drift, in check mode) and 75 (the previous run still going) are not failures of the
 * service: metrics and the history report them.
 */
import { InputError } from '../errors.ts';
import type { Every } from './every.ts';

export interface ScheduleSpec {
  /** The units' name: NAME.service and NAME.timer. */
  readonly name: string;
  /** The command that runs dockhand: the executable, or Node.js and dockhand's script. */
  readonly command: readonly string[];
  /** dockhand's arguments: check|apply PLAYBOOK -i INVENTORY and the report options, absolute paths. */
  readonly args: readonly string[];
  readonly every: Every;
  /** Directories the run writes (reports); the state directory is systemd's StateDirectory=. */
  readonly writablePaths: readonly string[];
  readonly environmentFile: string;
  readonly description: string;
}

/** Nothing systemd would read as anything but a plain word: no quoting is needed, none can go wrong. */
export function requireUnitWord(what: string, value: string): string {
  if (!/^[A-Za-z0-9_@+=:,./-]+$/.test(value) || value.includes('..')) {
    throw new InputError('E_USAGE', what, undefined, `"${value}": paths and words in a systemd unit may hold only letters, digits and _@+=:,./- (no spaces, quotes, %, $ or ..)`);
  }
  return value;
}

/** Between 10 minutes and 6 hours: a hung run ends (and releases its lock) well before it can hide many runs. */
function timeoutSeconds(every: Every): number {
  return Math.min(6 * 3600, Math.max(600, every.seconds * 4));
}

export function renderService(spec: ScheduleSpec): string {
  for (const word of [...spec.command, ...spec.args, ...spec.writablePaths, spec.environmentFile]) requireUnitWord('schedule', word);
  const writable = spec.writablePaths.length > 0 ? [`ReadWritePaths=${spec.writablePaths.map((p) => `-${p}`).join(' ')}`] : [];
  return [
    '[Unit]',
    `Description=${spec.description}`,
    'Wants=network-online.target',
    'After=network-online.target',
    '',
    '[Service]',
    'Type=oneshot',
    `ExecStart=${[...spec.command, ...spec.args].join(' ')}`,
    `EnvironmentFile=-${spec.environmentFile}`,
    'SuccessExitStatus=3 75',
    `TimeoutStartSec=${timeoutSeconds(spec.every)}`,
    'StateDirectory=dockhand',
    'StateDirectoryMode=0700',
    'UMask=0077',
    'NoNewPrivileges=yes',
    'ProtectSystem=strict',
    ...writable,
    'ProtectHome=read-only',
    'PrivateTmp=yes',
    'PrivateDevices=yes',
    'ProtectKernelTunables=yes',
    'ProtectKernelModules=yes',
    'ProtectKernelLogs=yes',
    'ProtectControlGroups=yes',
    'ProtectClock=yes',
    'ProtectHostname=yes',
    'RestrictSUIDSGID=yes',
    'RestrictRealtime=yes',
    'RestrictNamespaces=yes',
    'LockPersonality=yes',
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6',
    'SystemCallArchitectures=native',
    'CapabilityBoundingSet=',
    '',
  ].join('\n');
}

export function renderTimer(spec: ScheduleSpec): string {
  const spread = Math.max(1, Math.floor(spec.every.seconds / 10));
  return [
    '[Unit]',
    `Description=Run ${spec.name}.service every ${spec.every.text}`,
    '',
    '[Timer]',
    `OnCalendar=${spec.every.calendar}`,
    `RandomizedDelaySec=${Math.min(spread, 300)}`,
    `AccuracySec=${Math.min(spread, 60)}`,
    'Persistent=true',
    '',
    '[Install]',
    'WantedBy=timers.target',
    '',
  ].join('\n');
}

/** The EnvironmentFile's first content: the variables the run may need, commented out. */
export function renderEnvironmentFile(spec: ScheduleSpec, variables: readonly { name: string; why: string }[]): string {
  return [
    `# Credentials for ${spec.name}.service, read by systemd: NAME=value, one a line. Keep this file mode 0600.`,
    '# Never put them in the unit file or on the command line.',
    ...variables.map((v) => `# ${v.name}=    (${v.why})`),
    '',
  ].join('\n');
}
