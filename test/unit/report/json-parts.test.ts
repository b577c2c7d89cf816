// A long report is written in parts (one per node) so that ten thousand nodes are never one string: the
// parts joined are JSON.stringify(value, null, 2) exactly, whatever the value.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonParts } from '../../../src/report/json-parts.ts';
import { checkDocument } from './documents.ts';

const joined = (value: object, key: string, end = '') => [...jsonParts(value, key, end)].join('');

describe('jsonParts', () => {
  it('writes a run report as JSON.stringify does, one part per node', () => {
    const document = checkDocument();
    expect(document.hosts.length).toBeGreaterThan(1);
    expect(joined(document, 'hosts', '\n')).toBe(`${JSON.stringify(document, null, 2)}\n`);
    const parts = [...jsonParts(document, 'hosts')];
    // the opening, a part per key before the hosts, the hosts' opening, one per host, ...
    expect(parts.filter((part) => part.startsWith('\n    {')).length).toBe(document.hosts.length);
  });

  it('an empty list, a missing key, undefined values and elements, an empty object', () => {
    const cases: object[] = [
      { hosts: [] },
      { a: 1 },
      {},
      { hosts: [1, undefined, () => 1, 'x'], after: undefined, f: () => 1, last: { deep: [1, { x: null }] } },
      { before: 'a\nb', hosts: ['line\nbreak', { nested: ['a', []] }] },
    ];
    for (const value of cases) expect(joined(value, 'hosts')).toBe(JSON.stringify(value, null, 2));
  });

  it('any JSON value under any key', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.array(fc.jsonValue()), fc.string(), (rest, list, key) => {
        const value = { ...rest, [key]: list };
        expect(joined(value, key)).toBe(JSON.stringify(value, null, 2));
      }),
      { numRuns: 300 },
    );
  });
});
