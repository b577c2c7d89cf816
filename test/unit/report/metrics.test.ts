import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import { carriedOver, renderMetrics, renderOverlap, scheduleLabel } from '../../../src/report/metrics.ts';
import { CONVERGE_STATUSES } from '../../../src/report/status.ts';
import { checkDocument, host } from './documents.ts';

const NOW = 1_796_000_000;
const value = (text: string, name: string, labels: Record<string, string> = {}) => {
  const family = parsePrometheusTextFormat(text).find((f) => f.name === name);
  const sample = family?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return sample === undefined ? undefined : Number(sample.value);
};

describe('metrics for the textfile collector', () => {
  const text = renderMetrics(checkDocument(), 'dockhand-site', { lastSuccess: undefined, overlapping: 0 }, NOW);

  it('has HELP and TYPE for every family, base units, and no timestamps', () => {
    const families = parsePrometheusTextFormat(text);
    expect(families.map((f) => f.name).sort()).toEqual([
      'dockhand_last_run_timestamp_seconds', 'dockhand_last_success_timestamp_seconds', 'dockhand_node_drift_resources',
      'dockhand_node_duration_seconds', 'dockhand_node_last_run_timestamp_seconds', 'dockhand_node_status', 'dockhand_overlapping_runs_total',
      'dockhand_registry_ca_expiry_timestamp_seconds', 'dockhand_registry_certificate_expiry_timestamp_seconds', 'dockhand_registry_reachable',
      'dockhand_run_duration_seconds', 'dockhand_run_exit_code', 'dockhand_run_nodes',
    ]);
    for (const family of families) {
      expect(family.help, family.name).not.toBe('');
      expect(['GAUGE', 'COUNTER']).toContain(family.type);
    }
    for (const line of text.split('\n').filter((l) => l !== '' && !l.startsWith('#'))) expect(line).toMatch(/^\w+\{[^}]*\} \S+$/);
  });

  it('is one-hot per node, counts nodes by status, and says how the run ended', () => {
    for (const status of CONVERGE_STATUSES) {
      expect(value(text, 'dockhand_node_status', { node: 'deb2', status }), status).toBe(status === 'drift' ? 1 : 0);
    }
    expect(value(text, 'dockhand_node_drift_resources', { node: 'deb2' })).toBe(1);
    expect(value(text, 'dockhand_node_duration_seconds', { node: 'deb1' })).toBe(1.234);
    expect(value(text, 'dockhand_run_nodes', { status: 'unreachable' })).toBe(1);
    expect(value(text, 'dockhand_run_nodes', { status: 'changed' })).toBe(0);
    expect(value(text, 'dockhand_run_exit_code')).toBe(2);
    expect(value(text, 'dockhand_run_duration_seconds')).toBe(2.5);
    expect(value(text, 'dockhand_last_run_timestamp_seconds')).toBe(NOW);
    expect(value(text, 'dockhand_node_status', { schedule: 'dockhand-site', node: 'deb1', status: 'ok' })).toBe(1);
  });

  it('keeps the last success of the previous file when this run failed, and moves it when it succeeded (drift included)', () => {
    const before = carriedOver(renderMetrics(checkDocument(), 's', { lastSuccess: 1_700_000_000, overlapping: 2 }, NOW));
    expect(before).toMatchObject({ lastSuccess: 1_700_000_000, overlapping: 2 });
    const drifted = { ...checkDocument([host('deb1', 'drift')]), run: { ...checkDocument().run, exit_code: 3 } };
    expect(carriedOver(renderMetrics(drifted, 's', before, NOW)).lastSuccess).toBe(NOW);
  });

  it('counts a run that found the previous one still going, and leaves the rest of the file as it was', () => {
    const once = renderOverlap(text, 'dockhand-site');
    const twice = renderOverlap(once, 'dockhand-site');
    expect(value(twice, 'dockhand_overlapping_runs_total')).toBe(2);
    expect(twice.replace(/^dockhand_overlapping_runs_total.*$/m, '')).toBe(text.replace(/^dockhand_overlapping_runs_total.*$/m, ''));
    expect(value(renderOverlap(undefined, 'x'), 'dockhand_overlapping_runs_total')).toBe(1);
  });

  it('escapes label values: a node name with quotes, backslashes or a newline stays one sample', () => {
    const odd = 'n"o\\de\nx';
    const out = renderMetrics(checkDocument([host(odd, 'ok')]), 's', { lastSuccess: undefined, overlapping: 0 }, NOW);
    expect(value(out, 'dockhand_node_status', { node: odd, status: 'ok' })).toBe(1);
  });

  it('labels every series with the file name, so schedules can share the textfile directory', () => {
    expect(scheduleLabel('/var/lib/prometheus/node-exporter/dockhand-site.prom')).toBe('dockhand-site');
    for (const family of parsePrometheusTextFormat(text)) for (const m of family.metrics) expect(m.labels?.['schedule']).toBe('dockhand-site');
  });
});
