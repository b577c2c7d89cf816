import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findRun, newRunId, runIds, saveRun } from '../../../src/history/store.ts';
import { renderHistory } from '../../../src/report/history.ts';
import { dockhand } from '../../support/cli.ts';
import { checkDocument } from '../report/documents.ts';

function run(at: string) {
  const doc = checkDocument();
  return { ...doc, run: { ...doc.run, id: newRunId(new Date(at)), started_at: at } };
}

describe('run history', () => {
  it('names each run by its time and id, and keeps only the newest N', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dockhand-history-'));
    const times = ['2026-12-01T10:00:00.000Z', '2026-12-01T10:15:00.000Z', '2026-12-01T10:30:00.000Z', '2026-12-01T10:45:00.000Z'];
    for (const at of times) await saveRun(dir, run(at), 3);
    const ids = await runIds(dir);
    expect(ids).toHaveLength(3);
    expect(ids[0]).toMatch(/^20261201T101500Z-[0-9a-f]{6}$/);
    expect((await findRun(dir, 'last')).run.started_at).toBe(times[3]);
    expect((await findRun(dir, '20261201T1030')).run.started_at).toBe(times[2]);
    await expect(findRun(dir, '20261201T1000')).rejects.toThrow(/no run 20261201T1000/);
    await expect(findRun(dir, '2026')).rejects.toThrow(/3 runs start with 2026/);
  });

  it('dockhand history lists the runs; history RUN shows one, which node drifted and what changed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dockhand-history-'));
    const doc = run('2026-12-01T10:00:00.000Z');
    await saveRun(dir, doc, 10);
    const list = await dockhand(['history', '--log-dir', dir]);
    expect(list.exitCode).toBe(0);
    expect(list.stdout).toContain(doc.run.id);
    expect(list.stdout).toMatch(/check\s+2\s+ok=1 drift=1 failed=1 unreachable=1/);
    const one = await dockhand(['history', doc.run.id.slice(0, 20), '--log-dir', dir]);
    expect(one.stdout).toContain(`run ${doc.run.id} (check)`);
    expect(one.stdout).toMatch(/^deb2 drift/m);
    expect(one.stdout).toContain('would update hosts /etc/hosts');
    const json = JSON.parse((await dockhand(['history', 'last', '--log-dir', dir, '--json'])).stdout) as typeof doc;
    expect(json).toEqual(doc);
  });

  it('a run file that cannot be read is named and skipped; the others are listed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dockhand-history-'));
    const doc = run('2026-12-01T10:00:00.000Z');
    await saveRun(dir, doc, 10);
    writeFileSync(join(dir, '20261201T110000Z-0a0b0c.json'), '{"mode": "che');
    const list = await dockhand(['history', '--log-dir', dir]);
    expect(list.exitCode).toBe(0);
    expect(list.stdout).toContain(doc.run.id);
    expect(list.stderr).toContain('skipping run 20261201T110000Z-0a0b0c');
  });

  it('an empty history says so', () => {
    expect(renderHistory([])).toBe('no runs recorded\n');
  });
});
