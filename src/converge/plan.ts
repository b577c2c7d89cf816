/**
 * Planning: from a node's state and its desired state to file changes and owed handlers. Pure:
 * check and apply share it; only execution talks to the node.
 */
import { parseCaBundle } from '../resources/ca-certificate.ts';
import { certsDPath } from '../resources/certs-d.ts';
import { missingEffect } from '../resources/docker-effect.ts';
import { DOCKER_OPTIONS_PATH, editDockerOptions } from '../resources/docker-options.ts';
import { INSECURE_FLAG, MIRROR_FLAG, type RegistryFlag } from '../resources/docker-opts-flags.ts';
import { editHosts, HOSTS_PATH } from '../resources/hosts-file.ts';
import { anchorFiles, isAnchorOf } from '../resources/trust-store.ts';
import type { NodeState } from './node-state.ts';
import { HANDLER_ORDER, type DesiredState, type FileChange, type Handler, type ResourceKind } from './types.ts';

export interface NodePlan {
  readonly changes: readonly FileChange[];
  readonly handlers: readonly Handler[];
  /** Why the node cannot converge; non-empty means: touch nothing, fail the node. */
  readonly blockers: readonly string[];
  /** What the running dockerd lacks now (before any change). */
  readonly missingEffect: readonly string[];
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

function blockersFor(state: NodeState, desired: DesiredState, flagsNeeded: boolean): string[] {
  const docker = state.facts.docker;
  const blockers: string[] = [];
  if (!docker.installed) blockers.push('Docker is not installed on this node');
  if (!flagsNeeded || !docker.installed) return blockers;
  if (!docker.honoursDockerOpts) {
    const execStart = docker.unit?.execStart.join(' | ') || 'unknown';
    blockers.push(
      `docker.service does not pass $DOCKER_OPTS to dockerd (ExecStart: ${execStart}), so registry flags in ${DOCKER_OPTIONS_PATH} would have no effect`,
    );
  }
  if (docker.dockerOptsSource !== null && docker.dockerOptsSource !== 'environment') {
    blockers.push(`DOCKER_OPTS is set by EnvironmentFile ${docker.dockerOptsSource}, which overrides ${DOCKER_OPTIONS_PATH}`);
  }
  const keys = docker.daemonJson.keys;
  const clash = [
    desired.insecureRegistries.length > 0 && keys.includes('insecure-registries') ? 'insecure-registries' : undefined,
    desired.registryMirrors.length > 0 && keys.includes('registry-mirrors') ? 'registry-mirrors' : undefined,
  ].filter((key) => key !== undefined);
  for (const key of clash) {
    blockers.push(`/etc/docker/daemon.json sets "${key}": dockerd refuses to start when the same option is also a flag`);
  }
  if (docker.daemonJson.present && !docker.daemonJson.valid) {
    blockers.push(`/etc/docker/daemon.json is not valid JSON (${docker.daemonJson.error ?? 'parse error'}): dockerd would not start`);
  }
  return blockers;
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
  const wantedEffect = { insecureRegistries: desired.insecureRegistries, registryMirrors: desired.registryMirrors };
  const flagsNeeded = flagsWanted(desired).length > 0;
  const lacking = flagsNeeded ? missingEffect(state.facts.docker, wantedEffect) : [];
  const dropIn = planDockerOptions(state, desired);
  // Only a flag that dockerd lacks, or a drop-in edit, runs into how Docker is wired.
  const blockers = blockersFor(state, desired, lacking.length > 0 || dropIn !== undefined);
  const changes = [planHosts(state, desired), ...planCertificates(state, desired), dropIn].filter((c) => c !== undefined);

  const handlers = new Set<Handler>();
  const anchorsKept = (path: string) => !changes.some((c) => c.path === path && c.after === null);
  if (changes.some((c) => c.resource === 'trust-store') || state.trustMissing.some(anchorsKept)) handlers.add('update-trust');
  if (dropIn) handlers.add('daemon-reload');
  // A restart only where a flag changed or dockerd lacks one (an owed restart); certs.d is read per
  // connection and needs none.
  if (dropIn || (lacking.length > 0 && state.facts.docker.running)) handlers.add('restart-docker');
  return {
    changes,
    handlers: HANDLER_ORDER.filter((h) => handlers.has(h)),
    blockers,
    missingEffect: lacking,
  };
}
