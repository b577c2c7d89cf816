/** Converging one node: read its state, plan, then (apply mode) apply, run handlers and verify the effect. */
import { STDIN_SCRIPT, type Connection } from '../connection/types.ts';
import type { OsFamily } from '../facts/types.ts';
import { missingEffect, type RegistryEffect } from '../resources/docker-effect.ts';
import { parseApplyResult, type ApplyResult } from './apply-result.ts';
import { applyScript, newRunId, rollbackScript } from './apply-script.ts';
import { readNodeState } from './node-state.ts';
import { runPullChecks } from './pull-check.ts';
import { planNode, type NodePlan } from './plan.ts';
import type { DesiredState, FileChange, Handler, Mechanism } from './types.ts';

export type Mode = 'apply' | 'check';

export interface NodeConvergence {
  readonly status: 'ok' | 'changed' | 'drift' | 'failed' | 'rolled_back';
  readonly osFamily: OsFamily | null;
  /** How registry options reach dockerd here (null: the plays ask for none). */
  readonly mechanism: Mechanism | null;
  readonly warnings: readonly string[];
  /** Changes planned (check) or in place after the run (apply; none once files were put back). */
  readonly changes: readonly FileChange[];
  /** What the running dockerd lacked before the run. */
  readonly missingEffect: readonly string[];
  /** Handlers owed (check) or run (apply). */
  readonly handlers: readonly Handler[];
  readonly error: string | null;
  /** Images whose pull check passed after apply (none when a check failed or none was asked for). */
  readonly verified?: readonly string[];
}

/** How long the whole apply script may run (trust update and restart included). */
const APPLY_TIMEOUT_MS = 180_000;

function journalTail(result: ApplyResult): string {
  return result.journal ? `; docker's journal: ${result.journal.split('\n').slice(-5).join(' | ')}` : '';
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
  // Another run may change the node between our read and our apply: the apply script then refuses
  // (compare-and-swap under the node lock) and the node is read and planned again.
  for (let attempt = 1; ; attempt += 1) {
    const outcome = await convergeOnce(connection, nodeName, desired, mode, warn);
    if (outcome !== 'changed-underneath') return mode === 'apply' ? withPullChecks(connection, desired, outcome) : outcome;
    if (attempt === MAX_ATTEMPTS) {
      return {
        status: 'failed', osFamily: null, mechanism: null, warnings: [], changes: [], missingEffect: [], handlers: [],
        error: `nothing changed: other runs kept changing this node's files (${MAX_ATTEMPTS} attempts)`,
      };
    }
  }
}

const MAX_ATTEMPTS = 3;

/** The user's outcome, proven: after a good apply, the registries' pull checks; a failed pull fails the node. */
async function withPullChecks(connection: Connection, desired: DesiredState, outcome: NodeConvergence): Promise<NodeConvergence> {
  if (outcome.status !== 'ok' && outcome.status !== 'changed') return outcome;
  const failure = await runPullChecks(connection, desired.registries);
  if (failure !== null) return { ...outcome, status: 'failed', error: failure };
  return { ...outcome, verified: desired.registries.flatMap((r) => (r.state === 'present' && r.verify ? [r.verify.image] : [])) };
}

async function convergeOnce(
  connection: Connection,
  nodeName: string,
  desired: DesiredState,
  mode: Mode,
  warn: (message: string) => void,
): Promise<NodeConvergence | 'changed-underneath'> {
  const state = await readNodeState(connection, nodeName);
  const plan = planNode(state, desired);
  const base = {
    osFamily: state.family,
    mechanism: plan.mechanism,
    warnings: plan.warnings,
    changes: plan.changes,
    missingEffect: plan.missingEffect,
    handlers: plan.handlers,
  };
  if (plan.blockers.length > 0) {
    return { ...base, status: 'failed', changes: [], handlers: [], error: `nothing changed: ${plan.blockers.join('; ')}` };
  }
  const wanted: RegistryEffect = { insecureRegistries: desired.insecureRegistries, registryMirrors: desired.registryMirrors };
  const nothingToDo = plan.changes.length === 0 && plan.handlers.length === 0;

  if (mode === 'check') {
    return { ...base, status: nothingToDo && plan.missingEffect.length === 0 ? 'ok' : 'drift', error: null };
  }
  if (nothingToDo) {
    const lacking = missingEffect(state.facts.docker, wanted);
    return lacking.length === 0
      ? { ...base, status: 'ok', error: null }
      : { ...base, status: 'failed', error: `the registry is not in effect: dockerd lacks ${lacking.join(', ')}` };
  }
  for (const warning of plan.warnings) warn(warning);
  return applyPlan(connection, state.family, plan, wanted, base, state.facts.docker.supportsValidate);
}

async function applyPlan(
  connection: Connection,
  family: OsFamily,
  plan: NodePlan,
  wanted: RegistryEffect,
  base: Omit<NodeConvergence, 'status' | 'error'>,
  validate: boolean,
): Promise<NodeConvergence | 'changed-underneath'> {
  const runId = newRunId();
  const expected = [...wanted.insecureRegistries, ...wanted.registryMirrors.map((m) => m.replace(/\/+$/, ''))];
  const run = await connection.run(STDIN_SCRIPT, {
    input: applyScript(runId, plan.changes, plan.handlers, family, { expected, validate }),
    become: true,
    timeoutMs: APPLY_TIMEOUT_MS,
  });
  const result = parseApplyResult(run.stdout);
  if (result.changedUnderneath !== null) return 'changed-underneath';
  // What is on the node now: nothing of this run's once its files were put back.
  const made = result.restored ? [] : plan.changes.filter((change) => result.wrote.includes(change.path));
  const applied = { ...base, changes: made, handlers: result.handlersRun };
  if (run.timedOut) return { ...applied, status: 'failed', error: `applying took longer than ${APPLY_TIMEOUT_MS / 1000} s` };
  if (result.rolledBack !== null) {
    return { ...applied, status: 'rolled_back', error: `rolled back: ${result.rolledBack}${journalTail(result)}` };
  }
  if (result.error !== null || !result.complete) {
    const why = result.error ?? `the apply script stopped (exit ${String(run.exitCode)}): ${run.stderr.trim().slice(-300)}`;
    return { ...applied, status: 'failed', error: `${why}${journalTail(result)}` };
  }
  const wantsEffect = wanted.insecureRegistries.length > 0 || wanted.registryMirrors.length > 0;
  const lacking = result.dockerInfo
    ? missingEffect({ running: result.dockerActive, ...result.dockerInfo }, wanted)
    : ['dockerd does not answer docker info'];
  if (!wantsEffect || lacking.length === 0) return { ...applied, status: 'changed', error: null };

  // Docker runs but does not show what it was given: put the node back as it was.
  const reason = `the registry is not in effect after apply: dockerd lacks ${lacking.join(', ')}`;
  const back = await connection.run(STDIN_SCRIPT, {
    input: rollbackScript(runId, plan.handlers, family, reason),
    become: true,
    timeoutMs: APPLY_TIMEOUT_MS,
  });
  const undone = parseApplyResult(back.stdout);
  if (undone.rolledBack !== null) return { ...applied, changes: [], status: 'rolled_back', error: `rolled back: ${reason}` };
  return { ...applied, status: 'failed', error: `${reason}; the rollback failed too: ${undone.error ?? back.stderr.trim().slice(-300)}` };
}
