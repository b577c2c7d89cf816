import { describe, expect, it } from 'vitest';
import { workerFailpoints } from '../../support/failpoints.ts';

describe('the worker\'s failpoints', () => {
  it('are read from the script: every step of the transaction is one', () => {
    const names = workerFailpoints().map((p) => p.name);
    for (const step of ['locked', 'backed-up', 'begun', 'writing', 'temp-written', 'renamed', 'in-place', 'in-place-half', 'wrote', 'written', 'validated', 'handler-started', 'handler-done', 'verified', 'committed', 'outcome', 'rollback-begun', 'restored', 'rolled-back']) {
      expect(names, step).toContain(step);
    }
    expect(workerFailpoints().filter((p) => p.detailed).map((p) => p.name).sort()).toEqual(['handler-done', 'handler-started', 'writing', 'wrote']);
  });
});
