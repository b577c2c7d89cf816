// ssh2 asks sshd to prove every host key it announces after login (the node signs with each, ssh2 verifies
// each) and writes each SSH packet on its own: both are dropped for a fleet run, through ssh2's internals,
// which this test holds in place for the installed ssh2.
import { createServer, Socket, type AddressInfo } from 'node:net';
import ssh2 from 'ssh2';
import { describe, expect, it, vi } from 'vitest';
import { coalesceWrites, ignoreHostKeyNotices, transportTweaksApply } from '../../../src/connection/ssh-transport.ts';

function connectedClient(): { client: ssh2.Client; protocol: Record<string, unknown> } {
  const client = new ssh2.Client();
  client.on('error', () => undefined);
  // a socket never connected: ssh2 sets up its protocol and waits
  client.connect({ sock: new Socket(), username: 'x', readyTimeout: 0 });
  return { client, protocol: (client as unknown as { _protocol: Record<string, unknown> })._protocol };
}

describe('host key notices', () => {
  it('the installed ssh2 keeps its global request handler where the tweak expects it', () => {
    const { client } = connectedClient();
    expect(transportTweaksApply(client)).toBe(true);
    client.destroy();
  });

  it('drops sshd\'s hostkeys-00 notice (no proof asked) and hands every other global request to ssh2', () => {
    const { client, protocol } = connectedClient();
    const handlers = protocol['_handlers'] as { GLOBAL_REQUEST: (...args: unknown[]) => void };
    const original = vi.fn();
    handlers.GLOBAL_REQUEST = original;
    ignoreHostKeyNotices(client);
    handlers.GLOBAL_REQUEST(protocol, 'hostkeys-00@openssh.com', false, [Buffer.from('key')]);
    expect(original).not.toHaveBeenCalled();
    handlers.GLOBAL_REQUEST(protocol, 'hostkeys-00@openssh.com', true, []);
    handlers.GLOBAL_REQUEST(protocol, 'keepalive@openssh.com', true, undefined);
    expect(original.mock.calls.map((call) => call.slice(1, 3))).toEqual([['hostkeys-00@openssh.com', true], ['keepalive@openssh.com', true]]);
    client.destroy();
  });

  it('left untouched, ssh2 would start a proof for the notice (what the tweak saves)', () => {
    const { client, protocol } = connectedClient();
    const prove = vi.fn();
    protocol['openssh_hostKeysProve'] = prove;
    // ssh2 proves only over a writable socket: make it look so
    Object.assign(client, { _sock: { writable: true, _readableState: { ended: false } }, _remoteVer: 'OpenSSH_9.2p1 Debian-2+deb12u3' });
    const handlers = protocol['_handlers'] as { GLOBAL_REQUEST: (...args: unknown[]) => void };
    const ed25519 = Buffer.from('AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl', 'base64');
    handlers.GLOBAL_REQUEST(protocol, 'hostkeys-00@openssh.com', false, [ed25519]);
    expect(prove).toHaveBeenCalledTimes(1);
    (client as unknown as { _sock: unknown })._sock = undefined;
    client.destroy();
  });
});

describe('coalesceWrites', () => {
  it('sends what is written in one turn of the event loop in one write, in order', async () => {
    let received = '';
    const server = createServer((peer) => peer.on('data', (chunk: Buffer) => (received += chunk.toString())));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const socket = new Socket();
    await new Promise<void>((resolve) => socket.connect((server.address() as AddressInfo).port, '127.0.0.1', resolve));
    coalesceWrites(socket);
    const writev = vi.spyOn(socket as unknown as { _writev: (...args: unknown[]) => void }, '_writev');
    socket.write('a');
    socket.write(Buffer.from('b'));
    socket.write('c');
    await new Promise((resolve) => setImmediate(resolve));
    socket.write('d');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(writev).toHaveBeenCalledTimes(1);
    expect(received).toBe('abcd');
    socket.destroy();
    server.close();
  });
});
