import { duplexPair, PassThrough, type Duplex } from 'node:stream';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { PendingStream } from '../../../src/cri/pending-stream.ts';

function deferred(): { promise: Promise<Duplex>; resolve: (d: Duplex) => void; reject: (e: Error) => void } {
  let resolve!: (d: Duplex) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<Duplex>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('PendingStream', () => {
  it('holds what is written until the stream opens, then passes bytes both ways in order', async () => {
    const opening = deferred();
    const pending = new PendingStream(opening.promise);
    pending.write('one ');
    pending.write('two ');
    const inner = new PassThrough();
    const written: string[] = [];
    inner.on('data', (d: Buffer) => written.push(d.toString()));
    opening.resolve(inner);
    await new Promise((r) => setImmediate(r));
    pending.write('three');
    await new Promise((r) => setImmediate(r));
    expect(written.join('')).toBe('one two three');
  });

  it('reads what the stream sends, and ends when it ends', async () => {
    const [inner, peer] = duplexPair();
    const pending = new PendingStream(Promise.resolve(inner));
    const read: string[] = [];
    pending.on('data', (d: Buffer) => read.push(d.toString()));
    await new Promise((r) => setImmediate(r));
    peer.end('hello');
    await once(pending, 'end');
    expect(read.join('')).toBe('hello');
    expect(pending.lost).toBe(true);
  });

  it('closes without an error event when the stream cannot be opened', async () => {
    const opening = deferred();
    const pending = new PendingStream(opening.promise);
    const errors: unknown[] = [];
    pending.on('error', (e) => errors.push(e));
    opening.reject(new Error('administratively prohibited'));
    await once(pending, 'close');
    expect(pending.lost).toBe(true);
    expect(errors).toEqual([]);
  });

  it('closes the stream when it is closed, and a stream opened too late is closed at once', async () => {
    const inner = new PassThrough();
    const pending = new PendingStream(Promise.resolve(inner));
    await new Promise((r) => setImmediate(r));
    pending.destroy();
    expect(inner.destroyed).toBe(true);
    const late = deferred();
    const gone = new PendingStream(late.promise);
    gone.destroy();
    const lateInner = new PassThrough();
    late.resolve(lateInner);
    await new Promise((r) => setImmediate(r));
    expect(lateInner.destroyed).toBe(true);
  });

  it('closes when the stream fails', async () => {
    const inner = new PassThrough();
    const pending = new PendingStream(Promise.resolve(inner));
    await new Promise((r) => setImmediate(r));
    inner.destroy(new Error('channel closed'));
    await once(pending, 'close');
    expect(pending.lost).toBe(true);
  });
});
