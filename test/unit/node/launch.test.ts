// src/node/transaction/launch.sh run here (the setsid path: no systemd), with a stand-in worker: how the
// launcher tells a worker still starting from one that died.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
function launch(worker: string): { status: number | null; stdout: string } {
  dir = mkdtempSync(join(tmpdir(), 'launch-sh-'));
  const txn = join(dir, 'txn', RUN);
  mkdirSync(txn, { recursive: true });
  writeFileSync(join(txn, 'worker.sh'), worker);
  writeFileSync(join(txn, 'bundle'), 'family debian\n');
  const stubs = `STATE='${dir}'\nhas() { [ "$1" != systemd-run ] && command -v "$1" >/dev/null 2>&1; }\n`;
  const script = composeScript({ RUN, MODE: 'apply', LOCK_WAIT: '5' }, stubs, nodeScript('node/transaction/launch.sh'));
  const r = spawnSync('sh', ['-s'], { input: script, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout };
}

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
});
