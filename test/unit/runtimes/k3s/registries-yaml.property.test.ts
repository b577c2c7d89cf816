/**
 * Property: whatever a registries.yaml looks like (quoting, indentation, list styles, comments, blank
 * lines, CRLF, a byte order mark), an edit changes only the entries of the registries the plays name:
 * every other line stays byte for byte, in order; the data of every other entry is the same after as
 * before; a line of someone else's entry goes only where dockhand replaces its own setting in it; and
 * a second edit changes nothing.
 */
import fc from 'fast-check';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { RegistrySpec } from '../../../../src/playbook/types.ts';
import { editRegistriesYaml } from '../../../../src/runtimes/k3s/registries-yaml.ts';
import { wantedRegistries } from '../../../../src/runtimes/k3s/wanted.ts';
import { CA, desired } from './helpers.ts';

const FILE = '/etc/rancher/k3s/registries.yaml';
const HOSTS = ['harbor-http.lab.local', 'harbor.lab.local', 'reg.local:5000', 'docker.io', 'quay.io'];
const DOCKHAND_CA = (host: string) => `/etc/rancher/k3s/dockhand/${host}/ca.crt`;

interface Entry {
  host: string;
  quote: 'plain' | 'double' | 'single';
  owned: boolean;
  endpoints: string[] | null;
  listStyle: 'indented' | 'flush' | 'flow';
  rewrite: boolean;
  auth: boolean;
  caFile: string | null;
  skipVerify: boolean;
  comment: boolean;
  blankAfter: boolean;
}

interface Doc {
  eol: '\n' | '\r\n';
  bom: boolean;
  indent: 2 | 4;
  header: boolean;
  order: ('mirrors' | 'configs' | 'other')[];
  mirrors: Entry[];
  configs: Entry[];
}

const entry = fc.record({
  host: fc.constantFrom(...HOSTS),
  quote: fc.constantFrom('plain', 'double', 'single'),
  owned: fc.boolean(),
  endpoints: fc.option(fc.array(fc.constantFrom('https://m1.example.com', 'http://harbor-http.lab.local', 'https://m2.example.com:5000/', '"https://m3.example.com"'), { minLength: 1, maxLength: 3 }), { nil: null }),
  listStyle: fc.constantFrom('indented', 'flush', 'flow'),
  rewrite: fc.boolean(),
  auth: fc.boolean(),
  caFile: fc.option(fc.constantFrom('/etc/ssl/mine.crt', 'DOCKHAND'), { nil: null }),
  skipVerify: fc.boolean(),
  comment: fc.boolean(),
  blankAfter: fc.boolean(),
}) as fc.Arbitrary<Entry>;

const uniqueEntries = fc.uniqueArray(entry, { selector: (e) => e.host, maxLength: 4 });

const doc: fc.Arbitrary<Doc> = fc.record({
  eol: fc.constantFrom('\n', '\r\n'),
  bom: fc.boolean(),
  indent: fc.constantFrom(2, 4),
  header: fc.boolean(),
  order: fc.shuffledSubarray(['mirrors', 'configs', 'other'] as ('mirrors' | 'configs' | 'other')[], { minLength: 0 }),
  mirrors: uniqueEntries,
  configs: uniqueEntries,
}) as fc.Arbitrary<Doc>;

const key = (e: Entry) => (e.quote === 'plain' ? e.host : e.quote === 'double' ? `"${e.host}"` : `'${e.host}'`);

/** The text of a document, and for each entry the lines it spans (0-based, inclusive start, exclusive end). */
function render(d: Doc): { text: string; spans: { section: string; host: string; owned: boolean; from: number; to: number }[] } {
  const lines: string[] = [];
  const spans: { section: string; host: string; owned: boolean; from: number; to: number }[] = [];
  const p = ' '.repeat(d.indent);
  if (d.header) lines.push('# registries for this node', '');
  for (const section of d.order) {
    if (section === 'other') {
      lines.push('other:', `${p}value: 1 # not k3s's`);
      continue;
    }
    const entries = section === 'mirrors' ? d.mirrors : d.configs;
    lines.push(entries.length === 0 ? `${section}: {}` : `${section}:`);
    for (const e of entries) {
      const from = lines.length;
      const owned = e.owned && e.quote === 'double';
      lines.push(`${p}${key(e)}:${owned ? ' # managed by dockhand' : ''}`);
      if (section === 'mirrors') {
        if (e.endpoints !== null) {
          if (e.listStyle === 'flow') lines.push(`${p}${p}endpoint: [${e.endpoints.join(', ')}]`);
          else {
            lines.push(`${p}${p}endpoint:`);
            const itemPad = e.listStyle === 'indented' ? `${p}${p}${p}` : `${p}${p}`;
            for (const url of e.endpoints) lines.push(`${itemPad}- ${url}`);
          }
        }
        if (e.rewrite) lines.push(`${p}${p}rewrite:`, `${p}${p}${p}"^rancher/(.*)": "mirror/$1"`);
      } else {
        if (e.auth) lines.push(`${p}${p}auth:`, `${p}${p}${p}username: robot`, `${p}${p}${p}password: hunter22 # secret`);
        if (e.caFile !== null || e.skipVerify) {
          lines.push(`${p}${p}tls:`);
          if (e.caFile !== null) lines.push(`${p}${p}${p}ca_file: ${e.caFile === 'DOCKHAND' ? DOCKHAND_CA(e.host) : e.caFile}`);
          if (e.skipVerify) lines.push(`${p}${p}${p}insecure_skip_verify: true`);
        }
      }
      spans.push({ section, host: e.host, owned, from, to: lines.length });
      if (e.comment) lines.push(`${p}# about the next one`);
      if (e.blankAfter) lines.push('');
    }
  }
  const text = lines.length === 0 ? '' : `${lines.join(d.eol)}${d.eol}`;
  return { text: d.bom ? `\uFEFF${text}` : text, spans };
}

const registry = fc.record({
  host: fc.constantFrom('harbor-http.lab.local', 'harbor.lab.local', 'reg.local:5000', 'quay.io'),
  insecure: fc.boolean(),
  withCa: fc.boolean(),
  absent: fc.boolean(),
});

const plays = fc.record({
  registries: fc.uniqueArray(registry, { selector: (r) => r.host, maxLength: 3 }),
  hubMirrors: fc.array(fc.constantFrom('https://m1.example.com', 'https://hub-cache.example.com'), { maxLength: 2 }),
});

describe('registries.yaml edits keep every byte the plays do not touch (property)', () => {
  it('only the named registries change; someone else entries lose no line but the settings dockhand replaces', () => {
    fc.assert(
      fc.property(doc, plays, (d, p) => {
        const { text, spans } = render(d);
        const specs: RegistrySpec[] = p.registries.map((r) => ({ host: r.host, ip: undefined, insecure: r.insecure, ca: r.withCa ? CA : undefined, state: r.absent ? 'absent' : 'present' }));
        const state = desired(specs, { registryMirrors: p.hubMirrors });
        const wanted = wantedRegistries(state, '/etc/rancher/k3s').registries;
        const touched = new Set([...wanted.mirrors.keys(), ...wanted.configs.keys(), ...wanted.managed, ...wanted.retired, ...wanted.retiredEndpoints.keys()]);
        const result = editRegistriesYaml(text, FILE, wanted).text;

        // a second run changes nothing
        expect(editRegistriesYaml(result, FILE, wanted).text).toBe(result);

        // every line outside the entries of the registries the plays name stays, in order; of someone
        // else's entry, every line but dockhand's own settings in it
        const original = text.replace(/^\uFEFF/, '').split(d.eol);
        if (original.at(-1) === '') original.pop();
        const resultLines = result.replace(/^\uFEFF/, '').split(d.eol);
        const sections = (parse(result) ?? {}) as Record<string, unknown>;
        const mustStay = original.filter((lineText, i) => {
          // an empty section gets its first entry: `mirrors: {}` becomes `mirrors:`
          if (/^(mirrors|configs): \{\}$/.test(lineText)) return false;
          // a section whose entries were all dockhand's goes with the last of them
          const section = /^(mirrors|configs):$/.exec(lineText)?.[1];
          if (section !== undefined && sections[section] === undefined) return false;
          const span = spans.find((s) => i >= s.from && i < s.to);
          if (span === undefined || !touched.has(span.host)) return true;
          return !span.owned && !/ca_file|^\s*tls:\s*$|endpoint:\s*\[|^\s*-\s/.test(lineText);
        });
        let next = 0;
        for (const lineText of mustStay) {
          const found = resultLines.indexOf(lineText, next);
          expect(found, `"${lineText}" is gone or out of order\n${text}\n---\n${result}`).toBeGreaterThanOrEqual(0);
          next = found + 1;
        }
        expect(result.startsWith('\uFEFF')).toBe(d.bom);

        // the data of every entry no play touches is the same
        const before = (parse(text) ?? {}) as Record<string, Record<string, unknown> | null>;
        const after = (parse(result) ?? {}) as Record<string, Record<string, unknown> | null>;
        for (const section of ['mirrors', 'configs'] as const) {
          for (const [host, value] of Object.entries(before[section] ?? {})) {
            if (!touched.has(host)) expect(after[section]?.[host], `${section}.${host}`).toEqual(value);
          }
        }
        expect(after['other']).toEqual(before['other']);
      }),
      { numRuns: 300 },
    );
  }, 120_000);
});
