/**
 * The containers-image runtime's part of a node's plan (podman, buildah, skopeo, CRI-O): one drop-in per
 * registry in /etc/containers/registries.conf.d that asks for something there (insecure, mirrors), each
 * carrying the whole entry for its prefix; each registry's CA in /etc/containers/certs.d. podman and its
 * kin read the files on every command; CRI-O re-reads the registries configuration on `systemctl reload
 * crio` (SIGHUP), containers keep running. registries.conf itself is never edited. Pure: check and apply
 * share it.
 */
import { fileChange, fileRemoval } from '../../plan/file-change.ts';
import { runtimeHandler } from '../../plan/handlers.ts';
import type { NodeState } from '../../plan/node-state.ts';
import type { DesiredState, Expectation, FileChange, Handler, RestartDecision, RuntimePlan } from '../../plan/types.ts';
import { isCidr } from '../../playbook/validate-values.ts';
import { planCertsD, urlHost } from './certs-d.ts';
import { dropInPath, hasDropInName, mirrorEndpoint, planDropIn, playMirror, registryPrefix, type WantedEntry } from './drop-in.ts';
import { DROP_IN_DIR, isDockhandDropIn, REGISTRIES_CONF, type RegistriesFile } from './registries-conf.ts';
import type { ContainersFacts } from './types.ts';

const RUNTIME = 'containers';
const RELOAD = runtimeHandler('reload', RUNTIME);

/** What the plays ask of each prefix, the CAs they give (host -> PEM), the hosts they retire, and notes. */
function wantedEntries(desired: DesiredState): { wanted: Map<string, WantedEntry>; cas: Map<string, string>; mentioned: Set<string>; retiredHosts: string[]; notes: string[] } {
  const wanted = new Map<string, WantedEntry>();
  const cas = new Map<string, string>();
  const mentioned = new Set<string>();
  const notes: string[] = [];
  const want = (prefix: string, insecure: boolean, mirrors: WantedEntry['mirrors']) => {
    const now = wanted.get(prefix);
    wanted.set(prefix, {
      prefix,
      insecure: insecure || now?.insecure === true,
      mirrors: [...(now?.mirrors ?? []), ...mirrors.filter((m) => !(now?.mirrors ?? []).some((n) => n.location === m.location))],
    });
  };
  for (const registry of desired.registries) {
    const prefix = registryPrefix(registry.host);
    mentioned.add(prefix);
    if (registry.state !== 'present') continue;
    if (registry.ca !== undefined) cas.set(registry.host, registry.ca.pem);
    for (const mirror of registry.mirrors ?? []) if (mirror.ca !== undefined) cas.set(urlHost(mirror.url), mirror.ca.pem);
    const mirrors = (registry.mirrors ?? []).map(playMirror);
    if (registry.insecure || mirrors.length > 0) want(prefix, registry.insecure, mirrors);
  }
  for (const extra of desired.insecureRegistries) {
    if (isCidr(extra)) {
      notes.push(`containers-image has no insecure-registry CIDRs: ${extra} applies to Docker only`);
      continue;
    }
    mentioned.add(registryPrefix(extra));
    want(registryPrefix(extra), true, []);
  }
  for (const retired of desired.retiredInsecureRegistries) if (!isCidr(retired)) mentioned.add(registryPrefix(retired));
  if (desired.registryMirrors.length > 0 || desired.retiredRegistryMirrors.length > 0) mentioned.add('docker.io');
  if (desired.registryMirrors.length > 0) want('docker.io', false, desired.registryMirrors.map((url) => mirrorEndpoint(url)));
  const retiredHosts = desired.registries.filter((r) => r.state === 'absent').map((r) => r.host);
  return { wanted, cas, mentioned, retiredHosts, notes };
}

/**
 * Why containers/image (and so dockhand) cannot go on with the node's registries configuration: files it
 * cannot read always; where dockhand has drop-ins to write, also what would keep them from taking effect.
 */
function configBlockers(facts: ContainersFacts, dropIns: boolean): string[] {
  const blockers: string[] = [];
  const main = facts.registriesConf;
  if (dropIns && main?.format === 'v1') {
    blockers.push(
      `${main.path} is in the deprecated v1 format ([registries.search], [registries.insecure], [registries.block]): ` +
        'dockhand adds v2 drop-ins and carries each entry over whole, which it does only from v2 files; convert it to [[registry]] tables (containers-registries.conf(5)), then run again',
    );
  }
  for (const file of [...(main === null ? [] : [main]), ...facts.dropIns]) {
    if (file.error !== null) blockers.push(`${file.path} cannot be read by containers/image: ${file.error}; fix it first (podman and CRI-O fail on it too)`);
    else if (file !== main && file.format === 'v1') blockers.push(`${file.path} is a drop-in in the v1 format, which containers/image refuses ("registry must be in v2 format"); fix it first`);
  }
  if (dropIns && facts.userConfig !== null) {
    blockers.push(
      `${facts.userConfig} exists: podman and CRI-O running as root read it instead of ${REGISTRIES_CONF} and ${DROP_IN_DIR}, so dockhand's drop-ins would not take effect; ` +
        `move its settings into ${REGISTRIES_CONF} (or a drop-in) and remove it, then run again`,
    );
  }
  return blockers;
}

/**
 * CRI-O reads the registries configuration at start and on SIGHUP (`systemctl reload crio`; containers keep
 * running); podman and its kin read it on every command. A running CRI-O is reloaded after a drop-in
 * changed, or where the files changed after its last start or reload (a reload owed); a stopped one reads
 * them when it starts.
 */
function crioReload(facts: ContainersFacts, dropInsChanged: boolean): { handlers: Handler[]; restart: RestartDecision | null; expect: Expectation[]; missing: string[]; notes: string[] } {
  const crio = facts.crio;
  const none = { handlers: [], restart: null, expect: [], missing: [], notes: [] };
  if (crio === null) return none;
  if (!crio.running) {
    return { ...none, notes: dropInsChanged ? [`CRI-O is not running (crio.service is ${crio.activeState ?? 'stopped'}): it reads the new registries configuration when it starts`] : [] };
  }
  const missing = crio.configNewer === true && !dropInsChanged ? ['CRI-O runs on an older registries configuration than the files (they changed after its last start or reload)'] : [];
  if (!dropInsChanged && missing.length === 0) return none;
  return {
    handlers: [RELOAD],
    restart: { runtime: RUNTIME, needed: false, allowed: true, reason: 'a reload of CRI-O (SIGHUP) re-reads the registries configuration; containers keep running' },
    expect: [{ runtime: RUNTIME, kind: 'crio' }],
    missing,
    notes: [],
  };
}

/**
 * dockhand's drop-in for each prefix the plays ask something of, and what podman must then show; its
 * drop-ins for prefixes the plays mention but no longer ask anything of go; every other file stays.
 */
function planDropIns(state: NodeState, facts: ContainersFacts, wanted: ReadonlyMap<string, WantedEntry>, mentioned: ReadonlySet<string>) {
  const changes: (FileChange | undefined)[] = [];
  const expect: Expectation[] = [];
  const blockers: string[] = [];
  const notes: string[] = [];
  for (const entry of wanted.values()) {
    const planned = planDropIn(entry, facts.registriesConf, facts.dropIns);
    if ('blocker' in planned) {
      blockers.push(planned.blocker);
      continue;
    }
    const now = state.files.get(planned.path);
    if (now !== undefined && !isDockhandDropIn(now.text)) {
      blockers.push(`${planned.path} has the name of dockhand's drop-in for ${entry.prefix} but is someone else's (its first line is not dockhand's): rename it, then run again`);
      continue;
    }
    changes.push(fileChange(state, 'registries.conf.d', planned.path, planned.text));
    if (planned.entry.insecure) expect.push({ runtime: RUNTIME, kind: 'insecure', value: entry.prefix });
    for (const mirror of planned.entry.mirrors) expect.push({ runtime: RUNTIME, kind: 'mirror', value: `${entry.prefix}>${mirror.location}` });
  }
  for (const prefix of mentioned) {
    const path = dropInPath(prefix);
    if (wanted.has(prefix) || !isDockhandDropIn(state.files.get(path)?.text)) continue;
    const removal = fileRemoval(state, 'registries.conf.d', path, { dockhandNamed: true });
    changes.push(removal.change);
    if (removal.note !== undefined) notes.push(removal.note);
  }
  return { changes: changes.filter((c) => c !== undefined), expect, blockers, notes };
}

/** The containers-image runtime's part of the plan for one node. */
export function planContainers(state: NodeState, desired: DesiredState, facts: ContainersFacts): RuntimePlan {
  const { wanted, cas, mentioned, retiredHosts, notes } = wantedEntries(desired);
  const ownDropIns = wanted.size > 0 || [...mentioned].some((prefix) => isDockhandDropIn(state.files.get(dropInPath(prefix))?.text));
  const blockers = facts.installed ? configBlockers(facts, ownDropIns) : ['podman, buildah, skopeo or CRI-O is not installed on this node'];

  const dropIns = planDropIns(state, facts, wanted, mentioned);
  blockers.push(...dropIns.blockers);
  notes.push(...dropIns.notes);
  const expect = dropIns.expect;
  const certs = planCertsD(state, facts.certFiles, cas, retiredHosts);
  blockers.push(...certs.blockers);
  notes.push(...certs.notes);
  const planned = [...dropIns.changes, ...certs.changes];

  const crio = crioReload(facts, planned.some((c) => c.resource === 'registries.conf.d'));
  notes.push(...crio.notes);
  expect.push(...crio.expect);
  // what podman shows is the proof that the files take effect; without podman nothing on the node can say
  const effect = facts.podman ? [...(expect.some((e) => e.kind !== 'crio') ? [{ runtime: RUNTIME, kind: 'readable' }] : []), ...expect] : expect.filter((e) => e.kind === 'crio');
  return {
    runtime: RUNTIME,
    mechanism: 'registries.conf.d',
    via: `drop-ins in ${DROP_IN_DIR}`,
    changes: planned,
    handlers: crio.handlers,
    blockers,
    blocked: [],
    warnings: [],
    missingEffect: crio.missing,
    expect: effect,
    validate: [],
    restart: crio.restart,
    notes,
  };
}

/** The registries configuration as the facts table shows it: the main file's format and the drop-ins, dockhand's counted apart. */
export function configSummary(facts: ContainersFacts): string {
  const format = (file: RegistriesFile | null) => (file === null ? 'none' : file.error !== null ? 'INVALID' : file.format);
  const own = facts.dropIns.filter((f) => hasDropInName(f.path)).length;
  return `registries.conf ${format(facts.registriesConf)}, ${facts.dropIns.length - own} drop-in(s)${own > 0 ? ` + ${own} of dockhand's` : ''}`;
}
