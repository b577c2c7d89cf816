// registries.conf and its drop-ins read as containers/image reads them (pkg/sysregistriesv2), against
// Debian 12's files and the examples of containers-registries.conf(5), and dockhand's drop-in read back.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeRegistries, readRegistriesFile, renderDropIn, type RegistryEntry } from '../../../../src/runtimes/containers/registries-conf.ts';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');

// containers-registries.conf(5), EXAMPLE
const MAN_PAGE_EXAMPLE = `[[registry]]
prefix = "example.com/foo"
insecure = false
blocked = false
location = "internal-registry-for-example.com/bar"

[[registry.mirror]]
location = "example-mirror-0.local/mirror-for-foo"

[[registry.mirror]]
location = "example-mirror-1.local/mirrors/foo"
insecure = true
`;

const entry = (prefix: string, fields: Partial<RegistryEntry> = {}): RegistryEntry => ({
  prefix, location: prefix, insecure: false, blocked: false, mirrorByDigestOnly: false, mirrors: [], ...fields,
});

describe('reading registries configuration files', () => {
  it("Debian 12's registries.conf holds comments only, and its shortnames.conf is v2 (aliases) without registries", () => {
    expect(readRegistriesFile('/etc/containers/registries.conf', fixture('debian12-registries.conf'))).toEqual({
      path: '/etc/containers/registries.conf', format: 'empty', error: null, entries: [],
    });
    expect(readRegistriesFile('/etc/containers/registries.conf.d/shortnames.conf', fixture('debian12-shortnames.conf'))).toMatchObject({ format: 'v2', error: null, entries: [] });
  });

  it("reads the man page's example: the prefix, its location and the mirrors in order", () => {
    expect(readRegistriesFile('f', MAN_PAGE_EXAMPLE).entries).toEqual([
      entry('example.com/foo', {
        location: 'internal-registry-for-example.com/bar',
        mirrors: [
          { location: 'example-mirror-0.local/mirror-for-foo', insecure: false, pullFromMirror: null },
          { location: 'example-mirror-1.local/mirrors/foo', insecure: true, pullFromMirror: null },
        ],
      }),
    ]);
  });

  it('normalises as containers/image does: prefix from location, trailing slashes dropped, the first table of a prefix kept', () => {
    const file = readRegistriesFile('f', '[[registry]]\nlocation = "a.local/"\ninsecure = true\n\n[[registry]]\nprefix = "a.local"\nlocation = "b.local"\n');
    expect(file.entries).toEqual([entry('a.local', { insecure: true })]);
    // a file that is only a BOM, CRLF line ends and comments is empty, not broken
    expect(readRegistriesFile('f', '\uFEFF# nothing\r\n\r\n')).toMatchObject({ format: 'empty', error: null });
    expect(readRegistriesFile('f', '\uFEFF[[registry]]\r\nlocation = "c.local"\r\n').entries).toEqual([entry('c.local')]);
  });

  it('tells v1 from v2 the way containers/image does (an empty list counts), and refuses both in one file', () => {
    expect(readRegistriesFile('f', '[registries.insecure]\nregistries = ["harbor.local"]\n').format).toBe('v1');
    expect(readRegistriesFile('f', '[registries.search]\nregistries = []\n').format).toBe('v1');
    expect(readRegistriesFile('f', '[registries.search]\n').format).toBe('empty');
    const mixed = readRegistriesFile('f', 'unqualified-search-registries = ["docker.io"]\n[registries.insecure]\nregistries = ["h"]\n');
    expect(mixed.format).toBe('mixed');
    expect(mixed.error).toMatch(/mixes the v1 format .* and the v2 format/);
  });

  it('says why a file cannot be read: TOML errors with their line, wrong types, URL schemes, missing locations', () => {
    expect(readRegistriesFile('f', '[[registry]\nlocation = 1\n').error).toMatch(/^not valid TOML \(line 1, column \d+/);
    expect(readRegistriesFile('f', '[[registry]]\nlocation = "h"\ninsecure = "yes"\n').error).toBe('[[registry]] #1 insecure must be true or false');
    expect(readRegistriesFile('f', '[[registry]]\nlocation = "http://h.local"\n').error).toMatch(/has a URL scheme, which containers\/image does not accept \(plain http is insecure = true\)/);
    expect(readRegistriesFile('f', '[[registry]]\ninsecure = true\n').error).toBe('[[registry]] #1 has neither prefix nor location');
    expect(readRegistriesFile('f', '[[registry]]\nprefix = "h.local"\n').error).toBe('[[registry]] #1 has no location and its prefix is not *.domain');
    expect(readRegistriesFile('f', '[[registry]]\nprefix = "*.lab.local"\n').entries).toEqual([entry('*.lab.local', { location: '' })]);
    expect(readRegistriesFile('f', '[[registry]]\nlocation = "h"\n[[registry.mirror]]\nlocation = "m"\npull-from-mirror = "sometimes"\n').error).toMatch(/pull-from-mirror must be one of all, digest-only, tag-only/);
    expect(readRegistriesFile('f', 'registry = "h"\n').error).toBe('registry must be an array of tables ([[registry]])');
  });
});

describe('merging files', () => {
  it("a later file's table replaces an earlier one of the same prefix whole: no field of the earlier one survives", () => {
    const main = readRegistriesFile('/etc/containers/registries.conf', MAN_PAGE_EXAMPLE);
    const dropIn = readRegistriesFile('/etc/containers/registries.conf.d/50-foo.conf', '[[registry]]\nprefix = "example.com/foo"\nlocation = "example.com/foo"\ninsecure = true\n');
    const merged = mergeRegistries([main, dropIn]);
    expect(merged.get('example.com/foo')).toEqual({ entry: entry('example.com/foo', { insecure: true }), file: '/etc/containers/registries.conf.d/50-foo.conf' });
    expect(mergeRegistries([dropIn, main]).get('example.com/foo')?.entry.mirrors).toHaveLength(2);
  });
});

describe("dockhand's drop-in", () => {
  it('renders the whole entry and reads back as it', () => {
    const wanted = entry('harbor.local:5000', {
      insecure: true,
      mirrorByDigestOnly: false,
      mirrors: [{ location: 'mirror.local/harbor', insecure: false, pullFromMirror: 'digest-only' }],
    });
    const text = renderDropIn(wanted, ['registry harbor.local:5000']);
    expect(text).toBe(
      '# Managed by dockhand: changes made here are replaced on the next apply.\n# registry harbor.local:5000\n' +
        '[[registry]]\nprefix = "harbor.local:5000"\nlocation = "harbor.local:5000"\ninsecure = true\n\n' +
        '[[registry.mirror]]\nlocation = "mirror.local/harbor"\npull-from-mirror = "digest-only"\n',
    );
    expect(readRegistriesFile('d', text)).toEqual({ path: 'd', format: 'v2', error: null, entries: [wanted] });
  });

  it('reads back as written whatever the values hold (property)', () => {
    const text = fc.string({ minLength: 1 }).filter((s) => !/^https?:\/\//.test(s) && !s.endsWith('/'));
    const mirror = fc.record({ location: text, insecure: fc.boolean(), pullFromMirror: fc.constantFrom(null, 'all', 'digest-only', 'tag-only') });
    fc.assert(
      fc.property(text, text, fc.boolean(), fc.boolean(), fc.array(mirror, { maxLength: 3 }), (prefix, location, insecure, mirrorByDigestOnly, mirrors) => {
        const wanted: RegistryEntry = { prefix, location, insecure, blocked: false, mirrorByDigestOnly, mirrors };
        expect(readRegistriesFile('d', renderDropIn(wanted, [])).entries).toEqual([wanted]);
      }),
    );
  });
});
