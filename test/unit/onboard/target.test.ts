import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.ts';
import { originOf, readRegistryTarget, registryReference } from '../../../src/onboard/target.ts';

describe('the registry a user names', () => {
  it.each([
    ['harbor.example.com', undefined, 'harbor.example.com', undefined, undefined],
    ['harbor.example.com:8443', undefined, 'harbor.example.com', 8443, undefined],
    ['https://harbor.example.com', 'https', 'harbor.example.com', undefined, undefined],
    ['https://harbor.example.com/', 'https', 'harbor.example.com', undefined, undefined],
    ['HTTP://Harbor.Local:5000', 'http', 'Harbor.Local', 5000, undefined],
    ['https://harbor.example.com/harbor/projects/3/repositories', 'https', 'harbor.example.com', undefined, '/harbor/projects/3/repositories'],
    ['harbor.example.com/library/nginx:1.25', undefined, 'harbor.example.com', undefined, '/library/nginx:1.25'],
    ['https://harbor.example.com?tab=1#x', 'https', 'harbor.example.com', undefined, '?tab=1#x'],
    ['https://[fd00::5]:8443/', 'https', 'fd00::5', 8443, undefined],
    ['192.168.0.99', undefined, '192.168.0.99', undefined, undefined],
    ['  harbor.example.com  ', undefined, 'harbor.example.com', undefined, undefined],
  ])('%s', (input, scheme, name, port, setAside) => {
    expect(readRegistryTarget(input)).toEqual({ input, scheme, name, port, setAside });
  });

  it.each([
    ['ftp://harbor.example.com', /scheme "ftp"/],
    ['https://admin:secret@harbor.example.com', /credentials/],
    ['harbor.example.com:99999', /port/],
    ['harbor example.com', /whitespace/],
    ['', /empty/],
    ['harbor.local;reboot', /forbidden character/],
  ])('refuses %s, saying why', (input, reason) => {
    expect(() => readRegistryTarget(input)).toThrow(InputError);
    expect(() => readRegistryTarget(input)).toThrow(reason);
  });

  it('writes the registry as image references do: no port on the scheme\'s own, brackets around IPv6', () => {
    expect(registryReference('harbor.local', 'https', 443)).toBe('harbor.local');
    expect(registryReference('harbor.local', 'http', 80)).toBe('harbor.local');
    expect(registryReference('harbor.local', 'https', 80)).toBe('harbor.local:80');
    expect(registryReference('harbor.local', 'http', 5000)).toBe('harbor.local:5000');
    expect(registryReference('fd00::5', 'https', 8443)).toBe('[fd00::5]:8443');
    expect(originOf('https', 'fd00::5', 443)).toBe('https://[fd00::5]');
    expect(originOf('http', 'harbor.local', 443)).toBe('http://harbor.local:443');
  });
});
