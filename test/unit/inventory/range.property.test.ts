import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expandHostRange, parseHostPattern } from '../../../src/inventory/range.ts';

const at = { file: 'prop.ini', line: 1 };

describe('host range expansion (properties)', () => {
  it('yields floor((end - start) / stride) + 1 names, ascending, zero-padding kept', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 5 }),
        (start, span, stride, width) => {
          const end = start + span;
          const digits = Math.max(width, String(end).length);
          const padded = (n: number): string => String(n).padStart(digits, '0');
          // A begin only counts as zero-padded when it starts with 0 and has more than one digit.
          const pads = digits > 1 && padded(start).startsWith('0');
          const names = expandHostRange(`n[${padded(start)}:${padded(end)}:${stride}]x`, at);
          expect(names).toHaveLength(Math.floor(span / stride) + 1);
          names.forEach((name, i) => {
            const value = start + i * stride;
            expect(name).toBe(`n${pads ? padded(value) : String(value)}x`);
          });
        },
      ),
    );
  });

  it('multiplies the counts of several ranges on one name', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 25 }), (a, letters) => {
        const last = String.fromCharCode('a'.charCodeAt(0) + letters);
        const names = expandHostRange(`r[1:${a}]-[a:${last}]`, at);
        expect(names).toHaveLength(a * (letters + 1));
        expect(new Set(names).size).toBe(names.length);
      }),
    );
  });

  it('leaves a name without brackets alone, port aside', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z][a-z0-9.-]{0,20}$/), fc.integer({ min: 1, max: 65535 }), (name, port) => {
        expect(expandHostRange(name, at)).toEqual([name]);
        expect(parseHostPattern(`${name}:${port}`, at)).toEqual({ names: [name], port: String(port) });
      }),
    );
  });
});

describe('host range limits', () => {
  it('refuses an expansion past MAX_RANGE_HOSTS, naming the file and line', () => {
    expect(() => expandHostRange('n[0:99999]', { file: 'big.ini', line: 7 })).toThrow(/^big\.ini:7: malformed host range in "n\[0:99999\]": expands to more than 10000 hosts$/);
    expect(() => expandHostRange('n[1:200]-[1:200]', at)).toThrow(/expands to more than 10000 hosts/);
  });
});
