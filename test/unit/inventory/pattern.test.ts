import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.ts';
import { loadInventory, selectHosts } from '../../../src/inventory/index.ts';
import { splitPattern } from '../../../src/inventory/pattern.ts';
import { fixture } from './helpers.ts';

const inv = await loadInventory(fixture('patterns.ini'));
const select = (pattern: string | undefined): string[] => selectHosts(inv, pattern, '--limit').map((h) => h.name);
const ALL = ['web1', 'web2', 'web3', 'db1', 'db2', 'lb.example.com'];

describe('selectHosts', () => {
  it.each([
    ['no pattern', undefined, ALL],
    ['all', 'all', ALL],
    ['*', '*', ALL],
    ['a host name', 'db2', ['db2']],
    ['a group name', 'web', ['web1', 'web2', 'web3']],
    ['a parent group, through children', 'prod', ['web1', 'web2', 'web3', 'db1', 'db2']],
    ['ungrouped', 'ungrouped', ['lb.example.com']],
    ['a glob on host names', 'web?', ['web1', 'web2', 'web3']],
    ['a glob matching groups too', 'st*', ['web3', 'db2']],
    ['a glob with a dot', '*.example.com', ['lb.example.com']],
    ['union with :', 'db1:web2', ['web2', 'db1']],
    ['union with ,', 'db1, web2', ['web2', 'db1']],
    ['union, deduplicated, in inventory order', 'staging:web:db2', ['web1', 'web2', 'web3', 'db2']],
    ['intersection', 'prod:&staging', ['web3', 'db2']],
    ['exclusion', 'prod:!staging', ['web1', 'web2', 'db1']],
    ['exclusion alone starts from all', '!prod', ['lb.example.com']],
    ['unions first, then intersections, then exclusions', '!web1:&web:staging:db1', ['web3']],
    ['regex', '~(web|db)[12]$', ['web1', 'web2', 'db1', 'db2']],
    ['regex anchored at the start like re.match', '~eb', []],
    ['excluded regex', 'all:!~^web', ['db1', 'db2', 'lb.example.com']],
    ['a subscript index', 'web[0]', ['web1']],
    ['a negative subscript', 'web[-1]', ['web3']],
    ['a subscript slice, end inclusive', 'prod[1:3]', ['web2', 'web3', 'db1']],
    ['an open slice', 'prod[3:]', ['db1', 'db2']],
  ])('%s: %s', (_label, pattern, expected) => {
    if (expected.length === 0) expect(() => select(pattern)).toThrow(/matches no host/);
    else expect(select(pattern)).toEqual(expected);
  });

  it('names the source and the pattern when nothing matches', () => {
    let error: unknown;
    try {
      selectHosts(inv, 'web:&db', 'site.yml: hosts');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).code).toBe('E_USAGE');
    expect((error as InputError).message).toBe('site.yml: hosts: pattern "web:&db" matches no host');
  });

  it('rejects a literal name that is neither a host nor a group (a typo), a bad regex and an empty pattern', () => {
    expect(() => select('web1,wbe2')).toThrow('--limit: pattern "web1,wbe2": no host or group named "wbe2"');
    expect(() => select('~web[')).toThrow(/invalid regular expression/);
    expect(() => select(' , ')).toThrow(/empty host pattern/);
  });

  it('splits on commas and on colons outside brackets', () => {
    expect(splitPattern('a:b[1:2]:!c')).toEqual(['a', 'b[1:2]', '!c']);
    expect(splitPattern('a, b ,&c')).toEqual(['a', 'b', '&c']);
    expect(splitPattern('~x:y,z')).toEqual(['~x:y', 'z']);
  });
});
