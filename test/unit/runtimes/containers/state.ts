/** Nodes of the containers-image runtime for planning tests: a golden facts fixture, with its registries files as the test says. */
import type { NodePlan } from '../../../../src/converge/plan.ts';
import { managedFile, type NodeState } from '../../../../src/plan/node-state.ts';
import { readRegistriesFile } from '../../../../src/runtimes/containers/registries-conf.ts';
import type { ContainersFacts } from '../../../../src/runtimes/containers/types.ts';
import { stateFrom } from '../../converge/state.ts';

export interface NodeSetup {
  /** /etc/containers/registries.conf (null: none; undefined: as the fixture has it). */
  readonly registriesConf?: string | null;
  /** Drop-ins beside the fixture's (path -> text); a null text takes the fixture's away. */
  readonly dropIns?: Readonly<Record<string, string | null>>;
  /** Other managed files (path -> text). */
  readonly files?: Readonly<Record<string, string>>;
  /** The files dockhand's ledger says it created. */
  readonly created?: readonly string[];
  readonly containers?: Partial<ContainersFacts>;
}

export function containersOf(state: NodeState): ContainersFacts {
  return state.facts.runtimes['containers'] as ContainersFacts;
}

/** A node from the fixture (`podman-debian12`, `crio-kubespray`) set up as asked. */
export function node(fixture: string, setup: NodeSetup = {}): NodeState {
  const base = stateFrom(fixture, {}, { created: [...(setup.created ?? [])] });
  const own = containersOf(base);
  const dropIns = new Map(own.dropIns.map((f) => [f.path, f] as const));
  const texts = new Map<string, string>();
  for (const [path, text] of Object.entries(setup.dropIns ?? {})) {
    if (text === null) dropIns.delete(path);
    else {
      dropIns.set(path, readRegistriesFile(path, text));
      texts.set(path, text);
    }
  }
  const registriesConf =
    setup.registriesConf === undefined ? own.registriesConf : setup.registriesConf === null ? null : readRegistriesFile('/etc/containers/registries.conf', setup.registriesConf);
  const containers: ContainersFacts = {
    ...own,
    registriesConf,
    dropIns: [...dropIns.values()].sort((a, b) => (a.path < b.path ? -1 : 1)),
    ...setup.containers,
  };
  const files = new Map(base.files);
  for (const [path, text] of [...texts, ...Object.entries(setup.files ?? {})]) files.set(path, managedFile(Buffer.from(text, 'utf8')));
  return { ...base, facts: { ...base.facts, runtimes: { ...base.facts.runtimes, containers } }, files };
}

/** The node once a plan's changes are made: files written or gone, drop-ins read again, created files in the ledger. */
export function applied(state: NodeState, plan: NodePlan): NodeState {
  const files = new Map(state.files);
  const created = new Set(state.created);
  const own = containersOf(state);
  const dropIns = new Map(own.dropIns.map((f) => [f.path, f] as const));
  let certFiles = [...own.certFiles];
  for (const change of plan.changes) {
    if (change.after === null) {
      files.delete(change.path);
      created.delete(change.path);
      dropIns.delete(change.path);
      certFiles = certFiles.filter((p) => p !== change.path);
      continue;
    }
    if (change.action === 'create') created.add(change.path);
    files.set(change.path, managedFile(Buffer.from(change.after, 'utf8')));
    if (change.resource === 'registries.conf.d') dropIns.set(change.path, readRegistriesFile(change.path, change.after));
    if (change.resource === 'certs.d' && !certFiles.includes(change.path)) certFiles.push(change.path);
  }
  const containers: ContainersFacts = {
    ...own,
    dropIns: [...dropIns.values()].sort((a, b) => (a.path < b.path ? -1 : 1)),
    certFiles,
    ...(own.crio === null ? {} : { crio: { ...own.crio, configNewer: false } }),
  };
  return { ...state, files, created, facts: { ...state.facts, runtimes: { ...state.facts.runtimes, containers } } };
}
