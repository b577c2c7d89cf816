/**
 * Converging one node: read its state (finishing first what an earlier run left unfinished, and waiting
 * for another run's transaction in flight), plan, then (apply mode) hand the plan to the node as one
 * transaction that writes, runs the handlers, verifies and commits or rolls back on the node itself,
 * whatever happens to this process.
 */
import type { Connection } from '../connection/types.ts';
import { LOCK_WAIT_S, newRunId } from '../node/transaction/bundle.ts';
import { recoverTransaction, runTransaction, waitForNodeLock } from '../node/transaction/run.ts';
import type { Transaction, TransactionOutcome, TransactionRuntime } from '../node/transaction/types.ts';
import type { OsFamily } from '../plan/facts.ts';
import type { DesiredState, FileChange, Handler, RestartDecision } from '../plan/types.ts';
import { RUNTIMES, type Runtime } from '../runtimes/index.ts';
import { readNodeState, type NodeState, type UnfinishedTransaction } from './node-state.ts';
import { planNode, type NodePlan } from './plan.ts';
import type { RegistryReach } from '../reach/judge.ts';
import { runPullChecks } from './pull-check.ts';

export type Mode = 'apply' | 'check';

/** An earlier run's transaction this run found unfinished on the node, and how it ended now. */
export interface RecoveredTransaction {
  readonly runId: string;
  readonly outcome: TransactionOutcome['result'];
  readonly detail: string | null;
}

export interface NodeConvergence {
  /** blocked: the change may not be made now (a restart the policy refuses, a change that failed here before); nothing was changed. */
  readonly status: 'ok' | 'changed' | 'drift' | 'blocked' | 'failed' | 'rolled_back';
  readonly osFamily: OsFamily | null;
  /** The runtimes configured on this node. */
  readonly runtimes: readonly string[];
  /** How registry options reach each configured runtime that needs any: a short word and the words for it. */
  readonly mechanisms: readonly { readonly runtime: string; readonly mechanism: string; readonly via: string }[];
  readonly warnings: readonly string[];
  /** How it was done, in words (live-restore turned on before a restart). */
  readonly notes: readonly string[];
  /** Changes planned (check, and a blocked node) or in place after the run (apply; none once files were put back). */
  readonly changes: readonly FileChange[];
  /** What the running runtimes lacked before the run. */
  readonly missingEffect: readonly string[];
  /** Handlers owed (check, blocked) or run (apply). */
  readonly handlers: readonly Handler[];
  /** Each runtime restart the change needs, and whether it may happen. */
  readonly restarts: readonly RestartDecision[];
  /** Why the change may not be made now (the node is blocked, or would be: check says it as drift). */
  readonly blocked: readonly string[];
  /** An earlier run's unfinished transaction, finished or undone by this run. */
  readonly recovered: RecoveredTransaction | null;
  /** Images whose pull check passed. */
  readonly verified: readonly string[];
  /** The node's own view of each registry, read before anything changed. */
  readonly reach: readonly RegistryReach[];
  readonly error: string | null;
}

const MAX_ATTEMPTS = 3;

function empty(status: NodeConvergence['status'], error: string | null): NodeConvergence {
  return {
    status, osFamily: null, runtimes: [], mechanisms: [], warnings: [], notes: [], changes: [], missingEffect: [], handlers: [],
    restarts: [], blocked: [], recovered: null, verified: [], reach: [], error,
  };
}

/**
 * Converge one node. `warn` hears, before anything is applied, what an operator should know (a
 * restart that will stop running containers).
 */
export async function convergeNode(
  connection: Connection,
  nodeName: string,
  desired: DesiredState,
  mode: Mode,
  warn: (message: string) => void = () => undefined,
): Promise<NodeConvergence> {
  let recovered: RecoveredTransaction | null = null;
  // Another run may change the node between our read and our transaction: the transaction then
  // refuses (compare-and-swap under the node lock) and the node is read and planned again.
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    let state = await readNodeState(connection, nodeName, desired.runtimes, desired.registries);
    if (state.lockHeld) {
      // another run's transaction is in flight: its files may be written and its restart not yet done,
      // which would read as a restart owed. Wait for it to end, then read the node as it left it.
      if (!(await waitForNodeLock(connection, LOCK_WAIT_S))) {
        return { ...empty('failed', `nothing changed: another dockhand run has held this node's lock for ${LOCK_WAIT_S} s`), osFamily: state.family };
      }
      state = await readNodeState(connection, nodeName, desired.runtimes, desired.registries);
    }
    if (state.unfinished.length > 0) {
      if (mode === 'check') return unfinishedInCheck(state, state.unfinished[0]!);
      const result = await recoverAll(connection, state.unfinished);
      recovered = result.recovered;
      if (result.stop !== null) return { ...empty(result.stop.status, result.stop.error), osFamily: state.family, recovered };
      continue; // read again: the node is as the finished transaction left it
    }
    let plan = planNode(state, desired);
    if (state.probesKept !== undefined && !settled(plan)) {
      // a change is planned on what the daemons say now (running containers, the options in effect), not on what they said before
      state = await readNodeState(connection, nodeName, desired.runtimes, desired.registries, 'fresh');
      if (state.lockHeld || state.unfinished.length > 0) continue;
      plan = planNode(state, desired);
    }
    const outcome = await convergeOnce(connection, state, plan, mode, warn);
    if (outcome === 'changed-underneath') continue;
    const withRecovery = { ...outcome, recovered };
    return mode === 'apply' ? withPullChecks(connection, desired, withRecovery, state) : withRecovery;
  }
  return { ...empty('failed', `nothing changed: other runs kept changing this node's files (${MAX_ATTEMPTS} attempts)`), recovered };
}

/** Nothing to do, nothing missing, nothing in the way: a plan a kept answer may stand for. */
function settled(plan: NodePlan): boolean {
  return plan.changes.length === 0 && plan.handlers.length === 0 && plan.missingEffect.length === 0 && plan.blockers.length === 0 && plan.blocked.length === 0;
}

function unfinishedInCheck(state: NodeState, unfinished: UnfinishedTransaction): NodeConvergence {
  const last = unfinished.journal.at(-1) ?? 'begin';
  return {
    ...empty('drift', `an earlier run's transaction ${unfinished.runId} did not finish on this node (its last step: ${last}): apply finishes it, or undoes it if the node is not healthy with its files`),
    osFamily: state.family,
  };
}

/** The files a transaction did not put back, and why, as a report says it. */
function notRestoredText(outcome: TransactionOutcome): string {
  if (outcome.notRestored.length === 0) return '';
  return `; NOT put back: ${outcome.notRestored.map((f) => `${f.path} (${f.reason})`).join(', ')}`;
}

/** Finish every unfinished transaction, oldest first; stop at the first that had to be undone or could not be finished. */
async function recoverAll(
  connection: Connection,
  unfinished: readonly UnfinishedTransaction[],
): Promise<{ recovered: RecoveredTransaction; stop: { status: 'failed' | 'rolled_back'; error: string } | null }> {
  let recovered: RecoveredTransaction | null = null;
  for (const { runId } of unfinished) {
    const outcome = await recoverTransaction(connection, runId, RUNTIMES.map(transactionRuntime));
    recovered = { runId, outcome: outcome.result, detail: outcome.message };
    if ((outcome.result === 'committed' || outcome.result === 'aborted') && outcome.notRestored.length === 0) continue;
    const undone = (outcome.result === 'rolled-back' || outcome.result === 'undone') && outcome.notRestored.length === 0;
    const what =
      outcome.result === 'busy' ? 'another run holds the node lock; it is still unfinished'
      : undone ? `rolled back${outcome.result === 'undone' ? ' (its files are back as they were)' : ''}`
      : 'could not finish it';
    return {
      recovered,
      stop: {
        status: undone ? 'rolled_back' : 'failed',
        error: `recovered run ${runId}: ${what}: ${outcome.message ?? 'no reason given'}${journalTail(outcome)}${notRestoredText(outcome)}; this run changed nothing else on this node`,
      },
    };
  }
  return { recovered: recovered!, stop: null };
}

/** The user's outcome, proven: after a good apply, the registries' pull checks; a failed pull fails the node. */
async function withPullChecks(connection: Connection, desired: DesiredState, outcome: NodeConvergence, state: NodeState): Promise<NodeConvergence> {
  if (outcome.status !== 'ok' && outcome.status !== 'changed') return outcome;
  const runtimes = RUNTIMES.filter((r) => outcome.runtimes.includes(r.name));
  const checks = await runPullChecks(connection, desired.registries, runtimes, state.facts);
  return checks.failure === null ? { ...outcome, verified: checks.verified } : { ...outcome, verified: checks.verified, status: 'failed', error: checks.failure };
}

function journalTail(outcome: TransactionOutcome): string {
  return outcome.journal ? `; the runtime's journal: ${outcome.journal.split('\n').slice(-5).join(' | ')}` : '';
}

async function convergeOnce(
  connection: Connection,
  state: NodeState,
  plan: NodePlan,
  mode: Mode,
  warn: (message: string) => void,
): Promise<Omit<NodeConvergence, 'recovered'> | 'changed-underneath'> {
  const base = {
    osFamily: state.family,
    runtimes: plan.runtimes.map((r) => r.name),
    mechanisms: plan.runtimePlans.flatMap((p) => (p.mechanism !== null && p.via !== null ? [{ runtime: p.runtime, mechanism: p.mechanism, via: p.via }] : [])),
    warnings: plan.warnings,
    notes: plan.notes,
    changes: plan.changes,
    missingEffect: plan.missingEffect,
    handlers: plan.handlers,
    restarts: plan.restarts,
    blocked: plan.blocked,
    verified: [],
    reach: plan.reach,
  };
  if (plan.blockers.length > 0) {
    return { ...base, mechanisms: [], warnings: [], notes: [], blocked: [], status: 'failed', changes: [], handlers: [], error: `nothing changed: ${plan.blockers.join('; ')}` };
  }
  const nothingToDo = plan.changes.length === 0 && plan.handlers.length === 0;
  if (mode === 'check') {
    return { ...base, status: nothingToDo && plan.missingEffect.length === 0 ? 'ok' : 'drift', error: null };
  }
  if (plan.blocked.length > 0 && !nothingToDo) {
    // what would change is in the report; nothing was changed
    return { ...base, warnings: [], status: 'blocked', error: null };
  }
  if (nothingToDo) {
    return plan.missingEffect.length === 0
      ? { ...base, status: 'ok', error: null }
      : { ...base, status: 'failed', error: `the registry is not in effect: ${plan.missingEffect.join('; ')}` };
  }
  for (const warning of plan.warnings) warn(warning);
  return applyPlan(connection, state, plan, base);
}

function transactionRuntime(runtime: Runtime): TransactionRuntime {
  return { name: runtime.name, daemon: runtime.daemon, shell: runtime.shell };
}

function transactionFor(state: NodeState, plan: NodePlan): Transaction {
  return {
    runId: newRunId(),
    key: plan.key,
    family: state.family,
    writes: plan.changes.map((change) => ({
      path: change.path,
      after: change.after === null ? null : Buffer.from(change.after, 'utf8'),
      beforeSha256: change.beforeSha256,
      mode: change.mode,
    })),
    validate: plan.validate,
    handlers: plan.handlers,
    expect: plan.expect,
    runtimes: plan.runtimes.map(transactionRuntime),
    ...(plan.startTimeout === undefined ? {} : { startWait: plan.startTimeout }),
  };
}

async function applyPlan(
  connection: Connection,
  state: NodeState,
  plan: NodePlan,
  base: Omit<NodeConvergence, 'status' | 'error' | 'recovered'>,
): Promise<Omit<NodeConvergence, 'recovered'> | 'changed-underneath'> {
  const outcome = await runTransaction(connection, transactionFor(state, plan));
  if (outcome.result === 'changed-underneath') return 'changed-underneath';
  // What is on the node now: nothing of this run's once its files were put back (but what was not).
  const putBack = outcome.result === 'undone' || outcome.result === 'rolled-back';
  const left = new Set(outcome.notRestored.map((f) => f.path));
  const made = plan.changes.filter((change) => outcome.wrote.includes(change.path) && (!putBack || left.has(change.path)));
  const applied = { ...base, changes: made, handlers: outcome.handlersRun };
  const notRestored = notRestoredText(outcome);
  switch (outcome.result) {
    case 'committed':
      return { ...applied, status: 'changed', error: null };
    case 'rolled-back':
      return { ...applied, status: 'rolled_back', error: `rolled back: ${outcome.message ?? 'no reason given'}${journalTail(outcome)}${notRestored}` };
    case 'undone':
      return { ...applied, status: 'failed', error: `${outcome.message ?? 'a write failed'}${notRestored}` };
    default:
      return { ...applied, status: 'failed', error: `${outcome.message ?? `the transaction ended ${outcome.result}`}${journalTail(outcome)}${notRestored}` };
  }
}
