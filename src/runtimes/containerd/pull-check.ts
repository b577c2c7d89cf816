/**
 * The pull check on containerd, through its CRI image service as kubelet pulls (`ctr images pull`
 * would prove nothing: it ignores the CRI registry configuration). dockhand's own CRI client speaks
 * to the node's socket through the connection (a root SSH login's streamlocal channel, or the local
 * socket), credentials in the request body only; without such a channel, the node's crictl does it,
 * for registries without a login.
 */
import type { Connection } from '../../connection/types.ts';
import { DockhandError } from '../../errors.ts';
import { composeScript } from '../../node/compose.ts';
import { nodeScript } from '../../node/scripts.ts';
import { CONTAINERD_SOCKET, CriClient } from '../../cri/index.ts';

const PULL_TIMEOUT_MS = 120_000;

/** Null when the image was pulled through the CRI; otherwise why not. */
export async function criPullCheck(
  connection: Connection,
  image: string,
  credentials: { username: string; password: string } | undefined,
  crictl: boolean,
): Promise<string | null> {
  let socket: Awaited<ReturnType<Connection['openSocket']>>;
  try {
    socket = await connection.openSocket(CONTAINERD_SOCKET);
  } catch (error) {
    const why = error instanceof DockhandError ? error.message : String(error);
    if (!crictl) return `pull check: no way to pull ${image} through containerd's CRI here (${why}; install crictl on the node, or log in as root)`;
    if (credentials !== undefined) return `pull check: ${image} needs a login, which crictl takes only on its command line: log in as root so dockhand can pull through the CRI socket (${why})`;
    return crictlPull(connection, image);
  }
  let first = true;
  const client = new CriClient({ connect: async () => (first ? ((first = false), socket) : connection.openSocket(CONTAINERD_SOCKET)), pullTimeoutMs: PULL_TIMEOUT_MS });
  try {
    const had = (await client.imageStatus(image)).image !== undefined;
    await client.pullImage(image, credentials === undefined ? {} : { auth: { username: credentials.username, password: credentials.password } });
    if (!had) await client.removeImage(image);
    return null;
  } catch (error) {
    return `pull check: the CRI pull of ${image} failed: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    await client.close().catch(() => undefined);
  }
}

async function crictlPull(connection: Connection, image: string): Promise<string | null> {
  const result = await connection.run(composeScript({ IMAGE: image }, nodeScript('runtimes/containerd/pull-check.sh')), { become: true, timeoutMs: PULL_TIMEOUT_MS });
  if (result.exitCode === 0) return null;
  const said = (result.stdout + result.stderr).trim().split('\n').slice(-2).join(' | ');
  return `pull check: crictl pull ${image} failed${result.timedOut ? ' (timed out)' : ''}: ${said}`;
}
