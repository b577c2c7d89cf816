// src/reach/reach.sh run here, against a closed port on this machine, with the commands it calls directly
// (not under `timeout`) logged: what it starts on every read of a node.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { composeScript } from '../../../src/node/compose.ts';
import { nodeScript } from '../../../src/node/scripts.ts';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs reach.sh with `openssl` called directly logged; `curl` hidden from `has` when `withCurl` is false. */
function directOpensslCalls(withCurl: boolean): string[] {
  dir = mkdtempSync(join(tmpdir(), 'reach-sh-'));
  const log = join(dir, 'log');
  const stubs = `openssl() { echo "openssl $*" >> '${log}'; command openssl "$@"; }
${withCurl ? '' : 'has() { [ "$1" != curl ] && command -v "$1" >/dev/null 2>&1; }\n'}: > '${log}'
`;
  const script = composeScript(
    { REACH_TARGETS: 'r0 https harbor.lab.local 1 127.0.0.1\nr1 http harbor-http.lab.local 1 127.0.0.1', REACH_CONNECT: '1', REACH_LIMIT: '3' },
    stubs, nodeScript('reach/reach.sh'),
  );
  const r = spawnSync('sh', ['-s'], { input: script, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/@@dockhand:reach r0 direct@@\ntool (curl|openssl)\nexit [1-9]/);
  return readFileSync(log, 'utf8').split('\n').filter((l) => l !== '');
}

describe('reach.sh: what it starts', () => {
  it('with curl on the node, no openssl is asked what it supports (only the served chain runs openssl)', () => {
    expect(directOpensslCalls(true)).toEqual([]);
  });

  it('without curl, openssl is asked once whether it has -no-CAstore, for its probes', () => {
    expect(directOpensslCalls(false)).toEqual(['openssl s_client -help']);
  });
});

describe('reach.sh: one curl for every probe, each probe alone where that one cannot say', () => {
  /** Runs reach.sh against closed ports with `curl` logged (and, with `old`, refusing -K as a curl before 7.75 would refuse its options). */
  function curlCalls(old: boolean): { calls: string[]; stdout: string } {
    dir = mkdtempSync(join(tmpdir(), 'reach-sh-'));
    const log = join(dir, 'log');
    const stubs = `curl() { echo "curl $1" >> '${log}'; ${old ? 'if [ "$1" = -K ]; then echo "curl: option -K: is unknown" >&2; return 2; fi; ' : ''}command curl "$@"; }
: > '${log}'
`;
    const script = composeScript(
      { REACH_TARGETS: 'r0 https harbor.lab.local 1 127.0.0.1\nr1 http harbor-http.lab.local 1 127.0.0.1', REACH_CONNECT: '1', REACH_LIMIT: '3' },
      stubs, nodeScript('reach/reach.sh'),
    );
    const r = spawnSync('sh', ['-s'], { input: script, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    return { calls: readFileSync(log, 'utf8').split('\n').filter((l) => l !== ''), stdout: r.stdout };
  }

  it('asks every probe in one curl; the ones that got no answer again alone, whose -v says why', () => {
    const { calls, stdout } = curlCalls(false);
    expect(calls).toEqual(['curl -K', 'curl -v', 'curl -v']);
    for (const id of ['r0', 'r1']) expect(stdout).toMatch(new RegExp(`@@dockhand:reach ${id} direct@@\\ntool curl\\nexit 7\\nhttp 000\\nconnect 000\\nsaid .*(refused|connect)`, 'i'));
  });

  it('a try that timed out or failed its TLS check is not made again: its exit code and curl\'s message say it', () => {
    dir = mkdtempSync(join(tmpdir(), 'reach-sh-'));
    const log = join(dir, 'log');
    // the batch's own write-out, as curl 7.88 prints it for a registry that drops packets and one whose certificate fails
    const batch = '\\n@@dockhand:reach r0 direct@@\\ntool curl\\nexit 28\\nhttp 000\\nconnect 000\\nsaid Connection timed out after 1001 milliseconds\\n@@chain@@\\n' +
      '\\n@@dockhand:reach r1 direct@@\\ntool curl\\nexit 60\\nhttp 000\\nconnect 000\\nsaid SSL certificate problem: unable to get local issuer certificate\\n@@chain@@\\n';
    const stubs = `curl() { echo "curl $1" >> '${log}'; if [ "$1" = -K ]; then printf '${batch}'; return 0; fi; command curl "$@"; }
: > '${log}'
`;
    const script = composeScript(
      { REACH_TARGETS: 'r0 https harbor.lab.local 1 127.0.0.1\nr1 https harbor.lab.local 2 127.0.0.1', REACH_CONNECT: '1', REACH_LIMIT: '3' },
      stubs, nodeScript('reach/reach.sh'),
    );
    const r = spawnSync('sh', ['-s'], { input: script, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    // no curl alone (the served chain of each then comes from openssl, under `timeout`: not logged here)
    expect(readFileSync(log, 'utf8').split('\n').filter((l) => l !== '')).toEqual(['curl -K']);
    expect(r.stdout).toContain('@@dockhand:reach r0 direct@@\ntool curl\nexit 28\nhttp 000\nconnect 000\nsaid Connection timed out after 1001 milliseconds\n');
    expect(r.stdout).toContain('@@dockhand:reach r1 direct@@\ntool curl\nexit 60\nhttp 000\nconnect 000\nsaid SSL certificate problem: unable to get local issuer certificate\n');
  });

  it('a curl that cannot run them together: each probe alone, the sections as before', () => {
    const { calls, stdout } = curlCalls(true);
    expect(calls).toEqual(['curl -K', 'curl -v', 'curl -v']);
    expect(stdout.match(/@@dockhand:reach r[01] direct@@\ntool curl\nexit 7\n/g)).toHaveLength(2);
  });
});
