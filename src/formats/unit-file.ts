/** Reads `Environment=` from systemd unit files and drop-ins (systemd.syntax(7) line rules). */
import { splitAssignment, splitQuotedWords } from './shell-words.ts';

/** One `Key=Value` setting of a unit file, with its `[Section]`. */
export interface UnitSetting {
  readonly section: string;
  readonly key: string;
  readonly value: string;
}

/** Logical settings of a unit file: comments skipped, a trailing backslash joins the next line with a space. */
export function parseUnitFile(text: string): UnitSetting[] {
  const settings: UnitSetting[] = [];
  let section = '';
  let pending: string | null = null;
  for (const raw of text.replace(/\r\n/g, '\n').split('\n')) {
    const trimmed = raw.trim();
    if (trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    const line: string = pending === null ? raw : pending + raw;
    if (endsWithUnescapedBackslash(line)) {
      pending = line.slice(0, -1) + ' ';
      continue;
    }
    pending = null;
    const logical = line.trim();
    if (logical === '') continue;
    if (logical.startsWith('[') && logical.endsWith(']')) {
      section = logical.slice(1, -1);
      continue;
    }
    const assignment = splitAssignment(logical);
    if (assignment !== null) settings.push({ section, key: assignment[0].trim(), value: assignment[1].trim() });
  }
  if (pending !== null && pending.trim() !== '') {
    const assignment = splitAssignment(pending.trim());
    if (assignment !== null) settings.push({ section, key: assignment[0].trim(), value: assignment[1].trim() });
  }
  return settings;
}

function endsWithUnescapedBackslash(line: string): boolean {
  let escaped = false;
  for (const c of line) escaped = escaped ? false : c === '\\';
  return escaped;
}

/** The environment that `Environment=` lines in the [Service] section of `files` (in order) produce; an empty value resets it. */
export function unitEnvironment(files: readonly string[]): Record<string, string> {
  let env: Record<string, string> = {};
  for (const text of files) {
    for (const { section, key, value } of parseUnitFile(text)) {
      if (section !== 'Service' || key !== 'Environment') continue;
      if (value === '') {
        env = {};
        continue;
      }
      for (const word of splitQuotedWords(value.replaceAll('%%', '%'))) {
        const assignment = splitAssignment(word);
        if (assignment !== null) env[assignment[0]] = assignment[1];
      }
    }
  }
  return env;
}
