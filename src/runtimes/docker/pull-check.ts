/**
 * Docker's pull check: the node pulls the image with `docker pull` and removes it again (unless it was
 * there before). A login travels on stdin into a throwaway Docker config (mode 0600), never in a command line.
 */
import type { Connection } from '../../connection/types.ts';
import { composeScript } from '../../node/compose.ts';
import { nodeScript } from '../../node/scripts.ts';
import type { PullCredentials } from '../runtime.ts';

const PULL_TIMEOUT_MS = 120_000;

/** The registry of a check image: a play's `verify.image` always starts with its registry's host. */
function registryOf(image: string): string {
  return image.split('/')[0] ?? image;
}

/** Null when `docker pull` worked; otherwise why not. */
export async function dockerPullCheck(connection: Connection, image: string, credentials: PullCredentials | undefined): Promise<string | null> {
  // The script (no secret in it) is the command; the credentials are its stdin.
  const script = composeScript({ IMAGE: image, REGISTRY: registryOf(image), LOGIN: credentials ? 'yes' : 'no' }, nodeScript('runtimes/docker/pull-check.sh'));
  const result = await connection.run(script, {
    ...(credentials ? { input: `${credentials.username}\n${credentials.password}\n` } : {}),
    become: true,
    timeoutMs: PULL_TIMEOUT_MS,
  });
  if (result.exitCode === 0) return null;
  const said = (result.stdout + result.stderr).trim().split('\n').slice(-2).join(' | ');
  return `pull check: docker pull ${image} failed${result.timedOut ? ' (timed out)' : ''}: ${said}`;
}
