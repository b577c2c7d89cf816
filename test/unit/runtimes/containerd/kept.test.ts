// What a state read keeps of a running containerd's answers (src/runtimes/containerd/node.sh:
// containerd_key, containerd_keep, containerd_kept): taken back only for the same process and the same
// binaries, byte for byte, and only where the CRI served.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { composeScript } from '../../../../src/node/compose.ts';
import { nodeScript } from '../../../../src/node/scripts.ts';

const dir = mkdtempSync(join(tmpdir(), 'dockhand-containerd-kept-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const stubs = join(dir, 'bin');
const state = join(dir, 'state');
mkdirSync(stubs);
const stub = (name: string) => {
  const file = join(stubs, name);
  writeFileSync(`${file}.new`, `#!/bin/sh\necho ${name}\n`);
  chmodSync(`${file}.new`, 0o755);
  renameSync(`${file}.new`, file);
};
for (const name of ['containerd', 'ctr', 'crictl']) stub(name);

const VERSION = 'containerd github.com/containerd/containerd 1.6.20~ds1 1.6.20~ds1-1+b1';
// crictl info's shape: indentation, quotes and a backslash, all kept as they were
const CRICTL = '{\n  "config": {\n    "registry": {\n      "configPath": "/etc/containerd/certs.d"\n    },\n    "x": "a\\\\b  "\n  }\n}';

/** Runs SCRIPT after node.sh with STATE and PATH at the test's; PID is the process the key is of ($$: the shell itself). */
function run(body: string, pid = '$$'): { stdout: string; stderr: string } {
  const script = composeScript({}, `PATH=${stubs}:$PATH\nSTATE=${state}\n`, nodeScript('runtimes/containerd/node.sh'),
    `STATE=${state}\nCONTAINERD_KEPT=$STATE/containerd-probes\ncontainerd_key ${pid}\n${body}\n`);
  const result = spawnSync('dash', ['-s'], { input: script, encoding: 'utf8' });
  return { stdout: result.stdout, stderr: result.stderr };
}

const kept = (pid?: string) =>
  run(`if containerd_kept; then printf 'kept\\n%s\\n%s\\n%s\\n' "$cversion" "$ccri" "$ccrictl"; else echo not; fi`, pid);

describe('containerd probes kept between state reads', () => {
  it('the key names the process (PID and start time) and each binary', () => {
    const { stdout, stderr } = run('echo "$ckey"; echo "$$"');
    expect(stderr).toBe('');
    const [key = '', pid = ''] = stdout.split('\n');
    // PID@START then inode.ctime.size.mtime of containerd, ctr and crictl
    expect(key).toMatch(new RegExp(`^${pid}@\\d+( \\d+\\.\\d+\\.\\d+\\.\\d+){3}$`));
  });

  it("the same stat gives the config file's modification time, outside the key; the start time in clock ticks", () => {
    const config = join(dir, 'config.toml');
    writeFileSync(config, 'version = 2\n');
    utimesSync(config, 1_700_000_000, 1_700_000_123);
    const { stdout } = run(`without=$ckey\ncontainerd_key $$ ${config}\nprintf '%s\\n' "$ckey" "$without" "$cconfig_time" "$cstart"`);
    const [key, without, time, start] = stdout.split('\n');
    expect(key).toBe(without);
    expect(time).toBe('1700000123');
    expect(key!.split(' ')[0]).toBe(`${key!.split('@')[0]}@${start}`);
  });

  it('no process: no key, and nothing is kept or taken back', () => {
    const { stdout } = run('echo "[$ckey]"; ccri=ok; cversion=x; containerd_keep; [ -e "$CONTAINERD_KEPT" ] && echo written', '999999999');
    expect(stdout).toBe('[]\n');
  });

  it('a serving CRI: kept, and taken back byte for byte by the same process', () => {
    // the shell is another process on each run: the key is of a process that stays (this test's own)
    rmSync(state, { recursive: true, force: true });
    const me = String(process.pid);
    const kept1 = run(`cversion='${VERSION}'\nccri=ok\nccrictl='${CRICTL}'\ncontainerd_keep`, me);
    expect(kept1.stderr).toBe('');
    expect(readFileSync(join(state, 'containerd-probes'), 'utf8')).toMatch(/^key \d+@\d+ .*\nversion containerd .*\ncri ok\ncrictl \{\n(crictl .*\n)+end\n$/);
    expect(kept(me).stdout).toBe(`kept\n${VERSION}\nok\n${CRICTL}\n`);
  });

  it('another process, a replaced binary, a torn record, or a CRI in error: asked again', () => {
    rmSync(state, { recursive: true, force: true });
    const me = String(process.pid);
    run(`cversion='${VERSION}'\nccri=ok\nccrictl='${CRICTL}'\ncontainerd_keep`, me);
    expect(kept(me).stdout.split('\n')[0]).toBe('kept');
    // another process (the shell's own PID)
    expect(kept().stdout).toBe('not\n');
    // ctr replaced, as a package upgrade does (a new file renamed over the old: a new inode)
    stub('ctr');
    expect(kept(me).stdout).toBe('not\n');
    run(`cversion='${VERSION}'\nccri=ok\nccrictl='${CRICTL}'\ncontainerd_keep`, me);
    expect(kept(me).stdout.split('\n')[0]).toBe('kept');
    // a record cut before its end
    const file = join(state, 'containerd-probes');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/end\n$/, ''));
    expect(kept(me).stdout).toBe('not\n');
    // a CRI plugin in error is asked again on every read: nothing is kept
    rmSync(file);
    run(`cversion='${VERSION}'\nccri=error\nccrictl=\ncontainerd_keep`, me);
    expect(() => readFileSync(file)).toThrow();
    expect(kept(me).stdout).toBe('not\n');
  });

  it('no crictl: kept without its answer', () => {
    rmSync(state, { recursive: true, force: true });
    rmSync(join(stubs, 'crictl'));
    try {
      const me = String(process.pid);
      run(`cversion='${VERSION}'\nccri=ok\nccrictl=\ncontainerd_keep`, me);
      expect(kept(me).stdout).toBe(`kept\n${VERSION}\nok\n\n`);
    } finally {
      stub('crictl');
    }
  });
});

describe('containerd_newer: config.toml written after the process started', () => {
  // the process started 1,000.50 s after boot (100050 ticks); now is 1,800,000,000.25 and the uptime 5,000.25 s:
  // boot at 1,799,995,000.00, the start at 1,799,996,000.50
  const newer = (fileTime: string, now = '1800000000.25', uptime = '5000.25', start = '100050') =>
    run(`containerd_newer '${fileTime}' '${start}' '${now}' '${uptime}'`).stdout;
  it('a file from the second the process started, written just before it (a transaction, then its restart): not newer', () => {
    expect(newer('1799996000')).toBe('no\n');
  });
  it('a file a second or more after the start: newer; long before it: not', () => {
    expect(newer('1799996001')).toBe('yes\n');
    expect(newer('1799996400')).toBe('yes\n');
    expect(newer('1799990000')).toBe('no\n');
  });
  it('hundredths with a leading zero (08, 09) are no octal numbers', () => {
    expect(newer('1799996001', '1800000000.08', '5000.09')).toBe('yes\n');
    expect(newer('1799996000', '1800000000.08', '5000.09')).toBe('no\n');
  });
  it('a date without %N: a file must be a second newer; a value that is no number: nothing said', () => {
    expect(newer('1799996000', '1800000000.N')).toBe('no\n');
    expect(newer('1799996002', '1800000000.N')).toBe('yes\n');
    expect(newer('x')).toBe('');
    expect(newer('1799996001', '', '5000.25')).toBe('');
  });
});
