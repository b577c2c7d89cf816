/**
 * A container runtime, as the core knows it: one object per runtime folder, listed in ./index.ts. The
 * core (facts, planning, the node transaction, reports, the CLI) iterates that list and never names a
 * runtime; each runtime brings:
 * - detection: a part of the facts script (`.sh`) and the pure parser of its sections, which kubelet
 *   endpoints are its own, and when `runtimes: auto` picks it on a node without kubelet;
 * - the files it manages (read before planning), and its pure plan from the node's state and the
 *   desired state to file changes, handlers, restarts and what the node must show afterwards;
 * - node-side shell functions the transaction dispatches to by the runtime's name (`NAME_validate`,
 *   `NAME_handler`, `NAME_lacking`, `NAME_report`, `NAME_journal`; see src/node/transaction/worker.sh);
 * - its pull check: an image pulled the way this runtime pulls it for kubelet.
 */
import type { Connection } from '../connection/types.ts';
import type { Section } from '../formats/sections.ts';
import type { NodeFacts, RuntimeFacts } from '../plan/facts.ts';
import type { NodeState } from '../plan/node-state.ts';
import type { ProxyEnvironment } from '../registry/no-proxy.ts';
import type { DesiredState, PlanContext, RuntimePlan } from '../plan/types.ts';

/** A login for a pull check (from the environment variables a play names). */
export interface PullCredentials {
  readonly username: string;
  readonly password: string;
}

/** What the facts parser of a runtime may ask of the host's facts. */
export interface HostView {
  /** A command is on the node's PATH (the facts' `commands` section). */
  hasCommand(name: string): boolean;
}

/** One runtime, typed by its own facts. */
export interface RuntimeSpec<F extends RuntimeFacts> {
  /** Its name in playbooks, reports and node-side function names: lower-case letters and digits. */
  readonly name: string;
  /** Other names a playbook may give it (`rke2` for k3s). */
  readonly aliases?: readonly string[];
  /** How people write it (`Docker`). */
  readonly title: string;
  /** What runs and can lack a setting (`dockerd`), for "dockerd lacks ...". */
  readonly daemon: string;
  /** Node-side shell: function definitions only (no output), in every script that involves runtimes. */
  readonly shell: string;
  readonly facts: {
    /** The part of the facts script that prints this runtime's sections (a `.sh` under src/). */
    readonly script: string;
    /** Variables that part reads, set at the top of the facts script. */
    readonly variables?: Readonly<Record<string, string>>;
    /**
     * The systemd units that part reads with `unit_show` and the properties it reads of them: the facts
     * script reads every runtime's units in one `systemctl show`.
     */
    readonly units?: { readonly names: readonly string[]; readonly properties: readonly string[] };
    /** The sections it prints, in order. */
    readonly sections: readonly string[];
    /** Commands whose presence the host's facts report (`HostView.hasCommand`). */
    readonly commands?: readonly string[];
    parse(sections: readonly Section[], host: HostView): F;
  };
  /** Whether kubelet's runtime endpoint is this runtime's. */
  kubeletUses(endpoint: string): boolean;
  /**
   * On a node whose kubelet names no runtime, `auto` picks the first runtime (by `autoRank`, lowest
   * first) that is a candidate there.
   */
  readonly autoRank: number;
  autoCandidate(facts: F): boolean;
  /** Files (paths or globs) whose bytes planning reads; a runtime's facts part may add more at run time. */
  readonly managedFiles: readonly string[];
  /** Its part of the plan; `context` says what the host's part changes under it (a stale system trust). */
  plan(state: NodeState, desired: DesiredState, facts: F, context: PlanContext): RuntimePlan;
  pullCheck(connection: Connection, image: string, credentials: PullCredentials | undefined, facts: F): Promise<string | null>;
  /** One line for the facts table: version, state and how it is wired. */
  summary(facts: F): string;
  /**
   * The proxy the running runtime sends a registry's requests of each scheme to (null: none; the runtime's
   * NO_PROXY decides which requests do), for the node's view of the registries.
   */
  proxy?(facts: F): ProxyEnvironment | null;
}

/** A runtime as the core uses it: every function takes the node's facts and finds its own in them. */
export interface Runtime {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly title: string;
  readonly daemon: string;
  readonly shell: string;
  readonly facts: Omit<RuntimeSpec<RuntimeFacts>['facts'], 'parse'> & {
    parse(sections: readonly Section[], host: HostView): RuntimeFacts;
  };
  kubeletUses(endpoint: string): boolean;
  readonly autoRank: number;
  readonly managedFiles: readonly string[];
  /** Its facts on this node (a runtime whose facts part printed nothing is not installed). */
  factsOf(facts: NodeFacts): RuntimeFacts;
  autoCandidate(facts: NodeFacts): boolean;
  plan(state: NodeState, desired: DesiredState, context?: PlanContext): RuntimePlan;
  pullCheck(connection: Connection, image: string, credentials: PullCredentials | undefined, facts: NodeFacts): Promise<string | null>;
  /** The proxy environment the running runtime uses (null: none, or it does not say). */
  proxy(facts: NodeFacts): ProxyEnvironment | null;
  /** The facts table's line, from this runtime's own facts (as `factsOf` gives them, or as a report kept them). */
  summary(facts: RuntimeFacts): string;
}

const NAME = /^[a-z][a-z0-9]*$/;

/** The runtime a spec describes, for the list in ./index.ts. */
export function defineRuntime<F extends RuntimeFacts>(spec: RuntimeSpec<F>): Runtime {
  if (!NAME.test(spec.name)) throw new TypeError(`a runtime's name is lower-case letters and digits: ${JSON.stringify(spec.name)}`);
  const own = (facts: NodeFacts): F => {
    const found = facts.runtimes[spec.name];
    if (found === undefined) throw new TypeError(`no facts of runtime ${spec.name} on this node`);
    return found as F;
  };
  return {
    name: spec.name,
    aliases: spec.aliases ?? [],
    title: spec.title,
    daemon: spec.daemon,
    shell: spec.shell,
    facts: spec.facts,
    kubeletUses: (endpoint) => spec.kubeletUses(endpoint),
    autoRank: spec.autoRank,
    managedFiles: spec.managedFiles,
    factsOf: own,
    autoCandidate: (facts) => spec.autoCandidate(own(facts)),
    plan: (state, desired, context = { staleTrust: null }) => spec.plan(state, desired, own(state.facts), context),
    pullCheck: (connection, image, credentials, facts) => spec.pullCheck(connection, image, credentials, own(facts)),
    summary: (facts) => spec.summary(facts as F),
    proxy: (facts) => (facts.runtimes[spec.name]?.installed === true ? (spec.proxy?.(own(facts)) ?? null) : null),
  };
}
