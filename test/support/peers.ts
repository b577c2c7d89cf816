/** Tiny peers on loopback for connection tests: a TCP server that does what the test says. */
import { createServer, type Server, type Socket } from 'node:net';

/** Runs `body` while `server` listens on a free loopback port; closes it after. */
export async function listening(server: Server, body: (port: number) => Promise<void>): Promise<void> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await body((server.address() as { port: number }).port);
  } finally {
    server.close();
  }
}

/** A TCP server on loopback for the length of `body`, doing `onConnection` with each socket and counting them. */
export async function withTcpServer(onConnection: (socket: Socket) => void, body: (port: number, accepted: () => number) => Promise<void>): Promise<void> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    onConnection(socket);
  });
  try {
    await listening(server, async (port) => body(port, () => accepted));
  } finally {
    for (const socket of sockets) socket.destroy();
  }
}
