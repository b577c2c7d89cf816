// The README's Prometheus alerting rules, as a user copies them: promtool (Debian's prometheus package,
// installed by test/lab/setup-host.sh) checks them and runs the cases of fixtures/alert-rules.test.yml.
// Without promtool this fails: run setup-host.sh.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

const README = readFileSync(join(import.meta.dirname, '..', '..', '..', 'README.md'), 'utf8');

/** The YAML block that follows "Alert rules:" in the README. */
function readmeRules(): string {
  const at = README.indexOf('Alert rules:');
  const block = /```yaml\n([\s\S]*?)```/.exec(README.slice(at));
  if (at < 0 || block?.[1] === undefined) throw new Error('README.md has no "Alert rules:" YAML block');
  return block[1];
}

describe("the README's alerting rules", () => {
  const dir = mkdtempSync(join(tmpdir(), 'dockhand-alerts-'));
  writeFileSync(join(dir, 'rules.yml'), readmeRules());
  copyFileSync(join(import.meta.dirname, 'fixtures', 'alert-rules.test.yml'), join(dir, 'alert-rules.test.yml'));

  it('pass promtool check rules', async () => {
    const result = await execa('promtool', ['check', 'rules', join(dir, 'rules.yml')], { reject: false, all: true });
    expect(result.exitCode, String(result.all)).toBe(0);
    expect(String(result.all)).toMatch(/SUCCESS: 7 rules found/);
  });

  it('fire as promtool test rules expects: CA and served certificate expiry, a registry a node cannot reach', async () => {
    const result = await execa('promtool', ['test', 'rules', join(dir, 'alert-rules.test.yml')], { reject: false, all: true, cwd: dir });
    expect(result.exitCode, String(result.all)).toBe(0);
    expect(String(result.all)).toMatch(/SUCCESS/);
  });
});
