/** Parses `systemctl show -p ...` output (old `[unprintable]` and new shell-quoted forms). */
import { splitAssignment } from './shell-words.ts';
import { systemdWords } from './unit-text.ts';

/** Property name → every value printed for it, in order (ExecStart and EnvironmentFiles repeat). */
export function parseSystemctlShow(text: string): Map<string, string[]> {
  const props = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const assignment = splitAssignment(line.trimEnd());
    if (assignment === null || !/^[A-Za-z][A-Za-z0-9]*$/.test(assignment[0])) continue;
    const [name, value] = assignment;
    const values = props.get(name);
    if (values === undefined) props.set(name, [value]);
    else values.push(value);
  }
  return props;
}

/** The first value of a property, or null when it is missing or empty. */
export function showValue(props: ReadonlyMap<string, string[]>, name: string): string | null {
  const value = props.get(name)?.[0];
  return value === undefined || value === '' ? null : value;
}

/**
 * The argv text of one `ExecStart={ path=... ; argv[]=... ; ignore_errors=... ; ... }` value
 * (systemd joins argv with single spaces, variables unexpanded); null for an empty value.
 */
export function parseExecStartArgv(value: string): string | null {
  const match = /argv\[\]=(.*?) ; (?:ignore_errors|flags)=/.exec(value);
  if (match) return match[1] ?? null;
  const trimmed = value.trim();
  return trimmed === '' || trimmed.startsWith('{') ? null : trimmed;
}

/** The `Environment=` property: variables, plus whether systemd hid any value as `[unprintable]`. */
export function parseEnvironmentProperty(value: string | null): { env: Record<string, string>; unprintable: boolean } {
  const env: Record<string, string> = {};
  let unprintable = false;
  for (const word of systemdWords(value ?? '')) {
    const assignment = splitAssignment(word);
    if (assignment === null) unprintable ||= word === '[unprintable]';
    else env[assignment[0]] = assignment[1];
  }
  return { env, unprintable };
}

/** Paths from `EnvironmentFiles=/etc/default/docker (ignore_errors=yes)` lines. */
export function parseEnvironmentFiles(values: readonly string[]): string[] {
  return values.map((v) => v.replace(/ \(ignore_errors=[a-z]+\)$/, '').trim()).filter((v) => v !== '');
}
