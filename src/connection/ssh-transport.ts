/**
 * Two costs ssh2 pays on every connection that a fleet run does not need.
 *
 * - OpenSSH's sshd announces all its host keys after login (`hostkeys-00@openssh.com`), and ssh2 answers
 *   every such notice by asking the node to prove each key (`hostkeys-prove-00`): the node signs with every
 *   host key (RSA included) and ssh2 parses and verifies each, on every connection, for an event
 *   (`hostkeys`) dockhand never listens to. OpenSSH's own client asks only for keys it does not know yet
 *   (UpdateHostKeys), which is never the case for a key dockhand checked at login. The notice is dropped.
 * - ssh2 writes each SSH packet to the socket on its own: a burst of packets written in one turn of the
 *   event loop (a script's data packets and its end, a request and the next) now leaves in one write.
 *
 * Both reach into ssh2's internals (`_protocol._handlers`); `transportTweaksApply` says whether they are
 * where expected, and a unit test holds that for the installed ssh2, so an upgrade that moves them fails
 * a test instead of silently bringing the costs back.
 */
import type { Socket } from 'node:net';
import type ssh2 from 'ssh2';

type GlobalRequestHandler = (protocol: unknown, name: string, wantReply: boolean, data: unknown) => void;
interface ProtocolInternals {
  readonly _handlers?: { GLOBAL_REQUEST?: GlobalRequestHandler };
}

const HOST_KEYS_NOTICE = 'hostkeys-00@openssh.com';

function handlersOf(client: ssh2.Client): ProtocolInternals['_handlers'] {
  return (client as unknown as { _protocol?: ProtocolInternals })._protocol?._handlers;
}

/** Whether `client` (after connect()) has the internals the tweaks use. */
export function transportTweaksApply(client: ssh2.Client): boolean {
  return typeof handlersOf(client)?.GLOBAL_REQUEST === 'function';
}

/** Drop sshd's host key notices that ask no reply; everything else goes to ssh2 as before. Call after connect(). */
export function ignoreHostKeyNotices(client: ssh2.Client): void {
  const handlers = handlersOf(client);
  const handle = handlers?.GLOBAL_REQUEST;
  if (handlers === undefined || handle === undefined) return;
  handlers.GLOBAL_REQUEST = (protocol, name, wantReply, data) => {
    if (name === HOST_KEYS_NOTICE && !wantReply) return;
    handle(protocol, name, wantReply, data);
  };
}

/** Writes made to `socket` in one turn of the event loop leave together (one system call). */
export function coalesceWrites(socket: Socket): void {
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  let corked = false;
  const uncork = (): void => {
    corked = false;
    socket.uncork();
  };
  socket.write = ((...args: unknown[]) => {
    if (!corked && !socket.destroyed) {
      corked = true;
      socket.cork();
      process.nextTick(uncork);
    }
    return write(...args);
  }) as Socket['write'];
}
