import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { editContainerdConfig, readContainerdConfig } from '../../../../src/runtimes/containerd/config-toml.ts';

const CRI = 'plugins."io.containerd.grpc.v1.cri"';
const DIR = '/etc/containerd/certs.d';

type UnitKind = 'unrelated' | 'plugin-table' | 'other-plugin' | 'mirror' | 'tls' | 'auth' | 'registry';

interface Unit {
  kind: UnitKind;
  /** Comment lines right above the header: they stay even when the table goes. */
  leading: string[];
  header: string;
  /** Keys and comment lines inside the table; comments only come before its last key. */
  body: string[];
  blanksAfter: number;
  /** The registry the unit names (mirror, tls). */
  host?: string;
}

/** One table with its comments, named uniquely by `id`. */
function unit(kind: UnitKind, id: number, indent: string, leadingCount: number, keyCount: number, comments: number, blanksAfter: number): Unit {
  const leading = Array.from({ length: leadingCount }, (_, i) => `${indent}# leading ${id}.${i}`);
  // Deprecated tables hold only the keys dockhand carries over; the others hold any keys.
  const plainKeys = kind === 'mirror' || kind === 'tls' ? 0 : keyCount;
  const keys = Array.from({ length: plainKeys }, (_, i) => `${indent}  k${i} = ${id}${i}`);
  let header: string;
  let host: string | undefined;
  if (kind === 'unrelated') header = `[extra.t${id}]`;
  else if (kind === 'plugin-table') header = `[${CRI}.x${id}]`;
  else if (kind === 'other-plugin') header = `[plugins."io.containerd.internal.v1.p${id}"]`;
  else if (kind === 'registry') header = `[${CRI}.registry]`;
  else if (kind === 'auth') {
    header = `[${CRI}.registry.configs."a${id}.example.com".auth]`;
    keys.push(`${indent}  username = "u${id}"`);
  } else if (kind === 'mirror') {
    host = `m${id}.example.com`;
    header = `[${CRI}.registry.mirrors."${host}"]`;
    keys.push(`${indent}  endpoint = ["https://mirror${id}.example.com"]`);
  } else {
    host = `t${id}.example.com`;
    header = `[${CRI}.registry.configs."${host}".tls]`;
    keys.push(`${indent}  ca_file = "/etc/pki/t${id}.crt"`);
  }
  // Comment lines go among the keys, never after the last one (there they would be the next table's).
  const body = [...keys];
  for (let i = 0; i < comments && body.length > 0; i++) body.splice(i % body.length, 0, `${indent}  # inside ${id}.${i}`);
  return { kind, leading, header: indent + header, body, blanksAfter, host };
}

const unitArb = (id: number) =>
  fc
    .record({
      kind: fc.constantFrom<UnitKind>('unrelated', 'plugin-table', 'other-plugin', 'mirror', 'tls', 'auth', 'mirror', 'tls'),
      indent: fc.constantFrom('', '  ', '    '),
      leading: fc.nat(2),
      keys: fc.nat(2),
      comments: fc.nat(2),
      blanks: fc.nat(2),
    })
    .map((u) => unit(u.kind, id, u.indent, u.leading, u.keys, u.comments, u.blanks));

const fileArb = fc.record({
  units: fc.array(fc.nat(), { maxLength: 8 }).chain((ids) => fc.tuple(...ids.map((_, i) => unitArb(i + 1)))),
  registryHeader: fc.option(fc.constantFrom('', 'config_path = ""'), { nil: undefined }),
  registryAt: fc.nat(8),
  lineBreak: fc.constantFrom('\n', '\r\n'),
  finalBreak: fc.boolean(),
  bom: fc.boolean(),
});

const isRemoved = (u: Unit) => u.kind === 'mirror' || u.kind === 'tls';

describe('editContainerdConfig (property)', () => {
  it('keeps every line outside the removed tables byte for byte, and a second edit changes nothing', () => {
    fc.assert(
      fc.property(fileArb, ({ units, registryHeader, registryAt, lineBreak, finalBreak, bom }) => {
        const all = [...units];
        if (registryHeader !== undefined) {
          const registry = unit('registry', 0, '', 0, 0, 0, 1);
          registry.body = registryHeader === '' ? [] : [`  ${registryHeader}`];
          all.splice(Math.min(registryAt, all.length), 0, registry);
        }
        const lines = ['version = 2', ''];
        for (const u of all) lines.push(...u.leading, u.header, ...u.body, ...Array<string>(u.blanksAfter).fill(''));
        const text = (bom ? '\uFEFF' : '') + lines.join(lineBreak) + (finalBreak ? lineBreak : '');

        const result = editContainerdConfig(text, { configPath: DIR, containerdVersion: '1.7.24' });
        expect(result.blockers).toEqual([]);
        const out = result.text!;
        expect(out.startsWith('\uFEFF')).toBe(bom);
        const last = all.at(-1);
        const lastLineRemoved = last !== undefined && isRemoved(last) && last.blanksAfter === 0;
        if (!lastLineRemoved) expect(out.endsWith(lineBreak)).toBe(text.endsWith(lineBreak));
        if (lineBreak === '\r\n') expect(out.replace(/\r\n/g, '')).not.toContain('\n');
        const outLines = out.replace(/^\uFEFF/, '').split(lineBreak);

        // The one line that changes in place: an empty config_path gets its value.
        const setInPlace = '  config_path = ""';
        if (registryHeader === setInPlace.trim()) expect(outLines).toContain(`  config_path = "${DIR}"`);
        const kept = ['version = 2', ...all.flatMap((u) => (isRemoved(u) ? u.leading : [...u.leading, u.header, ...u.body]))].filter(
          (line) => line !== setInPlace,
        );
        let at = 0;
        for (const line of kept) {
          const found = outLines.indexOf(line, at);
          expect(found, `kept line ${JSON.stringify(line)} in order`).toBeGreaterThanOrEqual(0);
          at = found + 1;
        }
        for (const line of all.filter(isRemoved).flatMap((u) => [u.header, ...u.body])) expect(outLines).not.toContain(line);

        const facts = readContainerdConfig(out);
        expect(facts).toMatchObject({ valid: true, configPath: DIR, legacyMirrors: [], legacyTls: [] });
        expect([...result.migrated.keys()].sort()).toEqual(all.filter(isRemoved).map((u) => u.host!).sort());
        expect(editContainerdConfig(out, { configPath: DIR, containerdVersion: '1.7.24' })).toEqual({ text: out, migrated: new Map(), blockers: [] });
      }),
      { numRuns: 300 },
    );
  });
});
