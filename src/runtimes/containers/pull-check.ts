/**
 * The pull check of the containers-image runtime: where CRI-O runs, through its CRI image service as
 * kubelet pulls (CRI-O speaks the same CRI as containerd; dockhand's CRI client reaches the node's socket
 * through the connection, credentials in the request body only); elsewhere `podman pull` (or, without
 * podman, `skopeo copy`), a login on stdin into a throwaway auth file, never in a command line.
 */
import type { Connection } from '../../connection/types.ts';
import { DockhandError } from '../../errors.ts';
import { composeScript } from '../../node/compose.ts';
import { nodeScript } from '../../node/scripts.ts';
import { CriClient } from '../../cri/index.ts';
import type { PullCredentials } from '../runtime.ts';
import type { ContainersFacts } from './types.ts';

/** CRI-O's socket (kubelet's `unix:///var/run/crio/crio.sock`). */
export const CRIO_SOCKET = '/var/run/crio/crio.sock';

const PULL_TIMEOUT_MS = 120_000;

const said = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Null when the image was pulled through CRI-O's CRI; otherwise why not. */
export async function crioPullCheck(connection: Connection, image: string, credentials: PullCredentials | undefined): Promise<string | null> {
  let first: Awaited<ReturnType<Connection['openSocket']>> | undefined;
  try {
    first = await connection.openSocket(CRIO_SOCKET);
  } catch (error) {
    const why = error instanceof DockhandError ? error.message : said(error);
    return `pull check: no way to pull ${image} through CRI-O's CRI here (${why}; log in as root, so dockhand can reach ${CRIO_SOCKET})`;
  }
  const client = new CriClient({
    connect: async () => {
      const socket = first ?? (await connection.openSocket(CRIO_SOCKET));
      first = undefined;
      return socket;
    },
    pullTimeoutMs: PULL_TIMEOUT_MS,
  });
  try {
    const had = (await client.imageStatus(image)).image !== undefined;
    await client.pullImage(image, credentials === undefined ? {} : { auth: { username: credentials.username, password: credentials.password } });
    if (!had) await client.removeImage(image);
    return null;
  } catch (error) {
    return `pull check: the CRI pull of ${image} through CRI-O failed: ${said(error)}`;
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** Null when podman (or skopeo) pulled the image; otherwise why not. */
export async function podmanPullCheck(connection: Connection, image: string, credentials: PullCredentials | undefined, tool: 'podman' | 'skopeo'): Promise<string | null> {
  const variables = { IMAGE: image, REGISTRY: image.split('/')[0] ?? image, TOOL: tool, LOGIN: credentials ? 'yes' : 'no' };
  const result = await connection.run(composeScript(variables, nodeScript('runtimes/containers/pull-check.sh')), {
    ...(credentials ? { input: `${credentials.username}\n${credentials.password}\n` } : {}),
    become: true,
    timeoutMs: PULL_TIMEOUT_MS,
  });
  if (result.exitCode === 0) return null;
  const output = (result.stdout + result.stderr).trim().split('\n').slice(-2).join(' | ');
  return `pull check: ${tool === 'podman' ? 'podman pull' : 'skopeo copy'} ${image} failed${result.timedOut ? ' (timed out)' : ''}: ${output}`;
}

/** The pull check the node's tools allow: CRI-O's CRI where CRI-O runs, else podman, else skopeo. */
export function containersPullCheck(connection: Connection, image: string, credentials: PullCredentials | undefined, facts: ContainersFacts): Promise<string | null> {
  if (facts.crio?.running === true) return crioPullCheck(connection, image, credentials);
  if (facts.podman) return podmanPullCheck(connection, image, credentials, 'podman');
  if (facts.skopeo) return podmanPullCheck(connection, image, credentials, 'skopeo');
  return Promise.resolve(`pull check: neither CRI-O, podman nor skopeo is here to pull ${image} with`);
}
