import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', '..', '..', 'src');
const PREAMBLE = 'node/sh/preamble.sh';

function shFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? shFiles(path) : entry.name.endsWith('.sh') ? [relative(SRC, path)] : [];
  });
}

describe('the shell that runs on nodes', () => {
  const files = shFiles(SRC);

  it('lives in .sh files under src/', () => {
    expect(files).toContain(PREAMBLE);
    expect(files.length).toBeGreaterThan(3);
  });

  // Every script runs after the preamble (src/node/compose.ts): check each the way it runs.
  it.each(files.filter((f) => f !== PREAMBLE))('%s is clean POSIX sh for shellcheck, after the preamble', (file) => {
    const text = `${readFileSync(join(SRC, PREAMBLE), 'utf8')}${readFileSync(join(SRC, file), 'utf8')}`;
    const result = spawnSync('shellcheck', ['--shell=sh', '--severity=style', '-'], { input: text, encoding: 'utf8' });
    expect(result.error, 'shellcheck must be installed (test/lab/setup-host.sh installs it)').toBeUndefined();
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
  });

  it('the preamble alone is clean', () => {
    const result = spawnSync('shellcheck', ['--shell=sh', '--severity=style', join(SRC, PREAMBLE)], { encoding: 'utf8' });
    expect(result.stdout).toBe('');
  });
});

describe('the shell the lab runs on its nodes', () => {
  const dir = join(import.meta.dirname, '..', '..', 'lab', 'node-scripts');
  const files = readdirSync(dir).filter((f) => f.endsWith('.sh'));

  it.each(files)('test/lab/node-scripts/%s is clean POSIX sh for shellcheck', (file) => {
    const result = spawnSync('shellcheck', ['--shell=sh', '--severity=style', join(dir, file)], { encoding: 'utf8' });
    expect(result.error, 'shellcheck must be installed (test/lab/setup-host.sh installs it)').toBeUndefined();
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
  });
});
