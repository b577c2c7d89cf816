// NO_PROXY as Go reads it. The cases of the first two tables restate the test vectors of
// golang.org/x/net's http/httpproxy/proxy_test.go (TestUseProxy, TestAllNoProxy, TestInvalidNoProxy and the
// NO_PROXY rows of TestProxyForURL): the same NO_PROXY value, the same hosts, the same answers.
import { describe, expect, it } from 'vitest';
import {
  maskProxyUrl,
  noProxyCovers,
  noProxyEntries,
  proxyEnvironment,
  unionNoProxy,
  useProxy,
  withNoProxyEntries,
  withoutNoProxyEntries,
} from '../../../src/registry/no-proxy.ts';

const GO_NO_PROXY =
  'foobar.com, .barbaz.net, *.wildcard.io, 192.168.1.1, 192.168.1.2:81, 192.168.1.3:80, 10.0.0.0/30, 2001:db8::52:0:1, [2001:db8::52:0:2]:443, [2001:db8::52:0:3]:80, 2002:db8:a::45/64';

// host (requested on port 80) -> whether it goes to the proxy
const GO_USE_PROXY: [string, boolean][] = [
  ['localhost', false],
  ['127.0.0.1', false],
  ['127.0.0.2', false],
  ['[::1]', false],
  ['[::2]', true],
  ['192.168.1.1', false],
  ['192.168.1.2', true],
  ['192.168.1.3', false],
  ['192.168.1.4', true],
  ['10.0.0.2', false],
  ['[2001:db8::52:0:1]', false],
  ['[2001:db8::52:0:2]', true],
  ['[2001:db8::52:0:3]', false],
  ['[2002:db8:a::123]', false],
  ['[fe80::424b:c8be:1643:a1b6]', true],
  ['barbaz.net', true],
  ['www.barbaz.net', false],
  ['foobar.com', false],
  ['www.foobar.com', false],
  ['foofoobar.com', true],
  ['baz.com', true],
  ['localhost.net', true],
  ['local.localhost', true],
  ['barbarbaz.net', true],
  ['wildcard.io', true],
  ['nested.wildcard.io', false],
  ['awildcard.io', true],
];

describe('NO_PROXY matching, as golang.org/x/net/http/httpproxy does it', () => {
  it.each(GO_USE_PROXY)('%s:80 goes to the proxy: %s', (host, proxied) => {
    expect(useProxy(GO_NO_PROXY, host, 80)).toBe(proxied);
  });

  it.each(GO_USE_PROXY)('with NO_PROXY=* %s goes direct', (host) => {
    expect(useProxy('*', host, 80)).toBe(false);
  });

  it('ignores an entry without a host (":1") and proxies the rest', () => {
    expect(useProxy(':1', 'example.com', 80)).toBe(true);
  });

  it.each([
    ['example.com', 'example.com', false],
    ['.example.com', 'example.com', true],
    ['ample.com', 'example.com', true],
    ['example.com', 'foo.example.com', false],
    ['.foo.com', 'example.com', true],
    ['.示例.com', 'www.示例.com', false],
    ['xn--fsq092h.com', 'www.示例.com', false],
    ['示例.com', 'www.xn--fsq092h.com', false],
  ])('NO_PROXY=%s, request to %s: proxied %s', (noProxy, host, proxied) => {
    expect(useProxy(noProxy, host, 80)).toBe(proxied);
  });

  it('a port in an entry restricts it to that port; none covers every port', () => {
    expect(noProxyCovers('harbor.local:5000', 'harbor.local', 5000)).toBe(true);
    expect(noProxyCovers('harbor.local:5000', 'harbor.local', 443)).toBe(false);
    expect(noProxyCovers('harbor.local', 'harbor.local', 5000)).toBe(true);
    expect(noProxyCovers('[fd00::1]:5000', 'fd00::1', 5000)).toBe(true);
    expect(noProxyCovers('[fd00::1]:5000', '[fd00::1]', 80)).toBe(false);
  });

  it('a CIDR block covers addresses, never a name that resolves into it', () => {
    expect(noProxyCovers('172.30.0.0/16', '172.30.5.9', 443)).toBe(true);
    expect(noProxyCovers('172.30.0.0/16', 'harbor.lab.local', 443)).toBe(false);
    expect(noProxyCovers('10.0.0.0/8', '::ffff:10.1.2.3', 443)).toBe(true);
    expect(noProxyCovers('fd00::/64', 'fd00::1:2', 443)).toBe(true);
    expect(noProxyCovers('fd00::/64', 'fd00:0:0:1::1', 443)).toBe(false);
    expect(noProxyCovers('fd00::/8', '10.0.0.1', 443)).toBe(false);
  });

  it('compares names case-insensitively and entries after trimming', () => {
    expect(noProxyCovers('  Harbor.Lab.Local ,x', 'HARBOR.lab.local', 443)).toBe(true);
  });

  it('a domain entry is a plain suffix test, so it can cover an IP host (as in Go)', () => {
    expect(noProxyCovers('0.1', '10.0.0.1', 443)).toBe(true);
  });
});

describe('the proxy environment', () => {
  it('takes the upper-case variable when set and not empty, else the lower-case one', () => {
    expect(proxyEnvironment({ HTTP_PROXY: 'http://a:3128', http_proxy: 'http://b:3128', no_proxy: 'x', NO_PROXY: '' })).toEqual({
      httpProxy: 'http://a:3128',
      httpsProxy: null,
      noProxy: 'x',
    });
    expect(proxyEnvironment({ https_proxy: 'http://p', NO_PROXY: 'a', no_proxy: 'b' })).toEqual({ httpProxy: null, httpsProxy: 'http://p', noProxy: 'a' });
  });

  it('masks a proxy password in reports', () => {
    expect(maskProxyUrl('http://user:s3cret@proxy:3128')).toBe('http://user:********@proxy:3128');
    expect(maskProxyUrl('proxy.corp:3128')).toBe('proxy.corp:3128');
    expect(maskProxyUrl('http://token@proxy:3128')).toBe('http://********@proxy:3128');
  });
});

describe('composing a NO_PROXY value', () => {
  it('appends what is missing and keeps every entry as written', () => {
    expect(withNoProxyEntries('localhost, 127.0.0.1,.svc', ['harbor.lab.local', '.SVC', '172.30.0.5'])).toBe('localhost, 127.0.0.1,.svc,harbor.lab.local,172.30.0.5');
    expect(withNoProxyEntries('', ['a', 'a'])).toBe('a');
    expect(withNoProxyEntries('a,b,', ['c'])).toBe('a,b,c');
    expect(withNoProxyEntries('a', ['A'])).toBe('a');
  });

  it('takes entries out, and nothing else', () => {
    expect(withoutNoProxyEntries('localhost,harbor.lab.local,172.30.0.5', ['Harbor.lab.local', '172.30.0.5'])).toBe('localhost');
    expect(withoutNoProxyEntries('a, b', ['c'])).toBe('a, b');
  });

  it('unites two spellings, the first one first', () => {
    expect(unionNoProxy('a,b', 'b,c')).toBe('a,b,c');
    expect(noProxyEntries(' a ,, b ')).toEqual(['a', 'b']);
  });
});
