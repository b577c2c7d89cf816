import { describe, expect, it } from 'vitest';
import { factsDocument, renderFactsTable } from '../../../src/report/facts.ts';
import { renderTable } from '../../../src/report/table.ts';

describe('tables', () => {
  it('pad to the widest cell without a width, and keep every character', () => {
    expect(renderTable(['A', 'B'], [['x', 'long cell'], ['yy', 'z']])).toBe('A   B\nx   long cell\nyy  z\n');
  });

  it('cut the widest shortenable column first to fit a width, never the fixed ones', () => {
    const out = renderTable(['NODE', 'STATUS', 'OS'], [['deb1', 'unreachable', 'debian: Debian GNU/Linux 12 (bookworm) with a long tail']], { maxWidth: 40, fixed: [0, 1] });
    for (const line of out.trimEnd().split('\n')) expect(line.length).toBeLessThanOrEqual(40);
    expect(out).toContain('deb1  unreachable  debian: Debian GNU/L…');
  });

  it('measure coloured cells by what shows', () => {
    expect(renderTable(['S', 'X'], [['\u001b[31mred\u001b[39m', 'x']])).toBe('S    X\n\u001b[31mred\u001b[39m  x\n');
  });

  it('the facts table of a real-looking fleet fits 100 columns on a terminal; --json keeps everything', () => {
    const outcomes = ['deb1', 'rhel1'].map((name) => ({
      target: { name, address: '172.30.5.13' },
      status: 'ok' as const,
      error: null,
      durationMs: 10,
      value: {
        family: 'debian' as const,
        os: { id: 'debian', idLike: [], versionId: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)' },
        runtimes: {
          docker: {
            installed: true, running: true, version: '20.10.24+dfsg1', unit: null, honoursDockerOpts: true,
            daemonJson: { present: true, valid: true, keys: ['insecure-registries', 'registry-mirrors', 'live-restore', 'log-driver'] },
            containersRunning: 3, liveRestore: true,
          },
          containerd: { installed: true, running: true, version: '1.6.20~ds1', activeState: 'active', criStatus: 'ok', config: { criDisabled: false } },
          containers: { installed: false },
          k3s: { installed: false },
        },
        kubelet: { present: false, endpoint: null, runtime: null, source: null },
        trust: null,
        hostname: name,
      },
    }));
    const doc = factsDocument(outcomes as never);
    const wide = renderFactsTable(doc);
    expect(Math.max(...wide.split('\n').map((l) => l.length))).toBeGreaterThan(100);
    for (const line of renderFactsTable(doc, { width: 100 }).split('\n')) expect(line.length, line).toBeLessThanOrEqual(100);
  });
});
