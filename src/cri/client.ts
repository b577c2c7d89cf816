/**
 * A small CRI v1 client: the calls dockhand needs to see what a running runtime uses (Version, Status
 * with its config) and to prove a pull the way kubelet pulls (PullImage, ImageStatus, RemoveImage).
 * Every call has a timeout; failures are CriError with the gRPC status when the runtime answered one.
 *
 * The calls themselves (calls.ts: connect's gRPC, protobuf-es messages) are loaded on the first one, so
 * that a run which makes none (a check, an apply without a pull check) does not pay for loading them.
 */
import type { CriCalls } from './calls.ts';
import type { CriAuth, CriImageStatus, CriStatus, CriVersion } from './messages.ts';
import type { CallOptions, CriClientOptions } from './options.ts';

export type { CallOptions, CriClientOptions } from './options.ts';

export class CriClient {
  readonly #options: CriClientOptions;
  #calls: Promise<CriCalls> | undefined;

  constructor(options: CriClientOptions) {
    this.#options = options;
  }

  /** RuntimeService/Version: the runtime's name and version. */
  version(options: CallOptions = {}): Promise<CriVersion> {
    return this.#with((calls) => calls.version(options));
  }

  /** RuntimeService/Status; verbose adds `info` (containerd: "config" holds its CRI config as JSON). */
  status(options: CallOptions & { readonly verbose?: boolean } = {}): Promise<CriStatus> {
    return this.#with((calls) => calls.status(options));
  }

  /** ImageService/PullImage; resolves to the image reference the runtime stored (an image id). */
  pullImage(image: string, options: CallOptions & { readonly auth?: CriAuth } = {}): Promise<string> {
    return this.#with((calls) => calls.pullImage(image, options));
  }

  /** ImageService/ImageStatus; `image` is undefined when the runtime does not have it. */
  imageStatus(image: string, options: CallOptions = {}): Promise<CriImageStatus> {
    return this.#with((calls) => calls.imageStatus(image, options));
  }

  /** ImageService/RemoveImage; removing an image the runtime does not have succeeds. */
  removeImage(image: string, options: CallOptions = {}): Promise<void> {
    return this.#with((calls) => calls.removeImage(image, options));
  }

  /** Closes the connection; the client may be used again (it reconnects). */
  async close(): Promise<void> {
    (await this.#calls)?.close();
  }

  async #with<T>(call: (calls: CriCalls) => Promise<T>): Promise<T> {
    this.#calls ??= import('./calls.ts').then((m) => new m.CriCalls(this.#options));
    return call(await this.#calls);
  }
}
