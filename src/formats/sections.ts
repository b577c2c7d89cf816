/**
 * Splits FACTS_SCRIPT output into sections. Each section starts with a line
 * `@@dockhand:NAME@@` or `@@dockhand:NAME ARG@@`, always preceded by a newline the script
 * adds, so a section's content is byte-exact even when a file lacks a trailing newline.
 */
import { DockhandError } from '../errors.ts';

/** One delimited section of facts output. */
export interface Section {
  readonly name: string;
  readonly arg: string | null;
  readonly content: string;
}

const MARKER = /\n@@dockhand:([a-z0-9-]+)(?: ([^\n]*?))?@@(?:\n|$)/g;

/** Splits facts output into sections; text before the first marker is ignored. */
export function parseSections(stdout: string): Section[] {
  const text = '\n' + stdout.replace(/\r\n/g, '\n');
  const markers = [...text.matchAll(MARKER)];
  return markers.map((m, i) => {
    const start = m.index + m[0].length;
    const next = markers[i + 1];
    const end = next === undefined ? text.length : next.index;
    return { name: m[1] ?? '', arg: m[2] ?? null, content: text.slice(start, end) };
  });
}

/** Like parseSections, but throws E_REMOTE unless the output has both `begin` and `end` markers. */
export function parseCompleteSections(stdout: string): Section[] {
  const sections = parseSections(stdout);
  if (!sections.some((s) => s.name === 'begin')) {
    throw new DockhandError('E_REMOTE', 'facts output has no @@dockhand:begin@@ marker: the facts script did not run');
  }
  if (sections.at(-1)?.name !== 'end') {
    throw new DockhandError('E_REMOTE', 'facts output is truncated: no @@dockhand:end@@ marker');
  }
  return sections;
}

/** The content of the first section called `name`, or null when absent. */
export function sectionContent(sections: readonly Section[], name: string): string | null {
  return sections.find((s) => s.name === name)?.content ?? null;
}

/** Every section called `name`, in output order. */
export function sectionsNamed(sections: readonly Section[], name: string): Section[] {
  return sections.filter((s) => s.name === name);
}
