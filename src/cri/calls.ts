/**
 * The CRI calls on connect's gRPC (@connectrpc/connect-node) with messages generated from the CRI's own
 * api.proto (gen/), on one connection (connection.ts). Loaded by CriClient (client.ts) on its first call:
 * a run without a pull check never loads connect or protobuf-es.
 */
import type { DescMethod } from '@bufbuild/protobuf';
import { createClient, type Client } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { criErrorFrom } from './call-errors.ts';
import { CriConnection } from './connection.ts';
import { ImageService, RuntimeService } from './gen/runtime/v1/api_pb.ts';
import { criImageStatus, criStatus, criVersion, type CriAuth, type CriImageStatus, type CriStatus, type CriVersion } from './messages.ts';
import type { CallOptions, CriClientOptions } from './options.ts';

/** The version of the CRI these calls speak, sent in VersionRequest. */
export const CRI_API_VERSION = 'v1';

/** The largest response accepted (containerd's own default send limit is 16 MiB). */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** h2c with prior knowledge; the authority is what a local socket's gRPC server expects. */
const BASE_URL = 'http://localhost';

export class CriCalls {
  readonly #target: string | undefined;
  readonly #timeoutMs: number;
  readonly #pullTimeoutMs: number;
  readonly #connection: CriConnection;
  readonly #runtime: Client<typeof RuntimeService>;
  readonly #images: Client<typeof ImageService>;

  constructor(options: CriClientOptions) {
    this.#target = options.target;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#pullTimeoutMs = options.pullTimeoutMs ?? 300_000;
    this.#connection = new CriConnection(options.connect, BASE_URL);
    const transport = createGrpcTransport({ baseUrl: BASE_URL, sessionManager: this.#connection.sessionManager, readMaxBytes: MAX_MESSAGE_BYTES });
    this.#runtime = createClient(RuntimeService, transport);
    this.#images = createClient(ImageService, transport);
  }

  /** RuntimeService/Version: the runtime's name and version. */
  async version(options: CallOptions = {}): Promise<CriVersion> {
    const timeoutMs = this.#timeout(options);
    return criVersion(await this.#call(RuntimeService.method.version, timeoutMs, () =>
      this.#runtime.version({ version: CRI_API_VERSION }, { timeoutMs })));
  }

  /** RuntimeService/Status; verbose adds `info` (containerd: "config" holds its CRI config as JSON). */
  async status(options: CallOptions & { readonly verbose?: boolean } = {}): Promise<CriStatus> {
    const timeoutMs = this.#timeout(options);
    return criStatus(await this.#call(RuntimeService.method.status, timeoutMs, () =>
      this.#runtime.status({ verbose: options.verbose ?? false }, { timeoutMs })));
  }

  /** ImageService/PullImage; resolves to the image reference the runtime stored (an image id). */
  async pullImage(image: string, options: CallOptions & { readonly auth?: CriAuth } = {}): Promise<string> {
    const timeoutMs = options.timeoutMs ?? this.#pullTimeoutMs;
    const reply = await this.#call(ImageService.method.pullImage, timeoutMs, () =>
      this.#images.pullImage({ image: imageSpec(image), ...(options.auth === undefined ? {} : { auth: { ...options.auth } }) }, { timeoutMs }));
    return reply.imageRef;
  }

  /** ImageService/ImageStatus; `image` is undefined when the runtime does not have it. */
  async imageStatus(image: string, options: CallOptions = {}): Promise<CriImageStatus> {
    const timeoutMs = this.#timeout(options);
    return criImageStatus(await this.#call(ImageService.method.imageStatus, timeoutMs, () =>
      this.#images.imageStatus({ image: imageSpec(image) }, { timeoutMs })));
  }

  /** ImageService/RemoveImage; removing an image the runtime does not have succeeds. */
  async removeImage(image: string, options: CallOptions = {}): Promise<void> {
    const timeoutMs = this.#timeout(options);
    await this.#call(ImageService.method.removeImage, timeoutMs, () => this.#images.removeImage({ image: imageSpec(image) }, { timeoutMs }));
  }

  /** Closes the connection; a later call opens a new one. */
  close(): void {
    this.#connection.close();
  }

  async #call<T>(method: DescMethod, timeoutMs: number, call: () => Promise<T>): Promise<T> {
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new TypeError(`timeoutMs must be a positive number, got ${timeoutMs}`);
    try {
      return await call();
    } catch (err) {
      throw criErrorFrom(err, { method: `${method.parent.typeName}/${method.name}`, target: this.#target, timeoutMs, ...this.#connection.state() });
    }
  }

  #timeout(options: CallOptions): number {
    return options.timeoutMs ?? this.#timeoutMs;
  }
}

function imageSpec(image: string): { image: string } {
  return { image };
}
