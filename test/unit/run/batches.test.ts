import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchSizes, inBatches, tooManyFailures } from '../../../src/run/batches.ts';

describe('batchSizes', () => {
  it('is one batch without serial', () => expect(batchSizes(10, undefined)).toEqual([10]));
  it('splits by a number, the last batch taking the rest', () => expect(batchSizes(12, [5])).toEqual([5, 5, 2]));
  it('takes a percentage of all nodes, at least one', () => {
    expect(batchSizes(10, ['25%'])).toEqual([2, 2, 2, 2, 2]);
    expect(batchSizes(3, ['10%'])).toEqual([1, 1, 1]);
  });
  it('runs a canary first, then repeats the last step', () => expect(batchSizes(10, [1, '50%'])).toEqual([1, 5, 4]));
  it('always covers every node exactly once (property)', () => {
    const step = fc.oneof(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 100 }).map((p) => `${p}%` as `${number}%`));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.array(step, { maxLength: 4 }), (total, serial) => {
        const sizes = batchSizes(total, serial);
        expect(sizes.reduce((a, b) => a + b, 0)).toBe(total);
        expect(sizes.every((s) => s >= 1)).toBe(true);
      }),
    );
  });
});

describe('inBatches and tooManyFailures', () => {
  it('keeps order', () => expect(inBatches([1, 2, 3, 4, 5], [2, 2, 1])).toEqual([[1, 2], [3, 4], [5]]));
  it('stops at any failure by default (0%), and only above the percentage otherwise', () => {
    expect(tooManyFailures(1, 5, 0)).toBe(true);
    expect(tooManyFailures(0, 5, 0)).toBe(false);
    expect(tooManyFailures(1, 5, 20)).toBe(false);
    expect(tooManyFailures(2, 5, 20)).toBe(true);
  });
});
