/** Converge reports as the CLI builds them, for the renderers' tests. */
import type { ConvergeDocument, ConvergeHost } from '../../../src/report/converge.ts';

export const HTTP = 'registry harbor-http.lab.local';
export const HTTPS = 'registry harbor.lab.local';
export const CIDR = 'insecure registry 10.233.0.0/18';

export function host(name: string, status: ConvergeHost['status'], extra: Partial<ConvergeHost> = {}): ConvergeHost {
  return {
    name,
    address: `10.0.0.${name.length}`,
    status,
    os_family: 'debian',
    runtimes: ['docker'],
    mechanism: 'drop-in',
    via: [{ runtime: 'docker', mechanism: 'drop-in', via: 'the DOCKER_OPTS drop-in' }],
    changes: [],
    handlers: [],
    missing_effect: [],
    verified: [],
    warnings: [],
    notes: [],
    restarts: [],
    blocked: [],
    recovered: null,
    error: null,
    duration_ms: 1234,
    ...extra,
  };
}

/** A check of four nodes: one converged, one whose pin of the http registry drifted, one failed, one unreachable. */
export function checkDocument(hosts: ConvergeHost[] = [
  host('deb1', 'ok'),
  host('deb2', 'drift', {
    changes: [{ resource: 'hosts', path: '/etc/hosts', action: 'update', diff: null, concerns: [HTTP] }],
    handlers: [],
  }),
  host('rhel1', 'failed', { error: 'nothing changed: dockerd\'s daemon.json is not valid JSON' }),
  host('deb3', 'unreachable', { error: 'deb3: connect ECONNREFUSED 10.0.0.4:22', os_family: null, mechanism: null, via: [] }),
]): ConvergeDocument {
  const summary: ConvergeDocument['summary'] = {};
  for (const h of hosts) summary[h.status] = (summary[h.status] ?? 0) + 1;
  return {
    mode: 'check',
    hosts,
    summary,
    plays: [{ name: 'Trust the lab registries', hosts: hosts.map((h) => h.name), subjects: [HTTP, HTTPS, CIDR] }],
    run: {
      id: '20261202T101500Z-abc123',
      started_at: '2026-12-02T10:15:00.000Z',
      duration_ms: 2500,
      playbook: '/srv/dockhand/site.yml',
      inventory: '/srv/dockhand/hosts.ini',
      limit: null,
      exit_code: 2,
    },
  };
}
