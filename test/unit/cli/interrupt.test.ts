// Issue 20, item 4: a second Ctrl-C quits at once, but names the nodes in flight and prints what is known.
import { describe, expect, it, vi } from 'vitest';
import { inFlightLine, interruptible, outcomesSoFar, type NodeEnd } from '../../../src/cli/interrupt.ts';
import type { NodeTarget } from '../../../src/inventory/types.ts';
import { Output, Redactor } from '../../../src/report/output.ts';

const target = (name: string) => ({ name, address: name }) as NodeTarget;

describe('a second SIGINT', () => {
  it('hands the nodes in flight and those that ended to the report, says what carries on, then exits 130', () => {
    let notices = '';
    const output = new Output(0, new Redactor(), { write: () => true } as never, { write: (t: string) => ((notices += t), true) } as never);
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    let seen: { inFlight: readonly string[]; ended: ReadonlyMap<string, NodeEnd> } | undefined;
    const interrupt = interruptible(output, (inFlight, ended) => (seen = { inFlight, ended }));
    try {
      interrupt.onEvent({ kind: 'node-start', node: 'a' });
      interrupt.onEvent({ kind: 'node-end', node: 'a', status: 'ok', durationMs: 5, error: null });
      interrupt.onEvent({ kind: 'node-start', node: 'b' });
      process.emit('SIGINT');
      expect(interrupt.signal.aborted).toBe(true);
      expect(exit).not.toHaveBeenCalled();
      expect(notices).toContain('no new node starts');
      process.emit('SIGINT');
      expect(exit).toHaveBeenCalledWith(130);
      expect(seen?.inFlight).toEqual(['b']);
      expect([...(seen?.ended.keys() ?? [])]).toEqual(['a']);
      expect(notices).toContain('without waiting for b (in flight): a transaction a node has started carries on on the node');
    } finally {
      interrupt.done();
      exit.mockRestore();
    }
  });

  it('what is known: finished nodes as they ended, the rest skipped, the nodes in flight left out and named apart', () => {
    const ended = new Map<string, NodeEnd>([
      ['a', { status: 'ok', error: null, durationMs: 5 }],
      ['c', { status: 'unreachable', error: 'connection refused', durationMs: 7 }],
    ]);
    const outcomes = outcomesSoFar([target('a'), target('b'), target('c'), target('d')], ['b'], ended, (node) => (node === 'a' ? 'A' : undefined));
    expect(outcomes.map((o) => [o.target.name, o.status, o.value, o.error])).toEqual([
      ['a', 'ok', 'A', null],
      ['c', 'unreachable', null, 'connection refused'],
      ['d', 'skipped', null, 'not started: the run was interrupted'],
    ]);
    expect(inFlightLine(['b'])).toBe('in flight when dockhand quit (a transaction a node has started carries on there): b\n');
    expect(inFlightLine([])).toBe('');
  });
});
