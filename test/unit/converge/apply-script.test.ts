import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseApplyResult } from '../../../src/converge/apply-result.ts';
import { applyScript, newRunId, rollbackScript } from '../../../src/converge/apply-script.ts';
import type { FileChange } from '../../../src/converge/types.ts';

const changes: FileChange[] = [
  { resource: 'hosts', path: '/etc/hosts', action: 'update', before: 'a\n', after: "a\n10.0.0.1 h $(reboot) `id` 'q'\n", mode: '0644' },
  { resource: 'certs.d', path: '/etc/docker/certs.d/h:5000/ca.crt', action: 'delete', before: 'x', after: null, mode: '0644' },
];

describe('applyScript', () => {
  const script = applyScript(newRunId(), changes, ['update-trust', 'daemon-reload', 'reload-docker', 'restart-docker'], 'debian', {
    expected: ['h', '10.0.0.0/8'],
  });

  it('is valid POSIX sh (dash) and bash', () => {
    execFileSync('dash', ['-n'], { input: script });
    execFileSync('bash', ['--posix', '-n'], { input: script });
    execFileSync('dash', ['-n'], { input: rollbackScript(newRunId(), ['update-trust'], 'rhel', "it's broken") });
  });

  it('carries file contents only as base64, never as shell text', () => {
    expect(script).not.toContain('$(reboot)');
    expect(script).toContain(Buffer.from(changes[0]!.after!).toString('base64'));
  });

  it('backs up every file before the first write, and records the owed handlers', () => {
    const firstWrite = script.indexOf('base64 -d');
    expect(script.indexOf("backup 1 /etc/hosts")).toBeLessThan(firstWrite);
    expect(script.indexOf('backup 2 /etc/docker/certs.d/h:5000/ca.crt')).toBeLessThan(firstWrite);
    expect(script.indexOf('update-trust daemon-reload reload-docker restart-docker > "$STATE/pending.new"')).toBeLessThan(firstWrite);
  });

  it('has dockerd --validate check a new daemon.json before any handler, where dockerd has it', () => {
    const json: FileChange = { resource: 'daemon-json', path: '/etc/docker/daemon.json', action: 'create', before: null, after: '{}\n', mode: '0644' };
    const validated = applyScript(newRunId(), [json], ['reload-docker'], 'debian', { validate: true });
    execFileSync('dash', ['-n'], { input: validated });
    expect(validated.indexOf('dockerd --validate --config-file /etc/docker/daemon.json')).toBeGreaterThan(validated.indexOf('base64 -d'));
    expect(validated.indexOf('dockerd --validate')).toBeLessThan(validated.indexOf('section handler reload-docker'));
    expect(applyScript(newRunId(), [json], ['reload-docker'], 'debian', { validate: false })).not.toContain('--validate');
    expect(applyScript(newRunId(), changes, [], 'debian', { validate: true })).not.toContain('--validate');
  });

  it('names runs so they sort by time', () => {
    expect(newRunId(new Date('2026-11-27T03:30:00.123Z'))).toMatch(/^20261127T033000Z-[0-9a-f]{6}$/);
  });
});

describe('parseApplyResult', () => {
  it('reads files written, handlers run, a rollback and what dockerd says', () => {
    // as the script prints it: every marker on its own line, after a newline
    const section = (name: string, content = '') => `\n@@dockhand:${name}@@\n${content}`;
    const out = [
      section('begin 1'),
      section('wrote /etc/hosts'),
      section('handler restart-docker'),
      section('journal', 'level=error msg="refusing"'),
      section('rolled-back', 'docker did not start with the new configuration'),
      section('docker-active', 'active'),
      section('end'),
    ].join('');
    expect(parseApplyResult(out)).toMatchObject({
      wrote: ['/etc/hosts'],
      handlersRun: ['restart-docker'],
      rolledBack: 'docker did not start with the new configuration',
      journal: 'level=error msg="refusing"',
      dockerActive: true,
      complete: true,
    });
  });
});
