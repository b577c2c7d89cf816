import { fileURLToPath } from 'node:url';
import { parsePlaybook, PlaybookError } from '../../../src/playbook/index.ts';

/** Absolute path of a fixture file. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

/** The lines of the PlaybookError `text` is refused with (as file `site.yml`); fails when it is accepted. */
export async function refusal(text: string): Promise<string[]> {
  const error = await parsePlaybook(text, 'site.yml').catch((e: unknown) => e);
  if (!(error instanceof PlaybookError)) throw new Error(`expected a PlaybookError, got ${String(error)}`);
  return error.message.split('\n');
}
