import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { bundleText, newRunId, recoverScript, sha256, stageScript } from '../../../src/node/transaction/bundle.ts';
import { parseOutcome } from '../../../src/node/transaction/outcome.ts';
import { TRANSACTION_WAIT_S, transactionWait } from '../../../src/node/transaction/run.ts';
import type { Transaction } from '../../../src/node/transaction/types.ts';

const SECRET_LIKE = 'proxy-password-Zq8!';

const tx: Transaction = {
  runId: '20261202T101010Z-abcdef',
  key: 'c'.repeat(64),
  family: 'debian',
  writes: [
    { path: '/etc/hosts', after: Buffer.from('127.0.0.1 localhost\n10.0.0.5 harbor.local\n'), beforeSha256: 'a'.repeat(64), mode: '0644' },
    { path: '/etc/docker/daemon.json', after: Buffer.from(`{"proxies": {"http-proxy": "http://u:${SECRET_LIKE}@p:3128"}}\n`), beforeSha256: null, mode: '0644' },
    { path: '/etc/docker/certs.d/old.local/ca.crt', after: null, beforeSha256: 'b'.repeat(64), mode: '0644' },
  ],
  validate: [{ runtime: 'docker', path: '/etc/docker/daemon.json' }],
  handlers: ['update-trust', 'reload-docker'],
  expect: [{ runtime: 'docker', kind: 'active' }, { runtime: 'docker', kind: 'insecure', value: 'harbor.local' }],
  runtimes: [{ name: 'docker', daemon: 'dockerd', shell: 'runtimes/docker/node.sh' }],
};

describe('a transaction as the node receives it', () => {
  it('writes the plan as words: changes with both hashes, validation, handlers, expectations', () => {
    expect(bundleText(tx)).toBe(
      [
        'family debian',
        `key ${'c'.repeat(64)}`,
        `change 1 write 0644 ${'a'.repeat(64)} ${sha256(tx.writes[0]!.after!)} /etc/hosts`,
        `change 2 write 0644 absent ${sha256(tx.writes[1]!.after!)} /etc/docker/daemon.json`,
        `change 3 delete 0644 ${'b'.repeat(64)} absent /etc/docker/certs.d/old.local/ca.crt`,
        'validate docker /etc/docker/daemon.json',
        'handler update-trust',
        'handler reload-docker',
        'expect docker-active',
        'expect docker-insecure harbor.local',
        'report docker dockerd',
        '',
      ].join('\n'),
    );
  });

  it('carries a play\'s start_timeout as the worker\'s start wait, and lengthens the controller\'s wait for it', () => {
    expect(bundleText({ ...tx, startWait: 180 })).toMatch(/\nreport docker dockerd\nstart-wait 180\n$/);
    expect(bundleText(tx)).not.toContain('start-wait');
    expect(() => bundleText({ ...tx, startWait: 1.5 })).toThrow(/cannot go in a transaction/);
    expect(transactionWait(tx)).toBe(TRANSACTION_WAIT_S);
    expect(transactionWait({ ...tx, startWait: 10 })).toBe(TRANSACTION_WAIT_S);
    // two handlers, each a restart and its rollback's: 120 s more each
    expect(transactionWait({ ...tx, startWait: 180 })).toBe(TRANSACTION_WAIT_S + 2 * 120 * 2);
  });

  it('refuses a path or value that is not one word (it could not be read back)', () => {
    expect(() => bundleText({ ...tx, writes: [{ ...tx.writes[0]!, path: '/etc/a b' }] })).toThrow(/cannot go in a transaction/);
    expect(() => bundleText({ ...tx, expect: [{ runtime: 'docker', kind: 'insecure', value: 'a\nb' }] })).toThrow(/cannot go in a transaction/);
  });

  it('carries file contents only as base64 data, and stages as valid POSIX sh', () => {
    const script = stageScript(tx);
    expect(script).not.toContain(SECRET_LIKE);
    expect(script).toContain(Buffer.from(`{"proxies"`).toString('base64').slice(0, 8));
    for (const text of [script, recoverScript(tx.runId, tx.runtimes)]) {
      const parsed = spawnSync('dash', ['-n'], { input: text, encoding: 'utf8' });
      expect(parsed.stderr).toBe('');
      expect(parsed.status).toBe(0);
    }
  });

  it('names runs so they sort by time', () => {
    const a = newRunId(new Date('2026-01-02T03:04:05.678Z'));
    expect(a).toMatch(/^20260102T030405Z-[0-9a-f]{6}$/);
    expect(newRunId(new Date('2026-01-02T03:04:06Z')) > a).toBe(true);
  });
});

const out = (...sections: [string, string?][]) => sections.map(([name, body]) => `\n@@dockhand:${name}@@\n${body ?? ''}`).join('');

describe('the outcome a worker reports', () => {
  it('committed, with what it wrote and ran', () => {
    const o = parseOutcome('r', out(['wrote /etc/hosts'], ['handler update-trust'], ['committed'], ['runtime-state docker', 'active\nversion 24.0.7\n'], ['end']));
    expect(o).toMatchObject({ result: 'committed', wrote: ['/etc/hosts'], handlersRun: ['update-trust'], recovered: false });
    expect(o.runtimeState.get('docker')?.split('\n')[0]).toBe('active');
  });

  it('rolled back, with the reason, the journal and files someone else changed meanwhile', () => {
    const o = parseOutcome('r', out(['wrote /etc/hosts'], ['handler restart-docker'], ['journal', 'x\ny\n'], ['restored'], ['not-restored /etc/hosts', 'it changed since this run wrote it\n'], ['rolled-back', 'docker did not start\n'], ['end']));
    expect(o).toMatchObject({ result: 'rolled-back', message: 'docker did not start', journal: 'x\ny', notRestored: [{ path: '/etc/hosts', reason: 'it changed since this run wrote it' }] });
  });

  it('fault 15.2/15.4: an undo that could not put a file back is a failure naming it, never "undone"', () => {
    const o = parseOutcome('r', out(['wrote /etc/hosts'], ['restored'], ['not-restored /etc/hosts', 'cannot restore /etc/hosts (disk full or read-only?)\n'], ['error', 'cannot write /etc/docker/daemon.json (disk full?): nothing changed\n'], ['end']));
    expect(o.result).toBe('failed');
    expect(o.notRestored).toEqual([{ path: '/etc/hosts', reason: 'cannot restore /etc/hosts (disk full or read-only?)' }]);
  });

  it('fault 15.5: a worker that could not have the node lock leaves the transaction to the next run', () => {
    const o = parseOutcome('r', out(['busy', "another dockhand run has held this node's lock for 120 s\n"], ['end']));
    expect(o).toMatchObject({ result: 'busy', message: "another dockhand run has held this node's lock for 120 s" });
  });

  it('undone before any handler, changed underneath, recovered, lost', () => {
    expect(parseOutcome('r', out(['restored'], ['error', 'cannot write /etc/hosts (disk full?): nothing changed\n'], ['end'])).result).toBe('undone');
    expect(parseOutcome('r', out(['changed-underneath /etc/hosts'], ['end']))).toMatchObject({ result: 'changed-underneath', message: '/etc/hosts' });
    expect(parseOutcome('r', out(['recovered r'], ['committed'], ['end']))).toMatchObject({ result: 'committed', recovered: true });
    expect(parseOutcome('r', out(['wrote /etc/hosts'])).result).toBe('lost');
    expect(parseOutcome('r', out(['worker-died', 'gone\n'], ['end']))).toMatchObject({ result: 'lost', message: 'gone' });
  });

  it('a rollback that could not bring the runtime back is a failure, not a rollback', () => {
    const o = parseOutcome('r', out(['handler restart-docker'], ['restored'], ['error', 'x; the rollback did not bring Docker back either\n'], ['end']));
    expect(o.result).toBe('failed');
  });
});
