/**
 * The DOCKER_OPTS drop-in (/etc/systemd/system/docker.service.d/docker-options.conf): registry
 * flags are added or removed inside the value that takes effect; every other byte of the file
 * survives (Kubespray's single Environment line with continuations, several Environment= lines,
 * other variables on the same line, comments).
 */
import {
  findRegistryFlags,
  formatFlag,
  sameFlagValue,
  tokenize,
  type RegistryFlag,
  type Token,
} from './flags.ts';
import { lastSection, parseAssignments, type UnitWord } from '../../formats/unit-text.ts';

export const DOCKER_OPTIONS_PATH = '/etc/systemd/system/docker.service.d/docker-options.conf';

/** The first line of a drop-in dockhand created: only such a file is ever deleted, and only as it wrote it. */
const CREATED_MARK = '# Written by dockhand for registry options; dockhand deletes this file once it sets none.\n';
/** Where the created file says which DOCKER_OPTS it carried over (its assignment replaces the unit's). */
const CARRIED_MARK = '# DOCKER_OPTS dockhand carried over from the unit: ';

export interface DockerOptsEdit {
  /** Flags that must be present. */
  readonly ensure: readonly RegistryFlag[];
  /** Flags that must be gone (registries now absent). */
  readonly remove: readonly RegistryFlag[];
}

/** The word of the file that sets DOCKER_OPTS and wins (the last one in [Service]). */
function effectiveWord(source: string): UnitWord | undefined {
  let found: UnitWord | undefined;
  for (const assignment of parseAssignments(source)) {
    if (assignment.section !== 'Service' || assignment.key !== 'Environment') continue;
    for (const word of assignment.words) if (word.value.startsWith('DOCKER_OPTS=')) found = word;
  }
  return found;
}

/** The DOCKER_OPTS value this file sets, or null when it sets none. */
export function dockerOptsIn(source: string | null): string | null {
  if (source === null) return null;
  const word = effectiveWord(source);
  return word ? word.value.slice('DOCKER_OPTS='.length) : null;
}

/** The registry flags a DOCKER_OPTS value carries. */
export function registryFlagsOf(value: string): RegistryFlag[] {
  return findRegistryFlags(tokenize(value)).map((found) => found.flag);
}

function has(flags: readonly RegistryFlag[], wanted: RegistryFlag): boolean {
  return flags.some((flag) => flag.name === wanted.name && sameFlagValue(flag.name, flag.value, wanted.value));
}

function quoteValue(value: string): string {
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/** Remove [start, end) and the blanks next to it; drop a continuation line left empty. */
function cut(text: string, start: number, end: number): string {
  let s = start;
  let e = end;
  if (text[e] === ' ' || text[e] === '\t') {
    while (text[e] === ' ' || text[e] === '\t') e += 1;
  } else {
    while (s > 0 && (text[s - 1] === ' ' || text[s - 1] === '\t')) s -= 1;
  }
  let result = text.slice(0, s) + text.slice(e);
  // a physical line that now holds only blanks and a continuation backslash goes
  const lineStart = result.lastIndexOf('\n', s - 1) + 1;
  const lineEnd = result.indexOf('\n', s);
  const line = result.slice(lineStart, lineEnd < 0 ? result.length : lineEnd);
  if (/^[ \t]*\\$/.test(line) && lineEnd >= 0) result = result.slice(0, lineStart) + result.slice(lineEnd + 1);
  return result;
}

function removeFlags(source: string, word: UnitWord, remove: readonly RegistryFlag[]): string {
  const valueStart = source.indexOf('DOCKER_OPTS=', word.start) + 'DOCKER_OPTS='.length;
  const valueEnd = word.quote ? word.end - 1 : word.end;
  const doomed: Token[][] = findRegistryFlags(tokenize(source, valueStart, valueEnd))
    .filter((found) => has(remove, found.flag))
    .map((found) => found.tokens);
  let text = source;
  for (const tokens of doomed.reverse()) {
    text = cut(text, tokens[0]!.start, tokens[tokens.length - 1]!.end);
  }
  return text;
}

function addFlags(source: string, word: UnitWord, add: readonly RegistryFlag[]): string {
  const addition = add.map(formatFlag).join(' ');
  if (word.quote) {
    const close = word.end - 1;
    const before = source.slice(0, close);
    const separator = /[\s=]$/.test(before) ? '' : ' ';
    return `${before}${separator}${addition}${source.slice(close)}`;
  }
  const value = word.value.slice('DOCKER_OPTS='.length);
  const joined = value === '' ? addition : `${value} ${addition}`;
  return `${source.slice(0, word.start)}${quoteValue(`DOCKER_OPTS=${joined}`)}${source.slice(word.end)}`;
}

/**
 * The drop-in's new content, or null for no file. `inherited` is the DOCKER_OPTS value in effect from
 * elsewhere (the unit, another drop-in), carried over when this file starts setting DOCKER_OPTS itself,
 * since its assignment replaces that value. A file dockhand creates is marked as its own; once it sets
 * nothing but what it carried over, exactly as dockhand wrote it, it is deleted (null).
 */
export function editDockerOptions(current: string | null, inherited: string | null, edit: DockerOptsEdit): string | null {
  const word = current === null ? undefined : effectiveWord(current);
  if (current !== null && word) {
    const afterRemoval = edit.remove.length > 0 ? removeFlags(current, word, edit.remove) : current;
    const present = registryFlagsOf(dockerOptsIn(afterRemoval) ?? '');
    const missing = dedupe(edit.ensure).filter((flag) => !has(present, flag));
    if (missing.length === 0) return emptiedCreation(afterRemoval) ? null : afterRemoval;
    return addFlags(afterRemoval, effectiveWord(afterRemoval)!, missing);
  }

  // This file does not set DOCKER_OPTS yet: its new assignment replaces the inherited value, so
  // carry that over. Nothing to remove: dockhand writes registry flags only to this file.
  const base = (inherited ?? '').trim();
  const missing = dedupe(edit.ensure).filter((flag) => !has(registryFlagsOf(base), flag));
  if (missing.length === 0) return current;
  const value = [base, ...missing.map(formatFlag)].filter((part) => part !== '').join(' ');
  const line = `Environment=${quoteValue(`DOCKER_OPTS=${value}`)}\n`;
  if (current === null) return `${created(base)}${line}`;
  const separator = current === '' || current.endsWith('\n') ? '' : '\n';
  const header = lastSection(current) === 'Service' ? '' : '[Service]\n';
  return `${current}${separator}${header}${line}`;
}

/** The head of a drop-in dockhand creates: its mark, what it carried over, the section. */
function created(carried: string): string {
  return `${CREATED_MARK}${carried === '' ? '' : `${CARRIED_MARK}${carried}\n`}[Service]\n`;
}

/**
 * A drop-in dockhand created that now sets nothing but what it carried over, byte for byte as dockhand would
 * write it: deleting it gives dockerd the same DOCKER_OPTS. A file anyone changed is not this.
 */
function emptiedCreation(text: string): boolean {
  if (!text.startsWith(CREATED_MARK)) return false;
  const carried = text.startsWith(CARRIED_MARK, CREATED_MARK.length) ? text.slice(CREATED_MARK.length + CARRIED_MARK.length).split('\n')[0]! : '';
  return text === `${created(carried)}Environment=${quoteValue(`DOCKER_OPTS=${carried}`)}\n`;
}

function dedupe(flags: readonly RegistryFlag[]): RegistryFlag[] {
  const unique: RegistryFlag[] = [];
  for (const flag of flags) if (!has(unique, flag)) unique.push(flag);
  return unique;
}
