// The protocol and format layers sit below the runtimes: nothing under src/cri/ or src/formats/ imports
// src/runtimes/, src/converge/ or src/report/ (a runtime may use them; they never know a runtime).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const src = path.join(import.meta.dirname, '..', '..', '..', 'src');
const LOWER = ['cri', 'formats'];
const ABOVE = ['runtimes', 'converge', 'report'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.join(e.parentPath, e.name));
}

/** Every module a file names: static imports and re-exports, side-effect imports, dynamic import(). */
function importedSpecifiers(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)(['"])([^'"]+)\1/gm)) found.push(m[2]!);
  return found;
}

/** The modules a file loads as it is loaded: static imports and re-exports, not `import type`, not import(). */
function loadedSpecifiers(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/^(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s*)?(['"])([^'"]+)\1/gm)) found.push(m[2]!);
  return found;
}

/** Every file and package reached from `file` by loadedSpecifiers, recursively. */
function loadedFrom(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  for (const s of loadedSpecifiers(readFileSync(file, 'utf8'))) {
    if (s.startsWith('.')) loadedFrom(path.resolve(path.dirname(file), s), seen);
    else seen.add(s);
  }
  return seen;
}

/** The src/ folder a relative specifier lands in; null for a package. */
function landsIn(file: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const target = path.relative(src, path.resolve(path.dirname(file), specifier));
  return target.startsWith('..') ? null : (target.split(path.sep)[0] ?? null);
}

describe('layering of src/cri and src/formats', () => {
  it('finds the imports it checks (static, re-export, dynamic, side effect)', () => {
    const text = "import a from './a.ts';\nexport { b } from \"../b.ts\";\nconst c = await import('./c.ts');\nimport './d.ts';\n";
    expect(importedSpecifiers(text)).toEqual(['./a.ts', '../b.ts', './c.ts', './d.ts']);
    expect(landsIn(path.join(src, 'cri', 'x.ts'), '../runtimes/containerd/plan.ts')).toBe('runtimes');
  });

  it('tells what a file loads from what it only names as a type or imports on demand', () => {
    const text = "import type { A } from './a.ts';\nimport { b, type C } from './b.ts';\nexport type { D } from './d.ts';\nexport { e } from './e.ts';\nconst f = await import('./f.ts');\nimport './g.ts';\n";
    expect(loadedSpecifiers(text)).toEqual(['./b.ts', './e.ts', './g.ts']);
  });

  it('src/cri/index.ts loads connect and protobuf-es only when a call is made (a check never pays for them)', () => {
    const loaded = [...loadedFrom(path.join(src, 'cri', 'index.ts'))];
    expect(loaded.filter((m) => m.startsWith('@connectrpc/') || m.startsWith('@bufbuild/') || m.includes(`${path.sep}gen${path.sep}`))).toEqual([]);
    expect(loaded).toContain(path.join(src, 'cri', 'client.ts'));
  });

  for (const layer of LOWER) {
    it(`nothing under src/${layer}/ imports ${ABOVE.map((a) => `src/${a}/`).join(', ')}`, () => {
      const files = sourceFiles(path.join(src, layer));
      expect(files.length).toBeGreaterThan(0);
      const offending = files.flatMap((file) =>
        importedSpecifiers(readFileSync(file, 'utf8'))
          .filter((s) => ABOVE.includes(landsIn(file, s) ?? ''))
          .map((s) => `${path.relative(src, file)} imports ${s}`));
      expect(offending).toEqual([]);
    });
  }
});
