/**
 * The pull check: after apply, a node pulls a registry's image through each runtime configured there,
 * the way that runtime pulls for kubelet, and removes it again (unless it was there before).
 * Credentials come from environment variables the play names and never reach a command line.
 */
import type { Connection } from '../connection/types.ts';
import { InputError } from '../errors.ts';
import type { NodeFacts } from '../plan/facts.ts';
import type { Playbook, RegistrySpec, RegistryVerify } from '../playbook/types.ts';
import type { PullCredentials, Runtime } from '../runtimes/index.ts';

/** Read a pull check's credentials; every variable a play names must be set (checked before any node is touched). */
export function pullCredentials(verify: RegistryVerify, env: NodeJS.ProcessEnv = process.env): PullCredentials | undefined {
  if (verify.usernameEnv === undefined || verify.passwordEnv === undefined) return undefined;
  return { username: env[verify.usernameEnv] ?? '', password: env[verify.passwordEnv] ?? '' };
}

/** Refuse a run whose pull checks name environment variables that are not set. */
export function requirePullCredentials(playbook: Playbook, env: NodeJS.ProcessEnv = process.env): void {
  for (const play of playbook.plays) {
    for (const registry of play.registries) {
      for (const name of [registry.verify?.usernameEnv, registry.verify?.passwordEnv]) {
        if (name !== undefined && (env[name] ?? '') === '') {
          throw new InputError('E_USAGE', playbook.file, play.source.line, `registry ${registry.host}: verify needs the environment variable ${name}, which is not set`);
        }
      }
    }
  }
}

/** Pull each registry's check image on the node, through each runtime configured there: the images that passed, and the first failure as a message (or null). */
export async function runPullChecks(
  connection: Connection,
  registries: readonly RegistrySpec[],
  runtimes: readonly Runtime[],
  facts: NodeFacts,
): Promise<{ verified: string[]; failure: string | null }> {
  const verified: string[] = [];
  for (const registry of registries) {
    const verify = registry.verify;
    if (registry.state !== 'present' || verify === undefined) continue;
    const credentials = pullCredentials(verify);
    for (const runtime of runtimes) {
      const failure = await runtime.pullCheck(connection, verify.image, credentials, facts);
      if (failure !== null) return { verified, failure };
    }
    verified.push(verify.image);
  }
  return { verified, failure: null };
}
