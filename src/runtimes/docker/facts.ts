/** Builds DockerFacts from facts-script sections: unit wiring, DOCKER_OPTS, daemon.json, running daemon. */
import { basename } from 'node:path';
import { parseDaemonJson } from './daemon-json.ts';
import { DOCKER_OPTIONS_PATH, dockerOptsIn } from './drop-in.ts';
import { parseDockerState } from './info.ts';
import { parseDockerProxy } from './proxy.ts';
import { parseEnvFile } from '../../formats/env-file.ts';
import { sectionContent, sectionsNamed, type Section } from '../../formats/sections.ts';
import {
  parseEnvironmentFiles,
  parseEnvironmentProperty,
  parseExecStartArgv,
  parseSystemctlShow,
  showValue,
} from '../../formats/systemctl-show.ts';
import type { DockerFacts, DockerUnit } from './types.ts';
import { unitEnvironment } from '../../formats/unit-file.ts';

/** The `systemctl show docker.service` properties the facts read. */
export const DOCKER_SHOW_PROPERTIES = [
  'ExecStart',
  'DropInPaths',
  'Environment',
  'EnvironmentFiles',
  'ActiveState',
  'SubState',
  'LoadState',
  'ExecMainStartTimestamp',
  'FragmentPath',
] as const;

/** The sections src/runtimes/docker/facts.sh prints, in order. */
export const DOCKER_SECTIONS = ['systemctl-show', 'unit-file', 'drop-in', 'env-file', 'daemon-json', 'dockerd-pids', 'dockerd-version', 'probe-kept', 'docker-state'] as const;

const DOCKER_OPTS_REF = /\$(?:DOCKER_OPTS(?![A-Za-z0-9_])|\{DOCKER_OPTS\})/;

/** The version in `Docker version 24.0.7, build afdd53b`, or null. */
export function parseDockerdVersion(text: string | null): string | null {
  return /\bversion\s+([^\s,]+)/i.exec(text ?? '')?.[1] ?? null;
}

/** Whether `dockerd --validate` exists: the help text says so, or the version is 23 or later. */
export function supportsValidate(version: string | null, helpSaysSo: boolean): boolean {
  const major = Number(/^v?(\d+)\./.exec(version ?? '')?.[1]);
  return helpSaysSo || (Number.isInteger(major) && major >= 23);
}

/** An ExecStart argv text references $DOCKER_OPTS or ${DOCKER_OPTS}. */
export function referencesDockerOpts(argv: string): boolean {
  return DOCKER_OPTS_REF.test(argv);
}

/** The docker.service unit from `systemctl show` and the unit files; null without systemd or without the unit. */
export function parseDockerUnit(sections: readonly Section[]): DockerUnit | null {
  const show = sectionContent(sections, 'systemctl-show');
  if (show === null) return null;
  const props = parseSystemctlShow(show);
  const loadState = showValue(props, 'LoadState');
  if (loadState === null || loadState === 'not-found') return null;
  const fragment = sectionContent(sections, 'unit-file');
  const dropIns = sectionsNamed(sections, 'drop-in').map((s) => ({ path: s.arg ?? '', content: s.content }));
  const shown = parseEnvironmentProperty(showValue(props, 'Environment'));
  const fromFiles = [fragment ?? '', ...dropIns.map((d) => d.content)];
  const environment = shown.unprintable ? unitEnvironment(fromFiles) : shown.env;
  const startedAt = showValue(props, 'ExecMainStartTimestamp');
  return {
    loadState,
    activeState: showValue(props, 'ActiveState') ?? 'unknown',
    subState: showValue(props, 'SubState') ?? 'unknown',
    fragmentPath: showValue(props, 'FragmentPath'),
    execStart: (props.get('ExecStart') ?? []).map(parseExecStartArgv).filter((a) => a !== null),
    dropIns,
    environment,
    environmentFiles: parseEnvironmentFiles(props.get('EnvironmentFiles') ?? []),
    startedAt: startedAt === null || startedAt === 'n/a' ? null : startedAt,
  };
}

/** DOCKER_OPTS as the service sees it: Environment=, overridden by any EnvironmentFile= (in order) that sets it. */
export function effectiveDockerOpts(unit: DockerUnit, sections: readonly Section[]): { value: string | null; source: string | null } {
  let value = unit.environment['DOCKER_OPTS'] ?? null;
  let source = value === null ? null : 'environment';
  const contents = new Map(sectionsNamed(sections, 'env-file').map((s) => [s.arg ?? '', s.content]));
  for (const path of unit.environmentFiles) {
    const text = contents.get(path);
    const fromFile = text === undefined ? undefined : parseEnvFile(text)['DOCKER_OPTS'];
    if (fromFile !== undefined) {
      value = fromFile;
      source = path;
    }
  }
  return { value, source };
}

/**
 * A drop-in systemd reads after dockhand's docker-options.conf (drop-ins apply in file-name order,
 * whatever their directory) that sets DOCKER_OPTS: its value replaces dockhand's.
 */
export function laterDropInSettingOpts(unit: DockerUnit): string | null {
  const ours = basename(DOCKER_OPTIONS_PATH);
  const later = unit.dropIns.filter((d) => d.path !== DOCKER_OPTIONS_PATH && basename(d.path) > ours && dockerOptsIn(d.content) !== null);
  return later.at(-1)?.path ?? null;
}

/** Everything about Docker on the node, from the facts sections. */
export function parseDockerFacts(sections: readonly Section[]): DockerFacts {
  const unit = parseDockerUnit(sections);
  const info = parseDockerState(sectionContent(sections, 'docker-state'));
  const version = parseDockerdVersion(sectionContent(sections, 'dockerd-version')) ?? info?.serverVersion ?? null;
  const pids = (sectionContent(sections, 'dockerd-pids') ?? '').trim();
  const opts = unit === null ? { value: null, source: null } : effectiveDockerOpts(unit, sections);
  const daemonJsonSection = sections.find((s) => s.name === 'daemon-json');
  const daemonJson = parseDaemonJson(daemonJsonSection?.content ?? null);
  return {
    installed: unit !== null || sectionContent(sections, 'dockerd-version') !== null,
    version,
    unit,
    honoursDockerOpts: unit?.execStart.some(referencesDockerOpts) ?? false,
    dockerOpts: opts.value,
    dockerOptsSource: opts.source,
    dockerOptsOverride: unit === null ? null : laterDropInSettingOpts(unit),
    daemonJson,
    running: unit === null ? pids !== '' : unit.activeState === 'active',
    liveRestore: info?.liveRestore ?? null,
    containersRunning: info?.containersRunning ?? null,
    insecureRegistries: info?.insecureRegistries ?? [],
    registryMirrors: info?.registryMirrors ?? [],
    supportsValidate: supportsValidate(version, sectionContent(sections, 'dockerd-validate')?.trim() === 'yes'),
    proxy: parseDockerProxy(unit, sectionContent(sections, 'unit-file'), sections, daemonJson, info),
  };
}
