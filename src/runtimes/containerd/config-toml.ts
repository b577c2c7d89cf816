/**
 * /etc/containerd/config.toml: the facts dockhand reads from it, and the one edit it makes — set the CRI
 * registry table's `config_path` to one directory, carrying the deprecated `registry.mirrors` and
 * `registry.configs.<host>.tls` over into hosts.toml specs (containerd refuses them next to config_path).
 * The edit keeps every other byte; the result is parsed again and checked before it is returned.
 */
import { isDeepStrictEqual } from 'node:util';
import { applySplices, planTextEdit, type RemovedRoot } from './config-text-edit.ts';
import type { HostsToml } from './hosts-toml.ts';
import { legacyConfigHosts, legacyHosts, legacyMirrorHosts } from './legacy-registry.ts';
import { LayoutError, scanToml } from '../../formats/toml/layout.ts';
import { isTable, parseToml, valueAt, type TomlTable } from '../../formats/toml/read.ts';
import { basicString, tomlKeyPath } from '../../formats/toml/write.ts';
import { containerdRelease, releaseAtLeast } from './version.ts';

export interface ContainerdConfig {
  present: boolean;
  /** False for a TOML syntax error (see `error`) or a `version` that is not a whole number. */
  valid: boolean;
  error: string | null;
  /** 1 when the file has no `version` key; null when absent or invalid. */
  version: number | null;
  /** The CRI plugin is listed in `disabled_plugins`. */
  criDisabled: boolean;
  /** The table holding the CRI registry settings for this version, as TOML writes it; null when unknown. */
  registryTable: string | null;
  /** The registry table's `config_path` ('' is unset, as containerd reads it); null when absent. */
  configPath: string | null;
  /** Registries under the deprecated `registry.mirrors`. */
  legacyMirrors: string[];
  /** Registries with a deprecated `registry.configs.<host>.tls`. */
  legacyTls: string[];
  /** Registries with `registry.configs.<host>.auth` (still accepted next to config_path). */
  legacyAuth: string[];
}

export interface ConfigEdit {
  /** The directory for hosts.toml files: `effectiveConfigPath(...)?.directory`, or dockhand's default. */
  configPath: string;
  /** `containerd --version` of the node, or null when unknown. */
  containerdVersion: string | null;
}

export interface ConfigEditResult {
  /** The new text; the identical string when nothing changes. Null only for an absent file left absent. */
  text: string | null;
  /** hosts.toml specs carried over from the deprecated settings, keyed by directory name under config_path. */
  migrated: Map<string, HostsToml>;
  /** Why the file cannot be edited safely. Non-empty: change nothing (then `text` is the input). */
  blockers: string[];
}

/** Where hosts.toml files go when config.toml does not say (containerd's docs/hosts.md). */
export const DEFAULT_CONFIG_PATH = '/etc/containerd/certs.d';

const CRI_PLUGINS = ['cri', 'io.containerd.grpc.v1.cri'];
const IMAGES_PLUGIN = 'io.containerd.cri.v1.images';

/** The registry table for a config version: 1 `plugins.cri`, 2 the grpc CRI plugin, 3 and 4 the images plugin. */
function registryPathFor(version: number): string[] | null {
  if (version === 1) return ['plugins', 'cri', 'registry'];
  if (version === 2) return ['plugins', 'io.containerd.grpc.v1.cri', 'registry'];
  if (version === 3 || version === 4) return ['plugins', IMAGES_PLUGIN, 'registry'];
  return null;
}

const ABSENT: ContainerdConfig = {
  present: false,
  valid: true,
  error: null,
  version: null,
  criDisabled: false,
  registryTable: null,
  configPath: null,
  legacyMirrors: [],
  legacyTls: [],
  legacyAuth: [],
};

/** An imported config file (config.toml's `imports`) as containerd merges it: a plugin table it has replaces config.toml's whole. */
export interface ImportedConfig {
  readonly path: string;
  /** It has the table of the plugin that holds the CRI registry settings: config.toml's settings there do not count. */
  readonly criTable: boolean;
  /** That plugin's registry config_path in this file, or null. */
  readonly configPath: string | null;
  /** Not valid TOML (containerd would not start with it): the reason. */
  readonly error: string | null;
}

/** Reads an imported file: whether it replaces the CRI plugin's table of config.toml. */
export function readImportedConfig(path: string, text: string): ImportedConfig {
  const parsed = parseToml(text);
  if (!parsed.ok) return { path, criTable: false, configPath: null, error: parsed.error };
  const version = typeof parsed.data['version'] === 'number' ? parsed.data['version'] : 1;
  const registryPath = registryPathFor(version);
  const plugin = registryPath === null ? undefined : valueAt(parsed.data, registryPath.slice(0, 2));
  const registry = registryPath === null ? undefined : valueAt(parsed.data, registryPath);
  const configPath = isTable(registry) && typeof registry['config_path'] === 'string' && registry['config_path'] !== '' ? registry['config_path'] : null;
  return { path, criTable: plugin !== undefined, configPath, error: null };
}

/** The facts of config.toml's text (null: the file is absent). A syntax error is a fact, never a throw. */
export function readContainerdConfig(text: string | null): ContainerdConfig {
  if (text === null) return { ...ABSENT };
  const parsed = parseToml(text);
  if (!parsed.ok) return { ...ABSENT, present: true, valid: false, error: parsed.error };
  return factsOf(parsed.data);
}

function factsOf(data: TomlTable): ContainerdConfig {
  const rawVersion = data['version'];
  const version = rawVersion === undefined ? 1 : rawVersion;
  if (typeof version !== 'number' || !Number.isInteger(version)) {
    return { ...ABSENT, present: true, valid: false, error: '`version` is not a whole number' };
  }
  const disabled = Array.isArray(data['disabled_plugins']) ? (data['disabled_plugins'] as unknown[]) : [];
  const criPlugins = version >= 3 ? [...CRI_PLUGINS, IMAGES_PLUGIN] : CRI_PLUGINS;
  const path = registryPathFor(version);
  const registry = path === null ? undefined : valueAt(data, path);
  const configPath = isTable(registry) && typeof registry['config_path'] === 'string' ? registry['config_path'] : null;
  return {
    present: true,
    valid: true,
    error: null,
    version,
    criDisabled: disabled.some((p) => typeof p === 'string' && criPlugins.includes(p)),
    registryTable: path === null ? null : tomlKeyPath(path),
    configPath,
    legacyMirrors: legacyMirrorHosts(registry),
    legacyTls: legacyConfigHosts(registry, 'tls'),
    legacyAuth: legacyConfigHosts(registry, 'auth'),
  };
}

export interface EffectiveConfigPath {
  /** Where hosts.toml files go: the first directory of config_path. */
  directory: string;
  /** What config_path holds after the edit: the same value, or only `directory` where a list is ignored. */
  configPath: string;
}

/**
 * The directory already set in config_path, or null when config_path is unset (then dockhand's default
 * applies). A colon-separated list is searched in order, so its first directory is used; containerd 2.1
 * and later pull through the transfer service, which ignores a list (containerd#12415), so for those the
 * edit rewrites config_path to that one directory.
 */
export function effectiveConfigPath(config: ContainerdConfig, containerdVersion: string | null): EffectiveConfigPath | null {
  if (!config.valid || config.configPath === null) return null;
  const directories = config.configPath.split(':').filter((d) => d !== '');
  const directory = directories[0];
  if (directory === undefined) return null;
  const rewrite = directories.length > 1 && releaseAtLeast(containerdVersion, 2, 1);
  return { directory, configPath: rewrite ? directory : config.configPath };
}

/** A minimal config.toml: the config version containerd reads natively and the registry table. */
function minimalConfig(configPath: string, containerdVersion: string | null): string {
  const version = (containerdRelease(containerdVersion)?.major ?? 1) >= 2 ? 3 : 2;
  const table = tomlKeyPath(registryPathFor(version)!);
  return `version = ${version}\n\n[${table}]\n  config_path = ${basicString(configPath)}\n`;
}

/** Sets config_path to one directory and carries the deprecated registry settings over into hosts.toml specs. */
export function editContainerdConfig(text: string | null, edit: ConfigEdit): ConfigEditResult {
  const blocked = (blockers: string[]): ConfigEditResult => ({ text, migrated: new Map(), blockers });
  if (!edit.configPath.startsWith('/') || /[:\n\r\u0000]/.test(edit.configPath)) {
    return blocked([`config_path ${JSON.stringify(edit.configPath)} must be one absolute directory`]);
  }
  if (text === null) return { text: minimalConfig(edit.configPath, edit.containerdVersion), migrated: new Map(), blockers: [] };
  const bom = text.startsWith('\uFEFF') ? '\uFEFF' : '';
  const body = text.slice(bom.length);
  const parsed = parseToml(body);
  if (!parsed.ok) return blocked([`config.toml is not valid TOML (${parsed.error}): fix it first`]);
  const data = parsed.data;
  const facts = factsOf(data);
  if (!facts.valid) return blocked([`config.toml: ${facts.error}`]);
  if (facts.criDisabled) {
    return blocked(['config.toml lists the CRI plugin in disabled_plugins: registry settings for Kubernetes would have no effect; enable the CRI plugin first']);
  }
  const version = facts.version!;
  const addVersionLine = version === 1 && data['plugins'] === undefined;
  if (version === 1 && !addVersionLine) return blocked([VERSION_1]);
  if (addVersionLine) {
    const short = shortPluginNames(data);
    if (short.length > 0) return blocked([versionOneNames(short)]);
  }
  const release = containerdRelease(edit.containerdVersion);
  if (version >= 3 && release !== null && release.major < 2) {
    return blocked([`config.toml is version ${version}, which containerd ${edit.containerdVersion} does not read`]);
  }
  const registryPath = registryPathFor(addVersionLine ? 2 : version);
  if (registryPath === null) return blocked([`config.toml is version ${version}, a version dockhand does not know`]);
  const registry = valueAt(data, registryPath);
  if (registry !== undefined && !isTable(registry)) return blocked([`\`${tomlKeyPath(registryPath)}\` is not a table`]);
  const current = registry?.['config_path'];
  if (current !== undefined && typeof current !== 'string') return blocked([`\`${tomlKeyPath([...registryPath, 'config_path'])}\` is not a string`]);

  let target = edit.configPath;
  const effective = effectiveConfigPath({ ...facts, configPath: current ?? null }, edit.containerdVersion);
  if (effective !== null) {
    if (effective.directory !== edit.configPath) {
      return blocked([`config_path is already ${JSON.stringify(current)}: hosts.toml files belong in ${effective.directory}, not ${edit.configPath}`]);
    }
    target = effective.configPath;
  }
  const legacy = legacyHosts(registry);
  if (legacy.blockers.length > 0) return blocked(legacy.blockers);

  const removedRoots: RemovedRoot[] = [];
  if (legacyMirrorHosts(registry).length > 0) {
    removedRoots.push({ path: [...registryPath, 'mirrors'], keepHeader: true, label: 'registry.mirrors' });
  }
  const tlsHosts = legacyConfigHosts(registry, 'tls');
  for (const host of tlsHosts) {
    removedRoots.push({ path: [...registryPath, 'configs', host, 'tls'], keepHeader: false, label: `registry.configs.${JSON.stringify(host)}.tls` });
  }
  let layout;
  try {
    layout = scanToml(body);
  } catch (error) {
    if (error instanceof LayoutError) return blocked([`config.toml: cannot follow its layout (${error.message})`]);
    throw error;
  }
  const plan = planTextEdit(body, layout, { registryPath, removedRoots, configPath: target, currentConfigPath: current, addVersionLine });
  if (plan.blockers.length > 0) return blocked(plan.blockers);
  const edited = applySplices(body, layout, plan.splices);
  if (edited === body) return { text, migrated: new Map(), blockers: [] };
  const problems = checkEdit(data, edited, registryPath, target, tlsHosts, addVersionLine);
  if (problems.length > 0) return blocked(problems.map((p) => `the edited config.toml failed its check (${p}); it was not changed`));
  return { text: bom + edited, migrated: legacy.specs, blockers: [] };
}

/** Plugin names as version 1 lets them be written (`aufs`), which version 2 refuses (`invalid disabled plugin URI`). */
function shortPluginNames(data: TomlTable): { key: string; name: string }[] {
  return ['disabled_plugins', 'required_plugins'].flatMap((key) => {
    const list = data[key];
    return Array.isArray(list) ? list.filter((name): name is string => typeof name === 'string' && !name.includes('.')).map((name) => ({ key, name })) : [];
  });
}

/** Version 2 names of the plugins a version 1 file may name short (containerd's plugin IDs and types). */
const PLUGIN_URIS: Readonly<Record<string, string>> = {
  aufs: 'io.containerd.snapshotter.v1.aufs',
  btrfs: 'io.containerd.snapshotter.v1.btrfs',
  devmapper: 'io.containerd.snapshotter.v1.devmapper',
  native: 'io.containerd.snapshotter.v1.native',
  overlayfs: 'io.containerd.snapshotter.v1.overlayfs',
  zfs: 'io.containerd.snapshotter.v1.zfs',
  cri: 'io.containerd.grpc.v1.cri',
  opt: 'io.containerd.internal.v1.opt',
  restart: 'io.containerd.internal.v1.restart',
};

function versionOneNames(short: readonly { key: string; name: string }[]): string {
  const named = short.map(({ key, name }) => `${key} ${JSON.stringify(name)}${PLUGIN_URIS[name] ? ` (version 2: ${JSON.stringify(PLUGIN_URIS[name])})` : ''}`);
  return (
    'config.toml has no `version` line, and setting config_path means adding `version = 2`, where plugins are named by their full ' +
    `URI: containerd would refuse to start with ${named.join(', ')}. Rename them (or add \`version = 2\` with the new names yourself), then run again.`
  );
}

const VERSION_1 =
  'config.toml has no `version` line, so containerd 1.x reads it as version 1: there the CRI plugin is `[plugins.cri]`, ' +
  'and tables named for version 2 (`[plugins."io.containerd.grpc.v1.cri"]`) are silently ignored (containerd#5236). ' +
  'dockhand does not guess which names you meant: add `version = 2` at the top and rename the plugin tables to their ' +
  'version 2 names (`plugins.cri` becomes `plugins."io.containerd.grpc.v1.cri"`), then run again.';

/** Parses the edited text and checks it means what was intended, and nothing else changed. */
function checkEdit(before: TomlTable, text: string, registryPath: string[], target: string, tlsHosts: string[], addedVersion: boolean): string[] {
  const parsed = parseToml(text);
  if (!parsed.ok) return [`it does not parse: ${parsed.error}`];
  const after = parsed.data;
  const problems: string[] = [];
  const registry = valueAt(after, registryPath);
  if (!isTable(registry) || registry['config_path'] !== target) problems.push(`config_path is not ${JSON.stringify(target)}`);
  if (legacyMirrorHosts(registry).length > 0) problems.push('registry.mirrors is still set');
  if (legacyConfigHosts(registry, 'tls').length > 0) problems.push('a registry.configs.*.tls is still set');
  if (addedVersion && after['version'] !== 2) problems.push('version is not 2');
  const rest = (data: TomlTable, dropVersion: boolean) => withoutEditedParts(data, registryPath, tlsHosts, dropVersion);
  if (!isDeepStrictEqual(rest(before, false), rest(after, addedVersion))) problems.push('another setting would change');
  return problems;
}

/** A plain copy of `data` without what the edit touches, and with the tables it emptied pruned. */
function withoutEditedParts(data: TomlTable, registryPath: string[], tlsHosts: string[], dropVersion: boolean): unknown {
  const copy = plainCopy(data) as Record<string, unknown>;
  if (dropVersion) delete copy['version'];
  const chain: Record<string, unknown>[] = [copy];
  for (const segment of registryPath) {
    const next = chain.at(-1)![segment];
    if (!isTable(next)) return copy;
    chain.push(next);
  }
  const registry = chain.at(-1)!;
  delete registry['config_path'];
  delete registry['mirrors'];
  const configs = registry['configs'];
  if (isTable(configs)) {
    for (const host of tlsHosts) {
      const config = configs[host];
      if (!isTable(config)) continue;
      delete config['tls'];
      if (Object.keys(config).length === 0) delete configs[host];
    }
    if (Object.keys(configs).length === 0) delete registry['configs'];
  }
  for (let i = chain.length - 1; i > 0; i--) {
    if (Object.keys(chain[i]!).length === 0) delete chain[i - 1]![registryPath[i - 1]!];
  }
  return copy;
}

function plainCopy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plainCopy);
  if (value instanceof Date) return new Date(value.getTime());
  if (isTable(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainCopy(v)]));
  return value;
}
