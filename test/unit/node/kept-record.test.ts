// kept_write and kept_read (src/node/sh/preamble.sh): the one format of what a runtime said, kept for the
// next state read (dockerd's `docker info`, containerd's three probes): a round trip line for line, a
// record under another key or cut short never read, no text of the file ever run by eval.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { composeScript } from '../../../src/node/compose.ts';

const dir = mkdtempSync(join(tmpdir(), 'dockhand-kept-record-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'state', 'probe');

function sh(body: string, shell = 'dash'): string {
  const result = spawnSync(shell, ['-s'], { input: composeScript({}, body), encoding: 'utf8' });
  expect(result.stderr).toBe('');
  return result.stdout;
}

const JSON_TEXT = '{\n  "a": "x\\\\y $HOME `id`",\n\n  "b": "  spaced  "\n}';

describe('kept records', () => {
  for (const shell of ['dash', 'bash']) {
    it(`${shell}: a round trip keeps every line (blank ones, indentation, backslashes, $ and backquotes), an empty value none`, () => {
      rmSync(join(dir, 'state'), { recursive: true, force: true });
      sh(`kept_write '${file}' 'K 1@2' 'one=first line' "two=$(cat <<'EOF'\n${JSON_TEXT}\nEOF\n)" 'three='`, shell);
      expect(readFileSync(file, 'utf8')).toBe(`key K 1@2\none first line\n${JSON_TEXT.split('\n').map((l) => `two ${l}`).join('\n')}\nend\n`);
      const out = sh(`kept_read '${file}' 'K 1@2' one two three && printf '[%s]\\n' "$kept_one" "$kept_two" "$kept_three"`, shell);
      expect(out).toBe(`[first line]\n[${JSON_TEXT}]\n[]\n`);
    });
  }

  it('another key, a record cut before its end, no record: not read', () => {
    sh(`kept_write '${file}' 'K1' 'one=x'`);
    expect(sh(`kept_read '${file}' 'K2' one || echo not`)).toBe('not\n');
    expect(sh(`kept_read '${file}' '' one || echo not`)).toBe('not\n');
    writeFileSync(file, 'key K1\none x\n');
    expect(sh(`kept_read '${file}' 'K1' one || echo not`)).toBe('not\n');
    rmSync(file);
    expect(sh(`kept_read '${file}' 'K1' one || echo not`)).toBe('not\n');
  });

  it('a line whose name was not asked for is never run: a hostile record sets nothing', () => {
    writeFileSync(file, `key K1\none x\nx;touch${'${IFS}'}${join(dir, 'pwned')} y\n$(touch ${join(dir, 'pwned2')}) z\nend\n`);
    expect(sh(`kept_read '${file}' 'K1' one && printf '[%s]\\n' "$kept_one"`)).toBe('[x]\n');
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    expect(existsSync(join(dir, 'pwned2'))).toBe(false);
  });

  it('a directory that cannot be made: no record, no failure', () => {
    writeFileSync(join(dir, 'blocker'), '');
    expect(sh(`kept_write '${join(dir, 'blocker', 'sub', 'probe')}' K 'one=x'; echo "rc=$?"`)).toBe('rc=0\n');
  });
});
