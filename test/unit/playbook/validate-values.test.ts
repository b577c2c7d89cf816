import { describe, expect, it } from 'vitest';
import { registryKey } from '../../../src/registry/name.ts';
import {
  checkCidr,
  checkDnsName,
  checkInsecureRegistry,
  checkIpAddress,
  checkMaxFailPercentage,
  checkMirrorUrl,
  checkRegistryHost,
  isCidr,
  isInsecureRegistry,
  isIpAddress,
  isMirrorUrl,
  isRegistryHost,
  parseSerial,
} from '../../../src/playbook/validate-values.ts';

/** Injection attempts: none may ever reach a node's files or command lines. */
const INJECTIONS = [
  'harbor.local; reboot',
  'harbor.local;reboot',
  '$(id)',
  '${IFS}',
  '`id`',
  '-oProxyCommand=x',
  'a/../b',
  '../../etc',
  'harbor .local',
  'harbor.local\n127.0.0.1 evil',
  'harbor.local\tx',
  "'x'",
  '"x"',
  'harbor.local && reboot',
  'harbor.local|sh',
  'harbor.local>x',
  'harbor.local#',
  'a\\b',
];

describe('checkRegistryHost', () => {
  it.each([
    'harbor.local',
    'harbor.example.local',
    'HARBOR.Example.Local',
    'localhost',
    'localhost:5000',
    'harbor-http.example.local',
    'h',
    'a1.b2.c3',
    '1harbor.local',
    'xn--bcher-kva.example',
    'registry.example.local:443',
    'r:65535',
    'r:1',
    '192.168.0.99',
    '192.168.0.99:5000',
    '0.0.0.0',
    '[::1]',
    '[fd00::10]:5000',
    '[2001:db8::1]:443',
    `${'a'.repeat(63)}.local`,
    [...Array(4)].map(() => 'a'.repeat(61)).join('.'), // 247 characters
  ])('accepts %s', (value) => {
    expect(checkRegistryHost(value)).toBeUndefined();
    expect(isRegistryHost(value)).toBe(true);
  });

  it.each<[string, string | RegExp]>([
    ['', 'is empty'],
    ['harbor.local; reboot', 'contains whitespace'],
    ['harbor.local;reboot', 'contains the forbidden character ";"'],
    ['$(id)', 'contains the forbidden character "$"'],
    ['`id`', 'contains the forbidden character "`"'],
    ['-oProxyCommand=x', 'starts with "-"'],
    ['a/../b', 'contains ".."'],
    ['a/b', 'contains the forbidden character "/"'],
    ['harbor .local', 'contains whitespace'],
    ["'x'", 'contains the forbidden character "\'"'],
    ['"x"', 'contains the forbidden character "\\""'],
    ['a..b', 'contains ".."'],
    ['harbor.local.', /empty label/],
    ['.harbor.local', /empty label/],
    ['harbor-.local', /label "harbor-"/],
    ['harbor.-local', /label "-local"/],
    ['harbor_http.local', /label "harbor_http"/],
    [`${'a'.repeat(64)}.local`, /label of 64 characters/],
    [[...Array(5)].map(() => 'a'.repeat(60)).join('.'), /longer than 253/],
    ['harbor.local:0', /port "0"/],
    ['harbor.local:65536', /port "65536"/],
    ['harbor.local:05000', /port "05000"/],
    ['harbor.local:', /port ""/],
    ['harbor.local:http', /port "http"/],
    [':5000', 'has a port but no host'],
    ['192.168.0.999', /not a valid IPv4 address/],
    ['192.168.0', /not a valid IPv4 address/],
    ['010.0.0.1', /not a valid IPv4 address/],
    ['fd00::10', /bare IPv6/],
    ['[fd00::10', /unclosed/],
    ['[zz::1]', /not an IPv6 address/],
    ['[fe80::1%eth0]', /forbidden character "%"/],
    ['[::1]:99999', /port "99999"/],
    ['https://harbor.local', /forbidden character "\/"/],
    ['user@harbor.local', /forbidden character "@"/],
    ['harbor.local\u0000', /control character/],
  ])('refuses %j: %s', (value, reason) => {
    const why = checkRegistryHost(value);
    expect(why).toBeDefined();
    if (typeof reason === 'string') expect(why).toBe(reason);
    else expect(why).toMatch(reason);
    expect(isRegistryHost(value)).toBe(false);
  });

  it.each(INJECTIONS)('refuses the injection attempt %j', (value) => {
    expect(isRegistryHost(value)).toBe(false);
    expect(isInsecureRegistry(value)).toBe(false);
  });

  it('compares hosts case-insensitively', () => {
    expect(registryKey('Harbor.Example.LOCAL:5000')).toBe(registryKey('harbor.example.local:5000'));
  });
});

describe('checkDnsName', () => {
  it('accepts a name of 253 characters and refuses 254', () => {
    const name = (length: number): string => [...'a'.repeat(length)].map((c, i) => ((i + 1) % 50 === 0 ? '.' : c)).join('');
    expect(checkDnsName(name(253))).toBeUndefined();
    expect(checkDnsName(name(254))).toMatch(/longer than 253/);
  });
});

describe('checkIpAddress', () => {
  it.each(['192.168.0.99', '10.0.0.1', '0.0.0.0', '255.255.255.255', '::1', 'fd00::10', '2001:db8::1', '::ffff:10.0.0.1'])('accepts %s', (value) => {
    expect(checkIpAddress(value)).toBeUndefined();
    expect(isIpAddress(value)).toBe(true);
  });

  it.each(['', '192.168.0.999', '192.168.0', '010.0.0.1', 'harbor.local', '[::1]', 'fe80::1%eth0', ' 10.0.0.1', '10.0.0.1; reboot', '$(id)', '10.0.0.1/32'])(
    'refuses %j',
    (value) => {
      expect(checkIpAddress(value)).toBeDefined();
      expect(isIpAddress(value)).toBe(false);
    },
  );
});

describe('checkCidr and checkInsecureRegistry', () => {
  it.each(['10.233.0.0/18', '0.0.0.0/0', '192.168.0.1/32', 'fd00::/64', '::/0', '2001:db8::/128'])('accepts the CIDR %s', (value) => {
    expect(checkCidr(value)).toBeUndefined();
    expect(isCidr(value)).toBe(true);
    expect(checkInsecureRegistry(value)).toBeUndefined();
  });

  it.each(['10.0.0.0/33', 'fd00::/129', '10.0.0.0/', '10.0.0.0/08', '10.0.0.0/1/2', '10.0.0/8', 'harbor.local/8', '10.0.0.0/8;reboot', ' 10.0.0.0/8', '-10.0.0.0/8'])(
    'refuses the CIDR %j',
    (value) => {
      expect(checkCidr(value)).toBeDefined();
      expect(isCidr(value)).toBe(false);
      expect(isInsecureRegistry(value)).toBe(false);
    },
  );

  it.each(['harbor.local', 'harbor.local:5000', '10.0.0.5:5000', '[fd00::1]:5000', '10.233.0.0/18'])('accepts the insecure registry %s', (value) => {
    expect(isInsecureRegistry(value)).toBe(true);
  });

  it.each(['http://harbor.local', 'harbor.local/path', 'fd00::1', ''])('refuses the insecure registry %j', (value) => {
    expect(checkInsecureRegistry(value)).toBeDefined();
  });
});

describe('checkMirrorUrl', () => {
  it.each(['https://mirror.example.com', 'http://mirror.example.com/', 'https://mirror.example.com:5000/v2-cache/', 'http://10.0.0.5:5000', 'https://[fd00::1]:5000'])(
    'accepts %s',
    (value) => {
      expect(checkMirrorUrl(value)).toBeUndefined();
      expect(isMirrorUrl(value)).toBe(true);
    },
  );

  it.each<[string, RegExp]>([
    ['', /is empty/],
    ['mirror.example.com', /not an absolute URL/],
    ['/mirror', /not an absolute URL/],
    ['ftp://mirror.example.com', /scheme "ftp"/],
    ['file:///etc/passwd', /scheme "file"/],
    ['https://user:pass@mirror.example.com', /credentials/],
    ['https://user@mirror.example.com', /credentials/],
    ['https://mirror.example.com?x=1', /query or fragment/],
    ['https://mirror.example.com/#x', /query or fragment/],
    ['https://mirror.example.com x', /whitespace/],
    ['https://mirror.example.com\n--debug', /whitespace/],
    ['"https://mirror.example.com"', /forbidden character/],
    ["https://mirror.example.com'", /forbidden character/],
    ['https://mirror.example.com/$(id)', /forbidden character "\$"/],
    ['https://mirror.example.com/`id`', /forbidden character "`"/],
    ['https://mirror.example.com;reboot', /forbidden character ";"/],
  ])('refuses %j: %s', (value, reason) => {
    expect(checkMirrorUrl(value)).toMatch(reason);
    expect(isMirrorUrl(value)).toBe(false);
  });
});

describe('parseSerial and checkMaxFailPercentage', () => {
  it.each<[unknown, unknown[]]>([
    [1, [1]],
    [5, [5]],
    ['25%', ['25%']],
    ['100%', ['100%']],
    ['12.5%', ['12.5%']],
    [[1, '25%', '100%'], [1, '25%', '100%']],
  ])('accepts serial %j', (value, steps) => {
    expect(parseSerial(value)).toEqual({ steps });
  });

  it.each<[unknown, number | undefined]>([
    [0, undefined],
    [-1, undefined],
    [1.5, undefined],
    ['0%', undefined],
    ['101%', undefined],
    ['25', undefined],
    ['%', undefined],
    [true, undefined],
    [null, undefined],
    [{}, undefined],
    [[], undefined],
    [[1, 0], 1],
    [['25%', 'x'], 1],
  ])('refuses serial %j', (value, index) => {
    const parsed = parseSerial(value);
    expect(parsed).toMatchObject({ index });
    expect('reason' in parsed && parsed.reason.length > 0).toBe(true);
  });

  it.each([0, 10, 33.3, 100])('accepts max_fail_percentage %j', (value) => {
    expect(checkMaxFailPercentage(value)).toBeUndefined();
  });

  it.each([-1, 101, '10', '10%', null, Number.NaN, Number.POSITIVE_INFINITY])('refuses max_fail_percentage %j', (value) => {
    expect(checkMaxFailPercentage(value)).toBe('must be a number from 0 to 100');
  });
});
