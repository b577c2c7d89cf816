/**
 * Where the CRI's bytes travel: any Duplex stream to the runtime's gRPC socket. The client opens one
 * when it needs a connection (the first call, or after the runtime restarted and closed the last one).
 */
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { Client as SshClient } from 'ssh2';

/** Opens a fresh byte stream to the runtime's gRPC endpoint; rejects when it cannot be reached. */
export type StreamFactory = () => Promise<Duplex>;

/** containerd's default endpoint (config.toml [grpc] address). */
export const CONTAINERD_SOCKET = '/run/containerd/containerd.sock';

/** A unix socket on this machine (e.g. the lab's bind mount of a node's /run/containerd). */
export function unixSocket(path: string): StreamFactory {
  return () =>
    new Promise((resolve, reject) => {
      const sock = net.connect({ path });
      const onError = (err: Error): void => {
        sock.destroy();
        reject(err);
      };
      sock.once('error', onError);
      sock.once('connect', () => {
        sock.off('error', onError);
        resolve(sock);
      });
    });
}

/**
 * A unix socket on the node at the other end of an SSH connection, through OpenSSH's
 * `direct-streamlocal@openssh.com` channel (sshd's AllowStreamLocalForwarding, on by default). The
 * socket is root's: the SSH login must be root.
 */
export function sshStreamLocal(client: SshClient, path: string = CONTAINERD_SOCKET): StreamFactory {
  return () =>
    new Promise((resolve, reject) => {
      client.openssh_forwardOutStreamLocal(path, (err, channel) => {
        if (err) reject(err);
        else resolve(channel);
      });
    });
}
