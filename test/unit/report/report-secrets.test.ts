// Issue 15, fault 10: every output goes through the redactor (report files too), masking reads TOML as
// TOML (multi-line strings, escaped quotes, header values), and report files are not for everyone to read.
import { mkdtempSync, readFileSync, readdirSync, statSync, chmodSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { basicString } from '../../../src/formats/toml/write.ts';
import { writeRunReports } from '../../../src/cli/reporting.ts';
import { unifiedDiff } from '../../../src/report/converge.ts';
import { maskCredentials } from '../../../src/report/mask.ts';
import { Output, Redactor } from '../../../src/report/output.ts';
import { checkDocument, host } from './documents.ts';

const SECRET = 'ab"c<d>&e-SECRET';

function sink(): NodeJS.WritableStream & { text: string } {
  const stream = { text: '', write(chunk: string) { stream.text += chunk; return true; } };
  return stream as never;
}

describe('issue 15, fault 10: report files skip the redactor no more', () => {
  it('JUnit, metrics and history hold no known secret, however the format escapes it, and are mode 0600', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dockhand-secrets-'));
    const document = checkDocument([
      host('deb1', 'failed', { error: `sudo said: ${SECRET}`, warnings: [`echoed ${SECRET}`] }),
      host('deb2', 'ok'),
    ]);
    const redactor = new Redactor();
    redactor.add(SECRET);
    const output = new Output(0, redactor, sink(), sink());
    const ok = await writeRunReports(document, { junit: join(dir, 'junit.xml'), metrics: join(dir, 'm.prom'), logDir: join(dir, 'runs'), logKeep: 5, quiet: false }, output);
    expect(ok).toBe(true);
    const files = [join(dir, 'junit.xml'), join(dir, 'm.prom'), ...readdirSync(join(dir, 'runs')).map((name) => join(dir, 'runs', name))];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toContain('SECRET');
      expect(statSync(file).mode & 0o777, file).toBe(0o600);
    }
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toContain('sudo said: ********');
  });

  it('report files in a setgid directory are readable by its group (node_exporter as user prometheus), never by others', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dockhand-setgid-'));
    const textfiles = join(dir, 'textfile');
    mkdirSync(textfiles);
    chmodSync(textfiles, 0o2755);
    const output = new Output(0, new Redactor(), sink(), sink());
    await writeRunReports(checkDocument(), { metrics: join(textfiles, 'm.prom'), logKeep: 5, quiet: false }, output);
    expect(statSync(join(textfiles, 'm.prom')).mode & 0o777).toBe(0o640);
  });

  it('stdout holds no known secret in its JSON-escaped or XML-escaped forms either', () => {
    const redactor = new Redactor();
    redactor.add(SECRET);
    expect(redactor.redact(JSON.stringify({ error: SECRET }))).not.toContain('SECRET');
    expect(redactor.redact('message="ab&quot;c&lt;d&gt;&amp;e-SECRET"')).not.toContain('SECRET');
  });

  it('masks TOML multi-line strings, escaped quotes and array values', () => {
    const toml = [
      '[plugins."io.containerd.grpc.v1.cri".registry.configs."h".auth]',
      '  password = """',
      'multi-SECRET-1',
      '"""',
      "  auth = '''multi-SECRET-2'''",
      '  identitytoken = "ab\\"c-SECRET-3"',
      '  token = ["SECRET-4a", \'SECRET-4b\']',
      '  username = "dockhand"',
      '',
    ].join('\n');
    const masked = maskCredentials(toml);
    expect(masked).not.toMatch(/SECRET/);
    expect(masked).toContain('username = "dockhand"');
    expect(masked).toContain('password = """********"""');
    expect(masked).toContain('identitytoken = "********"');
  });

  it('masks request headers that carry credentials (Authorization, X-Auth-Token), and keeps other keys', () => {
    const toml = [
      'server = "https://harbor.local"',
      '[host."https://mirror.local"]',
      '  capabilities = ["pull", "resolve"]',
      '  [host."https://mirror.local".header]',
      '    Authorization = ["Basic ZG9jazpTRUNSRVQ="]',
      '    "X-Auth-Token" = "SECRET-token"',
      '    "Proxy-Authorization" = [',
      '      "Basic SECRET-proxy",',
      '    ]',
      '    X-Custom = ["kept"]',
      '',
    ].join('\n');
    const masked = maskCredentials(toml);
    expect(masked).not.toMatch(/ZG9jazpTRUNSRVQ|SECRET/);
    expect(masked).toContain('X-Custom = ["kept"]');
    expect(masked).toContain('capabilities = ["pull", "resolve"]');
  });

  it('--diff of a replaced hosts.toml shows no header value, even in a multi-line array', () => {
    const before = '[host."https://m"]\n  capabilities = ["pull"]\n  [host."https://m".header]\n    Authorization = [\n      "Basic SECRET-before",\n    ]\n';
    const after = 'server = "https://h"\n\n[host."https://h"]\n  capabilities = ["pull", "resolve", "push"]\n';
    const diff = unifiedDiff('/etc/containerd/certs.d/h/hosts.toml', before, after);
    expect(diff).not.toContain('SECRET');
    expect(diff).toContain('Authorization');
  });
});

describe('issue 15, fault 10: any TOML string value of a secret key is masked whole (property)', () => {
  it('basic, literal, multi-line and array values, whatever they hold', () => {
    const secret = fc.string({ minLength: 1, maxLength: 40, unit: 'binary' });
    const value = fc.oneof(
      secret.map((s) => basicString(s)),
      secret.filter((s) => !/['\n\r]/.test(s)).map((s) => `'${s}'`),
      secret.filter((s) => !s.includes("'''") && !s.endsWith("'")).map((s) => `'''${s}'''`),
      secret.map((s) => `"""${basicString(s).slice(1, -1)}"""`),
      fc.array(secret, { minLength: 1, maxLength: 3 }).map((list) => `[${list.map((s) => basicString(s)).join(', ')}]`),
    );
    fc.assert(
      fc.property(fc.constantFrom('password', 'auth', 'Authorization', '"X-Auth-Token"'), value, (key, text) => {
        const masked = maskCredentials(`[t]\n  ${key} = ${text}\n  after = 1\n`);
        expect(masked).toMatch(new RegExp(`^\\[t\\]\\n  ${key.replace(/[-"]/g, '\\$&')} = (\\["\\*{8}"\\]|"""\\*{8}"""|'''\\*{8}'''|"\\*{8}"|'\\*{8}')\\n  after = 1\\n$`));
      }),
    );
  });
});
