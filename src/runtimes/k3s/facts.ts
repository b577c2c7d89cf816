/** k3s's and RKE2's facts, from the sections of src/runtimes/k3s/facts.sh. */
import { parseExecStartArgv, parseSystemctlShow, showValue } from '../../formats/systemctl-show.ts';
import { sectionContent, sectionsNamed, type Section } from '../../formats/sections.ts';
import type { Distribution, K3sFacts } from './types.ts';

export const K3S_SHOW_PROPERTIES = ['LoadState', 'ActiveState', 'SubState', 'MainPID', 'KillMode', 'ExecStart'];

/** The units k3s's install.sh (server, agent) and RKE2's packages install: K3S_UNITS in node.sh, in its order. */
export const K3S_UNITS = ['k3s.service', 'k3s-agent.service', 'rke2-server.service', 'rke2-agent.service'];

/** The sections src/runtimes/k3s/facts.sh prints, in order. */
export const K3S_SECTIONS = [
  'k3s-show',
  'k3s-version',
  'k3s-installed',
  'k3s-registries-file',
  'k3s-data-dir',
  'k3s-external-runtime',
  'k3s-registries-newer',
  'k3s-rendered',
] as const;

/** The release a version string names: `v1.29.4+k3s1` -> [1, 29, 4]. */
export function releaseOf(version: string | null): [number, number, number] | null {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version ?? '');
  return match === null ? null : [Number(match[1]), Number(match[2]), Number(match[3])];
}

/**
 * The first patch release of each minor that renders registries.yaml into hosts.toml files under
 * `<data-dir>/agent/etc/containerd/certs.d` (k3s#8973, January 2024; RKE2's February 2024 releases
 * carry the same version numbers); every later minor renders.
 */
const RENDERS_FROM: Readonly<Record<number, number>> = { 26: 13, 27: 10, 28: 6, 29: 1 };

export function rendersHostsToml(version: string | null): boolean {
  const release = releaseOf(version);
  if (release === null) return false;
  const [major, minor, patch] = release;
  if (major !== 1) return major > 1;
  if (minor >= 30) return true;
  const from = RENDERS_FROM[minor];
  return from !== undefined && patch >= from;
}

function distributionOf(unit: string | null, version: string | null): Distribution | null {
  if (unit?.startsWith('rke2') === true || version?.includes('rke2') === true) return 'rke2';
  if (unit?.startsWith('k3s') === true || version?.includes('k3s') === true) return 'k3s';
  return null;
}

export function parseK3sFacts(sections: readonly Section[]): K3sFacts {
  const showSection = sections.find((s) => s.name === 'k3s-show');
  const props = showSection === undefined ? new Map<string, string[]>() : parseSystemctlShow(showSection.content);
  const unit = showSection?.arg ?? null;
  const versionLine = sectionContent(sections, 'k3s-version')?.trim() ?? null;
  const version = /(?:k3s|rke2) version (v\S+)/.exec(versionLine ?? '')?.[1] ?? null;
  const distribution = distributionOf(unit, versionLine);
  const activeState = unit === null ? null : showValue(props, 'ActiveState');
  const argv = parseExecStartArgv(showValue(props, 'ExecStart') ?? '') ?? '';
  const subcommand = argv.split(' ')[1];
  const newer = sectionContent(sections, 'k3s-registries-newer')?.trim();
  const defaults = distribution ?? 'k3s';
  return {
    installed: unit !== null || versionLine !== null || sections.some((s) => s.name === 'k3s-installed'),
    version,
    running: activeState === 'active',
    distribution,
    unit,
    activeState,
    role: subcommand === 'server' || subcommand === 'agent' ? subcommand : unit === null ? null : /agent/.test(unit) ? 'agent' : 'server',
    killMode: unit === null ? null : showValue(props, 'KillMode'),
    registriesFile: sectionContent(sections, 'k3s-registries-file')?.trim() || `/etc/rancher/${defaults}/registries.yaml`,
    dataDir: sectionContent(sections, 'k3s-data-dir')?.trim() || `/var/lib/rancher/${defaults}`,
    externalRuntime: sectionContent(sections, 'k3s-external-runtime')?.trim() || null,
    registriesNewerThanProcess: newer === 'yes' ? true : newer === 'no' ? false : null,
    renders: rendersHostsToml(version),
    rendered: Object.fromEntries(sectionsNamed(sections, 'k3s-rendered').filter((s) => s.arg !== null).map((s) => [s.arg!, s.content])),
  };
}
