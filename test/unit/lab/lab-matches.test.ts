// A running lab is reused for the tests (DOCKHAND_LAB_REUSE=1) only where it is what they ask for.
import { describe, expect, it } from 'vitest';
import { labMatches } from '../../lab/test-lab.ts';
import type { Lab } from '../../lab/types.ts';

function lab(extra: Partial<Lab>): Lab {
  return {
    id: 'l1', createdAt: '2026-12-06T00:00:00Z', network: { name: 'n', subnet: '10.0.0.0/24' },
    nodes: [{ name: 'deb1', family: 'debian', variant: 'debian', address: '10.0.0.2', containerId: 'c1' }],
    registries: {} as Lab['registries'],
    ...extra,
  } as Lab;
}

describe('labMatches', () => {
  it('a lean spec is not served by a lab that is not lean', () => {
    expect(labMatches(lab({}), { debianNodes: 1, rhelNodes: 0, lean: true })).toBe(false);
    expect(labMatches(lab({ lean: true }), { debianNodes: 1, rhelNodes: 0, lean: true })).toBe(true);
  });

  it('a spec that does not ask for lean nodes takes either', () => {
    expect(labMatches(lab({}), { debianNodes: 1, rhelNodes: 0 })).toBe(true);
    expect(labMatches(lab({ lean: true }), { debianNodes: 1, rhelNodes: 0 })).toBe(true);
  });

  it('too few nodes of a kind is no match', () => {
    expect(labMatches(lab({ lean: true }), { debianNodes: 2, rhelNodes: 0, lean: true })).toBe(false);
  });
});
