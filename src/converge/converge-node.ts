/** Converging one node: read its state, plan, then (apply mode) apply, run handlers and verify the effect. */
import type { Connection } from '../connection/types.ts';
import { missingEffect } from '../resources/docker-effect.ts';
import { parseApplyResult } from './apply-result.ts';
import { applyScript } from './apply-script.ts';
import { planNode } from './plan.ts';
import { readNodeState } from './node-state.ts';
import type { DesiredState, FileChange, Handler, Mechanism } from './types.ts';
import type { OsFamily } from '../facts/types.ts';

export type Mode = 'apply' | 'check';

export interface NodeConvergence {
  readonly status: 'ok' | 'changed' | 'drift' | 'failed';
  readonly osFamily: OsFamily | null;
  /** How registry options reach dockerd here (null: the plays ask for none). */
  readonly mechanism: Mechanism | null;
  readonly warnings: readonly string[];
  /** Changes planned (check) or made (apply). */
  readonly changes: readonly FileChange[];
  /** What the running dockerd lacked before the run. */
  readonly missingEffect: readonly string[];
  /** Handlers owed (check) or run (apply). */
  readonly handlers: readonly Handler[];
  readonly error: string | null;
}

/** How long the whole apply script may run (trust update and restart included). */
const APPLY_TIMEOUT_MS = 180_000;

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
  const wanted = { insecureRegistries: desired.insecureRegistries, registryMirrors: desired.registryMirrors };
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
  const run = await connection.run('exec /bin/sh -s', {
    input: applyScript(plan.changes, plan.handlers, state.family, [...desired.insecureRegistries, ...desired.registryMirrors.map((m) => m.replace(/\/+$/, ''))]),
    become: true,
    timeoutMs: APPLY_TIMEOUT_MS,
  });
  const result = parseApplyResult(run.stdout);
  const made = plan.changes.filter((change) => result.wrote.includes(change.path));
  const applied = { ...base, changes: made, handlers: result.handlersRun };
  if (run.timedOut) return { ...applied, status: 'failed', error: `applying took longer than ${APPLY_TIMEOUT_MS / 1000} s` };
  if (result.error !== null || !result.complete) {
    const why = result.error ?? `the apply script stopped (exit ${String(run.exitCode)}): ${run.stderr.trim().slice(-300)}`;
    const journal = result.journal ? `; docker's journal: ${result.journal.split('\n').slice(-5).join(' | ')}` : '';
    return { ...applied, status: 'failed', error: `${why}${journal}` };
  }
  const lacking = result.dockerInfo
    ? missingEffect({ running: result.dockerActive, ...result.dockerInfo }, wanted)
    : ['dockerd does not answer docker info'];
  if (lacking.length > 0 && (wanted.insecureRegistries.length > 0 || wanted.registryMirrors.length > 0)) {
    return { ...applied, status: 'failed', error: `the registry is not in effect after apply: dockerd lacks ${lacking.join(', ')}` };
  }
  return { ...applied, status: 'changed', error: null };
}
