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
