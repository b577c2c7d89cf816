// The node's own view of its registries in each report: a line in the text, a failed JUnit case for a
// registry a node cannot reach (read back by a JUnit parser dockhand did not write), and the metrics of the
// registries' certificates (read back by an independent exposition-format parser).
import { parse } from 'junit2json';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import type { RegistryReach } from '../../../src/reach/judge.ts';
import { renderConvergeText } from '../../../src/report/converge.ts';
import { renderJUnit } from '../../../src/report/junit.ts';
import { renderMetrics } from '../../../src/report/metrics.ts';
import { checkDocument, host, HTTP, HTTPS } from './documents.ts';

const refused: RegistryReach = {
  registry: 'harbor.lab.local',
  address: '10.0.0.5:443',
  scheme: 'https',
  direct: { outcome: 'refused', detail: 'connection refused' },
  proxied: [],
  paths: [{ runtime: 'docker', now: 'direct', after: 'direct' }],
  outcome: 'refused',
  detail: 'connection refused',
  served: [],
};
const behindProxy: RegistryReach = {
  registry: 'harbor-http.lab.local',
  address: '10.0.0.6:80',
  scheme: 'http',
  direct: { outcome: 'reachable', detail: 'HTTP 200 from /v2/' },
  proxied: [{ runtime: 'docker', proxy: 'http://ops:********@proxy:3128', result: { outcome: 'proxy', detail: 'the proxy answered HTTP 403' } }],
  paths: [{ runtime: 'docker', now: 'proxy', after: 'direct' }],
  outcome: 'reachable',
  detail: 'HTTP 200 from /v2/',
  served: [],
};
const served: RegistryReach = {
  ...refused,
  direct: { outcome: 'reachable', detail: 'HTTP 401 from /v2/' },
  outcome: 'reachable',
  detail: 'HTTP 401 from /v2/',
  served: [{ subject: 'CN=harbor.lab.local', issuer: 'CN=lab CA', expires: '2028-03-10T02:00:00Z' }],
};

describe('reach in the text report', () => {
  it('says what the node saw, which runtime goes through its proxy now, and that it goes direct after the run', () => {
    const text = renderConvergeText(checkDocument([host('deb1', 'drift', { reach: [refused, behindProxy] })]));
    expect(text).toContain('  reach harbor.lab.local (https, 10.0.0.5:443): refused (connection refused)');
    expect(text).toContain('  reach harbor-http.lab.local (http, 10.0.0.6:80): reachable (HTTP 200 from /v2/); docker goes through its proxy http://ops:********@proxy:3128 now (proxy in the way: the proxy answered HTTP 403); it would go direct after apply');
  });

  it('shows a node that is ok but cannot reach a registry; stays quiet about registries reached straight', () => {
    const text = renderConvergeText(checkDocument([host('deb1', 'ok', { reach: [refused] }), host('deb2', 'ok', { reach: [served] })]));
    expect(text).toContain('deb1 ok');
    expect(text).not.toContain('deb2 ok (');
  });
});

describe('reach in JUnit', () => {
  it('fails the case of a registry the node cannot reach, even on a node that is ok; the others pass', async () => {
    const parsed = (await parse(renderJUnit(checkDocument([host('deb1', 'ok', { reach: [refused, behindProxy] })])))) as {
      testsuite: { testcase: { name: string; failure?: { message: string; type: string }[]; 'system-out'?: string[] }[] }[];
    };
    const cases = parsed.testsuite[0]!.testcase;
    const https = cases.find((c) => c.name === HTTPS)!;
    expect(https.failure?.[0]).toMatchObject({ type: 'unreachable-registry', message: 'deb1 cannot reach harbor.lab.local: connection refused' });
    const http = cases.find((c) => c.name === HTTP)!;
    expect(http.failure).toBeUndefined();
    expect(http['system-out']?.join('')).toContain('docker goes through its proxy');
  });
});

describe('registry metrics', () => {
  it('export each CA certificate of the plays, the certificate each node saw served, and whether it reached the registry', () => {
    const document = checkDocument([host('deb1', 'ok', { reach: [served] }), host('deb2', 'ok', { reach: [refused] })]);
    const withCas = {
      ...document,
      plays: document.plays.map((play) => ({
        ...play,
        cas: [
          { registry: 'harbor.lab.local', subject: 'CN=old CA', expires: '2027-01-01T00:00:00Z' },
          { registry: 'harbor.lab.local', subject: 'CN=new CA', expires: '2036-01-01T00:00:00Z' },
        ],
      })),
    };
    const families = parsePrometheusTextFormat(renderMetrics(withCas, 'site', { lastSuccess: undefined, overlapping: 0 }, 1_800_000_000));
    const samples = (name: string) => (families.find((f) => f.name === name)?.metrics ?? []) as { labels: Record<string, string>; value: string }[];
    expect(samples('dockhand_registry_ca_expiry_timestamp_seconds')).toEqual([
      { labels: { schedule: 'site', registry: 'harbor.lab.local', subject: 'CN=old CA' }, value: String(Date.parse('2027-01-01T00:00:00Z') / 1000) },
      { labels: { schedule: 'site', registry: 'harbor.lab.local', subject: 'CN=new CA' }, value: String(Date.parse('2036-01-01T00:00:00Z') / 1000) },
    ]);
    expect(samples('dockhand_registry_certificate_expiry_timestamp_seconds')).toEqual([
      { labels: { schedule: 'site', node: 'deb1', registry: 'harbor.lab.local', subject: 'CN=harbor.lab.local' }, value: String(Date.parse('2028-03-10T02:00:00Z') / 1000) },
    ]);
    expect(samples('dockhand_registry_reachable').map((m) => [m.labels['node'], m.value])).toEqual([['deb1', '1'], ['deb2', '0']]);
  });
});
