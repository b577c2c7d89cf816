/** The containers-image runtime's facts, from the sections of src/runtimes/containers/facts.sh. */
import { parseSystemctlShow, showValue } from '../../formats/systemctl-show.ts';
import { sectionContent, sectionsNamed, type Section } from '../../formats/sections.ts';
import { readRegistriesFile } from './registries-conf.ts';
import type { ContainersFacts, CrioFacts } from './types.ts';

/** The `systemctl show crio.service` properties the facts read. */
export const CRIO_SHOW_PROPERTIES = ['LoadState', 'ActiveState', 'SubState', 'FragmentPath', 'StateChangeTimestamp'] as const;

/** The sections src/runtimes/containers/facts.sh prints, in order. */
export const CONTAINERS_SECTIONS = [
  'containers-crio-show',
  'containers-version',
  'containers-registries-conf',
  'containers-drop-in',
  'containers-user-conf',
  'containers-cert-files',
  'containers-config-mtime',
] as const;

/** The version a tool prints (`podman version 4.3.1`, `crio version 1.28.0`, `Version: 1.28.0`), or null. */
export function toolVersion(text: string | null): string | null {
  return /\bversion:?\s+v?(\d[^\s,]*)/i.exec(text ?? '')?.[1] ?? null;
}

/** Seconds since the epoch of a `systemctl show` timestamp printed in UTC (`Sun 2026-12-06 01:57:26 UTC`), or null. */
export function utcSeconds(timestamp: string | null): number | null {
  const match = /(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) UTC$/.exec(timestamp?.trim() ?? '');
  if (match === null) return null;
  const ms = Date.parse(`${match[1]}T${match[2]}Z`);
  return Number.isNaN(ms) ? null : ms / 1000;
}

function crioFacts(sections: readonly Section[], versions: Readonly<Record<string, string>>, binary: boolean): CrioFacts | null {
  const show = sectionContent(sections, 'containers-crio-show');
  const props = show === null ? new Map<string, string[]>() : parseSystemctlShow(show);
  const loadState = showValue(props, 'LoadState');
  const unit = loadState !== null && loadState !== 'not-found';
  if (!unit && !binary) return null;
  const activeState = unit ? showValue(props, 'ActiveState') : null;
  const running = activeState === 'active';
  // the configuration changed after CRI-O's last state change (its start, or the end of its last reload);
  // timestamps in whole seconds: a change in the same second as the reload counts as seen
  const changed = Number((sectionContent(sections, 'containers-config-mtime') ?? '').trim() || Number.NaN);
  const loaded = utcSeconds(showValue(props, 'StateChangeTimestamp'));
  const configNewer = !running || Number.isNaN(changed) || loaded === null ? null : changed > loaded;
  return { activeState, running, version: versions['crio'] ?? null, configNewer };
}

export function parseContainersFacts(sections: readonly Section[], hasCommand: (name: string) => boolean): ContainersFacts {
  const versions: Record<string, string> = {};
  for (const section of sectionsNamed(sections, 'containers-version')) {
    const version = toolVersion(section.content);
    if (section.arg !== null && version !== null) versions[section.arg] = version;
  }
  const crio = crioFacts(sections, versions, hasCommand('crio'));
  const podman = hasCommand('podman');
  const skopeo = hasCommand('skopeo');
  const buildah = hasCommand('buildah');
  const main = sections.find((s) => s.name === 'containers-registries-conf' && s.arg !== null);
  return {
    installed: podman || skopeo || buildah || crio !== null,
    running: crio === null ? podman || skopeo || buildah : crio.running,
    version: versions['podman'] ?? versions['crio'] ?? versions['skopeo'] ?? null,
    podman,
    skopeo,
    buildah,
    versions,
    crio,
    registriesConf: main === undefined ? null : readRegistriesFile(main.arg!, main.content),
    dropIns: sectionsNamed(sections, 'containers-drop-in').filter((s) => s.arg !== null).map((s) => readRegistriesFile(s.arg!, s.content)),
    userConfig: sectionContent(sections, 'containers-user-conf')?.trim() || null,
    certFiles: (sectionContent(sections, 'containers-cert-files') ?? '').split('\n').map((l) => l.trim()).filter(Boolean),
  };
}
