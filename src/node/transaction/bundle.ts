/**
 * A transaction as the node receives it: one script on stdin that unpacks the worker, the plan
 * (`bundle`) and each new file's bytes into /var/lib/dockhand/txn/RUN, then starts the worker
 * detached and waits for its outcome. File contents travel as base64 in here-documents: no byte of
 * them is ever shell syntax, and none reaches a command line.
 */
import { randomBytes } from 'node:crypto';
import { sha256 } from '../../plan/node-state.ts';
import { composeScript } from '../compose.ts';
import { nodeScript } from '../scripts.ts';
import type { Expectation, Transaction, TransactionRuntime } from './types.ts';

export { sha256 };

/** How long a worker waits for another run's lock on the same node (seconds). */
export const LOCK_WAIT_S = 120;

/** A run's name on the node: sortable by time, unique. */
export function newRunId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
}

/** Paths and values in the bundle are words: dockhand's own paths and validated registry names. */
function word(value: string, what: string): string {
  if (value === '' || /\s/.test(value)) throw new TypeError(`${what} cannot go in a transaction: ${JSON.stringify(value)}`);
  return value;
}

function seconds(value: number): string {
  if (!Number.isInteger(value) || value < 1) throw new TypeError(`a wait cannot go in a transaction: ${value}`);
  return String(value);
}

/** `expect RUNTIME-KIND [VALUE]`: the worker hands `KIND VALUE` to RUNTIME_lacking. */
function expectation(e: Expectation): string {
  const what = `${word(e.runtime, 'runtime')}-${word(e.kind, 'expectation')}`;
  return e.value === undefined ? `expect ${what}` : `expect ${what} ${word(e.value, what)}`;
}

/** The plan file the worker reads (see worker.sh for the format). */
export function bundleText(tx: Transaction): string {
  const lines = [
    `family ${tx.family}`,
    `key ${word(tx.key, 'key')}`,
    ...tx.writes.map((w, i) =>
      `change ${i + 1} ${w.after === null ? 'delete' : 'write'} ${word(w.mode, 'mode')} ${w.beforeSha256 ?? 'absent'} ${w.after === null ? 'absent' : sha256(w.after)} ${word(w.path, 'path')}`,
    ),
    ...tx.validate.map((v) => `validate ${v.runtime} ${word(v.path, 'path')}`),
    ...tx.handlers.map((h) => `handler ${h}`),
    ...tx.expect.map(expectation),
    ...tx.runtimes.map((r) => `report ${word(r.name, 'runtime')} ${word(r.daemon, 'daemon')}`),
    ...(tx.startWait === undefined ? [] : [`start-wait ${seconds(tx.startWait)}`]),
  ];
  return `${lines.join('\n')}\n`;
}

function unpack(name: string, bytes: Uint8Array, token: string): string {
  const base64 = Buffer.from(bytes).toString('base64').replace(/.{76}/g, '$&\n');
  return `unpack ${name} <<'${token}'\n${base64}${base64.endsWith('\n') || base64 === '' ? '' : '\n'}${token}\n`;
}

/**
 * \`unpack NAME\`: the base64 on stdin decoded into $T/NAME, through a temporary file of this shell's own: two
 * recoveries of one transaction refresh its worker at once, and a shared temporary name lets one move the
 * other's file away mid-write. \`failure\` is what the run says when it cannot.
 */
export function unpackFunction(failure: string): string {
  return `unpack() {
  base64 -d > "$T/$1.part.$$" && mv -f -- "$T/$1.part.$$" "$T/$1" ||
    { rm -f -- "$T/$1.part.$$"; section error; echo "${failure}"; section end; exit 1; }
}
`;
}

const UNPACK = `T=$STATE/txn/$RUN
mkdir -p -- "$T/data" "$T/backup" && chmod 700 "$STATE" "$STATE/txn" "$T" ||
  { section error; echo "cannot create $T (disk full or read-only?): nothing changed"; section end; exit 1; }
${unpackFunction('cannot write the transaction into $T (disk full?): nothing changed')}`;

/** The worker: the runtimes' functions first, the trust store's refresh, then the transaction itself (worker.sh names no runtime). */
export function workerScript(runtimes: readonly TransactionRuntime[]): string {
  return composeScript({}, ...[...new Set(runtimes.map((r) => r.shell))].map(nodeScript), nodeScript('node/transaction/trust.sh'), nodeScript('node/transaction/worker.sh'));
}

/** The parts that put a new transaction's files into $STATE/txn/$RUN (worker, new contents, the bundle last). */
function unpackParts(tx: Transaction): string[] {
  const token = `DOCKHAND_${randomBytes(12).toString('hex')}`;
  const worker = workerScript(tx.runtimes);
  return [
    UNPACK,
    unpack('worker.sh', Buffer.from(worker, 'utf8'), token),
    ...tx.writes.flatMap((w, i) => (w.after === null ? [] : [unpack(`data/${i + 1}`, w.after, token)])),
    // the bundle last: the worker's inputs are all there once it is
    unpack('bundle', Buffer.from(bundleText(tx), 'utf8'), token),
  ];
}

/** The script that stages a new transaction on a node and waits for its outcome. */
export function stageScript(tx: Transaction): string {
  return composeScript({ RUN: tx.runId, MODE: 'apply', LOCK_WAIT: String(LOCK_WAIT_S) }, ...unpackParts(tx), nodeScript('node/transaction/launch.sh'));
}

/** The script that stages a new transaction and does not start it (its worker is $STATE/txn/RUN/worker.sh). */
export function unpackScript(tx: Transaction): string {
  return composeScript({ RUN: tx.runId }, ...unpackParts(tx));
}

/**
 * The script that finishes an earlier run's transaction (its worker died): with today's worker, which
 * carries every runtime's functions (the bundle on the node says which it needs).
 */
export function recoverScript(runId: string, runtimes: readonly TransactionRuntime[]): string {
  const token = `DOCKHAND_${randomBytes(12).toString('hex')}`;
  const worker = workerScript(runtimes);
  const refresh = `T=$STATE/txn/$RUN
[ -d "$T" ] || { section error; echo "no transaction $RUN on this node"; section end; exit 1; }
rm -f -- "$T/outcome.part"
${unpackFunction('cannot write into $T (disk full?)')}`;
  return composeScript({ RUN: word(runId, 'run id'), MODE: 'recover', LOCK_WAIT: String(LOCK_WAIT_S) }, refresh, unpack('worker.sh', Buffer.from(worker, 'utf8'), token), nodeScript('node/transaction/launch.sh'));
}
