import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PlaybookEditError, registryEntries, upsertRegistry, yamlScalar, type RegistryEdit } from '../../../src/onboard/playbook-edit.ts';
import { parsePlaybook } from '../../../src/playbook/load.ts';

const CA = `-----BEGIN CERTIFICATE-----
MIIBhTCCASugAwIBAgIUV0m8bBqS0bl3qR8A9vYx1X1mJ2kwCgYIKoZIzj0EAwIw
-----END CERTIFICATE-----
`;

const harbor: RegistryEdit = {
  host: 'harbor.example.com',
  set: [['host', 'harbor.example.com'], ['ip', '192.168.0.100'], ['ca', 'harbor.example.com-ca.crt']],
  remove: ['state', 'insecure'],
  playName: 'Trust harbor.example.com',
};

const edit = (text: string | undefined, e: RegistryEdit = harbor) => upsertRegistry(text, e, '# header\n');

describe('writing a registry\'s entry into a playbook', () => {
  it('makes a minimal playbook where there is none (or only comments)', () => {
    expect(edit(undefined)).toEqual({
      action: 'created',
      places: ['plays[0].registries[0]'],
      text: '# header\n- name: Trust harbor.example.com\n  hosts: all\n  registries:\n    - host: harbor.example.com\n      ip: 192.168.0.100\n      ca: harbor.example.com-ca.crt\n',
    });
    expect(edit('# mine\n').text).toBe('# mine\n- name: Trust harbor.example.com\n  hosts: all\n  registries:\n    - host: harbor.example.com\n      ip: 192.168.0.100\n      ca: harbor.example.com-ca.crt\n');
  });

  it('updates the entry in place, replacing only the bytes that change: comments, order, other entries stay', () => {
    const before = [
      '# Registries of the platform team',
      '- name: Trust the registries   # reviewed',
      '  hosts: k8s-cluster',
      '  registries:',
      '    - host: https://harbor.example.com/   # pasted from the console',
      '      insecure: true',
      '      mirrors: [https://mirror.example.com]',
      '',
      '    # the old one, kept for now',
      '    - {host: old.example.com, insecure: true}',
      '  insecure_registries: [10.233.0.0/18]',
      '',
    ].join('\n');
    const after = edit(before);
    expect(after.action).toBe('updated');
    expect(after.places).toEqual(['plays[0].registries[0]']);
    expect(after.text).toBe([
      '# Registries of the platform team',
      '- name: Trust the registries   # reviewed',
      '  hosts: k8s-cluster',
      '  registries:',
      '    - host: harbor.example.com   # pasted from the console',
      '      mirrors: [https://mirror.example.com]',
      '      ip: 192.168.0.100',
      '      ca: harbor.example.com-ca.crt',
      '',
      '    # the old one, kept for now',
      '    - {host: old.example.com, insecure: true}',
      '  insecure_registries: [10.233.0.0/18]',
      '',
    ].join('\n'));
    // a second time: nothing to change, not a byte
    expect(edit(after.text)).toEqual({ text: after.text, action: 'unchanged', places: ['plays[0].registries[0]'] });
  });

  it('appends to the list as its items are written (dashes not indented, a flow item, a flow list)', () => {
    expect(edit('- hosts: all\n  registries:\n  - host: a.example.com\n    insecure: true   # c\n  registry_mirrors: [https://m.example.com]\n').text)
      .toBe('- hosts: all\n  registries:\n  - host: a.example.com\n    insecure: true   # c\n  - host: harbor.example.com\n    ip: 192.168.0.100\n    ca: harbor.example.com-ca.crt\n  registry_mirrors: [https://m.example.com]\n');
    expect(edit('- hosts: all\n  registries:\n    - {host: a.example.com}\n').text)
      .toBe('- hosts: all\n  registries:\n    - {host: a.example.com}\n    - host: harbor.example.com\n      ip: 192.168.0.100\n      ca: harbor.example.com-ca.crt\n');
    expect(edit('- {hosts: all, registries: [{host: a.example.com}]}\n').text)
      .toBe('- {hosts: all, registries: [{host: a.example.com}, {host: harbor.example.com, ip: 192.168.0.100, ca: harbor.example.com-ca.crt}]}\n');
  });

  it('updates a flow entry inside its braces', () => {
    expect(edit('- registries:\n    - {host: harbor.example.com, insecure: true, state: absent}\n').text)
      .toBe('- registries:\n    - {host: harbor.example.com, ip: 192.168.0.100, ca: harbor.example.com-ca.crt}\n');
  });

  it('gives a play without registries its list, under its other keys (and keeps a file without a final line end so)', () => {
    expect(edit('name: single\nhosts: all\ninsecure_registries: [10.0.0.0/8]').text)
      .toBe('name: single\nhosts: all\ninsecure_registries: [10.0.0.0/8]\nregistries:\n  - host: harbor.example.com\n    ip: 192.168.0.100\n    ca: harbor.example.com-ca.crt');
    expect(edit('- name: a\n  registries:\n  hosts: all\n').text)
      .toBe('- name: a\n  registries:\n    - host: harbor.example.com\n      ip: 192.168.0.100\n      ca: harbor.example.com-ca.crt\n  hosts: all\n');
  });

  it('keeps CRLF line ends and a byte order mark', () => {
    const before = '\uFEFF- name: a\r\n  hosts: all\r\n  registries:\r\n    - host: a.example.com # x\r\n';
    const after = edit(before).text;
    expect(after).toBe('\uFEFF- name: a\r\n  hosts: all\r\n  registries:\r\n    - host: a.example.com # x\r\n    - host: harbor.example.com\r\n      ip: 192.168.0.100\r\n      ca: harbor.example.com-ca.crt\r\n');
  });

  it('puts a new entry in the play with the hosts asked for, or a new play; a single play for other hosts is refused', () => {
    const two = '- name: a\n  hosts: web\n  registries:\n    - host: a.example.com\n- name: b\n  hosts: k8s-cluster\n  registries:\n    - host: b.example.com\n';
    expect(edit(two, { ...harbor, hosts: 'k8s-cluster' }).places).toEqual(['plays[1].registries[1]']);
    const added = edit(two, { ...harbor, hosts: 'db' });
    expect(added.places).toEqual(['plays[2].registries[0]']);
    expect(added.text).toBe(`${two}- name: Trust harbor.example.com\n  hosts: db\n  registries:\n    - host: harbor.example.com\n      ip: 192.168.0.100\n      ca: harbor.example.com-ca.crt\n`);
    expect(() => edit('hosts: web\nregistries:\n  - host: a.example.com\n', { ...harbor, hosts: 'db' })).toThrow(PlaybookEditError);
  });

  it('updates every entry of the registry (in several plays), and finds it written with a port or a URL', () => {
    const text = '- hosts: a\n  registries:\n    - host: HARBOR.example.com\n- hosts: b\n  registries:\n    - host: http://harbor.example.com/\n      insecure: true\n';
    const after = edit(text);
    expect(after.places).toEqual(['plays[0].registries[0]', 'plays[1].registries[0]']);
    expect(registryEntries(after.text, 'harbor.example.com').map((e) => e.entry)).toEqual([
      { host: 'harbor.example.com', ip: '192.168.0.100', ca: 'harbor.example.com-ca.crt' },
      { host: 'harbor.example.com', ip: '192.168.0.100', ca: 'harbor.example.com-ca.crt' },
    ]);
    expect(registryEntries(text, 'harbor.example.com:8443')).toEqual([]);
  });

  it('sets a nested verify: key by key, keeping its comments', () => {
    const text = '- registries:\n    - host: harbor.example.com\n      verify:   # pulled after apply\n        image: harbor.example.com/a:1\n        username_env: OLD\n        password_env: OLD_PW\n';
    const after = edit(text, { ...harbor, set: [['host', 'harbor.example.com'], ['verify', { image: 'harbor.example.com/library/tiny:1' }]] });
    expect(after.text).toBe('- registries:\n    - host: harbor.example.com\n      verify:   # pulled after apply\n        image: harbor.example.com/library/tiny:1\n');
  });

  it('refuses what is not YAML, or not plays', () => {
    expect(() => edit('- registries: [\n')).toThrow(/not valid YAML/);
    expect(() => edit('just a string\n')).toThrow(/neither a play nor a list of plays/);
  });

  it('writes scalars that read back as the same value', () => {
    for (const value of ['harbor.example.com', 'true', '1.0', 'null', '~', 'a: b', 'x #y', '-x', 'C:\\ca.crt', 'ca file.crt', '', ' ', 'ü', '[1]', '10.0.0.1', 'fd00::1']) {
      expect(parse(`k: ${yamlScalar(value)}`), value).toEqual({ k: value });
    }
    expect(yamlScalar('harbor.example.com')).toBe('harbor.example.com');
    expect(yamlScalar('Trust harbor.example.com')).toBe('Trust harbor.example.com');
    expect(yamlScalar(true)).toBe('true');
  });

  it('writes what the playbook loader reads (the CA file given before it exists on disk)', async () => {
    const file = '/nowhere/site.yml';
    const files = new Map([['/nowhere/harbor.example.com-ca.crt', Buffer.from(CA)]]);
    await expect(parsePlaybook(edit(undefined).text, file, { files })).rejects.toThrow(/harbor.example.com-ca.crt/); // not a real certificate
    const http: RegistryEdit = { ...harbor, set: [['host', 'harbor.example.com'], ['ip', '192.168.0.100'], ['insecure', true]] };
    const book = await parsePlaybook(edit(undefined, http).text, file);
    expect(book.plays[0]!.registries[0]).toMatchObject({ host: 'harbor.example.com', ip: '192.168.0.100', insecure: true });
  });
});

describe('writing an entry into any playbook (property)', () => {
  const host = fc.constantFrom('a.example.com', 'b.example.com', 'c.example.com:5000', 'harbor.example.com', 'HARBOR.example.com');
  const entry = fc.record({
    host,
    insecure: fc.option(fc.boolean(), { nil: undefined }),
    ip: fc.option(fc.constantFrom('10.0.0.1', '10.0.0.2'), { nil: undefined }),
    comment: fc.option(fc.constantFrom('# note', '# keep: me'), { nil: undefined }),
    flow: fc.boolean(),
  });
  const play = fc.record({
    hosts: fc.constantFrom('all', 'k8s-cluster', 'web'),
    entries: fc.array(entry, { maxLength: 4 }),
    indent: fc.constantFrom(0, 2),
    lead: fc.option(fc.constantFrom('# a play', ''), { nil: undefined }),
  });
  const render = (plays: (typeof play extends fc.Arbitrary<infer T> ? T : never)[], eol: string) => plays.map((p) => {
    const pad = ' '.repeat(p.indent);
    const lines = [...(p.lead === undefined ? [] : [p.lead]), `- hosts: ${p.hosts}`];
    if (p.entries.length > 0) lines.push('  registries:');
    for (const e of p.entries) {
      const keys = [`host: ${e.host}`, ...(e.ip === undefined ? [] : [`ip: ${e.ip}`]), ...(e.insecure === undefined ? [] : [`insecure: ${e.insecure}`])];
      if (e.flow) lines.push(`  ${pad}- {${keys.join(', ')}}${e.comment === undefined ? '' : ` ${e.comment}`}`);
      else keys.forEach((k, i) => lines.push(`  ${pad}${i === 0 ? '- ' : '  '}${k}${i === 0 && e.comment !== undefined ? ` ${e.comment}` : ''}`));
    }
    if (p.entries.length === 0) lines.push('  insecure_registries: [10.0.0.0/8]');
    return lines.join(eol);
  }).join(eol) + eol;

  it('one entry for the registry afterwards, every other entry and comment as it was, and a second write changes nothing', () => {
    fc.assert(fc.property(fc.array(play, { minLength: 1, maxLength: 3 }), fc.constantFrom('\n', '\r\n'), fc.option(fc.constantFrom('all', 'web', 'db'), { nil: undefined }), (plays, eol, hosts) => {
      const text = render(plays, eol);
      const e: RegistryEdit = { ...harbor, hosts };
      const after = edit(text, e);
      const others = (t: string) => (parse(t) as { registries?: { host: string }[] }[]).map((p) => (p.registries ?? []).filter((r) => r.host.toLowerCase() !== 'harbor.example.com'));
      expect(others(after.text).slice(0, plays.length)).toEqual(others(text));
      const mine = registryEntries(after.text, 'harbor.example.com');
      expect(mine.length).toBe(Math.max(1, registryEntries(text, 'harbor.example.com').length));
      for (const m of mine) expect(m.entry).toMatchObject({ host: 'harbor.example.com', ip: '192.168.0.100', ca: 'harbor.example.com-ca.crt' });
      for (const m of mine) expect(m.entry).not.toHaveProperty('insecure');
      expect(after.text.match(/#[^\n]*/g)).toEqual(text.match(/#[^\n]*/g));
      if (eol === '\r\n') expect(after.text.replace(/\r\n/g, '')).not.toContain('\n');
      expect(edit(after.text, e)).toEqual({ text: after.text, action: 'unchanged', places: mine.map((m) => m.place) });
    }), { numRuns: 300 });
  }, 120_000);
});
