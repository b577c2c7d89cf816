/**
 * Docker's proxy: dockerd takes HTTP_PROXY, HTTPS_PROXY and NO_PROXY from docker.service's environment
 * (Kubespray's `docker.service.d/http-proxy.conf`, `systemctl edit docker`), and Docker 23 and later from
 * daemon.json's `proxies`, whose values override the environment's one by one (dockerd sets both spellings
 * from them at start). Where a play's registry would go to that proxy, dockhand adds it to NO_PROXY where
 * the value that wins is set: daemon.json's `proxies.no-proxy` when daemon.json sets proxies, else its own
 * drop-in (src/resources/proxy.ts). dockerd reads its proxy environment once, at start: a change needs a
 * restart, under the restart policy.
 */
import { editableText } from '../../plan/file-change.ts';
import type { NodeState } from '../../plan/node-state.ts';
import type { FileChange } from '../../plan/types.ts';
import type { RegistrySpec } from '../../playbook/types.ts';
import {
  noProxyEntries,
  proxyEnvironment,
  withNoProxyEntries,
  withoutNoProxyEntries,
  type ProxyEnvironment,
} from '../../registry/no-proxy.ts';

export type { DockerProxyFacts } from './types.ts';
import {
  entriesLacking,
  neededNoProxyEntries,
  planNoProxyDropIn,
  readUnitProxy,
  registryNoProxyEntries,
  retiredNoProxyEntries,
} from '../../resources/proxy.ts';
import { sectionsNamed, type Section } from '../../formats/sections.ts';
import { HOSTS_PATH, resolveFromHosts } from '../../resources/hosts-file.ts';
import { daemonJsonProxies, DAEMON_JSON_PATH } from './daemon-json.ts';
import type { DaemonJson, DockerProxyFacts, DockerUnit } from './types.ts';

/** dockhand's NO_PROXY drop-in for docker.service: after every administrator's drop-in by name. */
export const NO_PROXY_DROP_IN = '/etc/systemd/system/docker.service.d/zz-dockhand-no-proxy.conf';

/** Docker's proxy facts from the unit, daemon.json, `docker info` and the env-file sections. */
export function parseDockerProxy(
  unit: DockerUnit | null,
  unitFile: string | null,
  sections: readonly Section[],
  daemonJson: DaemonJson,
  running: { readonly httpProxy: string; readonly httpsProxy: string; readonly noProxy: string } | null,
): DockerProxyFacts {
  const envFiles = new Map(sectionsNamed(sections, 'env-file').map((s) => [s.arg ?? '', s.content]));
  const unitProxy =
    unit === null
      ? null
      : readUnitProxy(
          {
            fragment: unit.fragmentPath !== null && unitFile !== null ? { path: unit.fragmentPath, content: unitFile } : null,
            dropIns: unit.dropIns,
            environmentFiles: unit.environmentFiles.map((path) => ({ path, content: envFiles.get(path) ?? null })),
          },
          NO_PROXY_DROP_IN,
        );
  return {
    unit: unitProxy,
    daemonJson: daemonJsonProxies(daemonJson.valid ? daemonJson.content : null),
    running:
      running === null
        ? null
        : { httpProxy: running.httpProxy === '' ? null : running.httpProxy, httpsProxy: running.httpsProxy === '' ? null : running.httpsProxy, noProxy: running.noProxy },
  };
}

/** The proxy environment dockerd starts with: the unit's, each value daemon.json sets overriding it. */
export function configuredProxy(proxy: DockerProxyFacts, withDropIn = true): ProxyEnvironment {
  const env = proxyEnvironment((withDropIn ? proxy.unit?.environment : proxy.unit?.base) ?? {});
  const json = proxy.daemonJson;
  if (json === null) return env;
  return { httpProxy: json.http ?? env.httpProxy, httpsProxy: json.https ?? env.httpsProxy, noProxy: json.no ?? env.noProxy };
}

/** Docker's NO_PROXY on one node: where it goes, what changes, what the running dockerd lacks. */
export interface DockerProxyPlan {
  /** Where dockhand's entries go: its drop-in, daemon.json's `proxies.no-proxy`, or nowhere (no proxy). */
  readonly target: 'drop-in' | 'daemon-json' | null;
  /** The drop-in written, rewritten or removed. */
  readonly dropInChange: FileChange | undefined;
  /** daemon.json's new `proxies.no-proxy`, for the daemon.json edit (undefined: leave it). */
  readonly daemonJsonNoProxy: string | undefined;
  /** Entries the running dockerd must have in its NO_PROXY afterwards. */
  readonly entries: readonly string[];
  /** The entries the running dockerd lacks now (a restart is owed where the files already give them). */
  readonly lacking: readonly string[];
  /** The proxy environment dockerd starts with after the change. */
  readonly after: ProxyEnvironment;
  readonly blockers: readonly string[];
  readonly notes: readonly string[];
}

/** Docker's NO_PROXY plan. */
export function planDockerProxy(state: NodeState, registries: readonly RegistrySpec[], proxy: DockerProxyFacts, running: boolean): DockerProxyPlan {
  const json = proxy.daemonJson;
  if (json !== null) {
    // daemon.json's proxies win over the unit's: the entries go to its no-proxy, composed from the value in effect
    const now = configuredProxy(proxy);
    const needed = neededNoProxyEntries(now, registries);
    const hosts = state.files.get(HOSTS_PATH)?.text;
    const pins = hosts === null || hosts === undefined ? new Map<string, string>() : resolveFromHosts(hosts);
    const retired = retiredNoProxyEntries(registries, (name) => pins.get(name));
    const value = withoutNoProxyEntries(withNoProxyEntries(now.noProxy, needed), retired);
    // what the running dockerd must have: the present registries' own entries that the value holds
    const own = new Set(registries.filter((r) => r.state === 'present').flatMap(registryNoProxyEntries).map((e) => e.toLowerCase()));
    const entries = noProxyEntries(value).filter((e) => own.has(e.toLowerCase()));
    const current = editableText(state, DAEMON_JSON_PATH);
    const blockers = 'blocker' in current ? [current.blocker] : [];
    return {
      target: 'daemon-json',
      dropInChange: undefined,
      daemonJsonNoProxy: value === (json.no ?? '') ? undefined : value,
      entries,
      lacking: running && proxy.running !== null ? entriesLacking(proxy.running.noProxy, entries) : [],
      after: { ...now, noProxy: value },
      blockers,
      notes: [],
    };
  }
  if (proxy.unit === null) {
    return { target: null, dropInChange: undefined, daemonJsonNoProxy: undefined, entries: [], lacking: [], after: configuredProxy(proxy), blockers: [], notes: [] };
  }
  const plan = planNoProxyDropIn(state, NO_PROXY_DROP_IN, 'docker.service', proxy.unit, registries);
  return {
    target: plan.entries.length > 0 || plan.change !== undefined ? 'drop-in' : null,
    dropInChange: plan.change,
    daemonJsonNoProxy: undefined,
    entries: plan.entries,
    lacking: running && proxy.running !== null ? entriesLacking(proxy.running.noProxy, plan.entries) : [],
    after: plan.after,
    blockers: plan.blockers,
    notes: plan.notes,
  };
}
