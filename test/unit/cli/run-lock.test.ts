import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockFile, tryRunLock } from '../../../src/schedule/run-lock.ts';
import { dockhand, REPO } from '../../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'dockhand-lock-'));
const locks = join(dir, 'locks');
const playbook = join(dir, 'site.yml');
const inventory = join(dir, 'hosts.ini');
const other = join(dir, 'other.ini');
writeFileSync(playbook, 'registries:\n  - host: harbor.local\n    insecure: true\n');
writeFileSync(inventory, '[k8s-cluster]\nnode1 ansible_host=127.0.0.1 ansible_port=1\n');
writeFileSync(other, '[k8s-cluster]\nnode2 ansible_host=127.0.0.1 ansible_port=1\n');

/** Another process that takes the lock, says so, and holds it until it is killed. */
async function holder() {
  const code = `import { tryRunLock } from './src/schedule/run-lock.ts';
const lock = await tryRunLock(${JSON.stringify(locks)}, ${JSON.stringify(playbook)}, ${JSON.stringify(inventory)});
process.stdout.write(lock.taken ? 'taken\\n' : 'busy\\n');
setInterval(() => {}, 1000);`;
  const child = execa(process.execPath, ['--input-type=module', '-e', code], { cwd: REPO, reject: false });
  const said = await Promise.race([
    new Promise<string>((resolve) => child.stdout!.once('data', (data: Buffer) => resolve(String(data).trim()))),
    child.then((result) => `exited ${String(result.exitCode)}: ${String(result.stderr)}`),
  ]);
  if (said !== 'taken') throw new Error(`the holder did not take the lock: ${said}`);
  return { child }; // not the subprocess itself: it is a thenable, and awaiting it waits for its end
}

describe('the run lock (one run per playbook and inventory)', () => {
  it('is refused at once while another process holds it, and says who holds it', async () => {
    const { child } = await holder();
    try {
      const attempt = await tryRunLock(locks, playbook, inventory);
      expect(attempt.taken).toBe(false);
      if (!attempt.taken) expect(attempt.holder?.pid).toBe(child.pid);
      // another inventory is another lock
      const elsewhere = await tryRunLock(locks, playbook, other);
      expect(elsewhere.taken).toBe(true);
      if (elsewhere.taken) await elsewhere.release();
    } finally {
      child.kill('SIGTERM');
      await child;
    }
  });

  it('is free again the moment its holder is killed with SIGKILL: nothing goes stale', async () => {
    const { child } = await holder();
    expect((await tryRunLock(locks, playbook, inventory)).taken).toBe(false);
    child.kill('SIGKILL');
    await child;
    const attempt = await tryRunLock(locks, playbook, inventory);
    expect(attempt.taken).toBe(true);
    if (attempt.taken) await attempt.release();
  });

  it('dockhand check finding it taken exits 75 before any node, with a JSON error and the overlap counted in its metrics', async () => {
    const { child } = await holder();
    try {
      const metrics = join(dir, 'overlap.prom');
      const run = await dockhand(['check', playbook, '-i', inventory, '--json', '--metrics', metrics], { DOCKHAND_STATE_DIR: dir });
      expect(run.exitCode).toBe(75);
      const doc = JSON.parse(run.stdout) as { error: { code: string; message: string } };
      expect(doc.error.code).toBe('E_LOCKED');
      expect(doc.error.message).toContain(`pid ${String(child.pid)}`);
      expect(readFileSync(metrics, 'utf8')).toMatch(/^dockhand_overlapping_runs_total\{schedule="overlap"\} 1$/m);
    } finally {
      child.kill('SIGKILL');
      await child;
    }
  });

  it('is taken again after a release, in the same process', async () => {
    for (let i = 0; i < 2; i += 1) {
      const attempt = await tryRunLock(locks, playbook, inventory);
      expect(attempt.taken).toBe(true);
      if (attempt.taken) await attempt.release();
    }
  });
});

describe('issue 15, fault 12: a bad controller lock is named and said what to do about, never a stack trace', () => {
  const inputs = ['-i', inventory, '--connect-timeout', '1'];

  it('a lock file that is not a database is replaced by one that holds no lock, once, and the run goes on', async () => {
    const state = mkdtempSync(join(tmpdir(), 'dockhand-badlock-'));
    const file = await lockFile(join(state, 'locks'), playbook, inventory);
    mkdirSync(join(state, 'locks'), { recursive: true });
    writeFileSync(file, 'this is not an SQLite database, and it is long enough to be read as a header\n'.repeat(20));
    const run = await dockhand(['check', playbook, ...inputs], { DOCKHAND_STATE_DIR: state });
    expect(run.stderr).not.toMatch(/internal error|    at /);
    expect(run.exitCode, run.stderr).toBe(4); // the node is unreachable: the run itself went ahead
    expect(run.stderr).toContain(file);
    expect(run.stderr).toMatch(/was not a lock.*replaced/);
    // and the next run finds a good lock: nothing to say
    const again = await dockhand(['check', playbook, ...inputs], { DOCKHAND_STATE_DIR: state });
    expect(again.exitCode, again.stderr).toBe(4);
    expect(again.stderr).not.toContain(file);
  });

  it.each([
    ['a state directory whose parent is a file', (state: string) => {
      writeFileSync(join(state, 'file'), '');
      return join(state, 'file', 'dockhand');
    }],
    ['a locks path that is a file', (state: string) => {
      writeFileSync(join(state, 'locks'), '');
      return state;
    }],
    ['a lock file that is a directory', async (state: string) => {
      mkdirSync(await lockFile(join(state, 'locks'), playbook, inventory), { recursive: true });
      return state;
    }],
  ])('%s: exit 1 naming the path and DOCKHAND_STATE_DIR, with --json an error document', async (_what, arrange) => {
    const state = await arrange(mkdtempSync(join(tmpdir(), 'dockhand-badstate-')));
    const run = await dockhand(['check', playbook, ...inputs, '--json'], { DOCKHAND_STATE_DIR: state });
    expect(run.stderr).not.toMatch(/internal error|    at /);
    expect(run.exitCode, run.stderr).toBe(1);
    expect(run.stderr).toContain(state);
    expect(run.stderr).toMatch(/DOCKHAND_STATE_DIR/);
    const doc = JSON.parse(run.stdout) as { error: { code: string; message: string } };
    expect(doc.error.message).toContain(state);
  });
});
