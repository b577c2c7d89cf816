/**
 * A small CRI v1 client: the calls dockhand needs to see what a running containerd uses (Version,
 * Status with its config) and to prove a pull the way kubelet pulls (PullImage, ImageStatus, RemoveImage).
 * Every call has a timeout; failures are CriError with the gRPC status when the runtime answered one.
 */
import { GrpcChannel } from './channel.ts';
import {
  decodeEmptyResponse, decodeImageStatusResponse, decodePullImageResponse, decodeStatusResponse, decodeVersionResponse,
  encodeImageStatusRequest, encodePullImageRequest, encodeRemoveImageRequest, encodeStatusRequest, encodeVersionRequest,
  type CriAuth, type CriImageStatus, type CriStatus, type CriVersion,
} from './messages.ts';
import type { StreamFactory } from './transport.ts';

export const RUNTIME_SERVICE = 'runtime.v1.RuntimeService';
export const IMAGE_SERVICE = 'runtime.v1.ImageService';

/** The version of the CRI this client speaks, sent in VersionRequest. */
export const CRI_API_VERSION = 'v1';

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

export class CriClient {
  readonly #channel: GrpcChannel;
  readonly #timeoutMs: number;
  readonly #pullTimeoutMs: number;

  constructor(options: CriClientOptions) {
    this.#channel = new GrpcChannel({ connect: options.connect, ...(options.target === undefined ? {} : { target: options.target }) });
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#pullTimeoutMs = options.pullTimeoutMs ?? 300_000;
  }

  /** RuntimeService/Version: the runtime's name and version. */
  async version(options: CallOptions = {}): Promise<CriVersion> {
    const reply = await this.#channel.unary(`${RUNTIME_SERVICE}/Version`, encodeVersionRequest(CRI_API_VERSION), this.#timeout(options));
    return decodeVersionResponse(reply);
  }

  /** RuntimeService/Status; verbose adds `info` (containerd: "config" holds its CRI config as JSON). */
  async status(options: CallOptions & { readonly verbose?: boolean } = {}): Promise<CriStatus> {
    const reply = await this.#channel.unary(`${RUNTIME_SERVICE}/Status`, encodeStatusRequest(options.verbose ?? false), this.#timeout(options));
    return decodeStatusResponse(reply);
  }

  /** ImageService/PullImage; resolves to the image reference the runtime stored (an image id). */
  async pullImage(image: string, options: CallOptions & { readonly auth?: CriAuth } = {}): Promise<string> {
    const timeout = options.timeoutMs ?? this.#pullTimeoutMs;
    const reply = await this.#channel.unary(`${IMAGE_SERVICE}/PullImage`, encodePullImageRequest(image, options.auth), timeout);
    return decodePullImageResponse(reply);
  }

  /** ImageService/ImageStatus; `image` is undefined when the runtime does not have it. */
  async imageStatus(image: string, options: CallOptions = {}): Promise<CriImageStatus> {
    const reply = await this.#channel.unary(`${IMAGE_SERVICE}/ImageStatus`, encodeImageStatusRequest(image), this.#timeout(options));
    return decodeImageStatusResponse(reply);
  }

  /** ImageService/RemoveImage; removing an image the runtime does not have succeeds. */
  async removeImage(image: string, options: CallOptions = {}): Promise<void> {
    const reply = await this.#channel.unary(`${IMAGE_SERVICE}/RemoveImage`, encodeRemoveImageRequest(image), this.#timeout(options));
    decodeEmptyResponse(reply);
  }

  /** Closes the connection; the client may be used again (it reconnects). */
  close(): Promise<void> {
    return this.#channel.close();
  }

  #timeout(options: CallOptions): number {
    return options.timeoutMs ?? this.#timeoutMs;
  }
}
