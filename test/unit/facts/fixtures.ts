/** Loads golden fixtures `{ name, output: string[] (lines), expected }` from fixtures/<dir>. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Fixture<T> {
  readonly file: string;
  readonly name: string;
  readonly output: string;
  readonly expected: T;
}

/** Every fixture in fixtures/<dir>, sorted by file name; `output` is the lines joined with newlines. */
export function loadFixtures<T>(dir: string): Fixture<T>[] {
  const base = join(import.meta.dirname, 'fixtures', dir);
  return readdirSync(base)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const json = JSON.parse(readFileSync(join(base, file), 'utf8')) as { name: string; output: string[]; expected: T };
      return { file, name: json.name, output: json.output.join('\n'), expected: json.expected };
    });
}
