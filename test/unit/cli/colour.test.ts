import { execa } from 'execa';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../../support/cli.ts';

// Nothing listens on port 1: both nodes are unreachable at once, and "unreachable" is shown in red.
const dir = mkdtempSync(join(tmpdir(), 'dockhand-colour-'));
const inventory = join(dir, 'hosts.ini');
writeFileSync(inventory, '[k8s-cluster]\nnode1 ansible_host=127.0.0.1 ansible_port=1 ansible_password=x\n');
const ESC = '\u001b[';

/** The environment of a person's shell: no colour variables but these (the test runner sets some). */
function shellEnv(env: Record<string, string>): Record<string, string> {
  const clean = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && !/^(NO_COLOR|FORCE_COLOR|CI)$/.test(e[0])));
  return { ...clean, ...env };
}

const facts = [process.execPath, 'bin/dockhand.js', 'facts', '-i', inventory, '--known-hosts', join(dir, 'kh')];

/** Run dockhand on a pseudo-terminal (util-linux script), as a person at a terminal would. */
async function onTerminal(env: Record<string, string>) {
  const result = await execa('script', ['-qec', facts.join(' '), '/dev/null'], { cwd: REPO, reject: false, env: shellEnv(env), extendEnv: false, stdin: 'ignore' });
  return String(result.stdout);
}

describe('colour', () => {
  it('on a terminal: statuses in colour', async () => {
    expect(await onTerminal({ TERM: 'xterm-256color' })).toContain(`${ESC}31munreachable`);
  });

  it('none with NO_COLOR set, even on a terminal', async () => {
    const out = await onTerminal({ TERM: 'xterm-256color', NO_COLOR: '1' });
    expect(out).toContain('unreachable');
    expect(out).not.toContain(`${ESC}3`);
  });

  it('none when the output is not a terminal', async () => {
    const run = await execa(facts[0]!, facts.slice(1), { cwd: REPO, reject: false, env: shellEnv({ TERM: 'xterm-256color' }), extendEnv: false, stdin: 'ignore' });
    expect(String(run.stdout)).toContain('unreachable');
    expect(String(run.stdout) + String(run.stderr)).not.toContain(ESC);
  });
});
