import { PassThrough } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Output } from '../../../src/report/output.ts';
import { liveLine, progressReporter } from '../../../src/report/progress.ts';

function terminal() {
  const err = Object.assign(new PassThrough(), { isTTY: true, columns: 80 });
  let text = '';
  err.on('data', (c: Buffer) => (text += c.toString()));
  return { output: new Output(0, undefined, new PassThrough(), err), text: () => stripVTControlCharacters(text) };
}

/** What a terminal would show: each \r (with its erase, stripped above) starts the line again. */
const screen = (raw: string) => raw.split('\n').map((line) => line.split('\r').at(-1)).join('\n');

afterEach(() => void vi.useRealTimers());

describe('progress on a terminal', () => {
  it('shows each node\'s own status, not the fleet\'s "ok"', () => {
    const { output, text } = terminal();
    const statuses = new Map([['deb1', { status: 'changed', error: null }], ['deb2', { status: 'drift', error: null }]]);
    const progress = progressReporter(output, 3, { terminal: true, ci: true, statusOf: (node) => statuses.get(node) });
    for (const node of ['deb1', 'deb2', 'deb3']) progress.onEvent({ kind: 'node-start', node });
    progress.onEvent({ kind: 'node-end', node: 'deb1', status: 'ok', durationMs: 907, error: null });
    progress.onEvent({ kind: 'node-end', node: 'deb2', status: 'ok', durationMs: 12, error: null });
    progress.onEvent({ kind: 'node-end', node: 'deb3', status: 'unreachable', durationMs: 5, error: 'connect ECONNREFUSED' });
    expect(text()).toContain('[1/3] deb1 changed (907 ms)');
    expect(text()).toContain('[2/3] deb2 drift (12 ms)');
    expect(text()).toContain('[3/3] deb3 unreachable (5 ms): connect ECONNREFUSED');
  });

  it('keeps a live line naming the nodes still running, redrawn while one is slow, and removes it at the end', () => {
    vi.useFakeTimers();
    const { output, text } = terminal();
    const progress = progressReporter(output, 3, { terminal: true, ci: false, refreshMs: 250 });
    for (const node of ['deb1', 'slow1', 'deb3']) progress.onEvent({ kind: 'node-start', node });
    progress.onEvent({ kind: 'node-end', node: 'deb1', status: 'ok', durationMs: 10, error: null });
    progress.onEvent({ kind: 'node-end', node: 'deb3', status: 'ok', durationMs: 10, error: null });
    const before = text().length;
    vi.advanceTimersByTime(1000);
    expect(text().length, 'redrawn while slow1 runs').toBeGreaterThan(before);
    expect(screen(text()).split('\n').at(-1)).toMatch(/^\[2\/3\] .* running: slow1$/);
    output.notice('warning: something');
    expect(screen(text()).split('\n').at(-2)).toBe('dockhand: warning: something');
    expect(screen(text()).split('\n').at(-1)).toMatch(/running: slow1$/);
    progress.onEvent({ kind: 'node-end', node: 'slow1', status: 'ok', durationMs: 1000, error: null });
    expect(screen(text()).split('\n').at(-1)).toBe('');
    const after = text().length;
    vi.advanceTimersByTime(1000);
    expect(text().length, 'no redraw once every node is done').toBe(after);
  });

  it('names as many running nodes as fit the terminal, then how many more', () => {
    const nodes = Array.from({ length: 30 }, (_, i) => `node-${i}`);
    const line = liveLine(0, 30, nodes, 1500, 60);
    expect(line.length).toBeLessThan(60);
    expect(line).toMatch(/^\[0\/30\] 1\.5 s, running: node-0 node-1 .* \(\+\d+\)$/);
  });

  it('prints nothing when stderr is not a terminal (a timer, a pipe), nor with --quiet', () => {
    for (const options of [{ terminal: false }, { terminal: true, quiet: true }]) {
      const { output, text } = terminal();
      const progress = progressReporter(output, 1, options);
      progress.onEvent({ kind: 'node-start', node: 'deb1' });
      progress.onEvent({ kind: 'node-end', node: 'deb1', status: 'ok', durationMs: 1, error: null });
      progress.stop();
      expect(text()).toBe('');
    }
  });
});
