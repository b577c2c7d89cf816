// The pull check of the containers-image runtime: through CRI-O's CRI where CRI-O runs (a local gRPC
// server on a unix socket stands in for CRI-O), else podman, else skopeo; a login never in a command line.
import { mkdtempSync, rmSync } from 'node:fs';
import http2 from 'node:http2';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Connection, RunOptions, RunResult } from '../../../../src/connection/types.ts';
import { DockhandError } from '../../../../src/errors.ts';
import { containersPullCheck, CRIO_SOCKET } from '../../../../src/runtimes/containers/pull-check.ts';
import type { ContainersFacts } from '../../../../src/runtimes/containers/types.ts';
import { encodeFrame, firstMessage } from '../../../support/grpc-frames.ts';
import { referenceDecode, referenceEncode } from '../../cri/reference-schema.ts';

const IMAGE = 'harbor.lab.local/library/tiny:1';
const login = { username: 'dockhand', password: 'pa55-w0rd-secret' };

const facts = (own: Partial<ContainersFacts>): ContainersFacts => ({
  installed: true, running: true, version: null, podman: false, skopeo: false, buildah: false, versions: {}, crio: null,
  registriesConf: null, dropIns: [], userConfig: null, certFiles: [], ...own,
});

interface Ran {
  script: string;
  options: RunOptions | undefined;
}

function connection(socket: (path: string) => Promise<Duplex>, exitCode = 0): { connection: Connection; ran: Ran[]; sockets: string[] } {
  const ran: Ran[] = [];
  const sockets: string[] = [];
  return {
    ran,
    sockets,
    connection: {
      kind: 'ssh',
      open: async () => undefined,
      close: async () => undefined,
      run: async (script: string, options?: RunOptions): Promise<RunResult> => {
        ran.push({ script, options });
        return { exitCode, signal: null, stdout: exitCode === 0 ? '' : 'Error: initializing source: pinging container registry', stderr: '', timedOut: false, durationMs: 1 };
      },
      openSocket: (p: string) => {
        sockets.push(p);
        return socket(p);
      },
    },
  };
}

const noSocket = () => Promise.reject(new DockhandError('E_REMOTE', 'no socket here'));

describe('where CRI-O does not run', () => {
  it('pulls with podman, the login on stdin into a throwaway auth file, never in the script', async () => {
    const { connection: c, ran } = connection(noSocket);
    expect(await containersPullCheck(c, IMAGE, login, facts({ podman: true, skopeo: true }))).toBeNull();
    expect(ran).toHaveLength(1);
    expect(ran[0]!.script).toMatch(/^TOOL=podman$/m);
    expect(ran[0]!.script).toMatch(/^REGISTRY=harbor\.lab\.local$/m);
    expect(ran[0]!.script).toMatch(/^LOGIN=yes$/m);
    expect(ran[0]!.script).not.toContain(login.password);
    expect(ran[0]!.options).toMatchObject({ become: true, input: `dockhand\n${login.password}\n` });
  });

  it('uses skopeo where there is no podman, and says what the tool said when the pull fails', async () => {
    const { connection: c, ran } = connection(noSocket, 1);
    expect(await containersPullCheck(c, IMAGE, undefined, facts({ skopeo: true }))).toBe(
      `pull check: skopeo copy ${IMAGE} failed: Error: initializing source: pinging container registry`,
    );
    expect(ran[0]!.script).toMatch(/^TOOL=skopeo$/m);
    expect(ran[0]!.options?.input).toBeUndefined();
  });

  it('says so where nothing can pull', async () => {
    const { connection: c } = connection(noSocket);
    expect(await containersPullCheck(c, IMAGE, undefined, facts({ buildah: true }))).toMatch(/neither CRI-O, podman nor skopeo is here/);
  });
});

describe('where CRI-O runs: through its CRI, as kubelet pulls', () => {
  let dir: string;
  let socketPath: string;
  let server: http2.Http2Server;
  let calls: { path: string; body: Buffer }[];
  const sessions = new Set<http2.ServerHttp2Session>();

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dockhand-crio-'));
    socketPath = path.join(dir, 'crio.sock');
    calls = [];
    server = http2.createServer();
    server.on('session', (s) => {
      sessions.add(s);
      s.on('close', () => sessions.delete(s));
    });
    server.on('stream', (s, headers) => {
      const stream = s as http2.ServerHttp2Stream;
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const call = { path: String(headers[':path']), body: firstMessage(Buffer.concat(chunks)) };
        calls.push(call);
        const reply = call.path.endsWith('/PullImage') ? referenceEncode('PullImageResponse', { imageRef: 'sha256:ab' }) : Buffer.alloc(0);
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
        stream.end(encodeFrame(reply));
      });
    });
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  });

  afterEach(async () => {
    for (const s of sessions) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  const crio = { activeState: 'active', running: true, version: '1.28.1', configNewer: false };

  it("pulls on CRI-O's socket with the login in the request body, and removes the image it did not have", async () => {
    const { connection: c, ran, sockets } = connection(async () => net.connect(socketPath));
    expect(await containersPullCheck(c, IMAGE, login, facts({ podman: true, crio }))).toBeNull();
    expect(ran).toEqual([]);
    expect(sockets[0]).toBe(CRIO_SOCKET);
    expect(calls.map((call) => call.path)).toEqual(['/runtime.v1.ImageService/ImageStatus', '/runtime.v1.ImageService/PullImage', '/runtime.v1.ImageService/RemoveImage']);
    expect(referenceDecode('PullImageRequest', calls[1]!.body)).toMatchObject({ image: { image: IMAGE }, auth: { username: 'dockhand', password: login.password } });
  });

  it('says why where the socket cannot be reached (a login that is not root)', async () => {
    const { connection: c } = connection(noSocket);
    expect(await containersPullCheck(c, IMAGE, undefined, facts({ crio }))).toBe(
      `pull check: no way to pull ${IMAGE} through CRI-O's CRI here (no socket here; log in as root, so dockhand can reach ${CRIO_SOCKET})`,
    );
  });
});
