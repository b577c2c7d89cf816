/**
 * The pull check: after apply, a node pulls a registry's image through each runtime configured there
 * (docker pull; containerd's CRI, as kubelet pulls) and removes it again (unless it was there before).
 * Credentials come from environment variables the play names; for Docker they travel on stdin into a
 * throwaway Docker config (mode 0600), for the CRI in the request body; never in a command line.
 */
import type { Connection } from '../connection/types.ts';
import { composeScript } from '../node/compose.ts';
import { nodeScript } from '../node/scripts.ts';
import { InputError } from '../errors.ts';
import type { Playbook, RegistrySpec, RegistryVerify, RuntimeName } from '../playbook/types.ts';
import { criPullCheck } from '../runtimes/containerd/pull-check.ts';

const PULL_TIMEOUT_MS = 120_000;

/** Read a pull check's credentials; every variable a play names must be set (checked before any node is touched). */
export function pullCredentials(verify: RegistryVerify, env: NodeJS.ProcessEnv = process.env): { username: string; password: string } | undefined {
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

function script(registry: RegistrySpec, verify: RegistryVerify, withLogin: boolean): string {
  return composeScript({ IMAGE: verify.image, REGISTRY: registry.host, LOGIN: withLogin ? 'yes' : 'no' }, nodeScript('converge/sh/pull-check.sh'));
}

/** Pull each registry's check image on the node, through each runtime configured there: the images that passed, and the first failure as a message (or null). */
export async function runPullChecks(
  connection: Connection,
  registries: readonly RegistrySpec[],
  runtimes: readonly RuntimeName[],
  crictl: boolean,
): Promise<{ verified: string[]; failure: string | null }> {
  const verified: string[] = [];
  for (const registry of registries) {
    const verify = registry.verify;
    if (registry.state !== 'present' || verify === undefined) continue;
    const credentials = pullCredentials(verify);
    for (const runtime of runtimes) {
      const failure = runtime === 'docker' ? await dockerPull(connection, registry, verify, credentials) : await criPullCheck(connection, verify.image, credentials, crictl);
      if (failure !== null) return { verified, failure };
    }
    verified.push(verify.image);
  }
  return { verified, failure: null };
}

async function dockerPull(connection: Connection, registry: RegistrySpec, verify: RegistryVerify, credentials: { username: string; password: string } | undefined): Promise<string | null> {
  // The script (no secret in it) is the command; the credentials are its stdin.
  const result = await connection.run(script(registry, verify, credentials !== undefined), {
    ...(credentials ? { input: `${credentials.username}\n${credentials.password}\n` } : {}),
    become: true,
    timeoutMs: PULL_TIMEOUT_MS,
  });
  if (result.exitCode === 0) return null;
  const said = (result.stdout + result.stderr).trim().split('\n').slice(-2).join(' | ');
  return `pull check: docker pull ${verify.image} failed${result.timedOut ? ' (timed out)' : ''}: ${said}`;
}
