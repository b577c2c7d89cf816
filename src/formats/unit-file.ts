/** The environment unit files and drop-ins give a service (systemd.exec(5) `Environment=`). */
import { splitAssignment } from './shell-words.ts';
import { parseAssignments } from './unit-text.ts';

/** The environment that `Environment=` lines in the [Service] section of `files` (in order) produce; an empty value resets it. */
export function unitEnvironment(files: readonly string[]): Record<string, string> {
  let env: Record<string, string> = {};
  for (const text of files) {
    for (const { section, key, words } of parseAssignments(text.replace(/\r\n/g, '\n'))) {
      if (section !== 'Service' || key !== 'Environment') continue;
      if (words.length === 0) {
        env = {};
        continue;
      }
      for (const word of words) {
        const assignment = splitAssignment(word.value.replaceAll('%%', '%'));
        if (assignment !== null) env[assignment[0]] = assignment[1];
      }
    }
  }
  return env;
}
