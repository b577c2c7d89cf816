// Issue 20, item 2: a --limit'ed run keeps the schedule's other nodes in its metrics and JUnit, one series
// (and one set of test cases) per node, from the last run that worked on it; a node no longer in the
// inventory is dropped.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'junit2json';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import { writeRunReports } from '../../../src/cli/reporting.ts';
import { CONVERGE_STATUSES, type ConvergeDocument } from '../../../src/report/converge.ts';
import { Output, Redactor } from '../../../src/report/output.ts';
import { checkDocument, HTTP, host } from './documents.ts';

const sink = () => ({ write: () => true }) as unknown as NodeJS.WritableStream;
const output = new Output(0, new Redactor(), sink(), sink());
const T1 = 1_796_000_000;
const T2 = T1 + 900;

function samples(text: string, name: string): { labels: Record<string, string>; value: number }[] {
  const family = parsePrometheusTextFormat(text).find((f) => f.name === name);
  return (family?.metrics ?? []).map((m) => ({ labels: m.labels ?? {}, value: Number(m.value) }));
}

const statusOf = (text: string, node: string) =>
  samples(text, 'dockhand_node_status').find((s) => s.labels['node'] === node && s.value === 1)?.labels['status'];

interface Suite { name: string; tests: number; failures: number; testcase: { classname: string; name: string; failure?: unknown[] }[] }

/** A first run on deb1, deb2 (drifted) and deb3; then an apply limited to deb1, after deb3 left the inventory. */
async function twoRuns(): Promise<{ metrics: string; junit: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'dockhand-limited-'));
  const files = { metrics: join(dir, 'site.prom'), junit: join(dir, 'junit.xml'), logKeep: 5, quiet: true };
  const full = checkDocument([
    host('deb1', 'ok'),
    host('deb2', 'drift', { changes: [{ resource: 'hosts', path: '/etc/hosts', action: 'update', diff: null, concerns: [HTTP] }] }),
    host('deb3', 'ok'),
  ]);
  await writeRunReports({ ...full, run: { ...full.run, exit_code: 3 } }, files, output, { now: T1 });
  const base = checkDocument([host('deb1', 'changed', { changes: [{ resource: 'hosts', path: '/etc/hosts', action: 'update', diff: null, concerns: [HTTP] }] })]);
  const limited: ConvergeDocument = { ...base, mode: 'apply', run: { ...base.run, limit: 'deb1', exit_code: 0 } };
  const plays = [{ ...limited.plays[0]!, hosts: ['deb1', 'deb2'] }];
  await writeRunReports(limited, files, output, { now: T2, plays });
  return { metrics: readFileSync(files.metrics, 'utf8'), junit: readFileSync(files.junit, 'utf8') };
}

describe('issue 20, item 2: a --limit\'ed run keeps the other nodes of the schedule', () => {
  it('metrics: one series per node, the limited node from this run, the others from their last run, gone nodes dropped', async () => {
    const { metrics } = await twoRuns();
    expect(statusOf(metrics, 'deb1')).toBe('changed');
    expect(statusOf(metrics, 'deb2')).toBe('drift');
    expect(statusOf(metrics, 'deb3')).toBeUndefined();
    expect(samples(metrics, 'dockhand_node_status').filter((s) => s.labels['node'] === 'deb2')).toHaveLength(CONVERGE_STATUSES.length);
    expect(samples(metrics, 'dockhand_node_drift_resources').find((s) => s.labels['node'] === 'deb2')?.value).toBe(1);
    expect(samples(metrics, 'dockhand_node_duration_seconds').find((s) => s.labels['node'] === 'deb2')?.value).toBe(1.234);
    const lastRun = samples(metrics, 'dockhand_node_last_run_timestamp_seconds');
    expect(lastRun.find((s) => s.labels['node'] === 'deb1')?.value).toBe(T2);
    expect(lastRun.find((s) => s.labels['node'] === 'deb2')?.value).toBe(T1);
    expect(samples(metrics, 'dockhand_node_status').every((s) => s.labels['node'] !== 'deb3')).toBe(true);
  });

  it('JUnit: the limited node\'s cases from this run, the other node\'s from its last run (its failure kept), gone nodes dropped', async () => {
    const { junit } = await twoRuns();
    const parsed = (await parse(junit)) as unknown as { tests: number; failures: number; testsuite: Suite[] };
    const suite = parsed.testsuite[0]!;
    expect([...new Set(suite.testcase.map((c) => c.classname))]).toEqual(['deb1', 'deb2']);
    expect(suite.tests).toBe(6);
    expect(suite.failures).toBe(1);
    expect(parsed.failures).toBe(1);
    expect(suite.testcase.find((c) => c.classname === 'deb2' && c.name === HTTP)?.failure).toBeDefined();
  });
});
