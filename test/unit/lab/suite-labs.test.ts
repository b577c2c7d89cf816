// The integration suite's labs: a worker's test file finds the lab of its worker, and workers running at once
// never share one.
import { describe, expect, it } from 'vitest';
import { currentHome, DEFAULT_HOME, namedHome } from '../../lab/home.ts';
import { labOfWorker, suiteLabCount, suiteLabHome } from '../../lab/suite-labs.ts';

describe('the integration suite labs', () => {
  it('are two unless DOCKHAND_TEST_LABS says otherwise, and refuse what is not a count', () => {
    expect(suiteLabCount({})).toBe(2);
    expect(suiteLabCount({ DOCKHAND_TEST_LABS: '1' })).toBe(1);
    for (const bad of ['0', '-1', '1.5', 'two', '9', ' ']) expect(() => suiteLabCount({ DOCKHAND_TEST_LABS: bad }), bad).toThrow(/DOCKHAND_TEST_LABS/);
  });

  it('give workers running at once labs of their own: the first this checkout\'s, the others their own homes', () => {
    for (const labs of [1, 2, 3]) {
      const homes = Array.from({ length: labs }, (_x, i) => labOfWorker(i + 1, labs));
      expect(new Set(homes).size).toBe(labs);
      expect(homes[0]).toBeUndefined();
    }
    expect(suiteLabHome(2)).toBe('suite-2');
    expect(() => labOfWorker(Number(undefined), 2)).toThrow(/VITEST_POOL_ID/);
  });

  it('are found by their test files through DOCKHAND_LAB_HOME', () => {
    expect(currentHome({})).toBe(DEFAULT_HOME);
    expect(currentHome({ DOCKHAND_LAB_HOME: 'suite-2' })).toEqual(namedHome('suite-2'));
  });
});
