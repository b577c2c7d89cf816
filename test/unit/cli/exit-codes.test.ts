import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../../src/cli/exit-codes.ts';

describe('exitCodeFor', () => {
  it('is 0 when every node is ok or changed', () => expect(exitCodeFor(['ok', 'changed', 'skipped'])).toBe(0));
  it('is 2 when any node failed or rolled back, even with others unreachable', () => {
    expect(exitCodeFor(['ok', 'unreachable', 'failed'])).toBe(2);
    expect(exitCodeFor(['rolled_back', 'ok'])).toBe(2);
  });
  it('is 4 when a node is unreachable and none failed', () => expect(exitCodeFor(['ok', 'unreachable', 'drift'])).toBe(4));
  it('is 3 when drift is found and nothing worse', () => expect(exitCodeFor(['ok', 'drift'])).toBe(3));
  it('is 0 for no nodes at all', () => expect(exitCodeFor([])).toBe(0));
});

/** A process that runs `run` (JavaScript for the run function) through runProcess, as both entry points do. */
function processWith(run: string, type: 'module' | 'commonjs') {
  const main = new URL('../../../src/cli/main.ts', import.meta.url).href;
  const code =
    type === 'module'
      ? `const { runProcess } = await import(${JSON.stringify(main)}); runProcess([], ${run});`
      : `import(${JSON.stringify(main)}).then(({ runProcess }) => runProcess([], ${run}));`;
  return spawnSync(process.execPath, ['--input-type', type, '-e', code], { encoding: 'utf8', timeout: 20_000 });
}

describe('the process around a run', () => {
  it('exits with the run\'s code', () => {
    const done = processWith('async () => 3', 'module');
    expect(done.status, done.stderr).toBe(3);
    expect(done.stderr).toBe('');
  });

  it('a run that never settles is an internal error (70), never a silent 0, from a bundle or a module', () => {
    // the event loop empties while the run's promise waits on nothing (a link's 'close' that already came)
    for (const type of ['commonjs', 'module'] as const) {
      const hung = processWith('() => new Promise(() => {})', type);
      expect(hung.status, `${type}: ${hung.stderr}`).toBe(70);
      expect(hung.stderr).toMatch(/^dockhand: internal error: the run ended before its work did/m);
    }
  });

  it('an exit dockhand makes itself (a second Ctrl-C) keeps its code', () => {
    const quit = processWith('() => { setTimeout(() => process.exit(130), 10); return new Promise(() => {}); }', 'module');
    expect(quit.status).toBe(130);
    expect(quit.stderr).not.toContain('internal error');
  });

  it('a run that throws is an internal error with its stack', () => {
    const threw = processWith('async () => { throw new Error("boom"); }', 'module');
    expect(threw.status).toBe(70);
    expect(threw.stderr).toMatch(/^dockhand: internal error: Error: boom\n {4}at /);
  });

  it('a reader that leaves (`| head`) neither crashes the run nor cuts it short: it ends with its own code', () => {
    // the run goes on writing after `head` has read its byte and gone: every later write fails with EPIPE
    const run = `async () => {
      for (let i = 0; i < 64; i++) { process.stdout.write('x'.repeat(8192) + '\\n'); await new Promise((r) => setTimeout(r, 2)); }
      process.stderr.write('the run went on to its end\\n');
      return 3;
    }`;
    const main = new URL('../../../src/cli/main.ts', import.meta.url).href;
    const code = `const { runProcess } = await import(${JSON.stringify(main)}); runProcess([], ${run});`;
    const piped = spawnSync('bash', ['-c', '"$0" --input-type module -e "$1" | head -c 1 >/dev/null; exit "${PIPESTATUS[0]}"', process.execPath, code], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(piped.stderr).toBe('the run went on to its end\n');
    expect(piped.status).toBe(3);
  });
});
