import { describe, expect, it } from 'vitest';
import { parsePlaybook } from '../../../src/playbook/index.ts';
import { refusal } from './helpers.ts';
import { readRegistryHost } from '../../../src/playbook/registry-host.ts';

const book = (host: string, extra = '') => `- hosts: all\n  registries:\n    - host: ${JSON.stringify(host)}\n${extra}`;

describe('readRegistryHost: pasted URLs', () => {
  it.each([
    ['harbor.example.com', 'harbor.example.com', undefined, false],
    ['harbor.example.com/', 'harbor.example.com', undefined, true],
    ['https://harbor.example.com', 'harbor.example.com', 'https', true],
    ['https://harbor.example.com/', 'harbor.example.com', 'https', true],
    ['HTTPS://Harbor.Example.com:8443/', 'Harbor.Example.com:8443', 'https', true],
    ['http://harbor.local:5000', 'harbor.local:5000', 'http', true],
    ['http://[fd00::10]:5000/', '[fd00::10]:5000', 'http', true],
    ['https://10.0.0.5', '10.0.0.5', 'https', true],
  ])('%s is the registry %s', (value, host, scheme, rewritten) => {
    expect(readRegistryHost(value)).toEqual({ host, scheme, rewritten });
  });

  it.each([
    ['harbor.example.com/library', 'is an image path: give the registry host harbor.example.com and put library in image references'],
    ['https://harbor.example.com/library/', 'is an image path: give the registry host harbor.example.com and put library in image references'],
    ['harbor.local:5000/library/tiny:1', 'is an image path: give the registry host harbor.local:5000 and put library/tiny:1 in image references'],
    ['ftp://harbor.example.com', 'is a URL with scheme "ftp": give the registry host (and :port), or its http:// or https:// URL'],
    ['https://admin:secret@harbor.example.com', 'is a URL with credentials: give the registry host only (a login goes in verify: username_env, password_env)'],
    ['https://harbor.example.com/?x=1', 'is a URL with a query or fragment: give the registry host only'],
    ['https://harbor$(id)/', 'names the host "harbor$(id)", which contains the forbidden character "$"'],
    ['harbor.local; reboot', 'contains whitespace'],
    ['a/../b', 'contains ".."'],
    ['//harbor.local', 'contains the forbidden character "/"'],
  ])('%s is refused: %s', (value, reason) => {
    expect(readRegistryHost(value)).toEqual({ reason });
  });
});

describe('registries[].host pasted as a URL (issue 12, item 5)', () => {
  it('reads https://host/ as the host, and says so in the playbook warnings', async () => {
    const playbook = await parsePlaybook(book('https://harbor.example.com/'), 'site.yml');
    expect(playbook.plays[0]!.registries[0]).toMatchObject({ host: 'harbor.example.com', insecure: false, state: 'present' });
    expect(playbook.warnings).toEqual(['site.yml:3: plays[0].registries[0].host: "https://harbor.example.com/" read as harbor.example.com']);
  });

  it('reads a trailing slash away', async () => {
    const playbook = await parsePlaybook(book('harbor.example.com/'), 'site.yml');
    expect(playbook.plays[0]!.registries[0]!.host).toBe('harbor.example.com');
    expect(playbook.warnings).toEqual(['site.yml:3: plays[0].registries[0].host: "harbor.example.com/" read as harbor.example.com']);
  });

  it('takes http:// to mean insecure: true, unless the entry sets insecure', async () => {
    const plain = await parsePlaybook(book('http://harbor.local:5000'), 'site.yml');
    expect(plain.plays[0]!.registries[0]).toMatchObject({ host: 'harbor.local:5000', insecure: true });
    expect(plain.warnings).toEqual(['site.yml:3: plays[0].registries[0].host: "http://harbor.local:5000" read as harbor.local:5000, insecure: true (plain http)']);
    const explicit = await parsePlaybook(book('http://harbor.local:5000', '      insecure: false\n'), 'site.yml');
    expect(explicit.plays[0]!.registries[0]).toMatchObject({ host: 'harbor.local:5000', insecure: false });
    expect(explicit.warnings[0]).toContain('but the entry sets insecure: false');
  });

  it('refuses a path with the fix spelled out, naming the file, line and path', async () => {
    expect(await refusal(book('harbor.example.com/library'))).toEqual([
      'site.yml:3: plays[0].registries[0].host: "harbor.example.com/library" is an image path: give the registry host harbor.example.com and put library in image references',
    ]);
  });

  it('compares the pasted and the bare form as one registry', async () => {
    const text = `${book('https://harbor.example.com/')}    - host: harbor.example.com\n`;
    expect((await refusal(text)).join('\n')).toContain('"harbor.example.com" is declared twice in this play');
  });

  it('checks verify.image against the registry read from the URL, and reads an image pasted with https://', async () => {
    const ok = await parsePlaybook(book('https://harbor.example.com', '      verify: {image: harbor.example.com/library/tiny:1}\n'), 'site.yml');
    expect(ok.plays[0]!.registries[0]!.verify!.image).toBe('harbor.example.com/library/tiny:1');
    const pasted = await parsePlaybook(book('harbor.example.com', '      verify: {image: "https://harbor.example.com/library/tiny:1"}\n'), 'site.yml');
    expect(pasted.plays[0]!.registries[0]!.verify!.image).toBe('harbor.example.com/library/tiny:1');
    expect(pasted.warnings).toEqual(['site.yml:4: plays[0].registries[0].verify.image: "https://harbor.example.com/library/tiny:1" read as harbor.example.com/library/tiny:1']);
    expect((await refusal(book('https://harbor.example.com', '      verify: {image: other.example.com/library/tiny:1}\n'))).join('\n')).toContain(
      'verify.image: "other.example.com/library/tiny:1" must be an image of this registry (harbor.example.com/...)',
    );
  });
});
