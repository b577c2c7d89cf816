import type { StreamFactory } from './transport.ts';

export interface CriClientOptions {
  /** opens a byte stream to the runtime's socket: unixSocket(path), sshStreamLocal(client, path) */
  readonly connect: StreamFactory;
  /** names the endpoint in error messages, e.g. the node's name */
  readonly target?: string;
  /** per call, connecting included; default 10 s */
  readonly timeoutMs?: number;
  /** for PullImage, which downloads the image; default 5 min */
  readonly pullTimeoutMs?: number;
}

export interface CallOptions {
  /** overrides the client's timeout for this call */
  readonly timeoutMs?: number;
}
