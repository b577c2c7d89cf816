/** containerd's facts, from the sections of src/runtimes/containerd/facts.sh. */
import type { ContainerdFacts } from './types.ts';
import { parseSystemctlShow, showValue } from '../../formats/systemctl-show.ts';
import { sectionContent, sectionsNamed, type Section } from '../../formats/sections.ts';
import { parseEnvFile } from '../../formats/env-file.ts';
import { parseEnvironmentFiles } from '../../formats/systemctl-show.ts';
import { proxyEnvironment } from '../../registry/no-proxy.ts';
import { readUnitProxy } from '../../resources/proxy.ts';
import { DEFAULT_CONFIG_PATH, readContainerdConfig, readImportedConfig } from './config-toml.ts';

export const CONTAINERD_SHOW_PROPERTIES = ['LoadState', 'ActiveState', 'SubState', 'ExecStart', 'FragmentPath', 'DropInPaths', 'EnvironmentFiles'];

/** The registry config_path the running CRI reports (`crictl info`: config.registry.configPath). */
export function criConfigPath(crictlInfo: string | null): string | null {
  if (crictlInfo === null || crictlInfo.trim() === '') return null;
  try {
    const info = JSON.parse(crictlInfo) as { config?: { registry?: { configPath?: unknown } } };
    const path = info.config?.registry?.configPath;
    return typeof path === 'string' ? path : null;
  } catch {
    return null;
  }
}

/** The sections src/runtimes/containerd/facts.sh prints, in order. */
export const CONTAINERD_SECTIONS = [
  'containerd-show',
  'containerd-unit-file',
  'containerd-drop-in',
  'containerd-env-file',
  'probe-kept',
  'containerd-version',
  'containerd-installed',
  'containerd-config-file',
  'containerd-config',
  'containerd-import',
  'containerd-environ',
  'containerd-pid',
  'containerd-config-newer',
  'containerd-cri',
  'crictl-info',
] as const;

export function parseContainerdFacts(sections: readonly Section[], hasCommand: (name: string) => boolean): ContainerdFacts {
  const show = sectionContent(sections, 'containerd-show');
  const props = show === null ? new Map<string, string[]>() : parseSystemctlShow(show);
  const loadState = showValue(props, 'LoadState');
  const unit = loadState !== null && loadState !== 'not-found';
  const versionText = sectionContent(sections, 'containerd-version');
  const configSection = sections.find((s) => s.name === 'containerd-config');
  const pid = (sectionContent(sections, 'containerd-pid') ?? '').trim();
  const activeState = unit ? showValue(props, 'ActiveState') : null;
  const newer = sectionContent(sections, 'containerd-config-newer')?.trim();
  return {
    installed: unit || versionText !== null || sections.some((s) => s.name === 'containerd-installed'),
    version: /containerd\s+\S+\s+v?(\S+)/.exec(versionText ?? '')?.[1] ?? null,
    running: unit ? activeState === 'active' : pid !== '',
    activeState,
    configFile: (sectionContent(sections, 'containerd-config-file') ?? '').trim() || `${DEFAULT_CONFIG_PATH.replace(/\/certs\.d$/, '')}/config.toml`,
    config: readContainerdConfig(configSection?.content ?? null),
    imported: sections.filter((s) => s.name === 'containerd-import' && s.arg !== null).map((s) => readImportedConfig(s.arg!, s.content)),
    configNewerThanProcess: newer === 'yes' ? true : newer === 'no' ? false : null,
    criStatus: sectionContent(sections, 'containerd-cri')?.trim() || null,
    criConfigPath: criConfigPath(sectionContent(sections, 'crictl-info')),
    crictl: hasCommand('crictl'),
    proxy: parseContainerdProxy(unit, props, sections),
  };
}

/** dockhand's NO_PROXY drop-in for containerd.service: after every administrator's drop-in by name. */
export const NO_PROXY_DROP_IN = '/etc/systemd/system/containerd.service.d/zz-dockhand-no-proxy.conf';

/** containerd's proxy: the environment its unit gives it, and the one the running process has. */
export function parseContainerdProxy(unit: boolean, props: ReadonlyMap<string, string[]>, sections: readonly Section[]): ContainerdFacts['proxy'] {
  const fragment = sections.find((s) => s.name === 'containerd-unit-file' && s.arg !== null);
  const envFiles = new Map(sectionsNamed(sections, 'containerd-env-file').map((s) => [s.arg ?? '', s.content]));
  const environ = sectionContent(sections, 'containerd-environ');
  return {
    unit: unit
      ? readUnitProxy(
          {
            fragment: fragment === undefined ? null : { path: fragment.arg!, content: fragment.content },
            dropIns: sectionsNamed(sections, 'containerd-drop-in').map((s) => ({ path: s.arg ?? '', content: s.content })),
            environmentFiles: parseEnvironmentFiles(props.get('EnvironmentFiles') ?? []).map((path) => ({ path, content: envFiles.get(path) ?? null })),
          },
          NO_PROXY_DROP_IN,
        )
      : null,
    // a process's environment is literal: KEY=VALUE a line, nothing quoted
    running: environ === null ? null : proxyEnvironment(Object.fromEntries(environ.split('\n').flatMap((line) => (line.indexOf('=') > 0 ? [[line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]] : [])))),
  };
}
