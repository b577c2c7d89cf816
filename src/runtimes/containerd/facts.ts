/** containerd's facts, from the sections of src/runtimes/containerd/facts.sh. */
import type { ContainerdFacts } from './types.ts';
import { parseSystemctlShow, showValue } from '../../formats/systemctl-show.ts';
import { sectionContent, type Section } from '../../formats/sections.ts';
import { DEFAULT_CONFIG_PATH, readContainerdConfig, readImportedConfig } from './config-toml.ts';

export const CONTAINERD_SHOW_PROPERTIES = ['LoadState', 'ActiveState', 'SubState', 'ExecStart', 'FragmentPath'];

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
  'containerd-version',
  'containerd-installed',
  'containerd-config-file',
  'containerd-config',
  'containerd-import',
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
  };
}
