/**
 * Unary gRPC calls over one HTTP/2 connection (node:http2, h2c with prior knowledge) on a stream the
 * caller provides. The connection is opened on first use and opened again after the runtime closed it
 * (a `systemctl restart containerd` ends every connection).
 */
import http2 from 'node:http2';
import { CriError } from './errors.ts';
import { encodeFrame, FrameDecoder, GrpcStatus, grpcTimeoutHeader, outcomeFrom, type GrpcOutcome } from './framing.ts';
import type { StreamFactory } from './transport.ts';

export interface ChannelOptions {
  readonly connect: StreamFactory;
  /** names the endpoint in error messages (a node name, a socket path) */
  readonly target?: string;
}

export class GrpcChannel {
  readonly #connect: StreamFactory;
  readonly #target: string | undefined;
  #session: http2.ClientHttp2Session | undefined;

  constructor(options: ChannelOptions) {
    this.#connect = options.connect;
    this.#target = options.target;
  }

  /** Calls `method` ("package.Service/Method") with one request message; resolves to the one response message. */
  async unary(method: string, request: Uint8Array, timeoutMs: number): Promise<Buffer> {
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new TypeError(`timeoutMs must be a positive number, got ${timeoutMs}`);
    const deadline = Date.now() + timeoutMs;
    const session = await this.#openSession(method, timeoutMs);
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw this.#timeout(method, timeoutMs);
    return this.#call(session, method, request, remaining, timeoutMs);
  }

  /** Closes the connection (a later call opens a new one). */
  async close(): Promise<void> {
    const session = this.#session;
    this.#session = undefined;
    if (!session || session.destroyed) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        session.destroy();
        resolve();
      }, 1000);
      session.close(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async #openSession(method: string, timeoutMs: number): Promise<http2.ClientHttp2Session> {
    const current = this.#session;
    if (current && !current.closed && !current.destroyed) return current;
    this.#session = undefined;
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    const opened = this.#connect();
    const stream = await Promise.race([
      opened,
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => {
          timedOut = true;
          reject(this.#timeout(method, timeoutMs, 'while connecting'));
        }, timeoutMs);
      }),
    ]).catch((err: unknown) => {
      if (timedOut) void opened.then((s) => s.destroy(), () => undefined);
      if (err instanceof CriError) throw err;
      throw new CriError('E_CONNECT', method, { reason: `cannot connect: ${errorText(err)}`, ...this.#where() }, { cause: err });
    }).finally(() => clearTimeout(timer));
    const session = http2.connect('http://localhost', { createConnection: () => stream });
    const forget = (): void => {
      if (this.#session === session) this.#session = undefined;
    };
    // a session error also fails its open streams, which report it to their callers
    session.on('error', forget);
    session.on('goaway', forget);
    session.on('close', forget);
    this.#session = session;
    return session;
  }

  #call(session: http2.ClientHttp2Session, method: string, request: Uint8Array, remainingMs: number, timeoutMs: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (err: CriError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (!req.closed) req.close(http2.constants.NGHTTP2_CANCEL);
        reject(err);
      };
      let req: http2.ClientHttp2Stream;
      try {
        req = session.request({
          ':method': 'POST',
          ':path': `/${method}`,
          'content-type': 'application/grpc',
          te: 'trailers',
          'grpc-timeout': grpcTimeoutHeader(remainingMs),
          'user-agent': 'dockhand-cri',
        });
      } catch (err) {
        this.#session = undefined;
        reject(new CriError('E_CONNECT', method, { reason: `connection lost: ${errorText(err)}`, ...this.#where() }, { cause: err }));
        return;
      }
      const timer = setTimeout(() => fail(this.#timeout(method, timeoutMs)), remainingMs);
      const decoder = new FrameDecoder();
      const messages: Buffer[] = [];
      let httpStatus: number | undefined;
      let headerOutcome: GrpcOutcome | undefined;
      let trailerOutcome: GrpcOutcome | undefined;
      let streamError: unknown;

      req.on('response', (headers) => {
        httpStatus = Number(headers[':status']);
        headerOutcome = outcomeFrom(headers);
      });
      req.on('trailers', (trailers) => {
        trailerOutcome = outcomeFrom(trailers);
      });
      req.on('data', (chunk: Buffer) => {
        try {
          messages.push(...decoder.push(chunk));
        } catch (err) {
          fail(new CriError('E_REMOTE', method, { reason: errorText(err), ...this.#where() }, { cause: err }));
        }
      });
      req.on('error', (err) => {
        streamError = err;
      });
      req.on('close', () => {
        if (settled) return;
        const outcome = trailerOutcome ?? headerOutcome;
        if (!outcome) {
          const why = streamError !== undefined
            ? `connection lost: ${errorText(streamError)}`
            : `the stream ended without a gRPC status (HTTP status ${httpStatus ?? 'none'}, RST code ${req.rstCode ?? 'none'})`;
          fail(new CriError(streamError !== undefined ? 'E_CONNECT' : 'E_REMOTE', method, { reason: why, ...this.#where() }, { cause: streamError }));
          return;
        }
        if (outcome.code !== GrpcStatus.OK) {
          const code = outcome.code === GrpcStatus.DEADLINE_EXCEEDED ? 'E_TIMEOUT' : 'E_REMOTE';
          fail(new CriError(code, method, { grpcCode: outcome.code, grpcMessage: outcome.message, ...this.#where() }));
          return;
        }
        if (messages.length !== 1 || decoder.leftover !== 0) {
          fail(new CriError('E_REMOTE', method, {
            reason: `expected one response message, got ${messages.length}${decoder.leftover ? ` and ${decoder.leftover} stray bytes` : ''}`,
            ...this.#where(),
          }));
          return;
        }
        settled = true;
        clearTimeout(timer);
        resolve(messages[0]!);
      });
      req.end(encodeFrame(request));
    });
  }

  #timeout(method: string, timeoutMs: number, phase = ''): CriError {
    return new CriError('E_TIMEOUT', method, { reason: `no answer within ${timeoutMs} ms${phase ? ` ${phase}` : ''}`, ...this.#where() });
  }

  #where(): { target?: string } {
    return this.#target === undefined ? {} : { target: this.#target };
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
