/**
 * The house's layering, kept true: a runtime is a folder behind one interface; the core (facts,
 * planning, the node transaction, reports, the CLI) reaches runtimes only through their list and
 * interface and names none; runtimes sit below the core; shared types sit below both; the transport
 * knows nothing of reports; no two modules import each other, however far round.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RUNTIMES } from '../../src/runtimes/index.ts';

const SRC = resolve(import.meta.dirname, '..', '..', 'src');

function files(dir: string, ext: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? files(path, ext) : entry.name.endsWith(ext) ? [relative(SRC, path)] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;

/** Each module's imports of other modules under src/ (paths relative to src/). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files(SRC, '.ts')) {
    const text = readFileSync(join(SRC, file), 'utf8');
    const targets = [...text.matchAll(IMPORT)]
      .map((m) => m[1] ?? m[2] ?? m[3] ?? '')
      .filter((spec) => spec.startsWith('.'))
      .map((spec) => relative(SRC, resolve(SRC, dirname(file), spec)));
    graph.set(file, targets);
  }
  return graph;
}

const graph = importGraph();
const folder = (file: string) => file.split('/')[0] ?? '';
const CORE = ['facts', 'converge', 'node', 'report', 'cli'];
const RUNTIME_FACES = ['runtimes/index.ts', 'runtimes/runtime.ts'];

function offenders(rule: (from: string, to: string) => boolean): string[] {
  return [...graph].flatMap(([from, targets]) => targets.filter((to) => rule(from, to)).map((to) => `${from} -> ${to}`));
}

describe('the layering of src/', () => {
  it('the core reaches runtimes only through their list and interface', () => {
    expect(offenders((from, to) => CORE.includes(folder(from)) && folder(to) === 'runtimes' && !RUNTIME_FACES.includes(to))).toEqual([]);
  });

  it('runtimes sit below the core: no runtime imports facts/, converge/, report/ or cli/', () => {
    expect(offenders((from, to) => folder(from) === 'runtimes' && ['facts', 'converge', 'report', 'cli'].includes(folder(to)))).toEqual([]);
  });

  it('shared plan types, registry names and formats import nothing above them', () => {
    const below = ['plan', 'registry', 'formats'];
    expect(offenders((from, to) => below.includes(folder(from)) && [...CORE, 'runtimes'].includes(folder(to)))).toEqual([]);
  });

  it('the transport knows nothing of reports', () => {
    expect(offenders((from, to) => folder(from) === 'connection' && folder(to) === 'report')).toEqual([]);
  });

  it('no modules import each other, however far round', () => {
    const circles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        circles.push([...path.slice(path.indexOf(file)), file].join(' -> '));
        return;
      }
      state.set(file, 'open');
      for (const next of graph.get(file) ?? []) if (graph.has(next)) visit(next, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    expect(circles).toEqual([]);
  });
});

describe('a runtime is a folder', () => {
  it('each folder under src/runtimes/ is one runtime of the list, by the same name', () => {
    const folders = readdirSync(join(SRC, 'runtimes'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    expect(RUNTIMES.map((r) => r.name).sort()).toEqual(folders);
    for (const runtime of RUNTIMES) {
      expect(runtime.shell.startsWith(`runtimes/${runtime.name}/`), runtime.name).toBe(true);
      expect(runtime.facts.script.startsWith(`runtimes/${runtime.name}/`), runtime.name).toBe(true);
    }
  });

  it('the shell of the core (the transaction, the facts of the host, the state read) names no runtime', () => {
    const words = [...new Set(RUNTIMES.flatMap((r) => [r.name, ...r.aliases, r.daemon, r.title.toLowerCase()]))];
    const coreShell = files(SRC, '.sh').filter((file) => folder(file) !== 'runtimes');
    expect(coreShell).toContain('node/transaction/worker.sh');
    const named = coreShell.flatMap((file) => {
      const text = readFileSync(join(SRC, file), 'utf8').toLowerCase();
      return words.filter((word) => new RegExp(`(^|[^a-z0-9_])${word}([^a-z0-9_]|$)`).test(text)).map((word) => `${file}: ${word}`);
    });
    expect(named).toEqual([]);
  });

  it('each runtime defines the functions the transaction dispatches to', () => {
    for (const runtime of RUNTIMES) {
      const text = readFileSync(join(SRC, runtime.shell), 'utf8');
      for (const fn of ['validate', 'handler', 'lacking', 'report', 'journal']) {
        expect(text, `${runtime.shell} defines ${runtime.name}_${fn}`).toMatch(new RegExp(`^${runtime.name}_${fn}\\(\\) \\{`, 'm'));
      }
    }
  });
});
