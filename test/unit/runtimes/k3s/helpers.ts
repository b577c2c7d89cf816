/** Desired states, node states and facts for the k3s tests; golden files under fixtures/. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { managedFile, type NodeState } from '../../../../src/plan/node-state.ts';
import type { DesiredState } from '../../../../src/plan/types.ts';
import type { RegistrySpec } from '../../../../src/playbook/types.ts';
import type { K3sFacts } from '../../../../src/runtimes/k3s/types.ts';
import { desired as plays } from '../../converge/state.ts';

export const FIXTURES = join(import.meta.dirname, 'fixtures');
const UPDATE = process.env['DOCKHAND_UPDATE_GOLDEN'] === '1';

/** A fixture's exact text (no newline or BOM normalisation), or null when there is no such file. */
export function fixture(path: string): string | null {
  const file = join(FIXTURES, path);
  return existsSync(file) ? readFileSync(file, 'utf8') : null;
}

/** The golden text at `path`; `DOCKHAND_UPDATE_GOLDEN=1` writes `actual` there first (review with git diff). */
export function golden(path: string, actual: string): string {
  if (UPDATE) writeFileSync(join(FIXTURES, path), actual);
  return readFileSync(join(FIXTURES, path), 'utf8');
}

export const CA = { file: 'ca.crt', pem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' };

export const HTTP_REGISTRY: RegistrySpec = { host: 'harbor-http.lab.local', ip: undefined, insecure: true, ca: undefined, state: 'present' };
export const HTTPS_REGISTRY: RegistrySpec = { host: 'harbor.lab.local', ip: undefined, insecure: false, ca: CA, state: 'present' };

/** The desired state of plays for these registries on k3s nodes (restarts under the default if-idle). */
export function desired(registries: RegistrySpec[], extra: Partial<DesiredState> = {}): DesiredState {
  return plays(registries, { runtimes: ['k3s'], restart: 'if-idle', ...extra });
}

/** A k3s server v1.30 that runs, renders registries.yaml, and has rendered nothing yet. */
export function k3sFacts(extra: Partial<K3sFacts> = {}): K3sFacts {
  return {
    installed: true, version: 'v1.30.6+k3s1', running: true, distribution: 'k3s', unit: 'k3s.service', activeState: 'active', role: 'server',
    killMode: 'process', registriesFile: '/etc/rancher/k3s/registries.yaml', dataDir: '/var/lib/rancher/k3s', externalRuntime: null,
    registriesNewerThanProcess: false, renders: true, rendered: {},
    ...extra,
  };
}

/** A node whose managed files hold `files`, with these k3s facts. */
export function nodeState(files: Record<string, string>, facts: K3sFacts = k3sFacts(), created: string[] = []): NodeState {
  return {
    facts: {
      hostname: 'k1', os: { id: 'debian', idLike: [], versionId: '12', prettyName: 'Debian GNU/Linux 12', family: 'debian' },
      kubelet: { present: false, endpoint: null, runtime: null, source: null }, trust: { updateCaCertificates: true, updateCaTrust: false },
      runtimes: { k3s: facts },
    },
    family: 'debian',
    files: new Map(Object.entries(files).map(([path, text]) => [path, managedFile(Buffer.from(text, 'utf8'))])),
    links: new Set(), created: new Set(created), failedChanges: new Map(), trustMissing: [], lockHeld: false, unfinished: [],
  };
}
