/**
 * The one HTTP/2 connection of a CRI client: connect's session manager (it opens the connection on first
 * use, and again after the runtime closed it, as a restart does) on a PendingStream over the byte stream
 * the caller opens, with each response read as it arrives (see readAsItArrives).
 */
import { Http2SessionManager, type GrpcTransportOptions } from '@connectrpc/connect-node';
import type { ClientHttp2Stream } from 'node:http2';
import { PassThrough, pipeline, type Duplex } from 'node:stream';
import { PendingStream } from './pending-stream.ts';
import type { StreamFactory } from './transport.ts';

type SessionManager = NonNullable<GrpcTransportOptions['sessionManager']>;

/** What a failed call needs to know of the connection it ran on. */
export interface ConnectionState {
  /** the stream was still opening */
  readonly opening: boolean;
  /** why the stream could not be opened, if it could not */
  readonly openFailure: unknown;
  /** the stream ended, failed or closed */
  readonly lost: boolean;
}

export class CriConnection {
  readonly #connect: StreamFactory;
  readonly #sessions: Http2SessionManager;
  #stream: PendingStream | undefined;
  #opening = false;
  #openFailure: unknown = undefined;

  constructor(connect: StreamFactory, baseUrl: string) {
    this.#connect = connect;
    this.#sessions = new Http2SessionManager(baseUrl, {}, { createConnection: () => this.#open() });
  }

  /** The session manager for connect's gRPC transport. */
  get sessionManager(): SessionManager {
    const sessions = this.#sessions;
    return {
      authority: sessions.authority,
      request: async (method, path, headers, options) => readAsItArrives(await sessions.request(method, path, headers, options)),
      notifyResponseByteRead: (stream) => sessions.notifyResponseByteRead(stream),
    };
  }

  state(): ConnectionState {
    return { opening: this.#opening, openFailure: this.#openFailure, lost: this.#stream?.lost ?? false };
  }

  /** Closes the connection; a later call opens a new one. */
  close(): void {
    this.#sessions.abort();
  }

  #open(): Duplex {
    this.#opening = true;
    this.#openFailure = undefined;
    const opening = new Promise<Duplex>((resolve) => resolve(this.#connect()));
    opening.then(
      () => {
        this.#opening = false;
      },
      (err: unknown) => {
        this.#opening = false;
        this.#openFailure = err;
      },
    );
    this.#stream = new PendingStream(opening);
    return this.#stream;
  }
}

/**
 * Node.js 26.3 and later (and 24.20) end an async iteration of an HTTP/2 stream that begins after the
 * stream closed with "Premature close", though its data is still buffered (nodejs/node#65677). connect
 * iterates each response body, and begins once it has checked the headers: by then a runtime's whole
 * answer (headers, message, trailers), arrived in one read, has closed the stream. So the body is piped,
 * from the moment the request is made, into a PassThrough that nothing closes before it has been read,
 * and connect iterates that; a stream that fails fails the PassThrough with its error.
 */
function readAsItArrives(stream: ClientHttp2Stream): ClientHttp2Stream {
  const body = new PassThrough();
  pipeline(stream, body, () => undefined);
  stream[Symbol.asyncIterator] = () => body[Symbol.asyncIterator]();
  return stream;
}
