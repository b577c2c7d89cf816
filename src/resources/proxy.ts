/**
 * What every runtime shares about proxies: which NO_PROXY entries the play's registries need where a
 * runtime's environment has a proxy (by Go's rules, src/registry/no-proxy.ts), how a systemd unit's files
 * give it that environment, and dockhand's own drop-in that adds those entries.
 *
 * The drop-in: in systemd a later `Environment=` for a variable replaces the earlier one, so adding to an
 * administrator's NO_PROXY means carrying the whole value. dockhand's file sorts after the administrator's
 * (`zz-dockhand-no-proxy.conf`), sets NO_PROXY and no_proxy both to what the unit has without it (both
 * spellings united) plus dockhand's entries, and records those entries in a comment, so a registry taken
 * back (`state: absent`) loses exactly what dockhand added. The administrator's files are never edited. A
 * unit without a proxy gets no such file, and one dockhand wrote goes when the proxy does.
 */
import { environmentWord, unitEnvironmentOf } from '../formats/unit-file.ts';
import { parseEnvFile } from '../formats/env-file.ts';
import { fileChange, fileRemoval } from '../plan/file-change.ts';
import type { NodeState } from '../plan/node-state.ts';
import type { FileChange } from '../plan/types.ts';
import type { RegistrySpec } from '../playbook/types.ts';
import { hostName, hostPort, registryKey } from '../registry/name.ts';
import {
  defaultPort,
  hasProxy,
  maskProxyUrl,
  noProxyEntries,
  PROXY_VARIABLES,
  proxyEnvironment,
  proxyFor,
  unionNoProxy,
  useProxy,
  withNoProxyEntries,
  type ProxyEnvironment,
} from '../registry/no-proxy.ts';

/** Every spelling of the proxy variables. */
const VARIABLES: readonly string[] = [...PROXY_VARIABLES.http, ...PROXY_VARIABLES.https, ...PROXY_VARIABLES.no];

/** One request a runtime makes to a registry: https first, and plain http too for an insecure one. */
export interface RegistryRequest {
  readonly scheme: 'http' | 'https';
  readonly host: string;
  readonly port: number;
}

/** The requests a runtime makes to a registry, by its name (the address it connects to is the pin's, if any). */
export function registryRequests(registry: Pick<RegistrySpec, 'host' | 'insecure'>): RegistryRequest[] {
  const schemes: ('http' | 'https')[] = registry.insecure ? ['https', 'http'] : ['https'];
  const port = hostPort(registry.host);
  return schemes.map((scheme) => ({ scheme, host: hostName(registry.host).toLowerCase(), port: port ?? defaultPort(scheme) }));
}

const withPort = (host: string, port: number | undefined): string =>
  port === undefined ? host : `${host.includes(':') ? `[${host}]` : host}:${port}`;

/** The NO_PROXY entries of a registry: its name and its pinned address, each with the registry's port where it names one. */
export function registryNoProxyEntries(registry: Pick<RegistrySpec, 'host' | 'ip'>): string[] {
  const port = hostPort(registry.host);
  return [withPort(hostName(registry.host).toLowerCase(), port), ...(registry.ip === undefined ? [] : [withPort(registry.ip.toLowerCase(), port)])];
}

/** Whether some request to the registry goes to the proxy of this environment. */
export function registryProxied(proxy: ProxyEnvironment, registry: Pick<RegistrySpec, 'host' | 'insecure'>): boolean {
  return registryRequests(registry).some((request) => proxyFor(proxy, request.scheme) !== null && useProxy(proxy.noProxy, request.host, request.port));
}

/** The entries the present registries need in NO_PROXY, where a proxy would take their requests now. */
export function neededNoProxyEntries(proxy: ProxyEnvironment, registries: readonly RegistrySpec[]): string[] {
  const present = registries.filter((r) => r.state === 'present');
  return present.filter((r) => registryProxied(proxy, r)).flatMap(registryNoProxyEntries);
}

/**
 * The entries of the registries a play takes back: a retired registry has no `ip` in the play, so its
 * address is the one the node's hosts file pins for it (`pinned`).
 */
export function retiredNoProxyEntries(registries: readonly RegistrySpec[], pinned: (name: string) => string | undefined = () => undefined): string[] {
  return registries.filter((r) => r.state === 'absent').flatMap((r) => registryNoProxyEntries({ host: r.host, ip: pinned(hostName(r.host).toLowerCase()) }));
}

/** A systemd unit's files as a runtime's facts read them. */
export interface UnitFiles {
  readonly fragment: { readonly path: string; readonly content: string } | null;
  /** In the order systemd applies them (DropInPaths). */
  readonly dropIns: readonly { readonly path: string; readonly content: string }[];
  /** EnvironmentFile= paths in order, with their content (null: absent or unreadable). */
  readonly environmentFiles: readonly { readonly path: string; readonly content: string | null }[];
}

/** A unit's proxy variables as its files give them, with and without dockhand's drop-in. */
export interface UnitProxy {
  /** The proxy variables the unit gives its service (Environment=, then EnvironmentFile=, which override it). */
  readonly environment: Readonly<Record<string, string>>;
  /** The file that sets each of them. */
  readonly sources: Readonly<Record<string, string>>;
  /** The same without dockhand's drop-in: what the administrator gave the unit. */
  readonly base: Readonly<Record<string, string>>;
  /** The entries dockhand's drop-in records as its own, by registry ({} without it). */
  readonly dockhandEntries: Readonly<Record<string, readonly string[]>>;
  /** Files that set NO_PROXY or no_proxy over dockhand's drop-in: a drop-in that sorts after it, an EnvironmentFile=. */
  readonly overriders: readonly string[];
}

/** `# dockhand-no-proxy REGISTRY: ENTRY,ENTRY`: one line per registry, so taking one back removes exactly its entries. */
const RECORD = /^# dockhand-no-proxy (\S+): (.*)$/;

function proxyVariables(env: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([name]) => VARIABLES.includes(name)));
}

/** The proxy environment of a unit from its files; `dropInPath` is dockhand's drop-in. */
export function readUnitProxy(files: UnitFiles, dropInPath: string): UnitProxy {
  const ours = files.dropIns.find((d) => d.path === dropInPath);
  const ordered = [...(files.fragment === null ? [] : [files.fragment]), ...files.dropIns];
  const fromFiles = (list: readonly { path: string; content: string }[]) => {
    const unit = unitEnvironmentOf(list);
    const env = proxyVariables(unit.env);
    const sources = Object.fromEntries(Object.keys(env).map((name) => [name, unit.source[name] ?? '']));
    // EnvironmentFile= settings override Environment=, the later file the earlier one
    for (const file of files.environmentFiles) {
      if (file.content === null) continue;
      for (const [name, value] of Object.entries(proxyVariables(parseEnvFile(file.content)))) {
        env[name] = value;
        sources[name] = file.path;
      }
    }
    return { env, sources };
  };
  const all = fromFiles(ordered);
  const base = fromFiles(ordered.filter((f) => f.path !== dropInPath));
  const ourName = dropInPath.slice(dropInPath.lastIndexOf('/') + 1);
  const laterDropIns = files.dropIns.filter((d) => d.path !== dropInPath && d.path.slice(d.path.lastIndexOf('/') + 1) > ourName);
  const setsNoProxy = (env: Record<string, string>) => PROXY_VARIABLES.no.some((name) => name in env);
  const overriders = [
    ...laterDropIns.filter((d) => setsNoProxy(proxyVariables(unitEnvironmentOf([d]).env))).map((d) => d.path),
    ...files.environmentFiles.filter((f) => f.content !== null && setsNoProxy(proxyVariables(parseEnvFile(f.content)))).map((f) => f.path),
  ];
  return { environment: all.env, sources: all.sources, base: base.env, dockhandEntries: recordedEntries(ours?.content ?? null), overriders };
}

/** The entries dockhand's drop-in says it added, by registry. */
export function recordedEntries(content: string | null): Record<string, string[]> {
  const groups: Record<string, string[]> = {};
  for (const line of (content ?? '').split(/\r?\n/)) {
    const match = RECORD.exec(line);
    if (match?.[1] !== undefined) groups[match[1]] = noProxyEntries(match[2] ?? '');
  }
  return groups;
}

/** dockhand's drop-in: NO_PROXY and no_proxy both set to `value`; `groups` are dockhand's own entries, by registry. */
export function renderNoProxyDropIn(value: string, groups: Readonly<Record<string, readonly string[]>>): string {
  return [
    '# Managed by dockhand, which rewrites or removes this file: NO_PROXY and no_proxy as the files before it',
    '# set them, with the registries dockhand adds (a later Environment= replaces an earlier one, so this file',
    '# carries the whole value). Change NO_PROXY in your own drop-in; dockhand follows it on its next run.',
    ...Object.entries(groups).map(([registry, entries]) => `# dockhand-no-proxy ${registry}: ${entries.join(',')}`),
    '[Service]',
    `Environment=${environmentWord('NO_PROXY', value)}`,
    `Environment=${environmentWord('no_proxy', value)}`,
    '',
  ].join('\n');
}

/** dockhand's part of a unit's NO_PROXY on one node. */
export interface NoProxyPlan {
  /** Its drop-in written, rewritten or removed; none when it is as it should be. */
  readonly change: FileChange | undefined;
  /** The entries dockhand keeps in the unit's NO_PROXY (the running daemon must have each). */
  readonly entries: readonly string[];
  /** The proxy environment the unit gives after the change. */
  readonly after: ProxyEnvironment;
  /** Why the drop-in cannot take effect (touch nothing). */
  readonly blockers: readonly string[];
  readonly notes: readonly string[];
}

/** How a new entry list and the administrator's value compose, and the file that carries them. */
export function planNoProxyDropIn(
  state: NodeState,
  path: string,
  unitName: string,
  unit: UnitProxy,
  registries: readonly RegistrySpec[],
): NoProxyPlan {
  const base = proxyEnvironment(unit.base);
  // each registry's entries: a retired one's go, a recorded one's follow its pin, a proxied one's are added
  const groups = new Map(Object.entries(unit.dockhandEntries));
  let needed = false;
  for (const registry of registries) {
    const key = registryKey(registry.host);
    const proxied = registry.state === 'present' && registryProxied(base, registry);
    needed ||= proxied;
    if (registry.state === 'absent') groups.delete(key);
    else if (proxied || groups.has(key)) groups.set(key, registryNoProxyEntries(registry));
  }
  // no proxy, or a file that overrides this one and covers the registries itself: no file of dockhand's
  const pointless = (base.httpProxy === null && base.httpsProxy === null) || (unit.overriders.length > 0 && !needed);
  const entries = pointless ? [] : noProxyEntries(withNoProxyEntries('', [...groups.values()].flat()));
  const notes: string[] = [];
  if (entries.length === 0) {
    const removal = fileRemoval(state, 'no-proxy', path, { dockhandNamed: true });
    if (removal.note !== undefined) notes.push(removal.note);
    return { change: removal.change, entries: [], after: base, blockers: [], notes };
  }
  const composed = withNoProxyEntries(unionNoProxy(unit.base['NO_PROXY'] ?? '', unit.base['no_proxy'] ?? ''), entries);
  const change = fileChange(state, 'no-proxy', path, renderNoProxyDropIn(composed, Object.fromEntries(groups)));
  const blockers = unit.overriders.map(
    (file) => `${file} sets NO_PROXY for ${unitName} over ${path} (a later drop-in, or an EnvironmentFile=, which overrides every Environment=): add ${entries.join(',')} to NO_PROXY there, or remove it from that file`,
  );
  return { change, entries, after: { ...base, noProxy: composed }, blockers, notes };
}

/** The entries of `wanted` that a running daemon's NO_PROXY lacks. */
export function entriesLacking(running: string, wanted: readonly string[]): string[] {
  const have = new Set(noProxyEntries(running).map((e) => e.toLowerCase()));
  return wanted.filter((e) => !have.has(e.toLowerCase()));
}

/** `, proxy URL (NO_PROXY ...)` for a facts line, the URL's password masked; '' without a proxy. */
export function proxySummary(proxy: ProxyEnvironment): string {
  if (!hasProxy(proxy)) return '';
  const urls = [...new Set([proxy.httpsProxy, proxy.httpProxy].filter((u) => u !== null))].map(maskProxyUrl);
  return `, proxy ${urls.join(' ')} (NO_PROXY ${proxy.noProxy === '' ? 'empty' : proxy.noProxy})`;
}
