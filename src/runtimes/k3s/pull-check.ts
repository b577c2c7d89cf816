/**
 * The pull check on k3s and RKE2, through the CRI image service of their containerd as kubelet pulls:
 * dockhand's CRI client on the node's k3s socket (a root SSH login's streamlocal channel, or the local
 * socket), credentials in the request body only; without such a channel, k3s's crictl (`k3s crictl`,
 * RKE2's bundled one, or the node's), for registries without a login.
 */
import type { Connection } from '../../connection/types.ts';
import { DockhandError } from '../../errors.ts';
import { composeScript } from '../../node/compose.ts';
import { nodeScript } from '../../node/scripts.ts';
import type { PullCredentials } from '../runtime.ts';
import { CriClient } from '../../cri/index.ts';

/** The socket of the containerd k3s and RKE2 run (K3S_SOCKET in node.sh). */
export const K3S_SOCKET = '/run/k3s/containerd/containerd.sock';

const PULL_TIMEOUT_MS = 120_000;

/** Null when the image was pulled through k3s's CRI; otherwise why not. */
export async function k3sPullCheck(connection: Connection, image: string, credentials: PullCredentials | undefined): Promise<string | null> {
  const open = () => connection.openSocket(K3S_SOCKET);
  // the first socket proves the channel works; the client takes it for its first connection
  let spare: Awaited<ReturnType<typeof open>> | undefined;
  try {
    spare = await open();
  } catch (error) {
    const why = error instanceof DockhandError ? error.message : String(error);
    if (credentials !== undefined) return `pull check: ${image} needs a login, which crictl takes only on its command line: log in as root so dockhand can pull through k3s's CRI socket (${why})`;
    return crictlPull(connection, image);
  }
  const connect = async () => {
    const socket = spare;
    spare = undefined;
    return socket ?? open();
  };
  const client = new CriClient({ connect, pullTimeoutMs: PULL_TIMEOUT_MS });
  try {
    const present = (await client.imageStatus(image)).image !== undefined;
    const auth = credentials === undefined ? {} : { auth: { username: credentials.username, password: credentials.password } };
    await client.pullImage(image, auth);
    if (!present) await client.removeImage(image);
    return null;
  } catch (error) {
    return `pull check: the pull of ${image} through k3s's CRI failed: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    await client.close().catch(() => undefined);
  }
}

async function crictlPull(connection: Connection, image: string): Promise<string | null> {
  const script = composeScript({ IMAGE: image }, nodeScript('runtimes/k3s/node.sh'), nodeScript('runtimes/k3s/pull-check.sh'));
  const result = await connection.run(script, { become: true, timeoutMs: PULL_TIMEOUT_MS });
  if (result.exitCode === 0) return null;
  const said = (result.stdout + result.stderr).trim().split('\n').slice(-2).join(' | ');
  return `pull check: crictl pull ${image} on k3s's containerd failed${result.timedOut ? ' (timed out)' : ''}: ${said}`;
}
