import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  hostsDirName,
  parseHostsToml,
  registryHostsToml,
  renderHostsToml,
  type HostCapability,
  type HostEntry,
  type HostsToml,
} from '../../../../src/runtimes/containerd/hosts-toml.ts';
import { parseToml } from '../../../../src/formats/toml/read.ts';
import { fixture, golden } from './golden.ts';

describe('hostsDirName', () => {
  it('names the directory as image references write the registry', () => {
    expect(hostsDirName('harbor.local')).toBe('harbor.local');
    expect(hostsDirName('harbor.local:5000')).toBe('harbor.local:5000');
    expect(hostsDirName('10.0.0.5:5000')).toBe('10.0.0.5:5000');
    expect(hostsDirName('docker.io')).toBe('docker.io');
    expect(hostsDirName('index.docker.io')).toBe('docker.io');
    expect(hostsDirName('[fd00::1]:5000')).toBe('[fd00::1]:5000');
    expect(hostsDirName('fd00::1')).toBe('[fd00::1]');
  });

  it('refuses what cannot be one directory name', () => {
    for (const bad of ['', '.', '..', 'harbor.local/library', 'https://harbor.local', 'a b']) {
      expect(() => hostsDirName(bad)).toThrow(/cannot name a hosts\.toml directory/);
    }
  });
});

describe('registryHostsToml', () => {
  const cases: [string, Parameters<typeof registryHostsToml>[0]][] = [
    ['harbor.lab.local-ca', { host: 'harbor.lab.local', insecure: false, caPath: '/etc/containerd/certs.d/harbor.lab.local/ca.crt' }],
    ['harbor-http.lab.local-insecure', { host: 'harbor-http.lab.local', insecure: true }],
    ['registry-5000-insecure', { host: 'registry.example.com:5000', insecure: true }],
    ['registry-trusted', { host: 'registry.example.com', insecure: false }],
    [
      'docker.io-mirrors',
      {
        host: 'docker.io',
        insecure: false,
        mirrors: [
          { url: 'https://harbor.lab.local/v2/dockerhub', caPath: '/etc/containerd/certs.d/harbor.lab.local/ca.crt' },
          { url: 'http://10.0.0.5:5000', skipVerify: true, capabilities: ['pull'] },
        ],
      },
    ],
  ];
  for (const [name, registry] of cases) {
    it(`${name}: the expected hosts.toml`, () => {
      const text = renderHostsToml(registryHostsToml(registry));
      expect(text).toBe(golden(`expected/registry-hosts/${name}.toml`, text));
      expect(parseHostsToml(text)).toEqual(registryHostsToml(registry));
    });
  }

  it('issue 20, item 6: an insecure registry is tried over plain http first (no TLS attempt on a plain-http registry), then untrusted TLS; a trusted one only over https', () => {
    expect(registryHostsToml({ host: 'harbor-http.lab.local', insecure: true })).toEqual({
      server: 'http://harbor-http.lab.local',
      hosts: [
        { url: 'http://harbor-http.lab.local', capabilities: ['pull', 'resolve', 'push'] },
        { url: 'https://harbor-http.lab.local', capabilities: ['pull', 'resolve', 'push'], skipVerify: true },
      ],
    });
    expect(registryHostsToml({ host: 'registry.example.com:5000', insecure: true }).hosts.map((h) => h.url)).toEqual(['http://registry.example.com:5000', 'https://registry.example.com:5000']);
    // a mirror at the registry's own address is written once, as given
    const own = registryHostsToml({ host: 'harbor.local', insecure: true, mirrors: [{ url: 'http://harbor.local', capabilities: ['pull'] }] });
    expect(own.hosts.map((h) => [h.url, h.capabilities.join()])).toEqual([['http://harbor.local', 'pull'], ['https://harbor.local', 'pull,resolve,push']]);
    expect(parseHostsToml(renderHostsToml(own))).toEqual(own);
    // mirrors are still tried first
    expect(registryHostsToml({ host: 'harbor.local', insecure: true, mirrors: [{ url: 'https://cache.local' }] }).hosts.map((h) => h.url)).toEqual(['https://cache.local', 'http://harbor.local', 'https://harbor.local']);
    expect(registryHostsToml({ host: 'registry.example.com', insecure: false })).toEqual({
      server: 'https://registry.example.com',
      hosts: [{ url: 'https://registry.example.com', capabilities: ['pull', 'resolve', 'push'] }],
    });
    expect(registryHostsToml({ host: 'index.docker.io', insecure: true }).server).toBe('https://registry-1.docker.io');
  });
});

describe('renderHostsToml', () => {
  it('writes every field in containerd docs/hosts.md form', () => {
    const spec: HostsToml = {
      server: 'https://registry-1.docker.io',
      hosts: [
        {
          url: 'https://mirror.example.com/v2/hub',
          capabilities: ['pull', 'resolve'],
          ca: ['/etc/certs/a.crt', '/etc/certs/b.crt'],
          client: [['/etc/certs/client.cert', '/etc/certs/client.key']],
          skipVerify: false,
          overridePath: true,
          header: { 'X-Custom-Header': ['a', 'b'], authorization: ['Basic eDp5'] },
        },
      ],
    };
    const text = renderHostsToml(spec);
    expect(text).toBe(golden('expected/hosts-all-fields.toml', text));
    expect(parseHostsToml(text)).toEqual(spec);
  });

  it('omits server when the image names the upstream (the _default directory)', () => {
    const text = renderHostsToml({ server: null, hosts: [{ url: 'https://mirror.example.com', capabilities: ['pull', 'resolve'] }] });
    expect(text).not.toMatch(/^server/m);
    expect(parseHostsToml(text).server).toBeNull();
  });

  it('refuses a spec without a [host] entry, which containerd 1.x would not read', () => {
    expect(() => renderHostsToml({ server: 'https://registry.example.com', hosts: [] })).toThrow(/at least one \[host\] entry/);
  });

  it('escapes strings per TOML', () => {
    const text = renderHostsToml({ server: 'https://a"b\\c', hosts: [{ url: 'https://x\ty', capabilities: ['pull'], ca: ['/c\u0001'] }] });
    expect(text).toContain('server = "https://a\\"b\\\\c"');
    expect(text).toContain('[host."https://x\\ty"]');
    expect(text).toContain('ca = "/c\\u0001"');
  });
});

describe('parseHostsToml', () => {
  it("reads Kubespray's hosts.toml", () => {
    expect(parseHostsToml(fixture('hosts/kubespray-docker.io.toml'))).toEqual({
      server: 'https://docker.io',
      hosts: [{ url: 'https://registry-1.docker.io', capabilities: ['pull', 'resolve'], skipVerify: false, overridePath: false }],
    });
    expect(parseHostsToml(fixture('hosts/kubespray-harbor.lab.local.toml'))).toEqual({
      server: 'https://harbor.lab.local',
      hosts: [
        {
          url: 'https://harbor.lab.local',
          capabilities: ['pull', 'resolve', 'push'],
          skipVerify: false,
          overridePath: false,
          ca: ['/etc/containerd/certs.d/harbor.lab.local/ca.crt'],
          client: [['/etc/certs/client.cert', '/etc/certs/client.key']],
          header: { 'X-Custom': ['a'] },
        },
      ],
    });
  });

  it("reads containerd's docs example, in file order, capabilities defaulting to all", () => {
    const spec = parseHostsToml(fixture('hosts/containerd-docs-docker.io-mirror.toml'));
    expect(spec.server).toBe('https://registry-1.docker.io');
    expect(spec.hosts.map((h) => [h.url, h.capabilities, h.ca])).toEqual([
      ['https://public-mirror.example.com', ['pull'], undefined],
      ['https://docker-mirror.internal', ['pull', 'resolve'], ['docker-mirror.crt']],
    ]);
    expect(parseHostsToml('[host."https://m.example.com"]\n').hosts[0]!.capabilities).toEqual(['pull', 'resolve', 'push']);
  });

  it('accepts the other client forms containerd accepts', () => {
    expect(parseHostsToml('[host."https://a"]\nclient = "/c.pem"\n').hosts[0]!.client).toEqual([['/c.pem', '']]);
    expect(parseHostsToml('[host."https://a"]\nclient = ["/c.pem", ["/d.cert", "/d.key"]]\n').hosts[0]!.client).toEqual([
      ['/c.pem', ''],
      ['/d.cert', '/d.key'],
    ]);
  });

  it('throws a clear error on invalid TOML or a shape it does not model', () => {
    expect(() => parseHostsToml('server = \n')).toThrow(/^hosts\.toml: line 1, column \d+: /);
    expect(() => parseHostsToml('server = "https://a"\nskip_verify = true\n')).toThrow('hosts.toml: unsupported top-level key `skip_verify`');
    expect(() => parseHostsToml('[host."https://a"]\ncapabilities = ["pull", "delete"]\n')).toThrow('unknown capability "delete"');
    expect(() => parseHostsToml('[host."https://a"]\ndial_timeout = "3s"\n')).toThrow('unsupported key `dial_timeout`');
    expect(() => parseHostsToml('[host."https://a"]\nskip_verify = "yes"\n')).toThrow('skip_verify must be true or false');
    expect(() => parseHostsToml('server = 1\n')).toThrow('`server` must be a string');
  });
});

const text = fc.string({ unit: 'binary', minLength: 1, maxLength: 12 });
const capability = fc.constantFrom<HostCapability>('pull', 'resolve', 'push');
const entry: fc.Arbitrary<HostEntry> = fc.record(
  {
    url: text,
    capabilities: fc.uniqueArray(capability, { minLength: 1, maxLength: 3 }),
    ca: fc.array(text, { minLength: 1, maxLength: 2 }),
    client: fc.array(fc.tuple(text, text), { minLength: 1, maxLength: 2 }),
    skipVerify: fc.boolean(),
    overridePath: fc.boolean(),
    header: fc.dictionary(text, fc.array(text, { minLength: 1, maxLength: 2 }), { minKeys: 1, maxKeys: 2 }),
  },
  { requiredKeys: ['url', 'capabilities'] },
);

describe('hosts.toml round trip (property)', () => {
  it('reads back what it renders, for any strings', () => {
    fc.assert(
      fc.property(fc.option(text, { nil: null }), fc.uniqueArray(entry, { minLength: 1, maxLength: 3, selector: (e) => e.url }), (server, hosts) => {
        const spec: HostsToml = { server, hosts };
        const rendered = renderHostsToml(spec);
        expect(parseToml(rendered).ok).toBe(true);
        // Integer-like keys come first in a JavaScript object; URLs never look like that.
        fc.pre(hosts.every((h) => !/^\d+$/.test(h.url) && Object.keys(h.header ?? {}).every((k) => !/^\d+$/.test(k))));
        expect(parseHostsToml(rendered)).toEqual(spec);
      }),
    );
  });
});
