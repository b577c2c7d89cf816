/**
 * node:http2 takes its connection at once (`createConnection` returns a stream), while an SSH channel or a
 * unix socket opens later: a PendingStream is that connection, passing bytes through to the stream once it
 * has opened. What is written before waits; either side closing closes the other. A stream that fails to
 * open, or fails later, closes it without an error: node:http2 then ends the session quietly (an error
 * would surface as an 'error' event of a session that may have no listener left), and the caller learns
 * why from the opening promise and from `lost`.
 */
import { Duplex } from 'node:stream';

export class PendingStream extends Duplex {
  #inner: Duplex | undefined;
  readonly #waiting: (() => void)[] = [];
  #lost = false;

  constructor(opening: Promise<Duplex>) {
    super();
    // a write or read after the close fails with an 'error' event: the call has failed already
    this.on('error', () => undefined);
    opening.then(
      (inner) => this.#attach(inner),
      () => this.destroy(),
    );
  }

  /** The stream failed to open, or has ended, failed or closed since: the connection is gone. */
  get lost(): boolean {
    return this.#lost || this.destroyed;
  }

  #attach(inner: Duplex): void {
    if (this.destroyed) {
      inner.destroy();
      return;
    }
    this.#inner = inner;
    inner.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) inner.pause();
    });
    inner.once('end', () => {
      this.#lost = true;
      this.push(null);
    });
    inner.on('error', () => this.destroy());
    inner.once('close', () => this.destroy());
    for (const go of this.#waiting.splice(0)) go();
  }

  #whenOpen(go: (inner: Duplex) => void): void {
    const inner = this.#inner;
    if (inner) go(inner);
    else this.#waiting.push(() => go(this.#inner!));
  }

  override _read(): void {
    this.#inner?.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#whenOpen((inner) => inner.write(chunk, (err) => {
      if (!err) callback();
      else this.destroy();
    }));
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#whenOpen((inner) => inner.end(callback));
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#inner?.destroy();
    callback(error);
  }
}
