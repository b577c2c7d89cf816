// The CRI client against a local HTTP/2 gRPC server on a unix socket: the calls, the status errors,
// timeouts, reconnecting, and that any Duplex stream can carry it.
import { mkdtempSync, rmSync } from 'node:fs';
import http2 from 'node:http2';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Duplex } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CriClient, CriError, registryConfigPath, unixSocket, type StreamFactory,
} from '../../../src/cri/index.ts';
import { encodeFrame, firstMessage } from '../../support/grpc-frames.ts';
import { referenceDecode, referenceEncode } from './reference-schema.ts';

interface Call {
  path: string;
  headers: http2.IncomingHttpHeaders;
  body: Buffer;
  stream: http2.ServerHttp2Stream;
}

type Handler = (call: Call) => void;

let dir: string;
let socketPath: string;
let server: http2.Http2Server;
let connections: number;
let handler: Handler;
const sessions = new Set<http2.ServerHttp2Session>();

function ok(call: Call, message: Buffer): void {
  call.stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
  call.stream.on('wantTrailers', () => call.stream.sendTrailers({ 'grpc-status': '0' }));
  call.stream.end(encodeFrame(message));
}

function trailersOnly(call: Call, code: number, message: string): void {
  call.stream.respond({
    ':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(code), 'grpc-message': encodeURIComponent(message),
  }, { endStream: true });
}

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'dockhand-cri-'));
  socketPath = path.join(dir, 'containerd.sock');
  connections = 0;
  handler = (call) => trailersOnly(call, 12, `unknown method ${call.path}`);
  server = http2.createServer();
  server.on('connection', () => {
    connections += 1;
  });
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  server.on('stream', (s, headers) => {
    const stream = s as http2.ServerHttp2Stream;
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      handler({ path: String(headers[':path']), headers, body: firstMessage(Buffer.concat(chunks)), stream });
    });
    stream.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
});

afterEach(async () => {
  for (const s of sessions) s.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

/**
 * The socket behind a plain Duplex (not a net.Socket), as an SSH channel is; with `batchMs`, what the
 * runtime sends within that time is handed on in one chunk.
 */
function relayed(open: StreamFactory, batchMs?: number): StreamFactory {
  return async () => {
    const sock = await open();
    let held: Buffer[] = [];
    const duplex = new Duplex({
      read() {},
      write(chunk: Buffer, _enc, cb) {
        sock.write(chunk, cb);
      },
      final(cb) {
        sock.end(cb);
      },
      destroy(err, cb) {
        sock.destroy();
        cb(err);
      },
    });
    sock.on('data', (d: Buffer) => {
      if (batchMs === undefined) {
        duplex.push(d);
        return;
      }
      if (held.length === 0) {
        setTimeout(() => {
          duplex.push(Buffer.concat(held));
          held = [];
        }, batchMs);
      }
      held.push(d);
    });
    sock.on('end', () => setTimeout(() => duplex.push(null), batchMs ?? 0));
    expect(duplex).not.toBeInstanceOf(net.Socket);
    return duplex;
  };
}

function client(connect: StreamFactory = unixSocket(socketPath), timeoutMs = 5000): CriClient {
  return new CriClient({ connect, target: 'node1', timeoutMs });
}

async function rejection(p: Promise<unknown>): Promise<CriError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(CriError);
  return err as CriError;
}

describe('CriClient', () => {
  it('calls RuntimeService/Version as a gRPC unary call', async () => {
    let seen: Call | undefined;
    handler = (call) => {
      seen = call;
      ok(call, referenceEncode('VersionResponse', { version: '0.1.0', runtimeName: 'containerd', runtimeVersion: '1.6.20~ds1', runtimeApiVersion: 'v1' }));
    };
    const c = client();
    await expect(c.version()).resolves.toEqual({ version: '0.1.0', runtimeName: 'containerd', runtimeVersion: '1.6.20~ds1', runtimeApiVersion: 'v1' });
    await c.close();
    expect(seen?.path).toBe('/runtime.v1.RuntimeService/Version');
    expect(seen?.headers['content-type']).toMatch(/^application\/grpc(\+proto)?$/);
    expect(seen?.headers['te']).toBe('trailers');
    expect(seen?.headers['grpc-timeout']).toMatch(/^\d+m$/);
    expect(referenceDecode('VersionRequest', seen!.body)).toEqual({ version: 'v1' });
  });

  it('reads the registry config path from a verbose Status', async () => {
    handler = (call) => {
      expect(call.path).toBe('/runtime.v1.RuntimeService/Status');
      expect(referenceDecode('StatusRequest', call.body)).toEqual({ verbose: true });
      ok(call, referenceEncode('StatusResponse', {
        status: { conditions: [{ type: 'RuntimeReady', status: true }] },
        info: { config: JSON.stringify({ registry: { configPath: '/etc/containerd/certs.d', mirrors: null } }) },
      }));
    };
    const c = client();
    const status = await c.status({ verbose: true });
    await c.close();
    expect(status.conditions).toEqual([{ type: 'RuntimeReady', status: true, reason: '', message: '' }]);
    expect(registryConfigPath(status)).toBe('/etc/containerd/certs.d');
  });

  it('turns "unknown service" into a CriError with the gRPC status', async () => {
    handler = (call) => trailersOnly(call, 12, 'unknown service runtime.v1.ImageService');
    const c = client();
    const err = await rejection(c.pullImage('harbor.lab.local/library/tiny:1'));
    await c.close();
    expect(err.code).toBe('E_REMOTE');
    expect(err.grpcCode).toBe(12);
    expect(err.grpcMessage).toBe('unknown service runtime.v1.ImageService');
    expect(err.message).toBe('node1: CRI runtime.v1.ImageService/PullImage: UNIMPLEMENTED (grpc-status 12): unknown service runtime.v1.ImageService');
  });

  it('sends registry credentials only in the request body, never in headers or errors', async () => {
    const password = 'pa55-w0rd-secret';
    let seen: Call | undefined;
    handler = (call) => {
      seen = call;
      call.stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      call.stream.on('wantTrailers', () => call.stream.sendTrailers({ 'grpc-status': '2', 'grpc-message': 'failed to pull: 401 Unauthorized' }));
      call.stream.end();
    };
    const c = client();
    const err = await rejection(c.pullImage('harbor.lab.local/library/tiny:1', { auth: { username: 'dockhand', password } }));
    await c.close();
    expect(err.grpcCode).toBe(2);
    expect(err.message).toContain('401 Unauthorized');
    expect(err.message).not.toContain(password);
    expect(JSON.stringify(seen?.headers)).not.toContain(password);
    expect(referenceDecode('PullImageRequest', seen!.body)).toEqual({
      image: { image: 'harbor.lab.local/library/tiny:1' }, auth: { username: 'dockhand', password },
    });
  });

  it('times out a call the runtime never answers, and the next call still works', async () => {
    let calls = 0;
    handler = (call) => {
      calls += 1;
      if (calls === 1) return; // never answers
      ok(call, referenceEncode('ImageStatusResponse', {}));
    };
    const c = client(unixSocket(socketPath), 300);
    const err = await rejection(c.imageStatus('x'));
    expect(err.code).toBe('E_TIMEOUT');
    expect(err.grpcCode).toBeUndefined();
    expect(err.message).toMatch(/^node1: CRI runtime.v1.ImageService\/ImageStatus: no answer within 300 ms$/);
    await expect(c.imageStatus('x', { timeoutMs: 5000 })).resolves.toEqual({ image: undefined, info: {} });
    await c.close();
  });

  it('says so when the socket is not there', async () => {
    const c = client(unixSocket(path.join(dir, 'missing.sock')));
    const err = await rejection(c.version());
    expect(err.code).toBe('E_CONNECT');
    expect(err.message).toMatch(/^node1: CRI runtime.v1.RuntimeService\/Version: cannot connect: .*ENOENT/);
  });

  it('connects again after the runtime dropped the connection (a restart)', async () => {
    handler = (call) => ok(call, Buffer.alloc(0));
    const c = client();
    await c.removeImage('x');
    for (const s of sessions) s.destroy();
    await new Promise((r) => setTimeout(r, 50));
    await c.removeImage('x');
    await c.close();
    expect(connections).toBe(2);
  });

  it('reuses one connection for consecutive calls', async () => {
    handler = (call) => ok(call, Buffer.alloc(0));
    const c = client();
    await c.removeImage('a');
    await c.removeImage('b');
    await c.close();
    expect(connections).toBe(1);
  });

  it('runs over any Duplex stream, not only a socket', async () => {
    handler = (call) => ok(call, referenceEncode('PullImageResponse', { imageRef: 'sha256:ab' }));
    const c = client(relayed(unixSocket(socketPath)));
    await expect(c.pullImage('harbor-http.lab.local/library/tiny:1')).resolves.toBe('sha256:ab');
    await c.close();
  });

  // A runtime's whole answer (HEADERS, DATA, trailers) can arrive in one read, as containerd's does through a
  // socket or an SSH channel: Node.js 26.3 and later then end an async iteration begun after the stream
  // closed with "Premature close" (nodejs/node#65677), and connect reads bodies that way.
  it('reads a reply that arrives in one piece, headers, message and trailers together', async () => {
    handler = (call) => ok(call, referenceEncode('VersionResponse', { version: '0.1.0', runtimeName: 'containerd' }));
    const c = client(relayed(unixSocket(socketPath), 20));
    for (let i = 0; i < 5; i++) await expect(c.version()).resolves.toMatchObject({ runtimeName: 'containerd' });
    handler = (call) => trailersOnly(call, 12, 'unknown service runtime.v1.RuntimeService');
    expect(await rejection(c.version())).toMatchObject({ grpcCode: 12, grpcMessage: 'unknown service runtime.v1.RuntimeService' });
    await c.close();
  });

  it('refuses a reply that is not exactly one message, or has no gRPC status', async () => {
    handler = (call) => {
      call.stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      call.stream.on('wantTrailers', () => call.stream.sendTrailers({ 'grpc-status': '0' }));
      call.stream.end(Buffer.concat([encodeFrame(Buffer.alloc(0)), encodeFrame(Buffer.alloc(0))]));
    };
    const c = client();
    const extra = await rejection(c.version());
    expect(extra.code).toBe('E_REMOTE');
    expect(extra.grpcCode).toBeUndefined();
    expect(extra.message).toBe('node1: CRI runtime.v1.RuntimeService/Version: protocol error: received extra output message for unary method');
    handler = (call) => {
      call.stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
      call.stream.end(encodeFrame(Buffer.alloc(0)));
    };
    const noStatus = await rejection(c.version());
    expect(noStatus.code).toBe('E_REMOTE');
    expect(noStatus.grpcCode).toBeUndefined();
    expect(noStatus.message).toBe('node1: CRI runtime.v1.RuntimeService/Version: protocol error: missing status');
    await c.close();
  });

  it('reads a reply however its bytes are cut into DATA frames', async () => {
    handler = (call) => {
      const bytes = encodeFrame(referenceEncode('PullImageResponse', { imageRef: 'sha256:ab' }));
      call.stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      call.stream.on('wantTrailers', () => call.stream.sendTrailers({ 'grpc-status': '0' }));
      for (let i = 0; i < bytes.length; i += 3) call.stream.write(bytes.subarray(i, i + 3));
      call.stream.end();
    };
    const c = client();
    await expect(c.pullImage('x')).resolves.toBe('sha256:ab');
    await c.close();
  });

  it('decodes a percent-encoded grpc-message; a malformed one still fails as the runtime\'s refusal', async () => {
    handler = (call) => trailersOnly(call, 2, 'failed to pull: x509: certificate signed by unknown authority ✓');
    const c = client();
    expect((await rejection(c.pullImage('x'))).grpcMessage).toBe('failed to pull: x509: certificate signed by unknown authority ✓');
    handler = (call) => call.stream.respond({
      ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '2', 'grpc-message': '100% sure %zz',
    }, { endStream: true });
    // gRPC servers (grpc-go: containerd, CRI-O) always escape `%`; connect cannot decode this one
    const err = await rejection(c.pullImage('x'));
    expect(err.code).toBe('E_REMOTE');
    expect(err.message).toBe('node1: CRI runtime.v1.ImageService/PullImage: URI malformed');
    await c.close();
  });

  it('refuses a compressed reply it did not ask for', async () => {
    handler = (call) => {
      const frame = encodeFrame(Buffer.alloc(0));
      frame[0] = 1;
      call.stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      call.stream.on('wantTrailers', () => call.stream.sendTrailers({ 'grpc-status': '0' }));
      call.stream.end(frame);
    };
    const c = client();
    const err = await rejection(c.version());
    expect(err.code).toBe('E_REMOTE');
    expect(err.grpcCode).toBeUndefined();
    await c.close();
  });

  it('says the connection was lost when the runtime goes away during a call', async () => {
    handler = () => {
      for (const s of sessions) s.destroy();
    };
    const c = client();
    const err = await rejection(c.imageStatus('x'));
    expect(err.code).toBe('E_CONNECT');
    expect(err.grpcCode).toBeUndefined();
    expect(err.message).toMatch(/^node1: CRI runtime\.v1\.ImageService\/ImageStatus: connection lost: /);
    await c.close();
  });

  it('says why a stream could not be opened, and times out one that never opens', async () => {
    const refused = client(() => Promise.reject(new Error('open failed: administratively prohibited')));
    const err = await rejection(refused.version());
    expect(err.code).toBe('E_CONNECT');
    expect(err.message).toBe('node1: CRI runtime.v1.RuntimeService/Version: cannot connect: open failed: administratively prohibited');
    await refused.close();
    const never = client(() => new Promise(() => undefined), 200);
    const late = await rejection(never.version());
    expect(late.code).toBe('E_TIMEOUT');
    expect(late.message).toBe('node1: CRI runtime.v1.RuntimeService/Version: no answer within 200 ms while connecting');
    await never.close();
  });

  it('reports a DEADLINE_EXCEEDED the runtime sent as a timeout with its status', async () => {
    handler = (call) => trailersOnly(call, 4, 'context deadline exceeded');
    const c = client();
    const err = await rejection(c.pullImage('x'));
    expect(err).toMatchObject({ code: 'E_TIMEOUT', grpcCode: 4, grpcMessage: 'context deadline exceeded' });
    await c.close();
  });

  it('refuses a timeout that is not a positive number', async () => {
    const c = client();
    await expect(c.version({ timeoutMs: 0 })).rejects.toThrow(TypeError);
    await expect(c.version({ timeoutMs: Number.NaN })).rejects.toThrow(/positive number/);
    await c.close();
  });
});
