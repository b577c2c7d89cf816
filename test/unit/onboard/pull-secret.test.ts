// The Secret dockhand prints against the one the real kubectl prints for the same input (kubectl create
// secret docker-registry --dry-run=client needs no cluster).
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { checkObjectName, dockerConfigJson, dockerConfigKey, goJson, renderPullSecrets, type PullSecretRequest } from '../../../src/onboard/pull-secret.ts';

const KUBECTL = '/usr/bin/kubectl';

function kubectl(request: PullSecretRequest, namespace: string | undefined): string {
  return execFileSync(KUBECTL, [
    'create', 'secret', 'docker-registry', request.name,
    `--docker-server=${request.server}`, `--docker-username=${request.username}`, `--docker-password=${request.password}`,
    ...(request.email ? [`--docker-email=${request.email}`] : []),
    ...(namespace === undefined ? [] : ['-n', namespace]),
    '--dry-run=client', '-o', 'yaml',
  ], { encoding: 'utf8' });
}

const base: PullSecretRequest = { name: 'harbor-pull', namespaces: [], server: 'harbor.example.com', username: 'robot$ci', password: 'p&<>"\\ü s3cret' };

describe('the pull secret, as kubectl prints it', () => {
  it('is byte for byte kubectl\'s, with and without a namespace and an email', { timeout: 30_000 }, () => {
    expect(renderPullSecrets(base)).toBe(kubectl(base, undefined));
    const two = { ...base, namespaces: ['team-a', 'team-b'], email: 'ops@example.com' };
    const docs = renderPullSecrets(two).split('---\n');
    expect(docs).toEqual([kubectl(two, 'team-a'), kubectl(two, 'team-b')]);
  });

  it('keys Docker Hub as kubectl and docker login do', { timeout: 30_000 }, () => {
    expect(dockerConfigKey('docker.io')).toBe('https://index.docker.io/v1/');
    expect(dockerConfigKey('harbor.example.com:8443')).toBe('harbor.example.com:8443');
    const hub = { ...base, server: dockerConfigKey('docker.io') };
    expect(renderPullSecrets(hub)).toBe(kubectl(hub, undefined));
  });

  it('is kubectl\'s for any password and username (property)', () => {
    const text = fc.string({ unit: fc.oneof(fc.constantFrom('<', '>', '&', '"', '\\', '\u2028', '\u2029', '\u007f', 'é', '😀', ' ', ':'), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })), minLength: 1, maxLength: 24 })
      .filter((s) => !s.includes('\0') && !s.startsWith('-'));
    fc.assert(fc.property(text, text, (username, password) => {
      const request = { ...base, username, password };
      expect(renderPullSecrets(request)).toBe(kubectl(request, undefined));
    }), { numRuns: 20 });
  }, 120_000);

  it('adds the ServiceAccount kubectl apply merges the secret into, per namespace', () => {
    const docs = parseAllDocuments(renderPullSecrets({ ...base, namespaces: ['team-a', 'team-b'], serviceAccount: 'default' })).map((d) => d.toJS() as Record<string, unknown>);
    expect(docs.map((d) => [d['kind'], (d['metadata'] as { namespace: string }).namespace])).toEqual([
      ['Secret', 'team-a'], ['ServiceAccount', 'team-a'], ['Secret', 'team-b'], ['ServiceAccount', 'team-b'],
    ]);
    expect(docs[1]).toEqual({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'team-a' }, imagePullSecrets: [{ name: 'harbor-pull' }] });
  });

  it('writes JSON as Go does', () => {
    expect(goJson({ a: '<&>\u2028\u2029"\\\n\t\u0001' })).toBe('{"a":"\\u003c\\u0026\\u003e\\u2028\\u2029\\"\\\\\\n\\t\\u0001"}');
    expect(JSON.parse(dockerConfigJson('h', 'u', 'p'))).toEqual({ auths: { h: { username: 'u', password: 'p', auth: 'dTpw' } } });
  });

  it('refuses names Kubernetes refuses', () => {
    expect(checkObjectName('harbor-pull', 'subdomain')).toBeUndefined();
    expect(checkObjectName('a.b-c', 'subdomain')).toBeUndefined();
    expect(checkObjectName('Harbor', 'subdomain')).toMatch(/not a Kubernetes object name/);
    expect(checkObjectName('a.b', 'label')).toMatch(/namespace/);
    expect(checkObjectName('x'.repeat(64), 'label')).toMatch(/namespace/);
  });
});
