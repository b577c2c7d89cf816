/** Parses /etc/os-release (os-release(5)) and decides the OS family. */
import { DockhandError } from '../errors.ts';
import { splitAssignment, splitQuotedWords } from '../formats/shell-words.ts';
import type { OsFamily, OsRelease } from '../plan/facts.ts';

const FAMILIES: Record<string, OsFamily> = {
  debian: 'debian',
  ubuntu: 'debian',
  rhel: 'rhel',
  centos: 'rhel',
  rocky: 'rhel',
  almalinux: 'rhel',
  fedora: 'rhel',
  ol: 'rhel',
};

/** Reads os-release assignments (quoted or not, comments skipped) into a map. */
export function parseOsReleaseVars(text: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const assignment = splitAssignment(line);
    if (assignment === null || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(assignment[0])) continue;
    vars.set(assignment[0], splitQuotedWords(assignment[1]).join(' '));
  }
  return vars;
}

/** The family for an ID, then for each ID_LIKE in order; null when none is supported. */
export function osFamily(id: string, idLike: readonly string[]): OsFamily | null {
  for (const candidate of [id, ...idLike]) {
    const family = FAMILIES[candidate];
    if (family !== undefined) return family;
  }
  return null;
}

/** Parses os-release text; defaults follow os-release(5) (ID=linux, PRETTY_NAME=Linux). */
export function parseOsRelease(text: string): OsRelease {
  const vars = parseOsReleaseVars(text);
  const id = vars.get('ID') || 'linux';
  const idLike = (vars.get('ID_LIKE') ?? '').split(/\s+/).filter((s) => s !== '');
  return {
    id,
    idLike,
    versionId: vars.get('VERSION_ID') || null,
    prettyName: vars.get('PRETTY_NAME') || 'Linux',
    family: osFamily(id, idLike),
  };
}

/** Returns the node's OS family or throws E_UNSUPPORTED_OS naming the node and its OS. */
export function requireFamily(osRelease: OsRelease, nodeName: string): OsFamily {
  if (osRelease.family !== null) return osRelease.family;
  throw new DockhandError(
    'E_UNSUPPORTED_OS',
    `${nodeName}: unsupported OS "${osRelease.prettyName}" (ID=${osRelease.id}, ID_LIKE=${osRelease.idLike.join(' ')}): ` +
      'dockhand supports the Debian and RHEL families',
  );
}
