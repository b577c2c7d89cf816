import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeChallenge, isHarborChallenge, parseChallenges, readChallenge } from '../../../src/onboard/challenge.ts';

describe('a registry\'s WWW-Authenticate challenge', () => {
  it('reads Harbor\'s, Docker Hub\'s, Distribution\'s Basic, and says which is Harbor', () => {
    const harbor = readChallenge('Bearer realm="https://harbor.example.com/service/token",service="harbor-registry"');
    expect(harbor).toEqual({ scheme: 'bearer', realm: 'https://harbor.example.com/service/token', service: 'harbor-registry', scope: undefined });
    expect(isHarborChallenge(harbor)).toBe(true);
    const hub = readChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"');
    expect(hub).toMatchObject({ scheme: 'bearer', service: 'registry.docker.io', scope: 'repository:library/nginx:pull' });
    expect(isHarborChallenge(hub)).toBe(false);
    expect(readChallenge('Basic realm="Registry Realm"')).toEqual({ scheme: 'basic', realm: 'Registry Realm' });
    expect(readChallenge('basic')).toEqual({ scheme: 'basic', realm: undefined });
    expect(describeChallenge(harbor!)).toBe('Bearer realm="https://harbor.example.com/service/token" service="harbor-registry"');
  });

  it('takes spaces after commas, parameter names in any case, and a realm with escaped quotes', () => {
    expect(readChallenge('Bearer Realm="https://r/t", Service="s"')).toMatchObject({ realm: 'https://r/t', service: 's' });
    expect(readChallenge('Bearer realm="a\\"b",service=plain')).toMatchObject({ realm: 'a"b', service: 'plain' });
  });

  it('reads several challenges in one header (RFC 9110), a token68 among them, and prefers Bearer, then Basic', () => {
    expect(parseChallenges('Basic realm="r", Bearer realm="https://t/token",service="s", Negotiate abc==')).toEqual([
      { scheme: 'Basic', params: { realm: 'r' } },
      { scheme: 'Bearer', params: { realm: 'https://t/token', service: 's' } },
      { scheme: 'Negotiate', params: {} },
    ]);
    expect(readChallenge('Basic realm="r", Bearer realm="https://t/token"')).toMatchObject({ scheme: 'bearer', realm: 'https://t/token' });
    expect(readChallenge('Negotiate abc==, Basic realm="r"')).toEqual({ scheme: 'basic', realm: 'r' });
    expect(readChallenge('Bearer realm="unterminated')).toBeUndefined();
  });

  it('is undefined for nothing, and for a Bearer challenge without a realm', () => {
    expect(readChallenge(undefined)).toBeUndefined();
    expect(readChallenge('  ')).toBeUndefined();
    expect(readChallenge('Bearer service="x"')).toBeUndefined();
    expect(readChallenge('Negotiate')).toEqual({ scheme: 'other', name: 'Negotiate' });
    expect(readChallenge('"quoted"')).toBeUndefined();
  });

  it('reads back realm and service of any quoted-string (property)', () => {
    const text = fc.string({ unit: fc.constantFrom(...'abcAZ09-._~:/?#[]@!$&\'()*+,;= "\\'.split('')), minLength: 1, maxLength: 40 });
    const quote = (s: string) => `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`;
    fc.assert(fc.property(text, text, (realm, service) => {
      const read = readChallenge(`Bearer realm=${quote(realm)},service=${quote(service)}`);
      expect(read).toEqual({ scheme: 'bearer', realm, service, scope: undefined });
    }));
  });
});
