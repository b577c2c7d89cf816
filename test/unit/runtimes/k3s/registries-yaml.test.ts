/**
 * registries.yaml edits against the documented format (k3s-io/docs installation/private-registry.md,
 * docs.rke2.io install/private_registry): golden files, before and after; every byte of what the
 * plays do not touch stays, comments included.
 */
import { diffLines } from 'diff';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { DesiredState } from '../../../../src/plan/types.ts';
import { editRegistriesYaml, refusal, YamlEditError } from '../../../../src/runtimes/k3s/registries-yaml.ts';
import { wantedRegistries } from '../../../../src/runtimes/k3s/wanted.ts';
import { CA, desired, fixture, golden, HTTP_REGISTRY, HTTPS_REGISTRY } from './helpers.ts';

const FILE = '/etc/rancher/k3s/registries.yaml';

function edit(before: string | null, state: DesiredState) {
  return editRegistriesYaml(before, FILE, wantedRegistries(state, '/etc/rancher/k3s').registries);
}

/** The lines a change removed and added. */
function changedLines(before: string, after: string): { removed: string[]; added: string[] } {
  const parts = diffLines(before, after);
  const lines = (value: string) => value.split(/\r?\n/).filter((l, i, all) => i < all.length - 1 || l !== '');
  return { removed: parts.filter((p) => p.removed).flatMap((p) => lines(p.value)), added: parts.filter((p) => p.added).flatMap((p) => lines(p.value)) };
}

const BOTH = desired([HTTP_REGISTRY, HTTPS_REGISTRY]);

const CASES: { name: string; state: DesiredState; notes?: RegExp[] }[] = [
  { name: 'new-file', state: BOTH },
  { name: 'k3s-docs-tls', state: BOTH },
  { name: 'wildcard', state: BOTH, notes: [/mirrors\."harbor-http\.lab\.local" takes the place of the "\*" defaults/, /configs\."harbor\.lab\.local" takes the place of the "\*" defaults/] },
  { name: 'rewrite', state: desired([], { registryMirrors: ['https://mirror.lab.local'] }), notes: [/mirrors\."docker\.io" was written by someone else: dockhand added https:\/\/mirror\.lab\.local/] },
  {
    name: 'retire',
    state: desired([{ ...HTTP_REGISTRY, state: 'absent' }, { ...HTTPS_REGISTRY, ca: undefined, state: 'absent' }]),
    notes: [/left configs\."harbor\.lab\.local" as it is but for the ca_file of dockhand's CA: dockhand did not write it/],
  },
  { name: 'bom-crlf', state: desired([HTTPS_REGISTRY]) },
];

describe('registries.yaml, as the plays want it (golden files)', () => {
  it.each(CASES)('$name', ({ name, state, notes }) => {
    const before = fixture(`registries/${name}.before.yaml`);
    const result = edit(before, state);
    expect(result.text).toBe(golden(`registries/${name}.after.yaml`, result.text));
    for (const note of notes ?? []) expect(result.notes.join('\n')).toMatch(note);
    // a second run changes nothing
    expect(edit(result.text, state).text).toBe(result.text);
  });

  it('adds to a file without touching a byte of it: only new lines, each about the plays', () => {
    for (const name of ['k3s-docs-tls', 'wildcard']) {
      const before = fixture(`registries/${name}.before.yaml`)!;
      const { removed, added } = changedLines(before, edit(before, BOTH).text);
      expect(removed, name).toEqual([]);
      expect(added.join('\n')).toMatch(/harbor/);
    }
  });

  it('keeps the quoted "*" entries as they are, and k3s still reads them as "*"', () => {
    const after = edit(fixture('registries/wildcard.before.yaml'), BOTH).text;
    expect(after).toContain('  "*":\n    endpoint:\n      - "https://registry.example.com:5000"\n');
    const data = parse(after) as { mirrors: Record<string, unknown>; configs: Record<string, unknown> };
    expect(Object.keys(data.mirrors)).toEqual(['*', 'harbor-http.lab.local']);
    expect(data.configs['docker.io']).toBeNull();
  });

  it('writes what the documentation says: http:// endpoints for plain http, the CA as tls.ca_file beside the file', () => {
    const data = parse(edit(null, BOTH).text) as { mirrors: Record<string, { endpoint: string[] }>; configs: Record<string, { tls: Record<string, unknown> }> };
    expect(data.mirrors['harbor-http.lab.local']?.endpoint).toEqual(['http://harbor-http.lab.local']);
    expect(data.configs['harbor-http.lab.local']?.tls).toEqual({ insecure_skip_verify: true });
    expect(data.configs['harbor.lab.local']?.tls).toEqual({ ca_file: '/etc/rancher/k3s/dockhand/harbor.lab.local/ca.crt' });
    expect(data.mirrors['harbor.lab.local']).toBeUndefined();
  });

  it('a registry on a port: http://HOST:PORT, and the entry named HOST:PORT as image references name it', () => {
    const data = parse(edit(null, desired([{ ...HTTP_REGISTRY, host: 'registry.local:5000' }])).text) as { mirrors: Record<string, { endpoint: string[] }> };
    expect(data.mirrors['registry.local:5000']?.endpoint).toEqual(['http://registry.local:5000']);
  });

  it("a play's mirrors go first, each with its CA and skip_verify under its own host; push is noted as not configured", () => {
    const withMirrors = {
      ...HTTPS_REGISTRY,
      mirrors: [
        { url: 'https://cache.lab.local:8443/', capabilities: ['pull', 'resolve', 'push'] as const, skipVerify: false, ca: CA },
        { url: 'https://other.lab.local', capabilities: ['pull', 'resolve'] as const, skipVerify: true, ca: undefined },
      ],
    };
    const wanted = wantedRegistries(desired([withMirrors]), '/etc/rancher/k3s');
    expect(wanted.notes.join()).toMatch(/https:\/\/cache\.lab\.local:8443\/ is not used for pushes/);
    const data = parse(editRegistriesYaml(null, FILE, wanted.registries).text) as { mirrors: Record<string, { endpoint: string[] }>; configs: Record<string, { tls: Record<string, unknown> }> };
    expect(data.mirrors['harbor.lab.local']?.endpoint).toEqual(['https://cache.lab.local:8443/', 'https://other.lab.local']);
    expect(data.configs['cache.lab.local:8443']?.tls).toEqual({ ca_file: '/etc/rancher/k3s/dockhand/harbor.lab.local/mirror-1-ca.crt' });
    expect(data.configs['other.lab.local']?.tls).toEqual({ insecure_skip_verify: true });
    expect([...wanted.cas.keys()]).toEqual(['/etc/rancher/k3s/dockhand/harbor.lab.local/mirror-1-ca.crt', '/etc/rancher/k3s/dockhand/harbor.lab.local/ca.crt']);
  });

  it("brings dockhand's own entry back to what the play wants, and takes out what the play no longer asks", () => {
    const first = edit(null, BOTH).text;
    // harbor-http now has a CA instead of being insecure
    const second = edit(first, desired([{ ...HTTP_REGISTRY, insecure: false, ca: CA }, HTTPS_REGISTRY])).text;
    const data = parse(second) as { mirrors?: Record<string, unknown>; configs: Record<string, { tls: Record<string, unknown> }> };
    expect(data.mirrors).toBeUndefined();
    expect(data.configs['harbor-http.lab.local']?.tls).toEqual({ ca_file: '/etc/rancher/k3s/dockhand/harbor-http.lab.local/ca.crt' });
  });

  it("keeps someone else's entry for a play's registry: adds the endpoint and TLS the play asks, keeps its auth, rewrite and endpoints", () => {
    const before = 'mirrors:\n  harbor-http.lab.local:\n    endpoint:\n      - https://harbor-http.lab.local:443\n    rewrite:\n      "^a/(.*)": "b/$1"\nconfigs:\n  harbor-http.lab.local:\n    auth: {username: u, password: p}\n';
    const result = edit(before, desired([HTTP_REGISTRY]));
    const { removed } = changedLines(before, result.text);
    expect(removed).toEqual([]);
    const data = parse(result.text) as { mirrors: Record<string, { endpoint: string[]; rewrite: unknown }>; configs: Record<string, Record<string, unknown>> };
    expect(data.mirrors['harbor-http.lab.local']?.endpoint).toEqual(['https://harbor-http.lab.local:443', 'http://harbor-http.lab.local']);
    expect(data.configs['harbor-http.lab.local']).toEqual({ auth: { username: 'u', password: 'p' }, tls: { insecure_skip_verify: true } });
    expect(result.notes.join('\n')).toMatch(/was written by someone else/);
    // state: absent leaves someone else's entries
    const retired = edit(result.text, desired([{ ...HTTP_REGISTRY, state: 'absent' }]));
    expect(retired.text).toBe(result.text);
  });

  it('registry_mirrors with state: absent come out of a docker.io list, whoever wrote it', () => {
    const before = 'mirrors:\n  docker.io:\n    endpoint:\n      - https://keep.example.com\n      - https://old.example.com/ # retired\n';
    const after = edit(before, desired([], { retiredRegistryMirrors: ['https://OLD.example.com'] })).text;
    expect(after).toBe('mirrors:\n  docker.io:\n    endpoint:\n      - https://keep.example.com\n');
  });

  it('taking out the last entry of a section keeps the byte order mark and the comments after it (found by the property test)', () => {
    const owned = '\uFEFFconfigs:\n  "docker.io": # managed by dockhand\n  # about the next one\n';
    expect(edit(owned, desired([], { registryMirrors: ['https://m1.example.com'] })).text).toBe(
      '\uFEFF  # about the next one\nmirrors:\n  "docker.io": # managed by dockhand\n    endpoint:\n      - "https://m1.example.com"\n',
    );
  });

  it('a section that goes with its last entry keeps the comment and blank lines between its entries (found by the property test)', () => {
    const owned = 'configs:\n  "harbor-http.lab.local": # managed by dockhand\n  # about docker.io\n\n  "docker.io": # managed by dockhand\n  # about the next one\n';
    expect(edit(owned, desired([{ ...HTTP_REGISTRY, insecure: false }], { registryMirrors: ['https://m1.example.com'] })).text).toBe(
      '  # about docker.io\n\n  # about the next one\nmirrors:\n  "docker.io": # managed by dockhand\n    endpoint:\n      - "https://m1.example.com"\n',
    );
  });

  it('a value YAML 1.1 reads as a timestamp elsewhere in the file does not stop the edit', () => {
    const before = '# reviewed: yes\nupdated: 2024-01-02\nmirrors:\n  docker.io:\n    endpoint: [https://m.example]\n';
    expect(edit(before, BOTH).text.startsWith(before)).toBe(true);
  });

  it('an absent file that needs nothing stays absent; an emptied file keeps its comments', () => {
    expect(edit(null, desired([])).text).toBe('');
    const owned = '# registries\nmirrors:\n  "h.local": # managed by dockhand\n    endpoint:\n      - "http://h.local"\n';
    expect(edit(owned, desired([{ ...HTTP_REGISTRY, host: 'h.local', state: 'absent' }])).text).toBe('# registries\n');
  });
});

describe('registries.yaml dockhand refuses to edit, naming the file and line', () => {
  const refused = (text: string) => {
    try {
      edit(text, BOTH);
    } catch (error) {
      return refusal(FILE, error);
    }
    throw new Error('not refused');
  };

  it('invalid YAML (k3s would not start with it either)', () => {
    expect(refused('mirrors:\n  docker.io:\n    endpoint: [a\n')).toMatch(/^\/etc\/rancher\/k3s\/registries\.yaml:\d+: invalid YAML: .*fix it first \(k3s and RKE2 do not start/);
  });

  it('an unquoted * (the documentation: the asterisk MUST be quoted)', () => {
    expect(refused('mirrors:\n  *:\n    endpoint: [https://m]\n')).toBe(
      '/etc/rancher/k3s/registries.yaml:2: an unquoted * key: the wildcard must be quoted ("*":): fix it first (k3s and RKE2 do not start with a registries.yaml they cannot read)',
    );
  });

  it('a file that is not a mapping, or whose mirrors is a list', () => {
    expect(refused('- mirrors\n')).toMatch(/registries\.yaml:1: .*is not a mapping/);
    expect(refused('mirrors:\n  - docker.io\n')).toMatch(/registries\.yaml:2: mirrors is not a mapping/);
  });

  it('a layout dockhand does not edit: a flow mapping with entries, an alias', () => {
    expect(refused('mirrors: {docker.io: {endpoint: [https://m]}}\n')).toMatch(/registries\.yaml:1: mirrors is written in flow style .*make the change by hand/);
    expect(refused('base: &b {endpoint: [https://m]}\nmirrors:\n  harbor-http.lab.local: *b\n')).toMatch(/registries\.yaml:3: mirrors\.harbor-http\.lab\.local is a YAML alias/);
  });

  it("an endpoint that is not a list, in someone else's entry: refused, not replaced (k3s would not start with it)", () => {
    expect(refused('mirrors:\n  harbor-http.lab.local:\n    endpoint: "https://mine.example"\n')).toMatch(
      /registries\.yaml:3: mirrors\.harbor-http\.lab\.local\.endpoint is not a list: fix it first/,
    );
  });

  it('an end-of-document marker (...): nothing is added past it', () => {
    expect(refused('---\nmirrors: {}\n...\n')).toMatch(/registries\.yaml:3: an end-of-document marker \(\.\.\.\).*make the change by hand/);
  });

  it('a second YAML document', () => {
    expect(refused('mirrors: {}\n---\nconfigs: {}\n')).toMatch(/holds 2 YAML documents/);
  });

  it('is a YamlEditError, nothing else', () => {
    expect(() => edit('mirrors: [', BOTH)).toThrow(YamlEditError);
  });
});
