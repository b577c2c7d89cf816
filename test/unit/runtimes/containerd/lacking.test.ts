// containerd_lacking (src/runtimes/containerd/node.sh) on a node whose containerd is not running: it says so
// at once and asks nothing through the socket (`ctr` would wait there until its timeout, on every try of
// the transaction's verification: 20 tries of 10 s while the node lock is held).
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { composeScript } from '../../../../src/node/compose.ts';
import { nodeScript } from '../../../../src/node/scripts.ts';

const dir = mkdtempSync(join(tmpdir(), 'dockhand-containerd-lacking-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const stubs = join(dir, 'bin');
mkdirSync(stubs);
const calls = join(dir, 'calls');
const stub = (name: string, body: string) => {
  writeFileSync(join(stubs, name), `#!/bin/sh\necho "${name} $*" >> '${calls}'\n${body}\n`);
  chmodSync(join(stubs, name), 0o755);
};
// systemctl: containerd is-active as $ACTIVE says; ctr and crictl: a CRI that serves, after a while
stub('systemctl', '[ "$1" = is-active ] && [ "$ACTIVE" = yes ]');
stub('ctr', 'printf "%s\\n" "io.containerd.grpc.v1  cri  linux/amd64  ok"');
stub('crictl', 'echo \'"configPath": "/etc/containerd/certs.d"\'');
// containerd's process: this test's own (a process that stays while the shell runs)
stub('pidof', `[ "$1" = containerd ] && echo ${process.pid}`);
stub('containerd', 'echo "containerd github.com/containerd/containerd 1.6.20~ds1 1.6.20~ds1-1"');
const state = join(dir, 'state');

function lacking(active: 'yes' | 'no', expectations = ['cri', 'config-path /etc/containerd/certs.d']): { out: string; calls: string[] } {
  rmSync(calls, { force: true });
  const script = composeScript({}, `PATH=${stubs}:$PATH\nSTATE=${state}\n`, nodeScript('runtimes/containerd/node.sh'),
    `printf '%s\\n' ${expectations.map((e) => `'${e}'`).join(' ')} | containerd_lacking\n`);
  const result = spawnSync('dash', ['-s'], { input: script, encoding: 'utf8', env: { ...process.env, ACTIVE: active } });
  expect(result.stderr).toBe('');
  let logged = '';
  try { logged = readFileSync(calls, 'utf8'); } catch { /* none */ }
  return { out: result.stdout, calls: logged.split('\n').filter(Boolean) };
}

describe('containerd_lacking', () => {
  it('a running containerd: asks its CRI, lacks nothing', () => {
    const { out, calls: made } = lacking('yes');
    expect(out).toBe('');
    expect(made.some((c) => c.startsWith('ctr '))).toBe(true);
  });

  it('a verification that finds nothing lacking keeps what it asked for the next state read; one that lacks keeps nothing', () => {
    rmSync(state, { recursive: true, force: true });
    expect(lacking('yes', ['cri', 'config-path /srv/other']).out).toBe('CRI registry config_path /srv/other\n');
    expect(existsSync(join(state, 'containerd-probes'))).toBe(false);
    // the CRI's config_path only: crictl asked once, ctr asked too for the record
    const { out, calls: made } = lacking('yes', ['config-path /etc/containerd/certs.d']);
    expect(out).toBe('');
    expect(existsSync(join(state, 'containerd-probes'))).toBe(false);
    expect(made.filter((c) => c.startsWith('crictl ')).length).toBe(1);
    const kept = lacking('yes');
    expect(kept.out).toBe('');
    expect(kept.calls.filter((c) => c.startsWith('crictl ')).length).toBe(1);
    expect(readFileSync(join(state, 'containerd-probes'), 'utf8')).toMatch(
      new RegExp(`^key ${process.pid}@\\d+ .*\nversion containerd github.com/containerd/containerd 1.6.20~ds1 1.6.20~ds1-1\ncri ok\ncrictl "configPath": "/etc/containerd/certs.d"\nend\n$`),
    );
  });

  it('a containerd that is not running: says so, and runs no ctr or crictl', () => {
    const { out, calls: made } = lacking('no');
    expect(out).toBe('containerd is not running\n');
    expect(made.filter((c) => !c.startsWith('systemctl ') && !c.startsWith('pidof '))).toEqual([]);
  });
});
