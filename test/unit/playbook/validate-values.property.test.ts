import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FORBIDDEN_HOST_CHARACTERS, isInsecureRegistry, isRegistryHost } from '../../../src/playbook/validate-values.ts';

const LABEL_EDGE = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'];
const LABEL_INNER = [...LABEL_EDGE, '-'];

/** A DNS label: 1-63 letters, digits and `-`, neither first nor last a `-`. */
const label = fc
  .tuple(fc.constantFrom(...LABEL_EDGE), fc.array(fc.constantFrom(...LABEL_INNER), { maxLength: 61 }), fc.constantFrom(...LABEL_EDGE))
  .chain(([first, inner, last]) => fc.constantFrom(first, `${first}${inner.join('')}${last}`));

/** A DNS name of 253 characters at most that is not all digits and dots (that would be read as IPv4). */
const dnsName = fc
  .array(label, { minLength: 1, maxLength: 6 })
  .map((labels) => labels.join('.'))
  .filter((name) => name.length <= 253 && !/^[0-9.]+$/.test(name));

const port = fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined });

describe('registry host validation (properties)', () => {
  it('accepts any valid DNS name, with or without a port', () => {
    fc.assert(
      fc.property(dnsName, port, (name, p) => {
        const host = p === undefined ? name : `${name}:${p}`;
        expect(isRegistryHost(host)).toBe(true);
        expect(isRegistryHost(host.toUpperCase())).toBe(true);
        expect(isInsecureRegistry(host)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses any string holding a forbidden character, whitespace, ".." or a leading "-"', () => {
    const forbidden = fc.constantFrom(...FORBIDDEN_HOST_CHARACTERS, ' ', '\t', '\n', '\r', '..', '\u00a0');
    const insert = fc.tuple(fc.string({ maxLength: 20 }), forbidden, fc.string({ maxLength: 20 })).map(([a, bad, b]) => `${a}${bad}${b}`);
    const leadingDash = fc.string({ maxLength: 20 }).map((s) => `-${s}`);
    const withValidAround = fc.tuple(dnsName, forbidden, port).map(([name, bad, p]) => `${name}${bad}${p ?? ''}`);
    fc.assert(
      fc.property(fc.oneof(insert, leadingDash, withValidAround), (value) => {
        expect(isRegistryHost(value)).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });
});
