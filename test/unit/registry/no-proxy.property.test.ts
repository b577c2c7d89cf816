import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { noProxyCovers, noProxyEntries, useProxy, withNoProxyEntries, withoutNoProxyEntries } from '../../../src/registry/no-proxy.ts';

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
const name = fc.array(label, { minLength: 1, maxLength: 4 }).map((labels) => labels.join('.')).filter((n) => !/^[0-9.]+$/.test(n) && n !== 'localhost');
const ipv4 = fc.tuple(fc.integer({ min: 1, max: 223 }), fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 254 })).filter(([a]) => a !== 127).map((p) => p.join('.'));
const ipv6 = fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }).filter((g) => g[0] !== 0).map((g) => g.map((x) => x.toString(16)).join(':'));
const host = fc.oneof(name, ipv4, ipv6);
const port = fc.integer({ min: 1, max: 65535 });

/** An entry of any kind Go reads: a name, `.name`, `*.name`, an address, a CIDR block, with or without a port, or `*`. */
const entry = fc.oneof(
  name,
  name.map((n) => `.${n}`),
  name.map((n) => `*.${n}`),
  ipv4,
  ipv6,
  fc.tuple(ipv4, fc.integer({ min: 8, max: 32 })).map(([a, p]) => `${a}/${p}`),
  fc.tuple(name, port).map(([n, p]) => `${n}:${p}`),
  fc.tuple(ipv6, port).map(([a, p]) => `[${a}]:${p}`),
  fc.constant('*'),
  fc.constant(''),
);
const noProxy = fc.array(entry, { maxLength: 8 }).map((entries) => entries.join(','));

describe('NO_PROXY composition (properties)', () => {
  it('once a host is added, a request to it on any port goes direct', () => {
    fc.assert(
      fc.property(noProxy, host, port, (value, h, p) => {
        expect(noProxyCovers(withNoProxyEntries(value, [h]), h, p)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('adding keeps every entry that was there, in its place, and never uncovers anything', () => {
    fc.assert(
      fc.property(noProxy, fc.array(host, { maxLength: 3 }), host, port, (value, added, other, p) => {
        const after = withNoProxyEntries(value, added);
        expect(noProxyEntries(after).slice(0, noProxyEntries(value).length)).toEqual(noProxyEntries(value));
        if (noProxyCovers(value, other, p)) expect(noProxyCovers(after, other, p)).toBe(true);
        expect(withNoProxyEntries(after, added)).toBe(after);
      }),
      { numRuns: 500 },
    );
  });

  it('taking back what was added gives the entries that were there before', () => {
    fc.assert(
      fc.property(noProxy, fc.array(host, { minLength: 1, maxLength: 3 }), (value, added) => {
        const fresh = added.filter((h) => !noProxyEntries(value).some((e) => e.toLowerCase() === h.toLowerCase()));
        const after = withNoProxyEntries(value, fresh);
        expect(noProxyEntries(withoutNoProxyEntries(after, fresh))).toEqual(noProxyEntries(value));
      }),
      { numRuns: 500 },
    );
  });

  it('an answer depends on neither case nor blanks around entries', () => {
    fc.assert(
      fc.property(noProxy, host, port, (value, h, p) => {
        const spaced = noProxyEntries(value).map((e) => ` ${e.toUpperCase()} `).join(',');
        expect(useProxy(spaced, h.toUpperCase(), p)).toBe(useProxy(value, h, p));
      }),
      { numRuns: 500 },
    );
  });
});
