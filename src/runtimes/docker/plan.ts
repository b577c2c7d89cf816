/**
 * Docker's part of a node's plan: registry options through the mechanism the node's dockerd really
 * honours (the DOCKER_OPTS drop-in or daemon.json), each registry's CA in certs.d, the handlers that
 * follow (a reload for daemon.json, daemon-reload and a restart for a flag), whether that restart may
 * happen, and what dockerd must show afterwards. Pure: check and apply share it.
 */
import { editableText, fileChange, fileRemoval } from '../../plan/file-change.ts';
import { DAEMON_RELOAD, runtimeHandler } from '../../plan/handlers.ts';
import type { NodeState } from '../../plan/node-state.ts';
import type { DesiredState, Expectation, FileChange, Handler, PlanContext, RestartDecision, RuntimePlan } from '../../plan/types.ts';
import type { DockerFacts } from './types.ts';
import { certsDPath } from './certs-d.ts';
import { DAEMON_JSON_PATH, editDaemonJson } from './daemon-json.ts';
import { DOCKER_OPTIONS_PATH, editDockerOptions } from './drop-in.ts';
import { missingEffect } from './effect.ts';
import { INSECURE_FLAG, MIRROR_FLAG, type RegistryFlag } from './flags.ts';
import { chooseMechanism } from './mechanism.ts';
import { NO_PROXY_DROP_IN, planDockerProxy } from './proxy.ts';
import { insecureKey, mirrorKey, sameInsecure, sameMirror } from '../../registry/name.ts';

function flagsWanted(desired: DesiredState): RegistryFlag[] {
  return [
    ...desired.insecureRegistries.map((value) => ({ name: INSECURE_FLAG, value }) as const),
    ...desired.registryMirrors.map((value) => ({ name: MIRROR_FLAG, value }) as const),
  ];
}

function retiredFlags(desired: DesiredState): RegistryFlag[] {
  return [
    ...desired.retiredInsecureRegistries.filter((host) => !desired.insecureRegistries.some((kept) => sameInsecure(kept, host))).map((value) => ({ name: INSECURE_FLAG, value }) as const),
    ...desired.retiredRegistryMirrors.filter((url) => !desired.registryMirrors.some((kept) => sameMirror(kept, url))).map((value) => ({ name: MIRROR_FLAG, value }) as const),
  ];
}

type Planned = { readonly change: FileChange | undefined; readonly blockers: readonly string[] };

function planDropIn(state: NodeState, desired: DesiredState, docker: DockerFacts): Planned {
  const current = editableText(state, DOCKER_OPTIONS_PATH);
  if ('blocker' in current) return { change: undefined, blockers: [current.blocker] };
  const after = editDockerOptions(current.text, docker.dockerOpts, { ensure: flagsWanted(desired), remove: retiredFlags(desired) });
  return { change: fileChange(state, 'docker-options', DOCKER_OPTIONS_PATH, after), blockers: [] };
}

function planDaemonJson(state: NodeState, desired: DesiredState, docker: DockerFacts, registries: boolean, liveRestore: boolean, noProxy?: string): Planned {
  const current = editableText(state, DAEMON_JSON_PATH);
  if ('blocker' in current) return { change: undefined, blockers: [current.blocker] };
  const json = docker.daemonJson;
  if (json.present && !json.valid) {
    return { change: undefined, blockers: [`${DAEMON_JSON_PATH} is not valid JSON (${json.error ?? 'parse error'}): fix it first, dockerd cannot start with it`] };
  }
  const after = editDaemonJson(current.text, {
    insecureRegistries: registries ? desired.insecureRegistries : [],
    registryMirrors: registries ? desired.registryMirrors : [],
    retiredInsecureRegistries: registries ? retiredFlags(desired).filter((f) => f.name === INSECURE_FLAG).map((f) => f.value) : [],
    retiredRegistryMirrors: registries ? retiredFlags(desired).filter((f) => f.name === MIRROR_FLAG).map((f) => f.value) : [],
    liveRestore,
    noProxy,
  });
  return { change: fileChange(state, 'daemon-json', DAEMON_JSON_PATH, after), blockers: [] };
}

/** Each registry's CA in certs.d (gone with the registry); a registry without a CA leaves the file alone. */
function planCertsD(state: NodeState, desired: DesiredState): { changes: FileChange[]; notes: string[] } {
  const changes: (FileChange | undefined)[] = [];
  const notes: string[] = [];
  for (const registry of desired.registries) {
    if (registry.state === 'absent') {
      const removal = fileRemoval(state, 'certs.d', certsDPath(registry.host));
      changes.push(removal.change);
      if (removal.note !== undefined) notes.push(removal.note);
    } else if (registry.ca !== undefined) changes.push(fileChange(state, 'certs.d', certsDPath(registry.host), registry.ca.pem));
  }
  return { changes: changes.filter((c) => c !== undefined), notes };
}

/**
 * Whether a restart that stops running containers may happen: not where the play says `never`;
 * where none run or live-restore keeps them, yes; `live_restore: enable` turns live-restore on first
 * (a reload); otherwise only with `always`.
 */
function decideRestart(docker: DockerFacts, desired: DesiredState, canEnableLiveRestore: boolean, why: string): RestartDecision & { readonly enableLiveRestore: boolean } {
  const containers = docker.containersRunning ?? 0;
  const base = { runtime: 'docker' as const, needed: true, enableLiveRestore: false };
  if (desired.restart === 'never') {
    return { ...base, allowed: false, reason: `a Docker restart is needed (${why}), not allowed by restart: never` };
  }
  if (docker.liveRestore === true) return { ...base, allowed: true, reason: `live-restore keeps the ${containers} running containers across the restart` };
  if (containers === 0) return { ...base, allowed: true, reason: 'no container runs on this node' };
  if (desired.liveRestore === 'enable' && canEnableLiveRestore) {
    return { ...base, allowed: true, enableLiveRestore: true, reason: `live-restore is turned on first (a reload), so the ${containers} running containers survive the restart` };
  }
  if (desired.restart === 'always') return { ...base, allowed: true, reason: `restart: always: the restart stops the ${containers} running containers (live-restore is off)` };
  return {
    ...base,
    allowed: false,
    reason:
      `a Docker restart is needed, not allowed by restart: if-idle (${containers} running container${containers === 1 ? '' : 's'}, live-restore off): ` +
      'drain the node first, or allow it (--restart always, or restart: always in the play), or set live_restore: enable so they survive it',
  };
}

const RESTART = runtimeHandler('restart', 'docker');
const RELOAD = runtimeHandler('reload', 'docker');

/** How each mechanism reads in a report. */
const VIA = { 'drop-in': 'the DOCKER_OPTS drop-in', 'daemon-json': 'daemon.json' } as const;

/** Docker's part of the plan for one node. */
export function planDocker(state: NodeState, desired: DesiredState, docker: DockerFacts, context: PlanContext = { staleTrust: null }): RuntimePlan {
  const wanted = { insecureRegistries: desired.insecureRegistries, registryMirrors: desired.registryMirrors };
  const needed = {
    insecure: desired.insecureRegistries.length > 0 || desired.retiredInsecureRegistries.length > 0,
    mirrors: desired.registryMirrors.length > 0 || desired.retiredRegistryMirrors.length > 0,
  };
  const choice = needed.insecure || needed.mirrors ? chooseMechanism(docker, needed, desired.dockerConfig) : null;
  const lacking = flagsWanted(desired).length > 0 ? missingEffect(docker, wanted) : [];
  const proxy = planDockerProxy(state, desired.registries, docker.proxy, docker.running);
  const options: Planned =
    choice === null ? { change: undefined, blockers: [] }
    : choice.mechanism === 'drop-in' ? planDropIn(state, desired, docker)
    : planDaemonJson(state, desired, docker, true, false, proxy.daemonJsonNoProxy);
  // NO_PROXY in daemon.json where no other edit of daemon.json carries it
  const proxyJson = proxy.daemonJsonNoProxy !== undefined && choice?.mechanism !== 'daemon-json' ? planDaemonJson(state, desired, docker, false, false, proxy.daemonJsonNoProxy) : undefined;
  // The wiring matters only where dockerd lacks an option or its file must change.
  const wiringBlockers = choice !== null && (lacking.length > 0 || options.change !== undefined) ? [...choice.blockers, ...options.blockers] : [];

  const handlers = new Set<Handler>();
  if (options.change?.resource === 'docker-options') handlers.add(DAEMON_RELOAD);
  // daemon.json's registry options are reloadable (SIGHUP); a flag needs a restart; certs.d needs
  // nothing (read per connection). A running dockerd that lacks an option the files already give is
  // owed the same (someone changed the files by hand, or a run died before its handler).
  const owed = lacking.length > 0 && docker.running;
  const why: string[] = [];
  if (options.change?.resource === 'docker-options' || (owed && choice?.mechanism === 'drop-in')) {
    handlers.add(RESTART);
    why.push('a flag in the DOCKER_OPTS drop-in');
  } else if (options.change?.resource === 'daemon-json' || (owed && choice?.mechanism === 'daemon-json')) handlers.add(RELOAD);
  // the proxy environment is read once, at start: a NO_PROXY change (or one the running dockerd lacks) needs a restart
  if (proxy.dropInChange !== undefined) handlers.add(DAEMON_RELOAD);
  if (proxy.dropInChange !== undefined || proxy.daemonJsonNoProxy !== undefined || (proxy.lacking.length > 0 && docker.running)) {
    handlers.add(RESTART);
    why.push(`NO_PROXY ${proxy.target === 'daemon-json' ? 'in daemon.json' : `in ${NO_PROXY_DROP_IN}`}`);
  }
  // a CA replaced or taken out of the system trust store: dockerd verifies with the trust it loaded at start
  if (context.staleTrust !== null && docker.running) {
    handlers.add(RESTART);
    why.push(context.staleTrust);
  }

  let restart: RestartDecision | null = null;
  let liveRestoreChange: FileChange | undefined;
  const notes: string[] = [];
  const warnings: string[] = [];
  const blockers = [...(docker.installed ? [] : ['Docker is not installed on this node']), ...wiringBlockers, ...proxy.blockers];
  notes.push(...proxy.notes);
  const blocked: string[] = [];
  if (handlers.has(RESTART) && docker.running) {
    const json = choice?.mechanism === 'daemon-json' ? undefined : planDaemonJson(state, desired, docker, false, true, proxy.daemonJsonNoProxy);
    const decision = decideRestart(docker, desired, json !== undefined && json.blockers.length === 0 && !(choice?.blockers ?? []).some((b) => b.includes('daemon.json')), why.join('; '));
    restart = { runtime: decision.runtime, needed: decision.needed, allowed: decision.allowed, reason: decision.reason };
    if (!decision.allowed) blocked.push(decision.reason);
    else if (decision.enableLiveRestore) {
      liveRestoreChange = json?.change;
      handlers.add(RELOAD);
      notes.push(decision.reason);
    } else if ((docker.containersRunning ?? 0) > 0 && docker.liveRestore !== true) {
      warnings.push(`restarting Docker stops the ${docker.containersRunning} running containers (live-restore is off)`);
    }
  } else if (handlers.has(RELOAD)) {
    restart = { runtime: 'docker', needed: false, allowed: true, reason: 'a reload (SIGHUP) applies daemon.json; containers keep running' };
  }
  const touchesDocker = handlers.has(RESTART) || handlers.has(RELOAD) || handlers.has(DAEMON_RELOAD);
  if (touchesDocker && !docker.running && docker.installed) {
    blockers.push(`Docker is not running on this node (docker.service is ${docker.unit?.activeState ?? 'stopped'}): dockhand does not start a Docker that was stopped; start it, then run again`);
  }

  const certsD = planCertsD(state, desired);
  notes.push(...certsD.notes);
  // one edit of daemon.json carries everything it must say: the live-restore one, when there is one, holds NO_PROXY too
  const changes = [...certsD.changes, options.change, proxy.dropInChange, liveRestoreChange ?? proxyJson?.change].filter((c) => c !== undefined);
  const expect: Expectation[] = docker.running
    ? [
        ...(touchesDocker ? [{ runtime: 'docker', kind: 'active' }] : []),
        ...desired.insecureRegistries.map((value) => ({ runtime: 'docker', kind: 'insecure', value: insecureKey(value) })),
        ...desired.registryMirrors.map((value) => ({ runtime: 'docker', kind: 'mirror', value: mirrorKey(value) })),
        ...(liveRestoreChange !== undefined ? [{ runtime: 'docker', kind: 'live-restore' }] : []),
        ...proxy.entries.map((value) => ({ runtime: 'docker', kind: 'no-proxy', value })),
      ]
    : [];
  const jsonChanged = changes.some((c) => c.resource === 'daemon-json' && c.after !== null);
  const missing = [...lacking, ...proxy.lacking.map((entry) => `NO_PROXY entry ${entry}`)];
  return {
    runtime: 'docker',
    mechanism: choice?.mechanism ?? null,
    via: choice === null ? null : VIA[choice.mechanism],
    changes,
    handlers: [...handlers],
    blockers,
    blocked,
    warnings,
    missingEffect: missing.length === 0 || !docker.running ? missing : [`dockerd lacks ${missing.join(', ')}`],
    expect,
    validate: jsonChanged && docker.supportsValidate ? [DAEMON_JSON_PATH] : [],
    restart,
    notes,
    proxy: proxy.after,
  };
}
