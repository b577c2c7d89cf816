import { spawnSync } from 'node:child_process';
import { globSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { leanShell } from '../../../src/node/lean-shell.ts';
import { REPO } from '../../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'dockhand-lean-'));

/** bash's own print of a file's commands (every comment and layout gone, here-documents and strings as read). */
function parsed(text: string): string {
  const file = join(dir, 'script.sh');
  writeFileSync(file, text);
  const run = spawnSync('bash', ['-c', 'eval "__whole() {\n$(cat "$1")\n}" && declare -f __whole', '_', file], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`bash could not read it: ${run.stderr}`);
  return run.stdout;
}

function dash(text: string): string {
  const run = spawnSync('dash', ['-c', text], { encoding: 'utf8' });
  return `${run.status}\n${run.stdout}${run.stderr}`;
}

const TRICKY = [
  '# a comment line',
  '  # an indented one',
  '',
  'f() {',
  '    # inside a function',
  `    printf '%s\\n' "$#" "\${1#x}" "a#b" # a comment after code stays`,
  '}',
  'f xyz',
  'cat <<EOF',
  '    # kept: a here-document\'s line',
  '  indented stays indented',
  'EOF',
  "cat <<-'TABS'",
  '\t\t# kept too',
  '\tTABS',
  "printf '%s\\n' 'a single-quoted",
  '  # line of data',
  "end'",
  `printf '%s\\n' "a double-quoted`,
  '    # line, \\" with a quote',
  'end"',
  "awk '",
  '  # an awk comment inside quotes: kept as written',
  "  { print $1 }' <<EOF2",
  'one two',
  'EOF2',
  'echo continued \\',
  '  # after a backslash: part of the command before',
  'echo last',
  '',
].join('\n');

describe('node scripts travel without their comment lines, blank lines and indentation', () => {
  it('every .sh file under src/ reads to the same commands, a third smaller or more', () => {
    const files = globSync('src/**/*.sh', { cwd: REPO });
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const text = readFileSync(join(REPO, file), 'utf8');
      const lean = leanShell(text);
      expect(parsed(lean), file).toBe(parsed(text));
      expect(lean.endsWith('\n'), file).toBe(true);
      expect(lean.length, file).toBeLessThan(text.length);
    }
    const all = files.map((f) => readFileSync(join(REPO, f), 'utf8'));
    expect(all.map(leanShell).join('').length).toBeLessThan(all.join('').length * 0.67);
  });

  it('keeps here-documents, quoted strings and code with a # in it byte for byte, and runs the same', () => {
    const lean = leanShell(TRICKY);
    expect(lean).not.toContain('# a comment line');
    expect(lean).not.toContain('# an indented one');
    expect(lean).not.toContain('# inside a function');
    expect(lean).toContain('    # kept: a here-document\'s line\n  indented stays indented\n');
    expect(lean).toContain('\t\t# kept too\n\tTABS\n');
    expect(lean).toContain("'a single-quoted\n  # line of data\nend'");
    expect(lean).toContain('"a double-quoted\n    # line, \\" with a quote\nend"');
    expect(lean).toContain('  # an awk comment inside quotes: kept as written\n');
    expect(lean).toContain('# a comment after code stays');
    expect(lean).toContain('echo continued \\\n  # after a backslash');
    expect(parsed(lean)).toBe(parsed(TRICKY));
    expect(dash(lean)).toBe(dash(TRICKY));
  });

  it('leaves a file it cannot follow to its end as it is (an unclosed quote or here-document)', () => {
    for (const text of ["echo 'open\n# line\n", 'cat <<EOF\n# line\n', 'echo "x\n  # y\n']) expect(leanShell(text)).toBe(text);
  });

  it('is empty for a file of comments only, and ends every other file with a newline', () => {
    expect(leanShell('# only\n\n  # comments\n')).toBe('');
    expect(leanShell('echo a')).toBe('echo a\n');
  });
});
