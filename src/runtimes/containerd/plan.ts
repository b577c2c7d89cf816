/**
 * containerd's part of a node's plan, the current way (containerd docs/hosts.md): `config_path` in
 * config.toml (one directory; the deprecated `registry.mirrors`/`configs.*.tls` carried over into
 * hosts.toml files, since containerd refuses them next to config_path), and one hosts.toml per
 * registry under it, with the registry's CA beside it. A hosts.toml change needs no restart (read on
 * every pull); a config.toml change needs `systemctl restart containerd`, which keeps running
 * containers (their shims are separate processes). Pure: check and apply share it.
 */
import { editableText, fileChange, fileRemoval } from '../../plan/file-change.ts';
import { DAEMON_RELOAD, runtimeHandler } from '../../plan/handlers.ts';
import type { NodeState } from '../../plan/node-state.ts';
import type { DesiredState, Expectation, FileChange, Handler, PlanContext, RestartDecision, RuntimePlan } from '../../plan/types.ts';
import { proxyEnvironment } from '../../registry/no-proxy.ts';
import { entriesLacking, planNoProxyDropIn } from '../../resources/proxy.ts';
import { NO_PROXY_DROP_IN } from './facts.ts';
import { isCidr } from '../../playbook/validate-values.ts';
import type { ContainerdFacts } from './types.ts';
import { DEFAULT_CONFIG_PATH, editContainerdConfig, effectiveConfigPath } from './config-toml.ts';
import { hostsDirName, registryHostsToml, renderHostsToml, type HostsToml, type RegistryHostsInput } from './hosts-toml.ts';

/** The first line of every hosts.toml dockhand writes: only those are ever removed. */
const MANAGED_MARK = '# Managed by dockhand';

/** Where a registry's files go under config_path. */
export function hostsFiles(configDir: string, host: string): { dir: string; hostsToml: string; ca: string } {
  const dir = `${configDir}/${hostsDirName(host)}`;
  return { dir, hostsToml: `${dir}/hosts.toml`, ca: `${dir}/ca.crt` };
}

/** Each registry of the plays, and Docker Hub's mirrors, as hosts.toml specs with the CA files they name. */
function wantedHosts(desired: DesiredState, configDir: string): { specs: Map<string, HostsToml>; cas: Map<string, string>; notes: string[] } {
  const specs = new Map<string, HostsToml>();
  const cas = new Map<string, string>();
  const notes: string[] = [];
  const inputs = new Map<string, RegistryHostsInput>();
  for (const registry of desired.registries) {
    if (registry.state !== 'present') continue;
    const files = hostsFiles(configDir, registry.host);
    if (registry.ca !== undefined) cas.set(files.ca, registry.ca.pem);
    const mirrors = (registry.mirrors ?? []).map((mirror, index) => {
      const caPath = mirror.ca === undefined ? undefined : `${files.dir}/mirror-${index + 1}-ca.crt`;
      if (caPath !== undefined && mirror.ca !== undefined) cas.set(caPath, mirror.ca.pem);
      return { url: mirror.url, capabilities: [...mirror.capabilities], skipVerify: mirror.skipVerify, ...(caPath === undefined ? {} : { caPath }) };
    });
    inputs.set(hostsDirName(registry.host), {
      host: registry.host,
      insecure: registry.insecure,
      ...(registry.ca === undefined ? {} : { caPath: files.ca }),
      ...(mirrors.length > 0 ? { mirrors } : {}),
    });
  }
  // Docker Hub's mirrors (registry_mirrors) join docker.io's hosts.toml
  if (desired.registryMirrors.length > 0) {
    const hub = inputs.get('docker.io') ?? { host: 'docker.io', insecure: false };
    inputs.set('docker.io', { ...hub, mirrors: [...(hub.mirrors ?? []), ...desired.registryMirrors.map((url) => ({ url }))] });
  }
  // extra insecure hosts: containerd has hosts, not CIDRs
  for (const extra of desired.insecureRegistries) {
    if (isCidr(extra)) {
      notes.push(`containerd has no insecure-registry CIDRs: ${extra} applies to Docker only`);
      continue;
    }
    const key = hostsDirName(extra);
    if (!inputs.has(key)) inputs.set(key, { host: extra, insecure: true });
  }
  for (const [dir, input] of inputs) specs.set(dir, registryHostsToml(input));
  return { specs, cas, notes };
}

/** Whether a restart of containerd may happen: it keeps running containers; only `restart: never` refuses it. */
function decideRestart(desired: DesiredState, why: string): RestartDecision {
  if (desired.restart === 'never') {
    return { runtime: 'containerd', needed: true, allowed: false, reason: `a containerd restart is needed (${why}), not allowed by restart: never` };
  }
  return { runtime: 'containerd', needed: true, allowed: true, reason: 'a containerd restart keeps running containers (their shims survive it)' };
}

/** containerd's part of the plan for one node. */
export function planContainerd(state: NodeState, desired: DesiredState, containerd: ContainerdFacts, context: PlanContext = { staleTrust: null }): RuntimePlan {
  const blockers: string[] = [];
  if (!containerd.installed) blockers.push('containerd is not installed on this node');
  if (!containerd.config.valid) blockers.push(`${containerd.configFile} is not valid TOML (${containerd.config.error ?? 'parse error'}): fix it first, containerd cannot start with it`);
  for (const imported of containerd.imported.filter((i) => i.error !== null)) {
    blockers.push(`${imported.path}, which ${containerd.configFile} imports, is not valid TOML (${imported.error}): fix it first, containerd cannot start with it`);
  }
  // containerd merges imported files over config.toml plugin by plugin: an imported table of the CRI
  // plugin replaces config.toml's whole, so config_path counts only where the last such file sets it
  const overriding = containerd.imported.filter((i) => i.criTable && i.error === null).at(-1);
  const fromImport = overriding?.configPath ?? null;
  if (overriding !== undefined && fromImport === null) {
    blockers.push(
      `${overriding.path} (imported by ${containerd.configFile}) has the CRI plugin's table, which replaces config.toml's: config_path set in ` +
        `${containerd.configFile} would not take effect. Set config_path = "${DEFAULT_CONFIG_PATH}" in the registry table of that file's CRI plugin ` +
        '(or move the table into config.toml), then run again',
    );
  }
  const effective = fromImport !== null ? effectiveConfigPath({ ...containerd.config, valid: true, configPath: fromImport }, containerd.version) : effectiveConfigPath(containerd.config, containerd.version);
  const configDir = effective?.directory ?? DEFAULT_CONFIG_PATH;

  const current = editableText(state, containerd.configFile);
  let configChange: FileChange | undefined;
  const migrated = new Map<string, HostsToml>();
  if ('blocker' in current) blockers.push(current.blocker);
  else if (containerd.config.valid && overriding === undefined) {
    const edit = editContainerdConfig(current.text, { configPath: effective?.configPath ?? configDir, containerdVersion: containerd.version });
    blockers.push(...edit.blockers);
    if (edit.blockers.length === 0) {
      configChange = fileChange(state, 'containerd-config', containerd.configFile, edit.text);
      for (const [dir, spec] of edit.migrated) migrated.set(dir, spec);
    }
  }

  const wanted = wantedHosts(desired, configDir);
  const notes = [...wanted.notes];
  const specs = new Map(migrated);
  for (const dir of migrated.keys()) {
    if (wanted.specs.has(dir)) notes.push(`${dir}: the play's settings replace the ones config.toml had under registry.mirrors/configs`);
  }
  for (const [dir, spec] of wanted.specs) specs.set(dir, spec);
  if (migrated.size > 0) notes.push(`carried over from config.toml's deprecated registry settings: ${[...migrated.keys()].join(', ')}`);

  const changes: (FileChange | undefined)[] = [configChange];
  for (const [dir, spec] of specs) changes.push(fileChange(state, 'hosts-toml', `${configDir}/${dir}/hosts.toml`, renderHostsToml(spec)));
  for (const [path, pem] of wanted.cas) changes.push(fileChange(state, 'certs.d', path, pem));
  // what the plays retire: registries now absent, and Docker Hub's hosts.toml once no mirror is left
  const retired = desired.registries.filter((r) => r.state === 'absent').map((r) => r.host);
  if (desired.retiredRegistryMirrors.length > 0 && !specs.has('docker.io')) retired.push('docker.io');
  for (const host of retired) {
    const files = hostsFiles(configDir, host);
    // only what dockhand wrote goes: a hosts.toml of someone else's stays, and so does a CA it did not put there
    if (state.files.get(files.hostsToml)?.text?.startsWith(MANAGED_MARK) === true) {
      for (const removal of [
        fileRemoval(state, 'hosts-toml', files.hostsToml, { dockhandNamed: true }),
        ...[...state.files.keys()].filter((path) => path.startsWith(`${files.dir}/`) && path.endsWith('.crt')).map((path) => fileRemoval(state, 'certs.d', path)),
      ]) {
        changes.push(removal.change);
        if (removal.note !== undefined) notes.push(removal.note);
      }
    }
  }
  // NO_PROXY: dockhand's drop-in where the unit gives containerd a proxy that would take the registries
  const proxy =
    containerd.proxy.unit === null
      ? { change: undefined, entries: [] as string[], after: proxyEnvironment({}), blockers: [] as string[], notes: [] as string[] }
      : planNoProxyDropIn(state, NO_PROXY_DROP_IN, 'containerd.service', containerd.proxy.unit, desired.registries);
  changes.push(proxy.change);
  blockers.push(...proxy.blockers);
  notes.push(...proxy.notes);
  const planned = changes.filter((c) => c !== undefined);

  // What the running containerd lacks: a CRI plugin that serves, with the config_path the file gives.
  const missing: string[] = [];
  if (containerd.installed && containerd.running) {
    if (containerd.criStatus !== null && containerd.criStatus !== 'ok') missing.push(`containerd's CRI plugin is not serving (${containerd.criStatus})`);
    if (containerd.criConfigPath !== null && containerd.criConfigPath !== (effective?.configPath ?? configDir)) {
      missing.push(`the running CRI uses registry config_path ${JSON.stringify(containerd.criConfigPath)}, not ${configDir}`);
    } else if (containerd.criConfigPath === null && containerd.configNewerThanProcess === true && configChange === undefined) {
      missing.push(`containerd runs on an older ${containerd.configFile} than the one on disk`);
    }
  } else if (containerd.installed) {
    missing.push('containerd is not running');
  }
  const proxyLacking = containerd.running && containerd.proxy.running !== null ? entriesLacking(containerd.proxy.running.noProxy, proxy.entries) : [];
  if (proxyLacking.length > 0) missing.push(`containerd's NO_PROXY lacks ${proxyLacking.join(', ')}`);

  const handlers: Handler[] = [];
  const blocked: string[] = [];
  const owed = containerd.running && missing.length > 0;
  const staleTrust = containerd.running ? context.staleTrust : null;
  let restart: RestartDecision | null = null;
  if (proxy.change !== undefined) handlers.push(DAEMON_RELOAD);
  if (configChange !== undefined || owed || proxy.change !== undefined || staleTrust !== null) {
    handlers.push(runtimeHandler('restart', 'containerd'));
    const why = [
      ...(configChange !== undefined ? ['config.toml changed'] : []),
      ...(proxy.change !== undefined ? [`NO_PROXY in ${NO_PROXY_DROP_IN}`] : []),
      ...(owed ? ['the running containerd lacks what its files give'] : []),
      ...(staleTrust !== null ? [staleTrust] : []),
    ];
    restart = decideRestart(desired, why.join('; '));
    if (!restart.allowed) blocked.push(restart.reason);
    if (!containerd.running) {
      blockers.push(`containerd is not running on this node (containerd.service is ${containerd.activeState ?? 'stopped'}): dockhand does not start a containerd that was stopped; start it, then run again`);
    }
  }
  const expect: Expectation[] = containerd.running
    ? [
        { runtime: 'containerd', kind: 'cri' },
        ...(containerd.crictl ? [{ runtime: 'containerd', kind: 'config-path', value: effective?.configPath ?? configDir }] : []),
        ...proxy.entries.map((value) => ({ runtime: 'containerd', kind: 'no-proxy', value })),
      ]
    : [];
  return {
    runtime: 'containerd',
    mechanism: `config_path ${configDir}`,
    via: `hosts.toml files under ${configDir}`,
    changes: planned,
    handlers,
    blockers,
    blocked,
    warnings: [],
    missingEffect: missing,
    expect,
    validate: configChange !== undefined && configChange.after !== null ? [containerd.configFile] : [],
    restart,
    notes,
    proxy: proxy.after,
  };
}
