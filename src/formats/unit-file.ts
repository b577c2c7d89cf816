/** The environment unit files and drop-ins give a service (systemd.exec(5) `Environment=`). */
import { splitAssignment } from './shell-words.ts';
import { parseAssignments } from './unit-text.ts';

/** The environment and, for each variable, the file that set it last. */
export interface UnitEnvironment {
  readonly env: Record<string, string>;
  readonly source: Record<string, string>;
}

/**
 * The environment that `Environment=` lines in the [Service] section of `files` (in order) produce, with
 * the path that set each variable; an empty value resets it.
 */
export function unitEnvironmentOf(files: readonly { readonly path: string; readonly content: string }[]): UnitEnvironment {
  let env: Record<string, string> = {};
  let source: Record<string, string> = {};
  for (const { path, content } of files) {
    for (const { section, key, words } of parseAssignments(content.replace(/\r\n/g, '\n'))) {
      if (section !== 'Service' || key !== 'Environment') continue;
      if (words.length === 0) {
        env = {};
        source = {};
        continue;
      }
      for (const word of words) {
        const assignment = splitAssignment(word.value.replaceAll('%%', '%'));
        if (assignment === null) continue;
        env[assignment[0]] = assignment[1];
        source[assignment[0]] = path;
      }
    }
  }
  return { env, source };
}

/** The environment that `Environment=` lines in the [Service] section of `files` (in order) produce; an empty value resets it. */
export function unitEnvironment(files: readonly string[]): Record<string, string> {
  return unitEnvironmentOf(files.map((content) => ({ path: '', content }))).env;
}

/** One word of an `Environment=` line that sets NAME to VALUE, quoted as systemd reads it back (`%` is a specifier). */
export function environmentWord(name: string, value: string): string {
  return `"${`${name}=${value}`.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('%', '%%')}"`;
}
