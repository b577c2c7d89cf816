import fc from 'fast-check';
import { stringify } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { LayoutError, scanToml, statementPath, type TomlLayout } from '../../../../src/formats/toml/layout.ts';
import { isTable, parseToml, valueAt } from '../../../../src/formats/toml/read.ts';
import { fixture } from '../../runtimes/containerd/golden.ts';

function expectTiled(text: string, layout: TomlLayout): void {
  let at = 0;
  for (const s of layout.statements) {
    expect(s.start).toBe(at);
    expect(s.end).toBeGreaterThan(s.start);
    at = s.end;
  }
  expect(at).toBe(text.length);
}

describe('scanToml', () => {
  it('follows multi-line values: a header-looking line inside a string or an array is no header', () => {
    const text = [
      'a = """',
      '[not.a.table]',
      'b = "\\"""',
      '"""',
      "c = '''",
      "[neither]'''",
      'd = [ # comment',
      '  "x", # [nor]',
      '  { e = 1, f = [2, 3] },',
      ']',
      'when = 1979-05-27 07:32:00Z # a date and a time',
      '[t."u.v".\'w\']',
      'x.y = 1',
    ].join('\r\n');
    const layout = scanToml(text);
    expectTiled(text, layout);
    expect(layout.lineBreak).toBe('\r\n');
    expect(layout.endsWithLineBreak).toBe(false);
    expect(layout.statements.map((s) => [s.kind, statementPath(s).join('/')])).toEqual([
      ['key-value', 'a'],
      ['key-value', 'c'],
      ['key-value', 'd'],
      ['key-value', 'when'],
      ['table', 't/u.v/w'],
      ['key-value', 't/u.v/w/x/y'],
    ]);
    const d = layout.statements[2]!;
    expect(text.slice(d.valueStart, d.valueEnd)).toMatch(/^\[ # comment[\s\S]*\]$/);
  });

  it('records indentation, quoting and the value span of a key', () => {
    const text = "  [plugins.'io.containerd.cri.v1.images'.registry]\n    config_path = '' # unset\n";
    const [header, key] = scanToml(text).statements;
    expect(header).toMatchObject({ kind: 'table', indent: '  ', quote: "'", table: ['plugins', 'io.containerd.cri.v1.images', 'registry'] });
    expect(key).toMatchObject({ kind: 'key-value', indent: '    ', key: ['config_path'] });
    expect(text.slice(key!.valueStart, key!.valueEnd)).toBe("''");
  });

  it('decodes escapes in quoted keys', () => {
    const [s] = scanToml('"a\\u0041\\"b" = 1\n').statements;
    expect(s!.key).toEqual(['aA"b']);
  });

  it('throws a LayoutError on text it cannot follow', () => {
    expect(() => scanToml('a = "unterminated\n')).toThrow(LayoutError);
    expect(() => scanToml('[a\n')).toThrow(LayoutError);
  });

  // The hand-written scanner it replaced cut these into lines; smol-toml refuses them all, so an edit never
  // reaches the layout with them (config.toml is parsed first): the parser refusing them too changes nothing.
  it('refuses, as smol-toml does, text a line scanner could still cut: a duplicate key, a lone CR, a control character in a comment', () => {
    for (const text of ['a = 1\na = 2\n', '# a\rb = 1\n', '# \u0000\n', '# \u007f\n', 'b = 0x_1\n']) {
      expect(parseToml(text).ok, JSON.stringify(text)).toBe(false);
      expect(() => scanToml(text), JSON.stringify(text)).toThrow(LayoutError);
    }
  });

  it('names the line of what it cannot follow', () => {
    expect(() => scanToml('a = 1\n\nb = [1,\n')).toThrow(/^line 4: /);
  });

  it('tiles every fixture', () => {
    for (const name of ['containerd-1.7.24-config-default.toml', 'containerd-docs-cri-config-v2.toml', 'kubekey-v3.1.12-crlf.toml', 'edge-cases-bom-crlf.toml']) {
      const text = fixture(`input/${name}`).replace(/^\uFEFF/, '');
      expectTiled(text, scanToml(text));
    }
  });
});

const value = fc.oneof(fc.string({ unit: 'binary' }), fc.integer(), fc.boolean(), fc.array(fc.string(), { maxLength: 3 }), fc.array(fc.integer(), { maxLength: 3 }));
const document = fc.object({ key: fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }), values: [value], maxDepth: 3, maxKeys: 4 });

describe('scanToml (property)', () => {
  it('tiles any document and finds every key where the parser does', () => {
    fc.assert(
      fc.property(document, fc.constantFrom('\n', '\r\n'), (data, lineBreak) => {
        const text = stringify(data).replace(/\n/g, lineBreak);
        const parsed = parseToml(text);
        fc.pre(parsed.ok);
        const layout = scanToml(text);
        expectTiled(text, layout);
        const parsedData = parsed.ok ? parsed.data : {};
        // Below an array of tables a path names an element, which valueAt cannot follow: checked up to the array.
        const arrays = layout.statements.filter((s) => s.kind === 'array-table').map((s) => s.table.join('\0'));
        const underArray = (path: string[]) => path.some((_, i) => arrays.includes(path.slice(0, i + 1).join('\0')));
        for (const s of layout.statements) {
          if (s.kind === 'array-table') expect(Array.isArray(valueAt(parsedData, s.table)) || underArray(s.table.slice(0, -1))).toBe(true);
          if (underArray(s.table)) continue;
          if (s.kind === 'key-value') expect(valueAt(parsedData, statementPath(s))).not.toBeUndefined();
          if (s.kind === 'table') expect(isTable(valueAt(parsedData, s.table))).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
