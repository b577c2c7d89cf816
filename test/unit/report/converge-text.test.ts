import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { renderConvergeText, unifiedDiff } from '../../../src/report/converge.ts';
import { STATUS } from '../../../src/report/status.ts';
import type { Paint } from '../../../src/report/style.ts';
import { checkDocument, host } from './documents.ts';

const CA = readFileSync(new URL('../converge/fixtures/ca.crt', import.meta.url), 'utf8');
/** Colour made visible: <red>text</red>. */
const tags: Paint = (colour, text) => `<${colour}>${text}</${colour}>`;

describe('the text report', () => {
  it('lists a passed pull check as verified', () => {
    const doc = { ...checkDocument([host('deb1', 'changed', { verified: ['harbor.lab.local/library/tiny:1'] })]), mode: 'apply' as const };
    expect(renderConvergeText(doc)).toContain('  verified: harbor.lab.local/library/tiny:1\n');
  });

  it('--quiet: only failures and drift, and nothing at all when every node is fine', () => {
    const quiet = renderConvergeText(checkDocument(), { quiet: true });
    expect(quiet).toMatch(/^deb2 drift/m);
    expect(quiet).toMatch(/^rhel1 failed/m);
    expect(quiet).toMatch(/^deb3 unreachable/m);
    expect(quiet).not.toMatch(/deb1/);
    expect(quiet).not.toContain('RECAP');
    expect(renderConvergeText(checkDocument([host('deb1', 'ok'), host('deb2', 'ok')]), { quiet: true })).toBe('');
  });

  it('issue 20, item 3: --quiet apply that repaired drift prints one line per changed node, and nothing more', () => {
    const changes = [
      { resource: 'hosts', path: '/etc/hosts', action: 'update' as const, diff: null, concerns: [] },
      { resource: 'certs.d', path: '/etc/docker/certs.d/harbor.lab.local/ca.crt', action: 'create' as const, diff: null, concerns: [] },
    ];
    const repaired = { ...checkDocument([host('deb1', 'ok'), host('deb2', 'changed', { changes, handlers: ['update-trust'] }), host('deb3', 'changed', { changes: changes.slice(0, 1) })]), mode: 'apply' as const };
    const quiet = renderConvergeText(repaired, { quiet: true });
    expect(quiet.split('\n').filter((line) => line !== '')).toEqual([
      'deb2 changed: update hosts /etc/hosts, create certs.d /etc/docker/certs.d/harbor.lab.local/ca.crt; handlers: update-trust',
      'deb3 changed: update hosts /etc/hosts',
    ]);
    // with a failure too: the failure's details, the changed nodes' lines, the totals
    const mixed = { ...repaired, hosts: [...repaired.hosts, host('rhel1', 'failed', { error: 'boom' })], summary: { ok: 1, changed: 2, failed: 1 } };
    const loud = renderConvergeText(mixed, { quiet: true });
    expect(loud).toMatch(/^rhel1 failed/m);
    expect(loud).toMatch(/^deb3 changed: update hosts \/etc\/hosts$/m);
    expect(loud).toMatch(/^apply: .*changed=2.*failed=1/m);
  });

  it('colours each status as its traits say, and nothing without a painter', () => {
    const text = renderConvergeText(checkDocument(), { paint: tags });
    expect(text).toContain(`<${STATUS.drift.colour}>drift</${STATUS.drift.colour}>`);
    expect(text).toContain('<red>failed</red>');
    expect(renderConvergeText(checkDocument())).not.toMatch(/<\w+>/);
  });

  it('fits the recap to the terminal: a long node name is cut, the statuses stay whole', () => {
    const long = 'node-with-a-very-long-name-from-a-generated-inventory.example.internal';
    const text = renderConvergeText(checkDocument([host(long, 'ok'), host('deb2', 'drift')]), { width: 60 });
    const recap = text.slice(text.indexOf('RECAP'));
    for (const line of recap.split('\n')) expect(line.length, line).toBeLessThanOrEqual(60);
    expect(recap).toContain('…  ok');
  });
});

describe('--diff of a CA certificate', () => {
  it('shows subject, SHA-256 fingerprint and expiry instead of PEM text', () => {
    const diff = unifiedDiff('/etc/docker/certs.d/harbor.lab.local/ca.crt', null, CA);
    const cert = new X509Certificate(CA);
    expect(diff).not.toContain('BEGIN CERTIFICATE');
    expect(diff).toContain(`+certificate subject="${cert.subject.split('\n').join(', ')}"`);
    expect(diff).toContain(`sha256=${cert.fingerprint256}`);
    expect(diff).toContain(`expires=${new Date(cert.validTo).toISOString().replace('.000Z', 'Z')}`);
  });

  it('shows a replaced certificate as one line out, one line in; other text stays as it is', () => {
    const other = CA.replace(/\n(.{10}).{4}/, '\n$1AAAA'); // a PEM block whose DER is broken
    const diff = unifiedDiff('/x/ca.crt', `# kept\n${CA}`, `# kept\n${CA}${CA}`);
    expect(diff).toContain(' # kept');
    expect(diff.split('\n').filter((l) => l.startsWith('+certificate'))).toHaveLength(1);
    expect(unifiedDiff('/x/ca.crt', other, CA)).toContain('-certificate (unreadable PEM)');
  });
});
