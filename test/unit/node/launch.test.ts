// src/node/transaction/launch.sh run here (the setsid path: no systemd), with a stand-in worker: how the
// launcher tells a worker still starting from one that died.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { composeScript } from '../../../src/node/compose.ts';
import { nodeScript } from '../../../src/node/scripts.ts';

const RUN = '20261206T204020Z-17cc16';
let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs launch.sh with `worker` as the transaction's worker.sh (arguments: DIR MODE LOCK_WAIT ID). */
function launch(worker: string): { status: number | null; stdout: string; sleeps: number } {
  dir = mkdtempSync(join(tmpdir(), 'launch-sh-'));
  const txn = join(dir, 'txn', RUN);
  mkdirSync(txn, { recursive: true });
  writeFileSync(join(txn, 'worker.sh'), worker);
  writeFileSync(join(txn, 'bundle'), 'family debian\n');
  // every `sleep` the launcher starts is counted (the worker, a process of its own, sleeps uncounted)
  const stubs = `STATE='${dir}'\nhas() { [ "$1" != systemd-run ] && command -v "$1" >/dev/null 2>&1; }\n` +
    `sleep() { echo x >> "$STATE/sleeps"; command sleep "$@"; }\n`;
  const script = composeScript({ RUN, MODE: 'apply', LOCK_WAIT: '5' }, stubs, nodeScript('node/transaction/launch.sh'));
  const r = spawnSync('sh', ['-s'], { input: script, encoding: 'utf8', timeout: 30_000 });
  const sleeps = existsSync(join(dir, 'sleeps')) ? readFileSync(join(dir, 'sleeps'), 'utf8').split('\n').filter(Boolean).length : 0;
  return { status: r.status, stdout: r.stdout, sleeps };
}

/** The start of worker.sh's own: the alive lock taken, then the pid written. */
const HOLDS_ALIVE = 'T=$1; ID=$4; exec 8>"$T/alive.$ID"; flock -n 8; echo $$ > "$T/pid.$ID"; ';

describe('launch.sh: waiting for the worker', () => {
  it('a pid file the worker has created but not written yet is a worker starting, not one that died (found under load in the suite)', () => {
    // the shell creates the file of `echo $$ > FILE` before it writes the pid in it
    const { status, stdout } = launch('T=$1; ID=$4; : > "$T/pid.$ID"; sleep 1; echo $$ > "$T/pid.$ID"; sleep 0.3; echo "outcome committed" > "$T/outcome"\n');
    expect(stdout).not.toContain('worker-died');
    expect(stdout).toContain('outcome committed');
    expect(status).toBe(0);
  });

  it('a worker that died without an outcome is reported, with its pid', () => {
    const { status, stdout } = launch('T=$1; ID=$4; echo $$ > "$T/pid.$ID"; exit 3\n');
    expect(stdout).toMatch(/@@dockhand:worker-died@@\nthe transaction worker \(setsid, pid \d+\) ended without an outcome/);
    expect(status).toBe(1);
  });

  it('waits for a worker that holds its alive lock without a process every 0.2 s (a transaction of minutes on a busy node cost a sleep each time)', () => {
    const { status, stdout, sleeps } = launch(`${HOLDS_ALIVE}sleep 2; echo "outcome committed" > "$T/outcome"\n`);
    expect(stdout).toContain('outcome committed');
    expect(status).toBe(0);
    // polling would have slept about ten times
    expect(sleeps).toBeLessThanOrEqual(3);
  });

  it('a worker that holds its alive lock and dies without an outcome is reported as soon as it dies', () => {
    const { status, stdout } = launch(`${HOLDS_ALIVE}sleep 1; kill -9 $$\n`);
    expect(stdout).toMatch(/@@dockhand:worker-died@@\nthe transaction worker \(setsid, pid \d+\) ended without an outcome/);
    expect(status).toBe(1);
  });

  it('worker.sh takes its alive lock before it writes its pid, as the launcher expects', () => {
    const worker = nodeScript('node/transaction/worker.sh');
    const lock = worker.indexOf('flock -n 8');
    expect(worker.indexOf('exec 8>"$T/alive.$ID"')).toBeGreaterThan(0);
    expect(lock).toBeGreaterThan(worker.indexOf('exec 8>"$T/alive.$ID"'));
    expect(lock).toBeLessThan(worker.indexOf('echo $$ > "$T/pid.$ID"'));
  });

  it('a process the worker left behind holding the lock delays the outcome by 5 s at most', () => {
    const started = Date.now();
    const { status, stdout } = launch(`${HOLDS_ALIVE}(exec sleep 20 &) ; sleep 1; echo "outcome committed" > "$T/outcome"\n`);
    expect(stdout).toContain('outcome committed');
    expect(status).toBe(0);
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(4_000);
    expect(took).toBeLessThan(15_000);
  });
});
