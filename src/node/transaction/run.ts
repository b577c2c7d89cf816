/**
 * Running a transaction from the controller: stage it, let the node carry it out detached, wait for
 * its outcome. The wait has a deadline; the transaction does not: a deadline, a killed dockhand or
 * a cut link only stop the waiting, and the next run reads the outcome (or finishes the work).
 */
import { STDIN_SCRIPT, type Connection } from '../../connection/types.ts';
import { composeScript } from '../compose.ts';
import { nodeScript } from '../scripts.ts';
import { LOCK_WAIT_S, recoverScript, stageScript } from './bundle.ts';
import { parseOutcome } from './outcome.ts';
import type { Transaction, TransactionOutcome, TransactionRuntime } from './types.ts';

/** How long the controller waits for a transaction once it holds the node lock (trust update, restarts of up to 60 s). */
export const TRANSACTION_WAIT_S = 300;
/** The worker's own wait for a restarted runtime when the play sets none (worker.sh's ACTIVE_WAIT). */
const DEFAULT_START_WAIT_S = 60;

/**
 * The controller's wait for one transaction's outcome: a play's longer `start_timeout` adds, for each
 * handler, twice what it adds to one wait (the restart, and the rollback's restart after it).
 */
export function transactionWait(tx: Pick<Transaction, 'startWait' | 'handlers'>): number {
  const longer = Math.max(0, (tx.startWait ?? DEFAULT_START_WAIT_S) - DEFAULT_START_WAIT_S);
  return TRANSACTION_WAIT_S + 2 * longer * Math.max(1, tx.handlers.length);
}

async function launch(connection: Connection, runId: string, script: string, waitS = TRANSACTION_WAIT_S): Promise<TransactionOutcome> {
  const run = await connection.run(STDIN_SCRIPT, { input: script, become: true, timeoutMs: (LOCK_WAIT_S + waitS) * 1000 });
  const outcome = parseOutcome(runId, run.stdout);
  if (outcome.result !== 'lost') return outcome;
  const why = run.timedOut
    ? `no outcome within ${LOCK_WAIT_S + waitS} s`
    : outcome.message ?? `the session ended first (exit ${String(run.exitCode)}): ${run.stderr.trim().slice(-300)}`;
  return { ...outcome, message: `transaction ${runId}: ${why}; it goes on to its end on the node, and the next run reads its outcome` };
}

/** Carry out a transaction on the node. */
export function runTransaction(connection: Connection, tx: Transaction): Promise<TransactionOutcome> {
  return launch(connection, tx.runId, stageScript(tx), transactionWait(tx));
}

/** Finish an earlier run's transaction whose worker died (found by the node's state read). */
export function recoverTransaction(connection: Connection, runId: string, runtimes: readonly TransactionRuntime[]): Promise<TransactionOutcome> {
  return launch(connection, runId, recoverScript(runId, runtimes));
}

/** Wait (up to `seconds`) until no transaction holds the node lock: true when it is free. */
export async function waitForNodeLock(connection: Connection, seconds: number): Promise<boolean> {
  const script = composeScript({ WAIT: String(seconds) }, nodeScript('node/transaction/wait-lock.sh'));
  const result = await connection.run(script, { become: true, timeoutMs: (seconds + 30) * 1000 });
  return result.exitCode === 0;
}
