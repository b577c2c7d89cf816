// What a running dockerd said, kept on the node (src/runtimes/docker/node.sh: docker_key, docker_probe,
// docker_kept): taken again only for the same daemon (PIDs, start time), a complete record, and no
// daemon.json newer than it; asked fresh otherwise.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeScript } from '../../../../src/node/scripts.ts';

const shell = spawnSync('sh', ['-c', 'command -v dash']).stdout.toString().trim() || 'sh';
const dir = mkdtempSync(join(tmpdir(), 'kept-probe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const STATE_LINES = 'version 27.5.1\nerrors 0\nlive-restore false\ncontainers-running 2\nhttps-proxy http://proxy:3128\ninsecure harbor.example';

/** Runs `body` after the preamble and docker's node.sh, with docker_state answering STATE_LINES and counting its calls. */
function run(body: string, json = join(dir, 'no-daemon.json')): { out: string; asked: number } {
  const calls = join(dir, 'calls');
  rmSync(calls, { force: true });
  const script = [
    nodeScript('node/sh/preamble.sh'),
    nodeScript('runtimes/docker/node.sh'),
    `DOCKER_KEPT='${dir}/docker-state'\nDOCKER_JSON='${json}'\n`,
    `docker_state() { echo x >> '${calls}'; printf '%s\\n' '${STATE_LINES.replace(/\n/g, '\\n')}' | while IFS= read -r l; do printf '%b\\n' "$l"; done; }\n`,
    body,
  ].join('\n');
  const result = spawnSync(shell, ['-s'], { input: script, encoding: 'utf8' });
  expect(result.stderr).toBe('');
  const asked = spawnSync('sh', ['-c', `cat '${calls}' 2>/dev/null | wc -l`]).stdout.toString().trim();
  return { out: result.stdout, asked: Number(asked) };
}

const probe = `docker_key '101 202' 'Sun 2026-12-06 10:39:43 UTC'; docker_probe '999999'`;
const kept = (pids = '101 202', started = 'Sun 2026-12-06 10:39:43 UTC') =>
  `docker_key '${pids}' '${started}'; if docker_kept; then echo KEPT; printf '%s\\n' "$dstate"; echo PROXIES; printf '%s\\n' "$dproxies"; else echo FRESH; fi`;

describe('the kept answer of a running dockerd', () => {
  it('is what the probe saw, proxies included, for the same daemon', () => {
    run(probe);
    const { out, asked } = run(kept());
    expect(asked).toBe(0);
    expect(out).toBe(`KEPT\n${STATE_LINES}\nPROXIES\ndocker https http://proxy:3128\n`);
  });

  it('is not taken for another daemon: other PIDs or another start', () => {
    run(probe);
    expect(run(kept('101 203')).out).toBe('FRESH\n');
    expect(run(kept('101 202', 'Sun 2026-12-06 10:39:44 UTC')).out).toBe('FRESH\n');
    expect(run(kept('101')).out).toBe('FRESH\n');
  });

  it('is not taken when a daemon.json appeared, changed after it, or went away', () => {
    const json = join(dir, 'daemon.json');
    rmSync(json, { force: true });
    run(probe, json);
    writeFileSync(json, '{}');
    expect(run(kept(), json).out).toBe('FRESH\n');
    run(probe, json);
    expect(run(kept(), json).out.split('\n')[0]).toBe('KEPT');
    const later = new Date(Date.now() + 5000);
    utimesSync(json, later, later);
    expect(run(kept(), json).out).toBe('FRESH\n');
    run(probe, json);
    rmSync(json);
    expect(run(kept(), json).out).toBe('FRESH\n');
  });

  it('is not taken when the record is cut short, missing, or not a record', () => {
    run(probe);
    const record = join(dir, 'docker-state');
    const full = spawnSync('cat', [record]).stdout.toString();
    writeFileSync(record, full.replace(/end\n$/, ''));
    expect(run(kept()).out).toBe('FRESH\n');
    writeFileSync(record, '\u0000\u00ff garbage\n');
    expect(run(kept()).out).toBe('FRESH\n');
    rmSync(record);
    expect(run(kept()).out).toBe('FRESH\n');
  });

  it('goes with any restart or reload the transaction makes (a restored daemon.json may carry an older time)', () => {
    for (const action of ['restart', 'reload']) {
      run(probe);
      const { out } = run(`restart_unit() { return 0; }; systemctl() { return 0; }; timeout() { shift; "$@"; }; docker_handler ${action}; ${kept()}`);
      expect(out, action).toBe('FRESH\n');
    }
  });

  it('is written whole or not at all: a probe leaves no temporary file', () => {
    run(probe);
    const left = spawnSync('sh', ['-c', `ls -a '${dir}'`]).stdout.toString().split('\n').filter((f) => f.startsWith('docker-state.'));
    expect(left).toEqual([]);
  });
});
