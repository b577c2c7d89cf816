/**
 * A play derived from an installer's settings, built as the YAML a user could have written (and can save
 * with --print-play), then read by the real playbook loader: one validator judges hand-written and
 * derived plays. Its findings are reported against the installer's own file, line and field.
 */
import { isIP } from 'node:net';
import { isAbsolute, relative } from 'node:path';
import { Document, isNode, isScalar, isSeq, visit } from 'yaml';
import { PlaybookError, parsePlaybook } from '../playbook/index.ts';
import type { Playbook } from '../playbook/types.ts';
import { IssueList, where, type FieldOrigin } from './issues.ts';

/** A play under construction: its YAML keys, and for each path it sets (`registries[0].ca`) the field it came from. */
export interface DerivedPlay {
  /** Header comment lines (without `#`). */
  readonly header: readonly string[];
  /** The play, in the playbook format's own keys. */
  readonly play: Record<string, unknown>;
  /** Play path as the playbook loader writes it (`registries[0].ca`, `insecure_registries[1]`) → where it came from. */
  readonly origins: ReadonlyMap<string, FieldOrigin>;
  /** Installer secrets met on the way (registry passwords): for the redactor. */
  readonly secrets: readonly string[];
  /** The files holding those secrets. */
  readonly secretFiles: readonly string[];
  /** What the user should hear that does not stop the run. */
  readonly warnings: readonly string[];
}

export interface LoadedDerivedPlay {
  readonly playbook: Playbook;
  /** The play as YAML, with comments naming where each part came from. */
  readonly text: string;
  readonly secrets: readonly string[];
  readonly secretFiles: readonly string[];
}

/** The play as YAML text: a header, then above each list entry the installer's fields it came from. */
export function renderDerivedPlay(derived: DerivedPlay): string {
  const doc = new Document(derived.play);
  doc.commentBefore = derived.header.map((line) => ` ${line}`).join('\n');
  visit(doc, {
    Pair: (_, pair) => {
      const key = isScalar(pair.key) ? pair.key.value : undefined;
      if ((key === 'runtimes' || key === 'capabilities') && isSeq(pair.value)) pair.value.flow = true;
    },
  });
  const fields = new Map<string, FieldOrigin[]>();
  for (const [path, origin] of derived.origins) {
    // the list entry a path is (`registries[0]`) or is a field of (`registries[0].ca`)
    const entry = /^(.*\[\d+\])(?:\.[A-Za-z_]+)?$/.exec(path)?.[1];
    if (entry !== undefined) fields.set(entry, [...(fields.get(entry) ?? []), origin]);
  }
  for (const [entry, list] of fields) {
    // one line per field of the installer's file, not one per part of it
    const roots = list.filter((a, i) => !list.some((b, j) => j !== i && b.file === a.file && a.path !== b.path && (a.path.startsWith(`${b.path}.`) || a.path.startsWith(`${b.path}[`))));
    const lines = [...new Set(roots.map((origin) => ` ${origin.path} (${shortWhere(origin)})`))];
    const node = doc.getIn(parsePath(entry), true);
    if (isNode(node)) node.commentBefore = lines.join('\n');
  }
  return doc.toString({ lineWidth: 0 });
}

/** file:line, the file relative to the working directory when it lies below it. */
function shortWhere(origin: FieldOrigin): string {
  const file = relative(process.cwd(), origin.file);
  return where({ file: file.startsWith('..') || isAbsolute(file) ? origin.file : file, line: origin.line });
}

/**
 * Loads the derived play through the playbook loader. `name` stands for the play in messages that cannot
 * be traced to a field; every other finding names the installer's file, line and field.
 */
export async function loadDerivedPlay(derived: DerivedPlay, name: string): Promise<LoadedDerivedPlay> {
  const text = renderDerivedPlay(derived);
  let playbook: Playbook;
  try {
    playbook = await parsePlaybook(text, name);
  } catch (error) {
    if (!(error instanceof PlaybookError)) throw error;
    const issues = new IssueList();
    for (const issue of error.issues) {
      const origin = issue.path === undefined ? undefined : originOf(derived.origins, issue.path);
      const suffix = issue.path === undefined ? '' : ` (in the derived play: ${issue.path})`;
      issues.add(origin ?? { file: name, line: undefined, path: issue.path ?? 'the play' }, `${issue.message}${suffix}`);
    }
    issues.throwIfAny('E_PLAYBOOK');
    throw error;
  }
  const warnings = playbook.warnings.map((warning) => traceWarning(warning, name, derived.origins));
  return { playbook: { ...playbook, warnings: [...derived.warnings, ...warnings, ...unpinned(playbook, derived.origins)] }, text, secrets: derived.secrets, secretFiles: derived.secretFiles };
}

/**
 * A registry the installer leaves to DNS (the derived play pins no address for it) is reached only where
 * its name resolves on the nodes: say so, against the installer's field. Docker Hub and addresses need no name.
 */
function unpinned(playbook: Playbook, origins: ReadonlyMap<string, FieldOrigin>): string[] {
  return playbook.plays.flatMap((play) =>
    play.registries.flatMap((registry, index) => {
      const name = registry.host.replace(/:\d+$/, '');
      if (registry.state === 'absent' || registry.ip !== undefined || name === 'docker.io' || isIP(name.replace(/^\[|\]$/g, '')) !== 0) return [];
      const origin = originOf(origins, `registries[${index}].host`);
      const at = origin === undefined ? '' : `${where(origin)}: ${origin.path}: `;
      return [`${at}${registry.host} is not pinned in /etc/hosts (the derived play gives it no address): its name must resolve on the nodes (DNS), or they cannot reach it`];
    }),
  );
}

/** The origin of the longest recorded path that `path` is or lies under. */
function originOf(origins: ReadonlyMap<string, FieldOrigin>, path: string): FieldOrigin | undefined {
  let best: [string, FieldOrigin] | undefined;
  for (const entry of origins) {
    const [key] = entry;
    const under = path === key || path.startsWith(`${key}.`) || path.startsWith(`${key}[`);
    if (under && (best === undefined || key.length > best[0].length)) best = entry;
  }
  return best?.[1];
}

/** A loader warning (`NAME:LINE: PATH: text`) told against the installer's field instead. */
function traceWarning(warning: string, name: string, origins: ReadonlyMap<string, FieldOrigin>): string {
  if (!warning.startsWith(`${name}:`)) return warning;
  const match = /^:\d*:? ?([^:]+): ([\s\S]*)$/.exec(warning.slice(name.length));
  const origin = match?.[1] === undefined ? undefined : originOf(origins, match[1]);
  if (match === undefined || match === null || origin === undefined) return warning;
  return `${where(origin)}: ${origin.path}: ${match[2]}`;
}

/** `registries[0].mirrors[1].ca` → ['registries', 0, 'mirrors', 1, 'ca']. */
function parsePath(path: string): (string | number)[] {
  const segments: (string | number)[] = [];
  for (const match of path.matchAll(/([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]/g)) {
    if (match[1] !== undefined) segments.push(match[1]);
    else segments.push(Number(match[2]));
  }
  return segments;
}
