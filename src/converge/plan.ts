/**
 * Planning: from a node's state and its desired state to file changes and owed handlers. Pure:
 * check and apply share it; only execution talks to the node.
 */
import { parseCaBundle } from '../resources/ca-certificate.ts';
import { certsDPath } from '../resources/certs-d.ts';
import { missingEffect } from '../resources/docker-effect.ts';
import { DAEMON_JSON_PATH, editDaemonJson } from '../resources/daemon-json.ts';
import { DOCKER_OPTIONS_PATH, editDockerOptions } from '../resources/docker-options.ts';
import { INSECURE_FLAG, MIRROR_FLAG, type RegistryFlag } from '../resources/docker-opts-flags.ts';
import { editHosts, HOSTS_PATH } from '../resources/hosts-file.ts';
import { anchorFiles, isAnchorOf } from '../resources/trust-store.ts';
import type { NodeState } from './node-state.ts';
import { chooseMechanism } from './mechanism.ts';
import { HANDLER_ORDER, type DesiredState, type FileChange, type Handler, type Mechanism, type ResourceKind } from './types.ts';

export interface NodePlan {
  /** How registry options reach dockerd on this node; null when the plays ask for none. */
  readonly mechanism: Mechanism | null;
  readonly changes: readonly FileChange[];
  readonly handlers: readonly Handler[];
  /** Why the node cannot converge; non-empty means: touch nothing, fail the node. */
  readonly blockers: readonly string[];
  /** What the running dockerd lacks now (before any change). */
  readonly missingEffect: readonly string[];
  /** Things an operator should know before this runs (containers a restart will stop). */
  readonly warnings: readonly string[];
}

function change(resource: ResourceKind, path: string, before: string | null, after: string | null): FileChange | undefined {
  if (before === after) return undefined;
  const action = before === null ? 'create' : after === null ? 'delete' : 'update';
  return { resource, path, action, before, after, mode: '0644' };
}

function flagsWanted(desired: DesiredState): RegistryFlag[] {
  return [
    ...desired.insecureRegistries.map((value) => ({ name: INSECURE_FLAG, value }) as const),
    ...desired.registryMirrors.map((value) => ({ name: MIRROR_FLAG, value }) as const),
  ];
}

function planDockerOptions(state: NodeState, desired: DesiredState): FileChange | undefined {
  const before = state.files.get(DOCKER_OPTIONS_PATH) ?? null;
  const after = editDockerOptions(before, state.facts.docker.dockerOpts, {
    ensure: flagsWanted(desired),
    remove: desired.retiredInsecureRegistries
      .filter((host) => !desired.insecureRegistries.includes(host))
      .map((value) => ({ name: INSECURE_FLAG, value })),
  });
  return change('docker-options', DOCKER_OPTIONS_PATH, before, after);
}

function planDaemonJson(state: NodeState, desired: DesiredState): FileChange | undefined {
  const before = state.files.get(DAEMON_JSON_PATH) ?? null;
  let after: string | null;
  try {
    after = editDaemonJson(before, desired);
  } catch {
    return undefined; // an invalid daemon.json is a blocker of the mechanism, reported there
  }
  return change('daemon-json', DAEMON_JSON_PATH, before, after);
}

function planHosts(state: NodeState, desired: DesiredState): FileChange | undefined {
  const pin = desired.registries
    .filter((r) => r.state === 'present' && r.ip !== undefined)
    .map((r) => ({ name: hostName(r.host), ip: r.ip! }));
  const unpin = desired.registries.filter((r) => r.state === 'absent').map((r) => hostName(r.host));
  if (pin.length === 0 && unpin.length === 0) return undefined;
  const before = state.files.get(HOSTS_PATH) ?? null;
  return change('hosts', HOSTS_PATH, before, editHosts(before ?? '', { pin, unpin }));
}

/** The name part of a registry host (`harbor.local:5000` -> `harbor.local`). */
export function hostName(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  const colon = host.lastIndexOf(':');
  return colon > 0 ? host.slice(0, colon) : host;
}

function planCertificates(state: NodeState, desired: DesiredState): FileChange[] {
  const changes: (FileChange | undefined)[] = [];
  for (const registry of desired.registries) {
    const certsD = certsDPath(registry.host);
    const anchorsNow = [...state.files.keys()].filter((path) => isAnchorOf(path, registry.host));
    if (registry.state === 'absent') {
      changes.push(change('certs.d', certsD, state.files.get(certsD) ?? null, null));
      for (const path of anchorsNow) changes.push(change('trust-store', path, state.files.get(path)!, null));
      continue;
    }
    if (!registry.ca) continue;
    changes.push(change('certs.d', certsD, state.files.get(certsD) ?? null, registry.ca.pem));
    const wanted = anchorFiles(state.family, registry.host, parseCaBundle(Buffer.from(registry.ca.pem)).certificates);
    for (const [path, content] of wanted) changes.push(change('trust-store', path, state.files.get(path) ?? null, content));
    for (const path of anchorsNow) if (!wanted.has(path)) changes.push(change('trust-store', path, state.files.get(path)!, null));
  }
  return changes.filter((c) => c !== undefined);
}

/** Plan one node. */
export function planNode(state: NodeState, desired: DesiredState): NodePlan {
  const docker = state.facts.docker;
  const wantedEffect = { insecureRegistries: desired.insecureRegistries, registryMirrors: desired.registryMirrors };
  const needed = {
    insecure: desired.insecureRegistries.length > 0 || desired.retiredInsecureRegistries.length > 0,
    mirrors: desired.registryMirrors.length > 0,
  };
  const choice = needed.insecure || needed.mirrors ? chooseMechanism(docker, needed, desired.dockerConfig) : null;
  const lacking = flagsWanted(desired).length > 0 ? missingEffect(docker, wantedEffect) : [];
  const options =
    choice === null ? undefined : choice.mechanism === 'drop-in' ? planDockerOptions(state, desired) : planDaemonJson(state, desired);
  // The wiring matters only where dockerd lacks an option or its file must change.
  const blockers = [
    ...(docker.installed ? [] : ['Docker is not installed on this node']),
    ...(choice !== null && (lacking.length > 0 || options !== undefined) ? choice.blockers : []),
  ];
  const changes = [planHosts(state, desired), ...planCertificates(state, desired), options].filter((c) => c !== undefined);

  const handlers = new Set<Handler>();
  const anchorKept = (path: string) => !changes.some((c) => c.path === path && c.after === null);
  if (changes.some((c) => c.resource === 'trust-store') || state.trustMissing.some(anchorKept)) handlers.add('update-trust');
  if (options?.resource === 'docker-options') handlers.add('daemon-reload');
  // daemon.json's registry options are reloadable (SIGHUP); a flag needs a restart; certs.d needs
  // nothing (read per connection). A running dockerd that lacks an option the files already give is
  // owed the same (a run that died before its handler).
  const owed = lacking.length > 0 && docker.running;
  if (options?.resource === 'docker-options' || (owed && choice?.mechanism === 'drop-in')) handlers.add('restart-docker');
  else if (options?.resource === 'daemon-json' || (owed && choice?.mechanism === 'daemon-json')) handlers.add('reload-docker');

  // What an earlier run recorded as owed and never finished.
  for (const pending of state.pendingHandlers) handlers.add(pending);
  if (handlers.has('restart-docker')) handlers.delete('reload-docker');

  const warnings =
    handlers.has('restart-docker') && docker.running && docker.liveRestore === false && (docker.containersRunning ?? 0) > 0
      ? [`restarting Docker stops the ${docker.containersRunning} running containers (live-restore is off)`]
      : [];
  return {
    mechanism: choice?.mechanism ?? null,
    changes,
    handlers: HANDLER_ORDER.filter((h) => handlers.has(h)),
    blockers,
    missingEffect: lacking,
    warnings,
  };
}
